# Empty compiler generated dependencies file for test_taxonomy.
# This may be replaced when dependencies are built.
