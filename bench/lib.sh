# Shared by the bench/*.sh scripts: build, a throwaway PostgreSQL cluster, a
# nichematch server, and cleanup of everything they started. Source it; do not run it.
# Every process started here is remembered by PID and stopped by PID in bench_cleanup.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$BENCH_ROOT/build}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BENCH_PIDS=()
BENCH_TMP=""
PG_DATA=""
PG_PORT=""

note() { printf '%s\n' "$*" >&2; }
die() { note "error: $*"; exit 1; }

# Configures (Release) only when no build directory exists; an up-to-date build is a no-op.
bench_build() {
	if [[ ! -f $BUILD/CMakeCache.txt ]]; then
		cmake -S "$BENCH_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	fi
	cmake --build "$BUILD" -j2 >/dev/null || die "build failed (run cmake --build $BUILD)"
	local t
	for t in nichematch bare_mhd bare_pq; do
		[[ -x $BUILD/$t ]] || die "$BUILD/$t was not built"
	done
}

bench_tmp() {
	BENCH_TMP=$(mktemp -d /tmp/nm-bench.XXXXXX)
	chmod 755 "$BENCH_TMP"
}

# PostgreSQL refuses to run as root: run its tools as the postgres user when we are root.
as_pg() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_start PORT [CPU]: a fresh cluster under $BENCH_TMP; with CPU, the postmaster (and so
# every backend it forks) is pinned there. The settings keep checkpoints out of the import
# timings; both the baselines and nichematch run against the same settings.
pg_start() {
	PG_PORT=$(free_port "$1")
	local cpu=${2:-}
	local dir=$BENCH_TMP/pg
	PG_DATA=$dir/data
	mkdir -p "$PG_DATA"
	[[ $(id -u) -eq 0 ]] && chown -R postgres "$dir"
	as_pg "$PGBIN/initdb" -D "$PG_DATA" -A trust -U postgres >/dev/null
	local pre=()
	[[ -n $cpu ]] && pre=(taskset -c "$cpu")
	[[ $(id -u) -eq 0 ]] && pre+=(runuser -u postgres --)
	"${pre[@]}" "$PGBIN/pg_ctl" -D "$PG_DATA" -w -l "$dir/log" \
		-o "-k $dir -p $PG_PORT -c listen_addresses=127.0.0.1 \
		    -c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min \
		    -c max_connections=100" start >/dev/null || {
		cat "$dir/log" >&2
		die "PostgreSQL did not start on port $PG_PORT"
	}
}

# free_port BASE: the first port from BASE up that nothing listens on. Other jobs on shared
# machines take ports too, so fixed ports collide.
free_port() {
	local p=$1
	while ss -Htln "sport = :$p" | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}

pg_url() { printf 'postgresql://postgres@127.0.0.1:%s/%s' "$PG_PORT" "${1:-postgres}"; }

psql_q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"; }

pg_createdb() { psql_q "$(pg_url)" -c "CREATE DATABASE $1" >/dev/null; }

pg_stop() {
	if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
		as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
	fi
}

# start_bg LOGFILE CMD...: runs CMD in the background, records its PID in BENCH_PIDS and
# in LAST_PID.
start_bg() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	LAST_PID=$!
	BENCH_PIDS+=("$LAST_PID")
}

stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	# nichematch gives webhook POSTs still in flight up to 5 s after SIGTERM.
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

wait_http() {
	local url=$1 i
	for i in $(seq 1 100); do
		curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
		sleep 0.1
	done
	die "nothing answers at $url"
}

