#!/usr/bin/env bash
# The ranking index per million creators (docs/scaling.md): loads BENCH_CREATORS generated
# creators (default 1,000,000) through the API, stops the server, then runs
# build/index_layout against the database: index load time, nm_index_stats() bytes, RSS
# growth, and filter/score scan times of today's records against a 32 B compact record.
#
# usage: bench/index_layout.sh    env: BENCH_CREATORS (1000000), BENCH_PORT (18735),
#                                      BENCH_PG_PORT (55735), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-1000000}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build
[[ -x $BUILD/index_layout ]] || die "$BUILD/index_layout was not built"
bench_tmp
api_start "${BENCH_PG_PORT:-55735}" "${BENCH_PORT:-18735}" nm_layout
note "generating and importing $N creators..."
t0=$(date +%s)
import_creators "$N" 42
note "imported in $(($(date +%s) - t0)) s"
psql_q "$(pg_url nm_layout)" -c "VACUUM ANALYZE creators" >/dev/null
stop_pid "$SERVER_PID"

echo "nichematch ranking index layout, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(machine_line); $(load_line)"
echo "creators: $N (generated, seed 42)"
DATABASE_URL=$(pg_url nm_layout) NICHEMATCH_LOG_LEVEL=warn "$BUILD/index_layout"
echo "after: $(load_line)"
