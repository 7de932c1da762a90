#!/usr/bin/env bash
# HTTP benchmark (PERFORMANCE.md targets): GET /healthz throughput against a bare
# libmicrohttpd endpoint, and GET /v1/brands/{id} latency against bare MHD + a bare prepared
# primary-key query. Starts its own PostgreSQL cluster, servers and wrk; leaves nothing.
#
# usage: bench/http.sh            env: BENCH_DURATION (10s), BENCH_PORT_BASE (18410),
#                                      BENCH_PG_PORT (55461), BUILD, PGBIN
#
# Placement: on a 2-vCPU VM a single-connection round trip costs ~10 us when both ends share
# a CPU and 70-110 us when the wake-up crosses CPUs, so unpinned -c1 figures swing 5-8x. Every
# measured program is pinned: servers, bare_mhd and bare_pq on CPU 1; wrk and PostgreSQL
# (postmaster and backends) on CPU 0. So every hop (wrk -> server, server -> backend,
# bare_pq -> backend) crosses CPUs in the baselines and in nichematch alike. The -c32
# throughput runs are repeated unpinned (both CPUs for everyone) for information.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DUR=${BENCH_DURATION:-10s}
BASE=${BENCH_PORT_BASE:-18410}
PORT_TPC=$(free_port "$BASE")
PORT_POOL=$(free_port $((PORT_TPC + 1)))
PORT_NM=$(free_port $((PORT_POOL + 1)))
SRV_CPU=1 CLI_CPU=0

command -v wrk >/dev/null || die "wrk is not installed"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

LOAD_START=$(load_line)
bench_build
bench_tmp

# One Lua script for every run: an optional bearer token, and a machine-readable last line
# (wrk's latency percentiles are in microseconds).
cat >"$BENCH_TMP/report.lua" <<'EOF'
local key = os.getenv("NM_BENCH_KEY")
if key and key ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. key
end
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("NMRESULT %.0f %.0f %.0f %d %d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50),
		latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

# run_wrk PIN(yes|no) CONNS URL [KEY]: prints "rps p50_us p99_us non2xx sockerr".
run_wrk() {
	local pin=$1 conns=$2 url=$3 key=${4:-} threads=2
	local pre=()
	[[ $pin == yes ]] && pre=(taskset -c "$CLI_CPU")
	((conns == 1)) && threads=1
	# A short unmeasured run first: connection set-up, auth cache, buffers.
	NM_BENCH_KEY=$key "${pre[@]}" wrk -t"$threads" -c"$conns" -d2s -s "$BENCH_TMP/report.lua" \
		"$url" >/dev/null
	NM_BENCH_KEY=$key "${pre[@]}" wrk -t"$threads" -c"$conns" -d"$DUR" \
		-s "$BENCH_TMP/report.lua" "$url" |
		awk '$1 == "NMRESULT" { print $2, $3, $4, $5, $6 }'
}

unpin_all() {
	local pid
	for pid in "$@"; do
		taskset -a -p -c 0,1 "$pid" >/dev/null
	done
}

note "starting PostgreSQL (CPU $CLI_CPU), bare_mhd tpc/pool and nichematch (CPU $SRV_CPU)"
pg_start "${BENCH_PG_PORT:-55461}" "$CLI_CPU"
pg_createdb nm_http
start_bg "$BENCH_TMP/bare_tpc.log" taskset -c "$SRV_CPU" "$BUILD/bare_mhd" "$PORT_TPC" tpc
TPC_PID=$LAST_PID
start_bg "$BENCH_TMP/bare_pool.log" taskset -c "$SRV_CPU" "$BUILD/bare_mhd" "$PORT_POOL" pool
POOL_PID=$LAST_PID
wait_http "http://127.0.0.1:$PORT_TPC/ping"
wait_http "http://127.0.0.1:$PORT_POOL/ping"
server_start "$PORT_NM" nm_http "$SRV_CPU"
NM_PID=$SERVER_PID

KEY=$(make_key nm_http)
[[ -n $KEY ]] || die "could not create an API key"
BRAND_JSON='{"name":"Acme Outdoor","industry":"sporting goods",
  "niches":["hiking","camping","trail running"],"keywords":["ultralight","gear review"],
  "platforms":["instagram","tiktok","youtube"],"target_countries":["US","CA","GB"],
  "target_languages":["en"],"goal":"engagement","min_engagement_rate":0.02,
  "budget_per_post_cents":25000,"external_id":"crm-bench-0001"}'
BRAND_ID=$(curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	--data-binary "$BRAND_JSON" "http://127.0.0.1:$PORT_NM/v1/brands" | jq -r .id)
BRAND_URL="http://127.0.0.1:$PORT_NM/v1/brands/$BRAND_ID"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BRAND_URL")
[[ $code == 200 ]] || die "GET $BRAND_URL answered $code"

declare -A R
measure() { # NAME PIN CONNS URL [KEY]
	local name=$1
	shift
	note "  $name"
	R[$name]=$(run_wrk "$@")
	[[ -n ${R[$name]} ]] || die "wrk gave no result for $name"
}

note "pinned runs ($DUR each)"
measure bare_tpc_c32 yes 32 "http://127.0.0.1:$PORT_TPC/ping"
measure bare_pool_c32 yes 32 "http://127.0.0.1:$PORT_POOL/ping"
measure nm_health_c32 yes 32 "http://127.0.0.1:$PORT_NM/healthz"
measure bare_tpc_c1 yes 1 "http://127.0.0.1:$PORT_TPC/ping"
measure nm_health_c1 yes 1 "http://127.0.0.1:$PORT_NM/healthz"
measure nm_brand_c1 yes 1 "$BRAND_URL" "$KEY"
measure nm_brand_c32 yes 32 "$BRAND_URL" "$KEY"
note "  bare_pq (20000 prepared PK SELECTs)"
PQ_LINE=$(taskset -c "$SRV_CPU" "$BUILD/bare_pq" "$(pg_url nm_http)" 20000)
PQ_P50=$(sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' <<<"$PQ_LINE")
PQ_P99=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<<"$PQ_LINE")
PQ_QPS=$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<<"$PQ_LINE")

