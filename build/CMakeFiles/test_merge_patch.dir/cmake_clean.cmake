file(REMOVE_RECURSE
  "CMakeFiles/test_merge_patch.dir/tests/unit/test_merge_patch.c.o"
  "CMakeFiles/test_merge_patch.dir/tests/unit/test_merge_patch.c.o.d"
  "test_merge_patch"
  "test_merge_patch.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_merge_patch.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
