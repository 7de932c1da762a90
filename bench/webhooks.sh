#!/usr/bin/env bash
# Webhook delivery throughput and commit-to-delivery lag.
#   NM_URL=http://127.0.0.1:18502 NM_KEY=<admin key> bench/webhooks.sh [N] [PARALLEL]
# The server must run with NICHEMATCH_WEBHOOK_ALLOW_PRIVATE=1 (the receiver is on
# loopback) and NICHEMATCH_RATE_LIMIT=0. Creates N brands (default 5000) with curl
# --parallel; each emits brand.created, delivered to a local receiver that records
# the receive time. Prints events/s and the lag (receive time - event created_at).
set -euo pipefail
N=${1:-5000}
PAR=${2:-64}
URL=${NM_URL:?set NM_URL}
KEY=${NM_KEY:?set NM_KEY}
PORT=${RECV_PORT:-18650}
DIR=$(mktemp -d)
trap 'kill $RECV 2>/dev/null || true; rm -rf "$DIR"' EXIT

python3 "$(dirname "$0")/webhook_receiver.py" "$PORT" "$DIR/recv.log" &
RECV=$!
sleep 0.5

EP=$(curl -sf -X POST "$URL/v1/webhooks" -H "Authorization: Bearer $KEY" \
	-H 'Content-Type: application/json' \
	-d "{\"url\":\"http://127.0.0.1:$PORT/hook\",\"events\":[\"brand.created\"],\"description\":\"bench\"}")
EP_ID=$(echo "$EP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# Options in a config file apply up to the next "next", so each request gets its own.
for i in $(seq 1 "$N"); do
	[ "$i" -gt 1 ] && echo next
	printf 'url = "%s/v1/brands"\nrequest = POST\nheader = "Authorization: Bearer %s"\n' "$URL" "$KEY"
	printf 'header = "Content-Type: application/json"\n'
	printf 'data = "{\\"name\\":\\"bench %d\\",\\"niches\\":[\\"fitness\\"]}"\n' "$i"
	printf 'output = /dev/null\nwrite-out = "%%{http_code}\\n"\n'
done > "$DIR/curl.cfg"

T0=$(date +%s.%N)
curl -s --no-progress-meter --parallel --parallel-max "$PAR" -K "$DIR/curl.cfg" > "$DIR/codes"
T1=$(date +%s.%N)
OK=$(grep -c '^201$' "$DIR/codes" || true)

# Wait until every created brand was delivered (or 60 s without progress).
last=-1; still=0
while :; do
	got=$(wc -l < "$DIR/recv.log")
	[ "$got" -ge "$OK" ] && break
	if [ "$got" -eq "$last" ]; then still=$((still + 1)); else still=0; fi
	[ "$still" -ge 600 ] && break
	last=$got
	sleep 0.1
done

curl -sf -X DELETE "$URL/v1/webhooks/$EP_ID" -H "Authorization: Bearer $KEY" >/dev/null || true

python3 - "$DIR/recv.log" "$T0" "$T1" "$OK" <<'PY'
import sys, datetime
path, t0, t1, ok = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rows = [l.split() for l in open(path)]
recv = sorted(float(r[0]) for r in rows)
lags = sorted(float(r[0]) - datetime.datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%S.%fZ")
              .replace(tzinfo=datetime.timezone.utc).timestamp() for r in rows)
ids = len({r[2] for r in rows})
def pct(p): return lags[min(len(lags) - 1, int(p * len(lags)))] if lags else float("nan")
print(f"brands created      {ok} in {t1 - t0:.2f} s ({ok / (t1 - t0):.0f}/s)")
print(f"deliveries received {len(rows)} ({ids} distinct webhook-ids)")
if recv:
    span = recv[-1] - t0
    print(f"delivery throughput {len(rows) / span:.0f} events/s (first create to last delivery, {span:.2f} s)")
    print(f"lag created->recv   p50 {pct(0.50) * 1000:.0f} ms  p99 {pct(0.99) * 1000:.0f} ms  max {lags[-1] * 1000:.0f} ms")
PY