note "unpinned -c32 runs"
unpin_all "$TPC_PID" "$POOL_PID" "$NM_PID"
measure u_bare_tpc_c32 no 32 "http://127.0.0.1:$PORT_TPC/ping"
measure u_bare_pool_c32 no 32 "http://127.0.0.1:$PORT_POOL/ping"
measure u_nm_health_c32 no 32 "http://127.0.0.1:$PORT_NM/healthz"
measure u_nm_brand_c32 no 32 "$BRAND_URL" "$KEY"

field() { awk -v i="$2" '{ print $i }' <<<"${R[$1]}"; }
row() { # LABEL NAME
	printf '| %-44s | %9s | %8s | %8s | %6s |\n' "$1" "$(field "$2" 1)" "$(field "$2" 2)" \
		"$(field "$2" 3)" "$(($(field "$2" 4) + $(field "$2" 5)))"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" \
	'BEGIN { ok = op == ">=" ? v >= t : v <= t; print ok ? "MET" : "NOT MET" }'; }

echo "# nichematch HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(machine_line)"
echo "at start: $LOAD_START; at end: $(load_line)"
echo "placement: servers, bare_mhd, bare_pq on CPU $SRV_CPU; wrk and PostgreSQL on CPU" \
	"$CLI_CPU (taskset); wrk $DUR after a 2 s warm-up; -c32 uses -t2, -c1 uses -t1"
echo
echo "| run (pinned)                                 |     req/s |  p50 us  |  p99 us  | errors |"
echo "|----------------------------------------------|----------:|---------:|---------:|-------:|"
row "bare MHD /ping, thread per connection, -c32" bare_tpc_c32
row "bare MHD /ping, epoll pool of 2, -c32" bare_pool_c32
row "nichematch GET /healthz, -c32" nm_health_c32
row "bare MHD /ping, thread per connection, -c1" bare_tpc_c1
row "nichematch GET /healthz, -c1" nm_health_c1
row "nichematch GET /v1/brands/{id}, -c1" nm_brand_c1
row "nichematch GET /v1/brands/{id}, -c32" nm_brand_c32
printf '| %-44s | %9s | %8s | %8s | %6s |\n' "bare_pq prepared PK SELECT, 1 connection" \
	"$PQ_QPS" "$PQ_P50" "$PQ_P99" 0
echo
echo "| run (unpinned)                               |     req/s |  p50 us  |  p99 us  | errors |"
echo "|----------------------------------------------|----------:|---------:|---------:|-------:|"
row "bare MHD /ping, thread per connection, -c32" u_bare_tpc_c32
row "bare MHD /ping, epoll pool of 2, -c32" u_bare_pool_c32
row "nichematch GET /healthz, -c32" u_nm_health_c32
row "nichematch GET /v1/brands/{id}, -c32" u_nm_brand_c32
echo

NM=$(field nm_health_c32 1)
R_TPC=$(ratio "$NM" "$(field bare_tpc_c32 1)")
R_POOL=$(ratio "$NM" "$(field bare_pool_c32 1)")
UNM=$(field u_nm_health_c32 1)
U_TPC=$(ratio "$UNM" "$(field u_bare_tpc_c32 1)")
U_POOL=$(ratio "$UNM" "$(field u_bare_pool_c32 1)")
MHD_P50=$(field bare_tpc_c1 2)
BRAND_P50=$(field nm_brand_c1 2)
LIMIT=$(awk -v a="$MHD_P50" -v b="$PQ_P50" 'BEGIN { printf "%.0f", 1.5 * (a + b) }')
R_LAT=$(awk -v a="$BRAND_P50" -v a2="$MHD_P50" -v b="$PQ_P50" \
	'BEGIN { printf "%.2f", a / (a2 + b) }')
echo "| target (PERFORMANCE.md)                                  | figure | target | verdict |"
echo "|----------------------------------------------------------|-------:|-------:|---------|"
printf '| /healthz -c32 req/s / bare MHD tpc (pinned)              | %6s | >= 0.70 | %s |\n' \
	"$R_TPC" "$(verdict "$R_TPC" '>=' 0.70)"
printf '| /healthz -c32 req/s / bare MHD pool (pinned)             | %6s | >= 0.70 | %s |\n' \
	"$R_POOL" "$(verdict "$R_POOL" '>=' 0.70)"
printf '| /healthz -c32 req/s / bare MHD tpc (unpinned)            | %6s | >= 0.70 | %s |\n' \
	"$U_TPC" "$(verdict "$U_TPC" '>=' 0.70)"
printf '| /healthz -c32 req/s / bare MHD pool (unpinned)           | %6s | >= 0.70 | %s |\n' \
	"$U_POOL" "$(verdict "$U_POOL" '>=' 0.70)"
printf '| brand GET -c1 p50 / (bare MHD p50 + bare PK p50) (pinned) | %6s | <= 1.50 | %s |\n' \
	"$R_LAT" "$(verdict "$R_LAT" '<=' 1.50)"
echo
echo "brand GET -c1 p50 = $BRAND_P50 us; limit 1.5 x ($MHD_P50 + $PQ_P50) = $LIMIT us"
