file(REMOVE_RECURSE
  "CMakeFiles/test_ndjson.dir/tests/unit/test_ndjson.c.o"
  "CMakeFiles/test_ndjson.dir/tests/unit/test_ndjson.c.o.d"
  "test_ndjson"
  "test_ndjson.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ndjson.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
