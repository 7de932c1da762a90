# Empty compiler generated dependencies file for test_merge_patch.
# This may be replaced when dependencies are built.
