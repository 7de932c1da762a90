file(REMOVE_RECURSE
  "CMakeFiles/test_taxonomy.dir/tests/unit/test_taxonomy.c.o"
  "CMakeFiles/test_taxonomy.dir/tests/unit/test_taxonomy.c.o.d"
  "test_taxonomy"
  "test_taxonomy.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_taxonomy.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
