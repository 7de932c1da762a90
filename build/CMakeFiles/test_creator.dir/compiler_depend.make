# Empty compiler generated dependencies file for test_creator.
# This may be replaced when dependencies are built.
