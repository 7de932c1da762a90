#!/usr/bin/env bash
# CSV export benchmark (issue 13, docs/performance.md "CSV export"): seeds N generated
# creators (default 1,000,000) through the import API, then times GET /v1/creators.csv
# against psql's \copy (SELECT the same columns, formatted the same way) TO '/dev/null'
# CSV HEADER, and reads the server's peak RSS (VmHWM) before and after the export.
#
# The server is restarted after the seeding, so its VmHWM starts from an idle server, not
# from the import's batches. Each side runs twice after a warm-up read of the table; the
# faster of the two counts. Nothing is pinned: server, curl, psql and PostgreSQL share the
# machine's cores, as in bench/import.sh.
#
# usage: bench/export.sh    env: BENCH_CREATORS (1000000), BENCH_SEED (42),
#                                BENCH_PORT (18490), BENCH_PG_PORT (55491), BUILD, PGBIN
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${BENCH_CREATORS:-1000000}
SEED=${BENCH_SEED:-42}
PORT=$(free_port "${BENCH_PORT:-18490}")

# What src/store/exports.c selects for GET /v1/creators.csv (the tier is computed by the
# server from followers; psql gets the followers twice in its place).
TS() { printf "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" "$1"; }
SELECT="SELECT c.id, c.platform, c.handle, c.display_name, c.profile_url, c.email, c.followers,
	c.followers, c.following, c.posts_count, c.avg_likes, c.avg_comments, c.avg_shares,
	c.avg_views, c.engagement_rate, array_to_string(c.categories, '|'),
	array_to_string(c.hashtags, '|'), c.bio, c.country, c.language, c.audience_countries::text,
	c.audience_female_share, c.price_per_post_cents, c.follower_growth_30d,
	$(TS c.last_post_at), c.external_id, $(TS c.created_at), $(TS c.updated_at)
	FROM creators c ORDER BY c.id"
SELECT=$(tr -s '\t\n' '  ' <<<"$SELECT")

trap bench_cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
min2() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

LOAD_START=$(load_line)
bench_build
bench_tmp
api_start "${BENCH_PG_PORT:-55491}" "$PORT" nm_export
[[ -n $KEY ]] || die "could not create an API key"
DB=$(pg_url nm_export)

note "generating and importing $N creators (seed $SEED)..."
t0=$(now)
import_creators "$N" "$SEED"
note "  seeded in $(elapsed "$t0" "$(now)") s"
psql_q "$DB" -c "VACUUM ANALYZE creators" >/dev/null
ROWS=$(psql_q "$DB" -At -c "SELECT count(*) FROM creators")

note "restarting the server (a fresh VmHWM)..."
stop_pid "$SERVER_PID"
server_start "$PORT" nm_export
# The ranking index loads in the background after a start: its peak is not the export's.
for _ in $(seq 1 600); do
	grep -q '"ranking index loaded"' "$BENCH_TMP/server-$PORT.log" && break
	sleep 0.5
done
grep -q '"ranking index loaded"' "$BENCH_TMP/server-$PORT.log" || die "the ranking index did not load"
# Warm-up: the table into the cache, and the server's first export (statements prepared).
psql_q "$DB" -c "\\copy ($SELECT) TO '/dev/null' CSV HEADER" >/dev/null
curl -fsS -o /dev/null -H "$H" "$URL/v1/creators.csv?max_followers=0"
IDLE_RSS=$(rss_kib "$SERVER_PID" VmRSS)
HWM_BEFORE=$(rss_kib "$SERVER_PID" VmHWM)

time_psql() {
	local t0
	t0=$(now)
	psql_q "$DB" -c "\\copy ($SELECT) TO '/dev/null' CSV HEADER" >/dev/null
	elapsed "$t0" "$(now)"
}
time_export() {
	local t0
	t0=$(now)
	curl -fsS -o /dev/null -w '%{size_download}' -H "$H" "$URL/v1/creators.csv" \
		>"$BENCH_TMP/bytes"
	elapsed "$t0" "$(now)"
}

note "timing psql \\copy and GET /v1/creators.csv, twice each..."
P1=$(time_psql)
HWM_P1=$(rss_kib "$SERVER_PID" VmHWM)
E1=$(time_export)
HWM_E1=$(rss_kib "$SERVER_PID" VmHWM)
P2=$(time_psql)
E2=$(time_export)
HWM_AFTER=$(rss_kib "$SERVER_PID" VmHWM)
note "VmHWM (KiB): before $HWM_BEFORE, after psql 1 $HWM_P1, after export 1 $HWM_E1, at the end $HWM_AFTER"
PSQL_S=$(min2 "$P1" "$P2")
EXPORT_S=$(min2 "$E1" "$E2")
RATIO=$(awk -v p="$PSQL_S" -v e="$EXPORT_S" 'BEGIN { printf "%.2f", p / e }')
GROWTH_KIB=$((HWM_AFTER - HWM_BEFORE))
BYTES=$(cat "$BENCH_TMP/bytes")
PSQL_BYTES=$(psql_q "$DB" -c "\\copy ($SELECT) TO STDOUT CSV HEADER" | wc -c)

cat <<EOT
machine: $(machine_line)
load: at start $LOAD_START; at end $(load_line)
creators: $ROWS (seed $SEED)

| step | runs (s) | best (s) | rows/s | MB |
|---|---|---:|---:|---:|
| psql \\copy (SELECT same columns) TO '/dev/null' CSV HEADER | $P1, $P2 | $PSQL_S | $(awk -v n="$ROWS" -v s="$PSQL_S" 'BEGIN { printf "%.0f", n / s }') | $(awk -v b="$PSQL_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') |
| GET /v1/creators.csv (curl -o /dev/null) | $E1, $E2 | $EXPORT_S | $(awk -v n="$ROWS" -v s="$EXPORT_S" 'BEGIN { printf "%.0f", n / s }') | $(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') |

| target | figure | target | met? |
|---|---:|---|---|
| export speed / psql \\copy speed | $RATIO | >= 0.50 | $(awk -v r="$RATIO" 'BEGIN { print (r >= 0.5 ? "yes" : "NO") }') |
| server peak RSS growth (VmHWM $(mib "$HWM_BEFORE") -> $(mib "$HWM_AFTER") MiB) | +$(mib "$GROWTH_KIB") MiB | < 32 MiB | $( ((GROWTH_KIB < 32768)) && echo yes || echo NO) |
| idle server RSS before the exports | $(mib "$IDLE_RSS") MiB | | |
EOT
