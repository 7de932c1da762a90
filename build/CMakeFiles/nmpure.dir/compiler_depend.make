# Empty compiler generated dependencies file for nmpure.
# This may be replaced when dependencies are built.
