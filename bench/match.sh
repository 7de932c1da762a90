#!/usr/bin/env bash
# Matching benchmark (issue 4, PERFORMANCE.md): loads N generated creators (default
# 1,000,000), then measures POST /v1/brands/{id}/matches (rank + store 200) and GET of a
# 50-result page with wrk at 1 and 8 connections, next to the plain-SQL ranking of the same
# brand (EXPLAIN ANALYZE, the baseline). Prints the index's memory and load time too.
#
# Nothing is pinned for the main figures: server, PostgreSQL and wrk share the two cores
# (as PERFORMANCE.md's baselines did), so a run's ranking can use both. One more POST line
# is measured with the server pinned to CPU 1 and PostgreSQL and wrk to CPU 0: the same
# run on one core, for comparison.
#
# usage: bench/match.sh    env: BENCH_CREATORS (1000000), BENCH_DURATION (10s),
#                                BENCH_PORT (18480), BENCH_PG_PORT (55481), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-1000000}
DUR=${BENCH_DURATION:-10s}
PORT=${BENCH_PORT:-18480}

command -v wrk >/dev/null || die "wrk is not installed"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build
bench_tmp
api_start "${BENCH_PG_PORT:-55481}" "$PORT" nm_match

note "generating and importing $N creators..."
import_creators "$N" 42
psql_q "$(pg_url nm_match)" -c "VACUUM ANALYZE creators" >/dev/null

BRAND=$(fitness_brand)

rss_before=$(rss_kib "$SERVER_PID" VmRSS)
t0=$(date +%s.%N)
curl -fsS -X POST "$URL/v1/brands/$BRAND/matches" -H "$H" -o "$BENCH_TMP/first.json"
t1=$(date +%s.%N)
rss_after=$(rss_kib "$SERVER_PID" VmRSS)
candidates=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"]["candidates"])' "$BENCH_TMP/first.json")

# Baseline: the plain-SQL ranking a typical team would write for the same brand
# (PERFORMANCE.md: filter, categories overlap, weighted score, ORDER BY score LIMIT 50).
BASELINE_SQL="EXPLAIN (ANALYZE, FORMAT JSON)
	SELECT id, 0.35 * least(coalesce(engagement_rate, 0) / 0.03, 1)
	         + 0.2 * ((categories && ARRAY['fitness'])::int + (categories && ARRAY['wellness'])::int) / 2.0
	         + 0.15 * CASE WHEN price_per_post_cents > 0
	                       THEN least(followers * coalesce(engagement_rate, 0) * 100.0 / price_per_post_cents, 1)
	                       ELSE 0.5 END
	         + 0.1 * CASE WHEN followers BETWEEN 10000 AND 100000 THEN 1 ELSE 0 END AS score
	FROM creators
	WHERE followers BETWEEN 10000 AND 100000
	  AND categories && ARRAY['fitness','wellness']
	ORDER BY score DESC, id LIMIT 50"
# Twice: the first run warms the cache; the second is the figure.
psql_q "$(pg_url nm_match)" -At -c "$BASELINE_SQL" >/dev/null
baseline_ms=$(psql_q "$(pg_url nm_match)" -At -c "$BASELINE_SQL" |
	python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)[0]["Execution Time"])')

cat >"$BENCH_TMP/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $KEY"
EOF
wrk_done_lua >>"$BENCH_TMP/post.lua"
sed -e 's/^wrk.method = "POST"$//' "$BENCH_TMP/post.lua" >"$BENCH_TMP/get.lua"

run() { # LUA CONNS PATH [CPU for wrk]
	local threads=1 pin=()
	(($2 > 1)) && threads=2
	[[ -n ${4:-} ]] && pin=(taskset -c "$4")
	"${pin[@]}" wrk -t"$threads" -c"$2" -d"$DUR" --latency -s "$1" "$URL$3" |
		awk '/^NMRESULT/ { print $2, $3, $4, $5 }'
}

read -r p1_rps p1_p50 p1_p99 p1_err <<<"$(run "$BENCH_TMP/post.lua" 1 "/v1/brands/$BRAND/matches")"
read -r p8_rps p8_p50 p8_p99 p8_err <<<"$(run "$BENCH_TMP/post.lua" 8 "/v1/brands/$BRAND/matches")"
read -r g1_rps g1_p50 g1_p99 g1_err <<<"$(run "$BENCH_TMP/get.lua" 1 "/v1/brands/$BRAND/matches?limit=50")"
read -r g8_rps g8_p50 g8_p99 g8_err <<<"$(run "$BENCH_TMP/get.lua" 8 "/v1/brands/$BRAND/matches?limit=50")"
# The same POST with the server on one core: every thread of it on CPU 1, PostgreSQL (the
# postmaster and its backends) and wrk on CPU 0.
taskset -a -p -c 1 "$SERVER_PID" >/dev/null
pg_pid=$(head -1 "$PG_DATA/postmaster.pid")
for p in "$pg_pid" $(pgrep -P "$pg_pid"); do taskset -a -p -c 0 "$p" >/dev/null; done
read -r s1_rps s1_p50 s1_p99 s1_err <<<"$(run "$BENCH_TMP/post.lua" 1 "/v1/brands/$BRAND/matches" 0)"

# PERFORMANCE.md: p50 <= 30 ms and p99 <= 100 ms at 1M creators, p50 <= 150 ms at 10M.
post_target="p50 <= 30, p99 <= 100 (at 1M)"
((N >= 10000000)) && post_target="p50 <= 150 (at 10M)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

cat <<EOF

nichematch matching benchmark, $(date -u +%Y-%m-%dT%H:%MZ)
machine: $(machine_line)
creators: $N (generated, seed 42); brand niches fitness+wellness, goal engagement
import: $(python3 -c 'import json,sys; ds=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print(sum(d["inserted"] for d in ds), "inserted,", sum(d["rejected"] for d in ds), "rejected in", len(ds), "imports")' "$BENCH_TMP/import.json")
candidates passing the filters: $candidates
first run (loads the index): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s;
server RSS $((rss_before / 1024)) MiB before, $((rss_after / 1024)) MiB after the index loaded

baseline: plain-SQL ranking, EXPLAIN ANALYZE execution time: $baseline_ms ms

| what | conns | req/s | p50 ms | p99 ms | non-2xx | target |
|---|---|---|---|---|---|---|
| POST matches (rank + store 200) | 1 | $p1_rps | $(ms "$p1_p50") | $(ms "$p1_p99") | $p1_err | $post_target |
| POST matches (rank + store 200) | 8 | $p8_rps | $(ms "$p8_p50") | $(ms "$p8_p99") | $p8_err | |
| GET 50-result page | 1 | $g1_rps | $(ms "$g1_p50") | $(ms "$g1_p99") | $g1_err | p50 <= 3 |
| GET 50-result page | 8 | $g8_rps | $(ms "$g8_p50") | $(ms "$g8_p99") | $g8_err | |
| POST matches, server pinned to one core | 1 | $s1_rps | $(ms "$s1_p50") | $(ms "$s1_p99") | $s1_err | (comparison) |

plain-SQL ranking / POST p50 (-c1): $(ratio "$baseline_ms" "$(ms "$p1_p50")")x (target >= 4x)
EOF
