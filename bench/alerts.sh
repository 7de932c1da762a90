#!/usr/bin/env bash
# Match alerts cost on imports (issue 15 acceptance 4): POST /v1/creators/import of ROWS new
# creators with BRANDS brands whose alerts are on (alerts.top_n 20, each with a match run
# over a pool of ROWS creators), against the same import with alerts off. The alert work runs
# in the server's background thread after the commit (src/handlers/alerts.c), so the import
# itself should not slow down; the script also reports how long that pass took and how many
# match.new_candidate events it wrote (delivered to a local receiver).
#
# Each repetition imports the same file once with alerts off and once on (the order
# alternates), deleting the imported creators (and their alerts) after each import, so that
# both imports start from the same pool. The rows/s of each mode is the median over REPS.
#
# usage: bench/alerts.sh      env: BENCH_ROWS (100000), BENCH_BRANDS (100), BENCH_REPS (5),
#                                  BENCH_PORT (18720), BENCH_PG_PORT (56731), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=${BENCH_ROWS:-100000}
BRANDS=${BENCH_BRANDS:-100}
REPS=${BENCH_REPS:-5}
TOP_N=20
HERE=$(dirname "${BASH_SOURCE[0]}")
CATS=(cars music food beauty travel tech photography art sports diy fashion home finance
	parenting wellness outdoors books pet gaming fitness)
GOALS=(engagement awareness conversions)

trap bench_cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

LOAD_START=$(load_line)
bench_build
bench_tmp
export NICHEMATCH_WEBHOOK_ALLOW_PRIVATE=1
PORT=$(free_port "${BENCH_PORT:-18720}")
api_start "${BENCH_PG_PORT:-56731}" "$PORT" nm_alerts
DB=$(pg_url nm_alerts)
LOG=$BENCH_TMP/server-$PORT.log
sql() { psql_q "$DB" -At -c "$1"; }
api() { # METHOD PATH [BODY]
	curl -fsS -X "$1" "$URL$2" -H "$H" -H 'Content-Type: application/json' ${3:+-d "$3"}
}

RECV_PORT=$(free_port 18750)
touch "$BENCH_TMP/recv.log"
start_bg "$BENCH_TMP/receiver.err" python3 "$HERE/webhook_receiver.py" "$RECV_PORT" "$BENCH_TMP/recv.log"
for _ in $(seq 1 50); do
	ss -Htln "sport = :$RECV_PORT" | grep -q . && break
	sleep 0.1
done
api POST /v1/webhooks "{\"url\":\"http://127.0.0.1:$RECV_PORT/hook\",\"events\":[\"match.new_candidate\"]}" >/dev/null

note "pool: $ROWS creators (seed 1), $BRANDS brands with a match run each"
import_creators "$ROWS" 1
BASE_MAX=$(sql "SELECT max(id) FROM creators")
IDS=()
for i in $(seq 0 $((BRANDS - 1))); do
	body=$(printf '{"name":"Alert brand %d","niches":["%s","%s"],"goal":"%s"}' "$i" \
		"${CATS[$((i % 20))]}" "${CATS[$(((i * 7 + 3) % 20))]}" "${GOALS[$((i % 3))]}")
	IDS+=("$(api POST /v1/brands "$body" | jq -r .id)")
done
t0=$(now)
for id in "${IDS[@]}"; do
	api POST "/v1/brands/$id/matches" '{}' >/dev/null
done
RUNS_S=$(elapsed "$t0" "$(now)")

# The new creators: other seed, handles prefixed so that every row is an insert.
NEW=$BENCH_TMP/new.ndjson
"$BUILD/nichematch" demo-data --creators "$ROWS" --seed 2 | sed 's/"handle":"/"handle":"new_/' >"$NEW"

set_alerts() { # null | {"top_n":N}
	local id
	for id in "${IDS[@]}"; do
		api PATCH "/v1/brands/$id" "{\"alerts\":$1}" >/dev/null
	done
}

passes() { grep -c '"match alerts pass"' "$LOG" || true; }

# The first pass logged after line count $1 that looked at >= ROWS creators: "ms sent".
wait_pass() {
	local before=$1 i line
	for i in $(seq 1 1200); do
		line=$(grep '"match alerts pass"' "$LOG" | tail -n +"$((before + 1))" |
			jq -r "select(.creators >= $ROWS) | \"\(.ms | floor) ms, \(.sent) events, \(.status)\"" | head -1)
		[[ -n $line ]] && { echo "$line"; return 0; }
		sleep 0.1
	done
	die "no alert pass over the import within 120 s"
}

