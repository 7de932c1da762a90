#!/usr/bin/env bash
# Creator search benchmark (issue 12, docs/performance.md "Creator search"): loads N
# generated creators (default 1,000,000), then measures GET /v1/creators (a filtered,
# sorted page of 50 with total and four facets; and a type-ahead query) with wrk at 1 and
# 8 connections, beside the same queries in plain SQL (the page and the count/facets
# statements with literal values, on the best indexes the script adds) run by pgbench at 1
# and 8 clients, as a ratio. Target: p50 <= 10 ms, p99 <= 50 ms at 1M creators.
#
# usage: bench/search.sh    env: BENCH_CREATORS (1000000), BENCH_DURATION (10s),
#                                BENCH_PORT (18490), BENCH_PG_PORT (55491), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-1000000}
DUR=${BENCH_DURATION:-10s}
SECS=${DUR%s}
PORT=$(free_port "${BENCH_PORT:-18490}") # other jobs on the machine take ports too

command -v wrk >/dev/null || die "wrk is not installed"
command -v pgbench >/dev/null || die "pgbench is not installed"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build
bench_tmp
# Loading is set-up here, not what is measured: on a loaded machine a 100k-row import's
# database work can stall the body longer than the slow-client rule allows.
export NICHEMATCH_IMPORT_MIN_BYTES_PER_S=0
api_start "${BENCH_PG_PORT:-55491}" "$PORT" nm_search

note "generating and importing $N creators..."
t0=$(date +%s.%N)
import_creators "$N" 42 100000
t1=$(date +%s.%N)
# The SQL side gets the best indexes for these queries, which the service itself does
# not need (it sorts, counts and matches q in memory): (key, id) for the sorted page, the
# filter columns for the count, and for the type-ahead a GIN index of the text as written
# (what migrations 0020-0029 kept in the creators table; 0030 dropped it).
psql_q "$(pg_url nm_search)" -c "CREATE INDEX bench_followers_id ON creators (followers, id)" \
	-c "CREATE INDEX bench_er_id ON creators (engagement_rate, id)" \
	-c "CREATE INDEX bench_filter ON creators (country, platform, followers, engagement_rate)" \
	-c "CREATE FUNCTION bench_doc(categories text[], hashtags text[], bio text, caption text)
	    RETURNS tsvector LANGUAGE sql IMMUTABLE AS \$\$ SELECT to_tsvector('simple',
	    coalesce(array_to_string(categories, ' '), '') || ' ' ||
	    coalesce(array_to_string(hashtags, ' '), '') || ' ' || coalesce(bio, '') || ' ' ||
	    coalesce(caption, '')) \$\$" \
	-c "CREATE INDEX bench_doc ON creators USING gin (bench_doc(categories, hashtags, bio, caption))" \
	-c "VACUUM ANALYZE creators" >/dev/null
# The first search loads the index (the warm-up thread may still be at it).
curl -fsS -o /dev/null "$URL/v1/creators?limit=1&tier=micro" -H "$H"

# name | API query | the same filters in SQL | ORDER BY of the page
QUERIES=(
	"filtered|platform=instagram,tiktok&tier=micro,mid&country=US,GB,DE&min_engagement_rate=0.01&sort=-followers&facets=platform,tier,country,category|platform IN ('instagram','tiktok') AND nm_tier(followers) IN ('micro','mid') AND country IN ('US','GB','DE') AND engagement_rate >= 0.01|followers DESC, id DESC"
	"type-ahead|q=fitn&sort=-engagement_rate&facets=platform,tier,country,category|bench_doc(categories, hashtags, bio, caption) @@ to_tsquery('simple', 'fitn:*')|engagement_rate DESC NULLS LAST, id DESC"
)

cat >"$BENCH_TMP/get.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $KEY"
EOF
wrk_done_lua >>"$BENCH_TMP/get.lua"
# The same query with a new min_followers on every request (each thread its own range): a
# new filter set each time, which the search cache cannot answer, so every request scans.
cp "$BENCH_TMP/get.lua" "$BENCH_TMP/fresh.lua"
cat >>"$BENCH_TMP/fresh.lua" <<'LUA'
local threads = 0
setup = function(thread)
	threads = threads + 1
	thread:set("base", threads * 100000)
end
local n = 0
request = function()
	n = n + 1
	return wrk.format(nil, wrk.path .. "&min_followers=" .. (base + n % 100000))
