# Empty dependencies file for nichematch.
# This may be replaced when dependencies are built.
