file(REMOVE_RECURSE
  "CMakeFiles/test_numparse.dir/tests/unit/test_numparse.c.o"
  "CMakeFiles/test_numparse.dir/tests/unit/test_numparse.c.o.d"
  "test_numparse"
  "test_numparse.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_numparse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