end
LUA

wrk_run() { # CONNS PATH [fresh] → "req/s p50_us p99_us non2xx"
	local threads=1 script=$BENCH_TMP/get.lua
	(($1 > 1)) && threads=2
	[[ ${3:-} == fresh ]] && script=$BENCH_TMP/fresh.lua
	wrk -t"$threads" -c"$1" -d"$DUR" --latency -s "$script" "$URL$2" |
		awk '/^NMRESULT/ { print $2, $3, $4, $5 }'
}

# pgbench_run CLIENTS SQLFILE → "tps p50_us p99_us" from the per-transaction log.
pgbench_run() {
	local dir=$BENCH_TMP/pgb-$1-$RANDOM
	mkdir -p "$dir"
	(cd "$dir" && pgbench -n -c "$1" -j "$(($1 > 1 ? 2 : 1))" -T "$SECS" -l -f "$2" \
		"$(pg_url nm_search)" >summary.txt 2>&1) || die "pgbench failed: $(cat "$dir/summary.txt")"
	cat "$dir"/pgbench_log.* | python3 -c '
import sys
lat = sorted(int(l.split()[2]) for l in sys.stdin if l.strip())
n = len(lat)
print("%.1f %d %d" % (n / float(sys.argv[1]), lat[n // 2], lat[min(n - 1, (n * 99) // 100)]))' "$SECS"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

rows=""
ratios=""
for q in "${QUERIES[@]}"; do
	IFS='|' read -r name api where order <<<"$q"
	path="/v1/creators?limit=50&$api"
	total=$(curl -fsS "$URL$path" -H "$H" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
	cat >"$BENCH_TMP/$name.sql" <<EOF
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT id, platform, handle, followers, engagement_rate, categories, country FROM creators
WHERE $where ORDER BY $order LIMIT 51;
WITH f AS MATERIALIZED (SELECT platform, followers, country, categories FROM creators WHERE $where)
(SELECT NULL::text, NULL::text, count(*) FROM f)
UNION ALL (SELECT 'platform', platform, count(*) FROM f GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 50)
UNION ALL (SELECT 'tier', nm_tier(followers), count(*) FROM f GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 50)
UNION ALL (SELECT 'country', country, count(*) FROM f WHERE country IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 50)
UNION ALL (SELECT 'category', cat, count(*) FROM f, unnest(f.categories) cat GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 50);
COMMIT;
EOF
	for c in 1 8; do
		read -r tps s50 s99 <<<"$(pgbench_run "$c" "$BENCH_TMP/$name.sql")"
		for mode in repeated fresh; do
			read -r rps p50 p99 err <<<"$(wrk_run "$c" "$path" "$mode")"
			rows+="| $name | $mode | $c | $rps | $(ms "$p50") | $(ms "$p99") | $err | $tps | $(ms "$s50") | $(ms "$s99") | $(ratio "$s50" "$p50")x |
"
		done
	done
	ratios+="$name: $total matches; "
done

caches=$(curl -fsS "$URL/metrics" | awk '/^nichematch_(search|row)_cache_total/ { printf "%s %s; ", $1, $2 }')

cat <<EOF

nichematch creator search benchmark, $(date -u +%Y-%m-%dT%H:%MZ)
machine: $(machine_line); $(load_line)
creators: $N (generated, seed 42); import $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s
$(python3 -c 'import json,sys; ds=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print(sum(d["inserted"] for d in ds), "inserted,", sum(d["rejected"] for d in ds), "rejected")' "$BENCH_TMP/import.json")
queries: $ratios
API: GET /v1/creators?limit=50&<query> (page of 50 + total + facets); SQL: the same page and
count/facets statements with literal values in one REPEATABLE READ transaction (pgbench).

repeated: the same request again and again (after the first, the search cache answers);
fresh: a new min_followers on every request (a new filter set: every request scans the index;
the page's rows come from the row cache when it holds their current versions).
caches over the whole run: $caches

| query | requests | conns | API req/s | API p50 ms | API p99 ms | non-2xx | SQL tps | SQL p50 ms | SQL p99 ms | SQL p50 / API p50 |
|---|---|---|---|---|---|---|---|---|---|---|
$rows
target: API p50 <= 10 ms, p99 <= 50 ms
EOF
