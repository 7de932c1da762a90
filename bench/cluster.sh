#!/usr/bin/env bash
# The cluster of scripts/cluster.sh under load (issue 19, acceptance 4): a PostgreSQL primary,
# a streaming replica, three instances and HAProxy, all on this machine.
#
#   1. throughput of a read-heavy mix (40 % GET /v1/creators/{id}, 30 % filtered
#      GET /v1/creators, 20 % GET /v1/brands/{id}/matches, 10 % PUT .../status) through
#      HAProxy with 1 instance in rotation (the other two set to maintenance over HAProxy's
#      admin socket) and with all 3;
#   2. p50/p99 of POST /v1/brands/{id}/matches at one connection through HAProxy (3 instances),
#      straight to instance 1, and through HAProxy with only instance 1 in rotation (what the
#      balancer's hop adds, apart from spreading runs over three processes).
#
# usage: bench/cluster.sh    env: BENCH_CREATORS (100000), BENCH_DURATION (20s),
#                                 BENCH_CONNS (16), BENCH_PORT_BASE (18500), BUILD
# On a machine with fewer cores than processes, 3 instances cannot be 3x one: say so with
# the figures (the report prints nproc and the load average before and after).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-100000}
DUR=${BENCH_DURATION:-20s}
CONNS=${BENCH_CONNS:-16}
CLUSTER="$BENCH_ROOT/scripts/cluster.sh"

command -v wrk >/dev/null || die "wrk is not installed"

cluster_cleanup() {
	local rc=$?
	if [[ -n ${NICHEMATCH_CLUSTER_DIR:-} && -d $NICHEMATCH_CLUSTER_DIR ]]; then
		"$CLUSTER" destroy >/dev/null 2>&1 || true
	fi
	(exit "$rc")
	bench_cleanup
}
trap cluster_cleanup EXIT
trap 'exit 130' INT TERM

# The first base from BENCH_PORT_BASE up with 7 free ports.
pick_base() {
	local b=$1 p ok
	while :; do
		ok=1
		for ((p = b; p < b + 7; p++)); do
			if ss -Htln "sport = :$p" | grep -q .; then
				ok=0
				break
			fi
		done
		((ok)) && break
		b=$((b + 7))
	done
	echo "$b"
}

bench_build
bench_tmp
export NICHEMATCH_CLUSTER_DIR=$BENCH_TMP/cluster
NICHEMATCH_CLUSTER_PORT_BASE=$(pick_base "${BENCH_PORT_BASE:-18500}")
export NICHEMATCH_CLUSTER_PORT_BASE NICHEMATCH_CLUSTER_PG_FAST=1 NICHEMATCH_CLUSTER_BIN=$BUILD/nichematch
export NICHEMATCH_RATE_LIMIT=0 NICHEMATCH_KEY_MAX_IN_FLIGHT=0 NICHEMATCH_MATCH_RUNS_PER_MINUTE=0
export NICHEMATCH_WEBHOOK_WORKERS=0 NICHEMATCH_LOG_LEVEL=warn NICHEMATCH_SHUTDOWN_GRACE_S=5
B=$NICHEMATCH_CLUSTER_PORT_BASE
LB="http://127.0.0.1:$B"
DIRECT="http://127.0.0.1:$((B + 1))"
PRIMARY="postgresql://postgres@127.0.0.1:$((B + 4))/nichematch"

note "starting the cluster on ports $B-$((B + 6))..."
"$CLUSTER" up >/dev/null
KEY=$("$CLUSTER" key 2>/dev/null | tail -1)
H="Authorization: Bearer $KEY"
# shellcheck disable=SC2034 # lib.sh's import_creators and fitness_brand use URL
URL=$LB

note "generating and importing $N creators through the balancer..."
import_creators "$N" 42 200000
psql_q "$PRIMARY" -c "VACUUM ANALYZE creators" >/dev/null
read -r LO HI <<<"$(psql -X -At -F' ' -d "$PRIMARY" -c 'SELECT min(id), max(id) FROM creators')"
BRAND=$(fitness_brand)
# One stored run, so that GET .../matches has a page to read; then every instance loads its
# index (a match run straight to each) before anything is timed.
for ((i = 1; i <= 3; i++)); do
	curl -fsS -o /dev/null -X POST "http://127.0.0.1:$((B + i))/v1/brands/$BRAND/matches" -H "$H"
done

# HAProxy's admin socket: put instances into or out of the rotation.
haproxy_cmd() {
	python3 - "$NICHEMATCH_CLUSTER_DIR/run/haproxy.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = s.makefile().read()
if out.strip():
    print(out.strip(), file=sys.stderr)
PY
}

