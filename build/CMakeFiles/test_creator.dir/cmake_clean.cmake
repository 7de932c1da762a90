file(REMOVE_RECURSE
  "CMakeFiles/test_creator.dir/tests/unit/test_creator.c.o"
  "CMakeFiles/test_creator.dir/tests/unit/test_creator.c.o.d"
  "test_creator"
  "test_creator.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_creator.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
