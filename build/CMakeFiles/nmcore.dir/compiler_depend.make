# Empty compiler generated dependencies file for nmcore.
# This may be replaced when dependencies are built.
