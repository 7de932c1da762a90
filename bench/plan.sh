#!/usr/bin/env bash
# Budget planner benchmark (issue 14, acceptance 4): loads N generated creators (default
# 1,000,000) through the API, then times POST /v1/brands/{id}/plans for a $50,000 plan
# (max 20 creators, share cap 0.5) with wrk at one connection: the whole request (index
# sync, ranking of the pool and of the big accounts, post counts, estimates, solver, match
# documents of the chosen creators, the stored plan and its plan.created event).
# Target: p50 <= 100 ms at 1M creators.
#
# usage: bench/plan.sh    env: BENCH_CREATORS (1000000), BENCH_DURATION (20s),
#                              BENCH_PORT (18733), BENCH_PG_PORT (55733), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-1000000}
DUR=${BENCH_DURATION:-20s}
PORT=${BENCH_PORT:-18733}
BODY='{"budget_cents":5000000,"max_creators":20,"max_share_per_creator":0.5}'

command -v wrk >/dev/null || die "wrk is not installed"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build
bench_tmp
api_start "${BENCH_PG_PORT:-55733}" "$PORT" nm_plan

note "generating and importing $N creators..."
import_creators "$N" 42
psql_q "$(pg_url nm_plan)" -c "VACUUM ANALYZE creators" >/dev/null

BRAND=$(fitness_brand)

plan() { # OUT
	curl -fsS -X POST "$URL/v1/brands/$BRAND/plans" -H "$H" \
		-H 'Content-Type: application/json' -d "$BODY" -o "$1"
}
# The first plan loads the index; its reply gives the pool and solver figures.
t0=$(date +%s.%N)
plan "$BENCH_TMP/first.json"
t1=$(date +%s.%N)
plan /dev/null # warm

cat >"$BENCH_TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
LUA
wrk_done_lua >>"$BENCH_TMP/post.lua"
read -r rps p50 p99 errs <<<"$(wrk -t1 -c1 -d"$DUR" --latency -s "$BENCH_TMP/post.lua" \
	"$URL/v1/brands/$BRAND/plans" | awk '/^NMRESULT/ { print $2, $3, $4, $5 }')"
summary=$(python3 - "$BENCH_TMP/first.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
s, t, c = p["solver"], p["totals"], p["comparison"]
print("solver: %s, exact %s, gap %.4f%%, %d candidates, %d eligible" % (
    s["method"], s["exact"], 100 * s["gap"], s["candidates"], s["eligible"]))
print("plan: %d creators, $%.2f, %.0f engagements; %s" % (
    t["creators"], t["cost_cents"] / 100, t["engagements"], c["summary"]))
PY
)

cat <<REPORT

nichematch budget planner benchmark, $(date -u +%Y-%m-%dT%H:%MZ)
machine: $(machine_line)
creators: $N (generated, seed 42); brand niches fitness+wellness, goal engagement
plan: $BODY
first plan (loads the index): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s
$summary

| what | conns | req/s | p50 ms | p99 ms | non-2xx | target |
|---|---|---|---|---|---|---|
| POST plans (\$50,000) | 1 | $rps | $(ms "$p50") | $(ms "$p99") | $errs | p50 <= 100 |
REPORT
