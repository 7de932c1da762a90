#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory: creates the
# service's login role as a member of nichematch_app. Migration 0017 (run by the owner)
# grants nichematch_app its row rights; it is created here first so that the membership
# can be given now. The password comes from the environment (docker/.env), passed to psql
# as a variable so that it is quoted as a literal and never appears in a command line.
set -eu
: "${NICHEMATCH_APP_USER:?}" "${NICHEMATCH_APP_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_user="$NICHEMATCH_APP_USER" -v app_password="$NICHEMATCH_APP_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE nichematch_app NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nichematch_app') \gexec
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' IN ROLE nichematch_app;
SQL
