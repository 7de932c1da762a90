#!/bin/sh
# Runs once, when the primary initialises an empty data directory: the role the replica
# streams with (REPLICATION, no rights on any table), the physical slot it streams through
# (the primary keeps WAL the replica has not received while it is down; watch
# pg_replication_slots so that a replica gone for good does not fill the disk), and the
# pg_hba.conf line that lets it connect for replication with a password.
set -eu
: "${NICHEMATCH_REPLICATION_USER:=nichematch_replication}" "${NICHEMATCH_REPLICATION_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v repl_user="$NICHEMATCH_REPLICATION_USER" -v repl_password="$NICHEMATCH_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"repl_user" LOGIN REPLICATION PASSWORD :'repl_password';
SELECT pg_create_physical_replication_slot('nichematch_replica');
SQL
echo "host replication $NICHEMATCH_REPLICATION_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
