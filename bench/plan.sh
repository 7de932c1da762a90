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
pg_start "${BENCH_PG_PORT:-55733}"
pg_createdb nm_plan
server_start "$PORT" nm_plan
KEY=$(make_key nm_plan)
URL="http://127.0.0.1:$PORT"
H="Authorization: Bearer $KEY"

note "generating and importing $N creators..."
"$BUILD/nichematch" demo-data --creators "$N" --seed 42 --format ndjson |
	split -l 1000000 --filter="curl -fsS -X POST '$URL/v1/creators/import' -H '$H' \
		-H 'Content-Type: application/x-ndjson' -T - >>'$BENCH_TMP/import.json'; echo >>'$BENCH_TMP/import.json'"
psql_q "$(pg_url nm_plan)" -c "VACUUM ANALYZE creators" >/dev/null

BRAND=$(curl -fsS -X POST "$URL/v1/brands" -H "$H" -H 'Content-Type: application/json' \
	-d '{"name":"Bench Fitness","niches":["fitness","wellness"],"goal":"engagement"}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

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
done = function(summary, latency, requests)
	io.write(string.format("NMRESULT %.1f %.0f %.0f %d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50),
		latency:percentile(99), summary.errors.status))
end
LUA
read -r rps p50 p99 errs <<<"$(wrk -t1 -c1 -d"$DUR" --latency -s "$BENCH_TMP/post.lua" \
	"$URL/v1/brands/$BRAND/plans" | awk '/^NMRESULT/ { print $2, $3, $4, $5 }')"
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
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
