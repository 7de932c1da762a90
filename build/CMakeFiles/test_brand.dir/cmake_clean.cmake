file(REMOVE_RECURSE
  "CMakeFiles/test_brand.dir/tests/unit/test_brand.c.o"
  "CMakeFiles/test_brand.dir/tests/unit/test_brand.c.o.d"
  "test_brand"
  "test_brand.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_brand.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