# Waits until the receiver has every match.new_candidate written so far.
wait_delivered() {
	local i want
	want=$(sql "SELECT count(*) FROM events WHERE type = 'match.new_candidate'")
	for i in $(seq 1 600); do
		(($(wc -l <"$BENCH_TMP/recv.log") >= want)) && return 0
		sleep 0.1
	done
	die "deliveries did not drain within 60 s"
}

declare -A SECS
RESULTS=()
run() { # MODE REP
	local mode=$1 rep=$2 before t reply pass=""
	sql "CHECKPOINT" >/dev/null
	before=$(passes)
	note "  rep $rep, alerts $mode"
	t=$(now)
	reply=$(curl -sS -X POST -T "$NEW" -H "$H" -H 'Content-Type: application/x-ndjson' \
		-H 'Expect:' "$URL/v1/creators/import")
	SECS[$mode.$rep]=$(elapsed "$t" "$(now)")
	[[ $(jq -r .status <<<"$reply") == completed ]] || die "import failed: ${reply:0:300}"
	[[ $(jq -r .inserted <<<"$reply") == "$ROWS" ]] || die "not all inserted: ${reply:0:300}"
	if [[ $mode == on ]]; then
		pass=$(wait_pass "$before")
		wait_delivered # so that the deliveries do not overlap the next import
	else
		sleep 2 # the thread's pass with no brand alerting: one statement
	fi
	RESULTS+=("$(printf '| %3s | %-5s | %7s | %8s | %s |' "$rep" "$mode" "${SECS[$mode.$rep]}" \
		"$(per_s "$ROWS" "${SECS[$mode.$rep]}")" "${pass:--}")")
	sql "DELETE FROM creators WHERE id > $BASE_MAX" >/dev/null
	sql "VACUUM ANALYZE creators" >/dev/null
	sleep 2 # let the thread see the delete before the next import
}

note "timed imports of $ROWS new creators"
for rep in $(seq 1 "$REPS"); do
	if ((rep % 2)); then order=(off on); else order=(on off); fi
	for mode in "${order[@]}"; do
		if [[ $mode == on ]]; then set_alerts "{\"top_n\":$TOP_N}"; else set_alerts null; fi
		sleep 1.5
		run "$mode" "$rep"
	done
done
sleep 3
DELIVERED=$(wc -l <"$BENCH_TMP/recv.log")

# The on/off ratio of each repetition (its two imports ran back to back), then their median:
# the machine's load changes over minutes, and a pair shares it.
PAIRS=$(for rep in $(seq 1 "$REPS"); do
	awk -v on="${SECS[on.$rep]}" -v off="${SECS[off.$rep]}" 'BEGIN { printf "%.3f\n", off / on }'
done | median)
med() { for rep in $(seq 1 "$REPS"); do per_s "$ROWS" "${SECS[$1.$rep]}"; echo; done | grep . | median; }
OFF=$(med off)
ON=$(med on)
RATIO=$(awk -v a="$ON" -v b="$OFF" 'BEGIN { printf "%.2f", a / b }')

echo "# nichematch match alerts benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(machine_line)"
echo "at start: $LOAD_START; at end: $(load_line)"
echo "pool: $ROWS creators (demo-data seed 1); $BRANDS brands (2 of 20 categories each, goals" \
	"cycling), one match run each ($RUNS_S s for all); import: $ROWS new creators (seed 2)"
echo
echo "| rep | alerts | import s | rows/s | alert pass after the commit: ms, events, status |"
echo "|----:|--------|---------:|-------:|------------------------------------------------|"
printf '%s\n' "${RESULTS[@]}"
echo
echo "match.new_candidate deliveries received: $DELIVERED"
echo
echo "alert passes over an import (server log; ms of: index sync, brands' queries and"
echo "exclusions, probe, alert records + outbox):"
grep '"match alerts pass"' "$LOG" | jq -r "select(.creators >= $ROWS) |
	\"  \(.ms|floor) ms = sync \(.sync_ms|floor) + prepare \(.prepare_ms|floor) + probe \(.probe_ms|floor) + emit \(.emit_ms|floor); \(.brands) brands, \(.sent) events\""
echo
echo "| figure | value | target | verdict |"
echo "|--------|------:|--------|---------|"
printf '| median rows/s, alerts off | %s | | |\n' "$OFF"
printf '| median rows/s, alerts on (%d brands, top_n %d) | %s | | |\n' "$BRANDS" "$TOP_N" "$ON"
printf '| on / off, medians | %s | | |\n' "$RATIO"
printf '| on / off, median of the pairs (rows/s on / rows/s off, same repetition) | %.2f | >= 0.80 | %s |\n' \
	"$PAIRS" "$(awk -v r="$PAIRS" 'BEGIN { print ((r >= 0.80) ? "MET" : "NOT MET") }')"
