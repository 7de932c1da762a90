# Empty dependencies file for test_brand.
# This may be replaced when dependencies are built.
