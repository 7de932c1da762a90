file(REMOVE_RECURSE
  "CMakeFiles/test_colmap.dir/tests/unit/test_colmap.c.o"
  "CMakeFiles/test_colmap.dir/tests/unit/test_colmap.c.o.d"
  "test_colmap"
  "test_colmap.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_colmap.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
