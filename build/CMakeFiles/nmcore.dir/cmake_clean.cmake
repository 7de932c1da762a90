file(REMOVE_RECURSE
  "CMakeFiles/nmcore.dir/src/db/migrate.c.o"
  "CMakeFiles/nmcore.dir/src/db/migrate.c.o.d"
  "CMakeFiles/nmcore.dir/src/db/pool.c.o"
  "CMakeFiles/nmcore.dir/src/db/pool.c.o.d"
  "CMakeFiles/nmcore.dir/src/handlers/brands.c.o"
  "CMakeFiles/nmcore.dir/src/handlers/brands.c.o.d"
  "CMakeFiles/nmcore.dir/src/handlers/common.c.o"
  "CMakeFiles/nmcore.dir/src/handlers/common.c.o.d"
  "CMakeFiles/nmcore.dir/src/handlers/health.c.o"
  "CMakeFiles/nmcore.dir/src/handlers/health.c.o.d"
  "CMakeFiles/nmcore.dir/src/handlers/keys.c.o"
  "CMakeFiles/nmcore.dir/src/handlers/keys.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/auth.c.o"
  "CMakeFiles/nmcore.dir/src/http/auth.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/idempotency.c.o"
  "CMakeFiles/nmcore.dir/src/http/idempotency.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/metrics.c.o"
  "CMakeFiles/nmcore.dir/src/http/metrics.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/openapi.c.o"
  "CMakeFiles/nmcore.dir/src/http/openapi.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/ratelimit.c.o"
  "CMakeFiles/nmcore.dir/src/http/ratelimit.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/router.c.o"
  "CMakeFiles/nmcore.dir/src/http/router.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/routes.c.o"
  "CMakeFiles/nmcore.dir/src/http/routes.c.o.d"
  "CMakeFiles/nmcore.dir/src/http/server.c.o"
  "CMakeFiles/nmcore.dir/src/http/server.c.o.d"
  "CMakeFiles/nmcore.dir/src/webhook/outbox.c.o"
  "CMakeFiles/nmcore.dir/src/webhook/outbox.c.o.d"
  "libnmcore.a"
  "libnmcore.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nmcore.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
