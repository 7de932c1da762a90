#!/usr/bin/env bash
# Bulk-import benchmark (PERFORMANCE.md targets): POST /v1/creators/import of 1M generated
# creators as NDJSON and as CSV, against psql \copy of the same rows into a table of the same
# shape (LIKE creators INCLUDING ALL: generated columns, GIN and btree indexes, keys) and
# into a table with only the primary key and the (platform, handle) key (column "keys",
# issue 12), and the server's peak RSS around each import. Starts its own PostgreSQL and server; leaves nothing.
#
# usage: bench/import.sh        env: BENCH_ROWS (1000000), BENCH_SEED (42),
#                                    BENCH_PORT (18420), BENCH_PG_PORT (55462), BUILD, PGBIN
#
# Nothing is pinned: an import is a throughput job and both CPUs are fair game for the
# server and PostgreSQL, as for psql and PostgreSQL in the baseline. A CHECKPOINT precedes
# every timed step so no step pays for the previous step's dirty buffers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS=${BENCH_ROWS:-1000000}
SEED=${BENCH_SEED:-42}
PORT=$(free_port "${BENCH_PORT:-18420}")
AS_OF=2026-11-27
COLS="platform, handle, display_name, profile_url, email, followers, following, posts_count,
      avg_likes, avg_comments, avg_shares, avg_views, engagement_rate, engagement_derived,
      categories, hashtags, bio, country, language, audience_countries,
      audience_female_share, price_per_post_cents, follower_growth_30d, last_post_at,
      external_id"
COLS=$(tr -s ' \n' ' ' <<<"$COLS")

trap bench_cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

LOAD_START=$(load_line)
bench_build
bench_tmp
NDJSON=$BENCH_TMP/creators.ndjson
CSV=$BENCH_TMP/creators.csv
EXPORT=$BENCH_TMP/creators.copy

note "generating $ROWS creators (seed $SEED) as NDJSON and CSV"
t0=$(now)
"$BUILD/nichematch" demo-data --creators "$ROWS" --seed "$SEED" --as-of "$AS_OF" >"$NDJSON"
GEN_ND=$(elapsed "$t0" "$(now)")
t0=$(now)
"$BUILD/nichematch" demo-data --creators "$ROWS" --seed "$SEED" --as-of "$AS_OF" \
	--format csv >"$CSV"
GEN_CSV=$(elapsed "$t0" "$(now)")

pg_start "${BENCH_PG_PORT:-55462}"
pg_createdb nm_import
DB=$(pg_url nm_import)
server_start "$PORT" nm_import
KEY=$(make_key nm_import)
[[ -n $KEY ]] || die "could not create an API key"
sleep 1
IDLE_RSS=$(rss_kib "$SERVER_PID" VmRSS)
IDLE_HWM=$(rss_kib "$SERVER_PID" VmHWM)

sql() { psql_q "$DB" -At -c "$1"; }

declare -A SECS HWM0 HWM1 REPLY

# import NAME FILE CONTENT_TYPE: streams FILE (curl -T reads it piecewise; --data-binary @
# would load all of it into curl first) and records time, reply and VmHWM around it.
import() {
	local name=$1 file=$2 ctype=$3 t
	sql "CHECKPOINT" >/dev/null
	HWM0[$name]=$(rss_kib "$SERVER_PID" VmHWM)
	note "  $name"
	t=$(now)
	REPLY[$name]=$(curl -sS -X POST -T "$file" -H "Authorization: Bearer $KEY" \
		-H "Content-Type: $ctype" -H 'Expect:' "http://127.0.0.1:$PORT/v1/creators/import")
	SECS[$name]=$(elapsed "$t" "$(now)")
	HWM1[$name]=$(rss_kib "$SERVER_PID" VmHWM)
	local status
	status=$(jq -r '.status // empty' <<<"${REPLY[$name]}")
	[[ $status == completed ]] || die "$name: import did not complete: ${REPLY[$name]:0:500}"
}

copy_baseline() {
	sql "CREATE TABLE bench_copy (LIKE creators INCLUDING ALL)"
	sql "CHECKPOINT" >/dev/null
	note "  bare \\copy into bench_copy"
	local t
	t=$(now)
	psql_q "$DB" -c "\\copy bench_copy ($COLS) FROM '$EXPORT'"
	SECS[copy]=$(elapsed "$t" "$(now)")
	COPY_ROWS=$(sql "SELECT count(*) FROM bench_copy")
	sql "DROP TABLE bench_copy"
	# issue 12's baseline: the same columns with only the primary key and the (platform,
	# handle) key: no generated column, no other index
	sql "CREATE TABLE bench_keys (LIKE creators INCLUDING DEFAULTS, PRIMARY KEY (id), UNIQUE (platform, handle))"
	sql "CHECKPOINT" >/dev/null
	note "  bare \\copy into bench_keys (primary key and (platform, handle) only)"
	t=$(now)
	psql_q "$DB" -c "\\copy bench_keys ($COLS) FROM '$EXPORT'"
	SECS[copykeys]=$(elapsed "$t" "$(now)")
	sql "DROP TABLE bench_keys"
}