# server_start PORT DB [CPU]: nichematch serve against database DB; sets SERVER_PID.
# BENCH_MIGRATIONS: another migrations directory (an older build's, for an A/B run).
server_start() {
	local port=$1 db=$2 cpu=${3:-}
	local pin=()
	[[ -n $cpu ]] && pin=(taskset -c "$cpu")
	start_bg "$BENCH_TMP/server-$port.log" env DATABASE_URL="$(pg_url "$db")" \
		NICHEMATCH_LISTEN="127.0.0.1:$port" NICHEMATCH_RATE_LIMIT=0 \
		NICHEMATCH_KEY_MAX_IN_FLIGHT=0 NICHEMATCH_MATCH_RUNS_PER_MINUTE=0 \
		NICHEMATCH_MIGRATIONS_DIR="${BENCH_MIGRATIONS:-$BENCH_ROOT/migrations}" \
		"${pin[@]}" "$BUILD/nichematch" serve
	SERVER_PID=$LAST_PID
	wait_http "http://127.0.0.1:$port/healthz"
}

# Prints "KEY" for a new admin key in database DB.
make_key() {
	DATABASE_URL=$(pg_url "$1") "$BUILD/nichematch" keys create --role admin --name bench \
		2>/dev/null
}

# api_start PG_PORT PORT DB: a fresh cluster with database DB and a server on PORT against
# it; sets KEY (a new admin key), URL and H (the Authorization header with KEY).
api_start() {
	pg_start "$1"
	pg_createdb "$3"
	server_start "$2" "$3"
	KEY=$(make_key "$3")
	URL="http://127.0.0.1:$2"
	H="Authorization: Bearer $KEY"
}

# import_creators N SEED [ROWS]: N generated creators (demo-data --seed SEED) through
# POST /v1/creators/import at $URL, streamed in imports of at most ROWS rows (default 1M;
# the default body cap is 1 GiB); nothing on disk. Each import's reply is a line of
# $BENCH_TMP/import.json.
import_creators() {
	"$BUILD/nichematch" demo-data --creators "$1" --seed "$2" --format ndjson |
		split -l "${3:-1000000}" --filter="curl -fsS -X POST '$URL/v1/creators/import' -H '$H' \
		-H 'Content-Type: application/x-ndjson' -T - >>'$BENCH_TMP/import.json'; echo >>'$BENCH_TMP/import.json'"
}

# Prints the id of a new brand "Bench Fitness" (niches fitness and wellness, goal engagement).
fitness_brand() {
	curl -fsS -X POST "$URL/v1/brands" -H "$H" -H 'Content-Type: application/json' \
		-d '{"name":"Bench Fitness","niches":["fitness","wellness"],"goal":"engagement"}' |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# Prints a wrk Lua done() that writes "NMRESULT req/s p50_us p99_us non2xx"; read it with
# awk '/^NMRESULT/ { print $2, $3, $4, $5 }'.
wrk_done_lua() {
	cat <<'LUA'
done = function(summary, latency, requests)
	io.write(string.format("NMRESULT %.1f %.0f %.0f %d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50),
		latency:percentile(99), summary.errors.status))
end
LUA
}

# ms MICROSECONDS: the same in milliseconds, two decimals.
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

rss_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# On failure the server and PostgreSQL logs are shown before they are removed.
bench_cleanup() {
	local rc=$? pid f
	if ((rc != 0)) && [[ -n $BENCH_TMP ]]; then
		for f in "$BENCH_TMP"/server-*.log "$BENCH_TMP"/pg/log; do
			[[ -f $f ]] && { note "--- tail of $f"; tail -n 20 "$f" >&2; }
		done
	fi
	for pid in "${BENCH_PIDS[@]}"; do
		stop_pid "$pid"
	done
	pg_stop
	if [[ -n $BENCH_TMP && -d $BENCH_TMP ]]; then
		rm -rf "$BENCH_TMP"
	fi
}

machine_line() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	printf '%s, %s vCPU, %s MiB RAM, kernel %s' "$cpu" "$(nproc)" \
		"$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" "$(uname -r)"
}

# The VMs are shared: the load average says how much of the machine the run really had.
load_line() {
	printf 'load average %s' "$(cut -d' ' -f1-3 /proc/loadavg)"
}
