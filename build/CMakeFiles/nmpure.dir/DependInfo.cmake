
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/config.c" "CMakeFiles/nmpure.dir/src/core/config.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/config.c.o.d"
  "/work/main/src/core/log.c" "CMakeFiles/nmpure.dir/src/core/log.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/log.c.o.d"
  "/work/main/src/core/merge_patch.c" "CMakeFiles/nmpure.dir/src/core/merge_patch.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/merge_patch.c.o.d"
  "/work/main/src/core/taxonomy.c" "CMakeFiles/nmpure.dir/src/core/taxonomy.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/taxonomy.c.o.d"
  "/work/main/src/core/verr.c" "CMakeFiles/nmpure.dir/src/core/verr.c.o" "gcc" "CMakeFiles/nmpure.dir/src/core/verr.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