note "timed steps"
import ndjson "$NDJSON" application/x-ndjson
# The COPY input is exactly what the import stored: same rows, same values, COPY text form.
psql_q "$DB" -c "\\copy (SELECT $COLS FROM creators ORDER BY id) TO '$EXPORT'"
copy_baseline
rm -f "$EXPORT"
sql "TRUNCATE creators CASCADE"
import csv "$CSV" text/csv
import reimport "$NDJSON" application/x-ndjson

counts() { jq -r '"\(.received) \(.inserted) \(.updated) \(.rejected)"' <<<"${REPLY[$1]}"; }
step_row() { # LABEL NAME
	local rps ratio kratio c
	rps=$(per_s "$ROWS" "${SECS[$2]}")
	ratio=$(awk -v a="$rps" -v b="$COPY_RPS" 'BEGIN { printf "%.2f", a / b }')
	kratio=$(awk -v a="$rps" -v b="$KEYS_RPS" 'BEGIN { printf "%.2f", a / b }')
	c=$(counts "$2")
	printf '| %-34s | %7s | %8s | %5s | %5s | %-27s | %7s | %7s | %6s |\n' "$1" "${SECS[$2]}" \
		"$rps" "$ratio" "$kratio" "$c" "$(mib "${HWM0[$2]}")" "$(mib "${HWM1[$2]}")" \
		"$(mib $((HWM1[$2] - HWM0[$2])))"
}
COPY_RPS=$(per_s "$COPY_ROWS" "${SECS[copy]}")
KEYS_RPS=$(per_s "$COPY_ROWS" "${SECS[copykeys]}")

echo "# nichematch import benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(machine_line)"
echo "at start: $LOAD_START; at end: $(load_line)"
echo "data: nichematch demo-data --creators $ROWS --seed $SEED --as-of $AS_OF:" \
	"NDJSON $(mib $(($(stat -c %s "$NDJSON") / 1024))) MiB in ${GEN_ND} s," \
	"CSV $(mib $(($(stat -c %s "$CSV") / 1024))) MiB in ${GEN_CSV} s"
echo "PostgreSQL: shared_buffers=1GB max_wal_size=8GB; nothing pinned"
echo
printf '| %-34s | %7s | %8s | %5s | %5s | %-27s | %7s | %7s | %6s |\n' step s rows/s ratio \
	"keys" "recv ins upd rej" "HWM0 MiB" "HWM1 MiB" "+MiB"
printf '|%s|\n' "$(printf -- '-%.0s' {1..36})|--------:|---------:|------:|------:|$(printf -- '-%.0s' \
	{1..29})|--------:|--------:|-------:"
printf '| %-34s | %7s | %8s | %5s | %5s | %-27s | %7s | %7s | %6s |\n' \
	"bare psql \\copy, same shape (base)" "${SECS[copy]}" "$COPY_RPS" "1.00" "-" \
	"$COPY_ROWS rows" "-" "-" "-"
printf '| %-34s | %7s | %8s | %5s | %5s | %-27s | %7s | %7s | %6s |\n' \
	"bare psql \\copy, PK + (platform, handle)" "${SECS[copykeys]}" "$KEYS_RPS" "-" "1.00" \
	"$COPY_ROWS rows" "-" "-" "-"
step_row "NDJSON import, empty table" ndjson
step_row "CSV import, empty table" csv
step_row "NDJSON re-import, all updated" reimport
echo
echo "server idle RSS $(mib "$IDLE_RSS") MiB (VmHWM $(mib "$IDLE_HWM") MiB before any import);" \
	"peak after all imports $(mib "$(rss_kib "$SERVER_PID" VmHWM)") MiB"
echo
verdict() { awk -v v="$1" -v op="$2" -v t="$3" \
	'BEGIN { ok = op == ">=" ? v >= t : v < t; print ok ? "MET" : "NOT MET" }'; }
echo "| target (PERFORMANCE.md)                          | figure | target   | verdict |"
echo "|--------------------------------------------------|-------:|----------|---------|"
for s in ndjson csv reimport; do
	r=$(awk -v a="$(per_s "$ROWS" "${SECS[$s]}")" -v b="$COPY_RPS" \
		'BEGIN { printf "%.2f", a / b }')
	printf '| %-48s | %6s | >= 0.60  | %s |\n' "$s rows/s / bare COPY rows/s" "$r" \
		"$(verdict "$r" '>=' 0.60)"
done
growth=$(mib $(($(rss_kib "$SERVER_PID" VmHWM) - IDLE_HWM)))
printf '| %-48s | %6s | < 64 MiB | %s |\n' "peak RSS growth over all imports (MiB)" "$growth" \
	"$(verdict "$growth" '<' 64)"
printf '| %-48s | %6s | <= 32 MiB | %s |\n' "idle RSS (MiB)" "$(mib "$IDLE_RSS")" \
	"$(verdict "$(mib "$IDLE_RSS")" '<' 32.001)"
