file(REMOVE_RECURSE
  "CMakeFiles/nmpure.dir/src/core/config.c.o"
  "CMakeFiles/nmpure.dir/src/core/config.c.o.d"
  "CMakeFiles/nmpure.dir/src/core/log.c.o"
  "CMakeFiles/nmpure.dir/src/core/log.c.o.d"
  "CMakeFiles/nmpure.dir/src/core/merge_patch.c.o"
  "CMakeFiles/nmpure.dir/src/core/merge_patch.c.o.d"
  "CMakeFiles/nmpure.dir/src/core/taxonomy.c.o"
  "CMakeFiles/nmpure.dir/src/core/taxonomy.c.o.d"
  "CMakeFiles/nmpure.dir/src/core/verr.c.o"
  "CMakeFiles/nmpure.dir/src/core/verr.c.o.d"
  "libnmpure.a"
  "libnmpure.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nmpure.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
