
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt-ops/src/db/migrate.c" "CMakeFiles/nmcore.dir/src/db/migrate.c.o" "gcc" "CMakeFiles/nmcore.dir/src/db/migrate.c.o.d"
  "/work/wt-ops/src/db/pool.c" "CMakeFiles/nmcore.dir/src/db/pool.c.o" "gcc" "CMakeFiles/nmcore.dir/src/db/pool.c.o.d"
  "/work/wt-ops/src/handlers/brands.c" "CMakeFiles/nmcore.dir/src/handlers/brands.c.o" "gcc" "CMakeFiles/nmcore.dir/src/handlers/brands.c.o.d"
  "/work/wt-ops/src/handlers/common.c" "CMakeFiles/nmcore.dir/src/handlers/common.c.o" "gcc" "CMakeFiles/nmcore.dir/src/handlers/common.c.o.d"
  "/work/wt-ops/src/handlers/health.c" "CMakeFiles/nmcore.dir/src/handlers/health.c.o" "gcc" "CMakeFiles/nmcore.dir/src/handlers/health.c.o.d"
  "/work/wt-ops/src/handlers/keys.c" "CMakeFiles/nmcore.dir/src/handlers/keys.c.o" "gcc" "CMakeFiles/nmcore.dir/src/handlers/keys.c.o.d"
  "/work/wt-ops/src/http/auth.c" "CMakeFiles/nmcore.dir/src/http/auth.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/auth.c.o.d"
  "/work/wt-ops/src/http/idempotency.c" "CMakeFiles/nmcore.dir/src/http/idempotency.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/idempotency.c.o.d"
  "/work/wt-ops/src/http/metrics.c" "CMakeFiles/nmcore.dir/src/http/metrics.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/metrics.c.o.d"
  "/work/wt-ops/src/http/openapi.c" "CMakeFiles/nmcore.dir/src/http/openapi.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/openapi.c.o.d"
  "/work/wt-ops/src/http/ratelimit.c" "CMakeFiles/nmcore.dir/src/http/ratelimit.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/ratelimit.c.o.d"
  "/work/wt-ops/src/http/router.c" "CMakeFiles/nmcore.dir/src/http/router.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/router.c.o.d"
  "/work/wt-ops/src/http/routes.c" "CMakeFiles/nmcore.dir/src/http/routes.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/routes.c.o.d"
  "/work/wt-ops/src/http/server.c" "CMakeFiles/nmcore.dir/src/http/server.c.o" "gcc" "CMakeFiles/nmcore.dir/src/http/server.c.o.d"
  "/work/wt-ops/src/webhook/outbox.c" "CMakeFiles/nmcore.dir/src/webhook/outbox.c.o" "gcc" "CMakeFiles/nmcore.dir/src/webhook/outbox.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt-ops/build/CMakeFiles/nmpure.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
