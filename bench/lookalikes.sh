#!/usr/bin/env bash
# Lookalikes benchmark (issue 15, acceptance 4): loads N generated creators (default
# 1,000,000) through the API, then times with wrk at one connection
#   GET  /v1/creators/{id}/lookalikes        (default limit 20), cycling through 50 seeds;
#   POST /v1/brands/{id}/lookalikes          5 seeds in the body, limit 20;
# the whole request: index sync, the seeds' rows, the posting-list walk, the full
# similarity of the best candidates, the results' rows and the JSON reply.
# Target: p50 <= 20 ms at 1M creators.
#
# usage: bench/lookalikes.sh    env: BENCH_CREATORS (1000000), BENCH_DURATION (20s),
#                               BENCH_PORT (18743), BENCH_PG_PORT (55743), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-1000000}
DUR=${BENCH_DURATION:-20s}
PORT=${BENCH_PORT:-18743}

command -v wrk >/dev/null || die "wrk is not installed"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build
bench_tmp
api_start "${BENCH_PG_PORT:-55743}" "$PORT" nm_lookalikes

note "generating and importing $N creators..."
import_creators "$N" 42
psql_q "$(pg_url nm_lookalikes)" -c "VACUUM ANALYZE creators" >/dev/null

# 50 seeds spread over the pool, the same every run (no random()).
SEEDS=$(psql_q "$(pg_url nm_lookalikes)" -At -c \
	"SELECT string_agg(id::text, ',') FROM (SELECT id FROM creators ORDER BY md5(id::text) LIMIT 50) s")
FIRST=${SEEDS%%,*}
BRAND=$(fitness_brand)
BODY="{\"seed_creator_ids\":[$(cut -d, -f1-5 <<<"$SEEDS")],\"limit\":20}"

# The first request loads the index.
t0=$(date +%s.%N)
curl -fsS "$URL/v1/creators/$FIRST/lookalikes" -H "$H" -o "$BENCH_TMP/first.json"
t1=$(date +%s.%N)
curl -fsS "$URL/v1/creators/$FIRST/lookalikes" -H "$H" -o /dev/null # warm

cat >"$BENCH_TMP/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $KEY"
ids = { $SEEDS }
i = 0
request = function()
	i = i % #ids + 1
	return wrk.format("GET", "/v1/creators/" .. ids[i] .. "/lookalikes")
end
LUA
wrk_done_lua >>"$BENCH_TMP/get.lua"
cat >"$BENCH_TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
LUA
wrk_done_lua >>"$BENCH_TMP/post.lua"

run_wrk() { # SCRIPT PATH
	wrk -t1 -c1 -d"$DUR" --latency -s "$1" "$URL$2" | awk '/^NMRESULT/ { print $2, $3, $4, $5 }'
}
read -r g_rps g_p50 g_p99 g_errs <<<"$(run_wrk "$BENCH_TMP/get.lua" /)"
read -r p_rps p_p50 p_p99 p_errs <<<"$(run_wrk "$BENCH_TMP/post.lua" "/v1/brands/$BRAND/lookalikes")"
summary=$(python3 - "$BENCH_TMP/first.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["data"]
print("first reply: %d results, similarity %.4f .. %.4f" % (
    len(d), d[0]["similarity"] if d else 0, d[-1]["similarity"] if d else 0))
PY
)

cat <<REPORT

nichematch lookalikes benchmark, $(date -u +%Y-%m-%dT%H:%MZ)
machine: $(machine_line); $(load_line)
creators: $N (generated, seed 42); 50 seeds (by md5 of the id)
first request (loads the index): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s
$summary

| what | conns | req/s | p50 ms | p99 ms | non-2xx | target |
|---|---|---|---|---|---|---|
| GET creators/{id}/lookalikes (50 seeds in turn) | 1 | $g_rps | $(ms "$g_p50") | $(ms "$g_p99") | $g_errs | p50 <= 20 |
| POST brands/{id}/lookalikes (5 seeds) | 1 | $p_rps | $(ms "$p_p50") | $(ms "$p_p99") | $p_errs | p50 <= 20 |
REPORT
