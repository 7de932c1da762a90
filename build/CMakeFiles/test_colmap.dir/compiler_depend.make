# Empty compiler generated dependencies file for test_colmap.
# This may be replaced when dependencies are built.
