#!/usr/bin/env bash
# Webhook delivery throughput and commit-to-delivery lag (PERFORMANCE.md: >= 500 events/s to
# a local receiver, p50 <= 1 s). Creates N brands (default 5000); each emits brand.created,
# delivered to a local receiver (bench/webhook_receiver.py) that records the receive time.
# Prints events/s and the lag (receive time - the event's created_at, i.e. its transaction).
#
# usage: bench/webhooks.sh [N] [PARALLEL]
#   env: RATE       create at most RATE brands/s (several serial curl --rate processes);
#                   0 (default) = as fast as curl --parallel with PARALLEL (64) connections
#        SLOW=1     also subscribe an endpoint that accepts and never answers, so every
#                   event has a second delivery that runs into NICHEMATCH_WEBHOOK_TIMEOUT_MS
#        BACKLOG=1  delivery capacity: create the N events with delivery off, then start the
#                   server(s) with delivery on and time the drain (lag is then meaningless)
#        MAX_WAIT   seconds to wait for deliveries after the last create (default 120)
#        INSTANCES  servers sharing the database (default 1); creates go round-robin
#        NICHEMATCH_WEBHOOK_* are passed to the servers (workers, concurrency, timeout)
#        BUILD, PGBIN, BENCH_PORT (18620), BENCH_PG_PORT (55621)
#   With NM_URL and NM_KEY set, uses that running server instead (it must run with
#   NICHEMATCH_WEBHOOK_ALLOW_PRIVATE=1 and NICHEMATCH_RATE_LIMIT=0); INSTANCES is ignored.
# Otherwise starts its own PostgreSQL cluster and servers (bench/lib.sh) and removes them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${1:-5000}
PAR=${2:-64}
RATE=${RATE:-0}
MAX_WAIT=${MAX_WAIT:-120}
INSTANCES=${INSTANCES:-1}
HERE=$(dirname "${BASH_SOURCE[0]}")

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_tmp
DIR=$BENCH_TMP

URLS=()
if [[ -n ${NM_URL:-} ]]; then
	[[ ${BACKLOG:-0} == 1 ]] && die "BACKLOG=1 needs servers of its own (unset NM_URL)"
	KEY=${NM_KEY:?set NM_KEY with NM_URL}
	URLS=("$NM_URL")
else
	bench_build
	export NICHEMATCH_WEBHOOK_ALLOW_PRIVATE=1
	pg_start "${BENCH_PG_PORT:-55621}"
	pg_createdb nm_hooks
	port=${BENCH_PORT:-18620}
	SERVER_PIDS=()
	for _ in $(seq 1 "$INSTANCES"); do
		port=$(free_port "$port")
		if [[ ${BACKLOG:-0} == 1 ]]; then
			NICHEMATCH_WEBHOOK_WORKERS=0 server_start "$port" nm_hooks
		else
			server_start "$port" nm_hooks
		fi
		SERVER_PIDS+=("$SERVER_PID")
		URLS+=("http://127.0.0.1:$port")
		port=$((port + 1))
	done
	KEY=$(make_key nm_hooks)
fi
URL=${URLS[0]}

RECV_PORT=$(free_port "${RECV_PORT:-18650}")
start_bg "$DIR/receiver.err" python3 "$HERE/webhook_receiver.py" "$RECV_PORT" "$DIR/recv.log"
RECV_PID=$LAST_PID
touch "$DIR/recv.log" "$DIR/hang.log"
wait_port() {
	local i
	for i in $(seq 1 50); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	die "nothing listens on $1"
}
wait_port "$RECV_PORT"

