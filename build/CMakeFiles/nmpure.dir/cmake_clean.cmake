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
  "CMakeFiles/nmpure.dir/src/import/colmap.c.o"
  "CMakeFiles/nmpure.dir/src/import/colmap.c.o.d"
  "CMakeFiles/nmpure.dir/src/import/csv.c.o"
  "CMakeFiles/nmpure.dir/src/import/csv.c.o.d"
  "CMakeFiles/nmpure.dir/src/import/ndjson.c.o"
  "CMakeFiles/nmpure.dir/src/import/ndjson.c.o.d"
  "CMakeFiles/nmpure.dir/src/import/numparse.c.o"
  "CMakeFiles/nmpure.dir/src/import/numparse.c.o.d"
  "CMakeFiles/nmpure.dir/src/model/brand.c.o"
  "CMakeFiles/nmpure.dir/src/model/brand.c.o.d"
  "CMakeFiles/nmpure.dir/src/model/creator.c.o"
  "CMakeFiles/nmpure.dir/src/model/creator.c.o.d"
  "CMakeFiles/nmpure.dir/src/model/field.c.o"
  "CMakeFiles/nmpure.dir/src/model/field.c.o.d"
  "CMakeFiles/nmpure.dir/src/model/iso.c.o"
  "CMakeFiles/nmpure.dir/src/model/iso.c.o.d"
  "CMakeFiles/nmpure.dir/src/model/terms.c.o"
  "CMakeFiles/nmpure.dir/src/model/terms.c.o.d"
  "CMakeFiles/nmpure.dir/src/webhook/sign.c.o"
  "CMakeFiles/nmpure.dir/src/webhook/sign.c.o.d"
  "libnmpure.a"
  "libnmpure.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nmpure.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
