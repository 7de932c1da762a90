# Empty compiler generated dependencies file for test_ndjson.
# This may be replaced when dependencies are built.