endpoint() { # URL -> id
	curl -sf -X POST "$URL/v1/webhooks" -H "Authorization: Bearer $KEY" \
		-H 'Content-Type: application/json' \
		-d "{\"url\":\"$1\",\"events\":[\"brand.created\"],\"description\":\"bench\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
EPS=("$(endpoint "http://127.0.0.1:$RECV_PORT/hook")")
if [[ ${SLOW:-0} == 1 ]]; then
	HANG_PORT=$(free_port $((RECV_PORT + 1)))
	start_bg "$DIR/hang.err" python3 "$HERE/webhook_receiver.py" "$HANG_PORT" "$DIR/hang.log" hang
	wait_port "$HANG_PORT"
	EPS+=("$(endpoint "http://127.0.0.1:$HANG_PORT/hook")")
fi

# One curl config per sender; options apply up to the next "next", so each request gets its
# own. Paced: RATE/50 (at least 1) serial senders at --rate 50/s or less each.
SENDERS=1
((RATE > 0)) && SENDERS=$(((RATE + 49) / 50))
for s in $(seq 0 $((SENDERS - 1))); do
	: >"$DIR/curl.$s.cfg"
done
for i in $(seq 1 "$N"); do
	s=$((i % SENDERS))
	u=${URLS[$((i % ${#URLS[@]}))]}
	cfg=$DIR/curl.$s.cfg
	[[ -s $cfg ]] && echo next >>"$cfg"
	{
		printf 'url = "%s/v1/brands"\nrequest = POST\nheader = "Authorization: Bearer %s"\n' "$u" "$KEY"
		printf 'header = "Content-Type: application/json"\n'
		printf 'data = "{\\"name\\":\\"bench %d\\",\\"niches\\":[\\"fitness\\"]}"\n' "$i"
		printf 'output = /dev/null\nwrite-out = "%%{http_code}\\n"\n'
	} >>"$cfg"
done

# CPU seconds (user + system) of the servers, the cluster's processes and the receiver, so
# that the run says where the machine's two cores went.
ticks() {
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
pg_pids() {
	[[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]] || return 0
	local pm
	pm=$(head -1 "$PG_DATA/postmaster.pid")
	echo "$pm" $(pgrep -P "$pm")
}
server_pids() { pgrep -f "$BUILD/nichematch serve" -P $$ 2>/dev/null || true; }
cpu_snapshot() { echo "$(ticks $(server_pids)) $(ticks $(pg_pids)) $(ticks "$RECV_PID")"; }
CPU0=$(cpu_snapshot)
RSS0=$(rss_kib "$(server_pids | head -1)" VmRSS 2>/dev/null || true)
LOAD_START=$(load_line)
T0=$(date +%s.%N)
if ((RATE > 0)); then
	per=$(((RATE + SENDERS - 1) / SENDERS))
	pids=()
	for s in $(seq 0 $((SENDERS - 1))); do
		curl -s --no-progress-meter --rate "$per/s" -K "$DIR/curl.$s.cfg" >"$DIR/codes.$s" &
		pids+=($!)
	done
	wait "${pids[@]}"
else
	curl -s --no-progress-meter --parallel --parallel-max "$PAR" -K "$DIR/curl.0.cfg" >"$DIR/codes.0"
fi
T1=$(date +%s.%N)
OK=$(cat "$DIR"/codes.* | grep -c '^201$' || true)
if [[ ${BACKLOG:-0} == 1 ]]; then
	# Same ports and database, now with delivery on; the clock starts before the start.
	for pid in "${SERVER_PIDS[@]}"; do
		stop_pid "$pid"
	done
	T0=$(date +%s.%N)
	for u in "${URLS[@]}"; do
		server_start "${u##*:}" nm_hooks
	done
fi

# Wait until every created brand was delivered to the answering receiver, for at most
# MAX_WAIT s, or 60 s without progress.
last=-1
still=0
deadline=$(($(date +%s) + MAX_WAIT))
while :; do
	got=$(wc -l <"$DIR/recv.log")
	[[ $got -ge $OK ]] && break
	[[ $(date +%s) -ge $deadline ]] && break
	if [[ $got -eq $last ]]; then still=$((still + 1)); else still=0; fi
	[[ $still -ge 600 ]] && break
	last=$got
	sleep 0.1
done
LOAD_END=$(load_line)
CPU1=$(cpu_snapshot)
RSS1=$(rss_kib "$(server_pids | head -1)" VmRSS 2>/dev/null || true)

for ep in "${EPS[@]}"; do
	curl -sf -X DELETE "$URL/v1/webhooks/$ep" -H "Authorization: Bearer $KEY" >/dev/null || true
done

note "$(machine_line)"
note "before: $LOAD_START; after: $LOAD_END"
if [[ -z ${NM_URL:-} && ${BACKLOG:-0} != 1 ]]; then
	read -r s0 p0 r0 <<<"$CPU0"
	read -r s1 p1 r1 <<<"$CPU1"
	hz=$(getconf CLK_TCK)
	note "$(awk -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v r=$((r1 - r0)) -v hz="$hz" \
		'BEGIN { printf "cpu seconds: server(s) %.2f, postgres %.2f, receiver %.2f", s / hz, p / hz, r / hz }')"
	note "server RSS: $((RSS0 / 1024)) MiB before, $((RSS1 / 1024)) MiB after"
fi
python3 - "$DIR/recv.log" "$DIR/hang.log" "$T0" "$T1" "$OK" "$RATE" "${SLOW:-0}" "${BACKLOG:-0}" <<'PY'
import sys, datetime
path, hang, t0, t1, ok, rate, slow, backlog = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7] == "1", sys.argv[8] == "1"
rows = [l.split() for l in open(path)]
recv = sorted(float(r[0]) for r in rows)
lags = sorted(float(r[0]) - datetime.datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%S.%fZ")
              .replace(tzinfo=datetime.timezone.utc).timestamp() for r in rows)
ids = len({r[2] for r in rows})
def pct(p): return lags[min(len(lags) - 1, int(p * len(lags)))] if lags else float("nan")
mode = "paced at %d/s" % rate if rate else "as fast as possible"
if backlog:
    print(f"brands created      {ok} with delivery off; then the server(s) started with delivery on")
else:
    print(f"brands created      {ok} in {t1 - t0:.2f} s ({ok / (t1 - t0):.0f}/s, {mode})")
print(f"deliveries received {len(rows)} ({ids} distinct webhook-ids){'' if len(rows) >= ok else '  INCOMPLETE'}")
if slow:
    print(f"hanging endpoint    {sum(1 for _ in open(hang))} connections accepted (each POST times out)")
if recv:
    span = recv[-1] - t0
    tput, p50 = len(rows) / span, pct(0.50)
    since = "server start" if backlog else "first create"
    print(f"delivery throughput {tput:.0f} events/s ({since} to last delivery, {span:.2f} s); "
          f"target 500/s: x{tput / 500:.2f}")
    if not backlog:
        print(f"lag created->recv   p50 {p50 * 1000:.0f} ms  p99 {pct(0.99) * 1000:.0f} ms  max {lags[-1] * 1000:.0f} ms; "
              f"target p50 1 s: x{1 / p50 if p50 > 0 else float('inf'):.2f}")
PY