cat >"$BENCH_TMP/mix.lua" <<LUA
local lo, hi, brand = $LO, $HI, $BRAND
local auth = "Bearer $KEY"
request = function()
	local r = math.random(100)
	local h = { ["Authorization"] = auth }
	if r <= 40 then
		return wrk.format("GET", "/v1/creators/" .. math.random(lo, hi), h)
	elseif r <= 70 then
		return wrk.format("GET", "/v1/creators?limit=20&min_followers=" .. (math.random(0, 9) * 10000), h)
	elseif r <= 90 then
		return wrk.format("GET", "/v1/brands/" .. brand .. "/matches?limit=20", h)
	end
	h["Content-Type"] = "application/json"
	return wrk.format("PUT", "/v1/brands/" .. brand .. "/creators/" .. math.random(lo, hi) .. "/status", h,
		'{"status":"shortlisted"}')
end
LUA
wrk_done_lua >>"$BENCH_TMP/mix.lua"

cat >"$BENCH_TMP/match.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA
wrk_done_lua >>"$BENCH_TMP/match.lua"

run_wrk() { # CONNS SCRIPT URL -> "rps p50 p99 non2xx"
	local t=2
	(($1 < 2)) && t=1 # wrk needs at least one connection per thread
	wrk -t"$t" -c"$1" -d"$DUR" --latency -s "$2" "$3" | awk '/^NMRESULT/ { print $2, $3, $4, $5 }'
}

LOAD_BEFORE=$(load_line)
note "read-heavy mix, 1 instance in rotation..."
haproxy_cmd "set server instances/instance-2 state maint"
haproxy_cmd "set server instances/instance-3 state maint"
read -r r1 p50_1 p99_1 e1 <<<"$(run_wrk "$CONNS" "$BENCH_TMP/mix.lua" "$LB")"
note "read-heavy mix, 3 instances in rotation..."
haproxy_cmd "set server instances/instance-2 state ready"
haproxy_cmd "set server instances/instance-3 state ready"
sleep 2
read -r r3 p50_3 p99_3 e3 <<<"$(run_wrk "$CONNS" "$BENCH_TMP/mix.lua" "$LB")"
note "match runs at one connection, through the balancer and direct..."
read -r mr_lb mp50_lb mp99_lb me_lb <<<"$(run_wrk 1 "$BENCH_TMP/match.lua" "$LB/v1/brands/$BRAND/matches")"
read -r mr_d mp50_d mp99_d me_d <<<"$(run_wrk 1 "$BENCH_TMP/match.lua" "$DIRECT/v1/brands/$BRAND/matches")"
# The control: through HAProxy to instance 1 only, so that the difference to "direct" is the
# balancer's hop and not three processes' caches taking turns.
haproxy_cmd "set server instances/instance-2 state maint"
haproxy_cmd "set server instances/instance-3 state maint"
read -r mr_l1 mp50_l1 mp99_l1 me_l1 <<<"$(run_wrk 1 "$BENCH_TMP/match.lua" "$LB/v1/brands/$BRAND/matches")"
haproxy_cmd "set server instances/instance-2 state ready"
haproxy_cmd "set server instances/instance-3 state ready"
LOAD_AFTER=$(load_line)
ratio=$(awk -v a="$r3" -v b="$r1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')

cat <<REPORT

nichematch cluster benchmark (scripts/cluster.sh: primary, replica, 3 instances, HAProxy), $(date -u +%Y-%m-%dT%H:%MZ)
machine: $(machine_line)
before: $LOAD_BEFORE; after: $LOAD_AFTER
creators: $N (generated, seed 42); wrk -t2, $DUR per row
mix: 40 % GET /v1/creators/{id}, 30 % GET /v1/creators?limit=20&min_followers=..., 20 % GET /v1/brands/{id}/matches?limit=20, 10 % PUT .../status

| what | conns | req/s | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|---|
| mix via HAProxy, 1 instance | $CONNS | $r1 | $(ms "$p50_1") | $(ms "$p99_1") | $e1 |
| mix via HAProxy, 3 instances | $CONNS | $r3 | $(ms "$p50_3") | $(ms "$p99_3") | $e3 |
| POST matches via HAProxy, 3 instances | 1 | $mr_lb | $(ms "$mp50_lb") | $(ms "$mp99_lb") | $me_lb |
| POST matches direct to instance 1 | 1 | $mr_d | $(ms "$mp50_d") | $(ms "$mp99_d") | $me_d |
| POST matches via HAProxy, instance 1 only | 1 | $mr_l1 | $(ms "$mp50_l1") | $(ms "$mp99_l1") | $me_l1 |

3 instances / 1 instance throughput: ${ratio}x (nproc $(nproc))
REPORT
