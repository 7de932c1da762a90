
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-ops/src/core/config.c" "CMakeFiles/nmpure.dir/src/core/config.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/config.c.o.d"
  "/work/wt-ops/src/core/log.c" "CMakeFiles/nmpure.dir/src/core/log.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/log.c.o.d"
  "/work/wt-ops/src/core/merge_patch.c" "CMakeFiles/nmpure.dir/src/core/merge_patch.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/merge_patch.c.o.d"
  "/work/wt-ops/src/core/taxonomy.c" "CMakeFiles/nmpure.dir/src/core/taxonomy.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/taxonomy.c.o.d"
  "/work/wt-ops/src/core/verr.c" "CMakeFiles/nmpure.dir/src/core/verr.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/verr.c.o.d"
  "/work/wt-ops/src/import/colmap.c" "CMakeFiles/nmpure.dir/src/import/colmap.c.o" "gcc" "CMakeFiles/nmpure.dir/src/import/colmap.c.o.d"
  "/work/wt-ops/src/import/csv.c" "CMakeFiles/nmpure.dir/src/import/csv.c.o" "gcc" "CMakeFiles/nmpure.dir/src/import/csv.c.o.d"
  "/work/wt-ops/src/import/ndjson.c" "CMakeFiles/nmpure.dir/src/import/ndjson.c.o" "gcc" "CMakeFiles/nmpure.dir/src/import/ndjson.c.o.d"
  "/work/wt-ops/src/import/numparse.c" "CMakeFiles/nmpure.dir/src/import/numparse.c.o" "gcc" "CMakeFiles/nmpure.dir/src/import/numparse.c.o.d"
  "/work/wt-ops/src/model/brand.c" "CMakeFiles/nmpure.dir/src/model/brand.c.o" "gcc" "CMakeFiles/nmpure.dir/src/model/brand.c.o.d"
  "/work/wt-ops/src/model/creator.c" "CMakeFiles/nmpure.dir/src/model/creator.c.o" "gcc" "CMakeFiles/nmpure.dir/src/model/creator.c.o.d"
  "/work/wt-ops/src/model/field.c" "CMakeFiles/nmpure.dir/src/model/field.c.o" "gcc" "CMakeFiles/nmpure.dir/src/model/field.c.o.d"
  "/work/wt-ops/src/model/iso.c" "CMakeFiles/nmpure.dir/src/model/iso.c.o" "gcc" "CMakeFiles/nmpure.dir/src/model/iso.c.o.d"
  "/work/wt-ops/src/model/terms.c" "CMakeFiles/nmpure.dir/src/model/terms.c.o" "gcc" "CMakeFiles/nmpure.dir/src/model/terms.c.o.d"
  "/work/wt-ops/src/score/bench.c" "CMakeFiles/nmpure.dir/src/score/bench.c.o" "gcc" "CMakeFiles/nmpure.dir/src/score/bench.c.o.d"
  "/work/wt-ops/src/score/rank.c" "CMakeFiles/nmpure.dir/src/score/rank.c.o" "gcc" "CMakeFiles/nmpure.dir/src/score/rank.c.o.d"
  "/work/wt-ops/src/score/score.c" "CMakeFiles/nmpure.dir/src/score/score.c.o" "gcc" "CMakeFiles/nmpure.dir/src/score/score.c.o.d"
  "/work/wt-ops/src/webhook/sign.c" "CMakeFiles/nmpure.dir/src/webhook/sign.c.o" "gcc" "CMakeFiles/nmpure.dir/src/webhook/sign.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
