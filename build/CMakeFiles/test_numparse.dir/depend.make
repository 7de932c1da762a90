# Empty dependencies file for test_numparse.
# This may be replaced when dependencies are built.
