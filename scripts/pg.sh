#!/usr/bin/env bash
# A local PostgreSQL cluster in a directory of its own, for development and tests.
#
#   scripts/pg.sh start DIR [PORT] [--fast]   initdb if needed, start, print the libpq URL
#   scripts/pg.sh stop DIR                    stop it (no error when it is not running)
#   scripts/pg.sh destroy DIR                 stop it and remove DIR
#   scripts/pg.sh url DIR [DBNAME]            print postgresql://postgres@127.0.0.1:PORT/DBNAME
#   scripts/pg.sh status DIR                  exit 0 when running
#   scripts/pg.sh psql DIR [PSQL_ARGS...]     psql as postgres into the cluster
#   scripts/pg.sh replica PRIMARY_DIR DIR [PORT] [--fast]
#                                             a streaming replica of the running cluster in
#                                             PRIMARY_DIR (pg_basebackup -R the first time),
#                                             started on its own port; prints its URL
#
# Layout: DIR/data (PGDATA), DIR/postgres.log (server log), DIR/port; the unix socket lives in
# DIR itself. The server listens on 127.0.0.1 only, with trust authentication for local
# connections (the cluster is for one machine's development and tests, never for production).
# --fast (only for throwaway test clusters, applied when the cluster is created) turns off
# fsync, synchronous_commit and full_page_writes: a crash can lose the whole cluster.
#
# PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres` user and
# DIR is handed to it; DIR must then be reachable by that user (not under /root, say). When it
# is not, this script says so and exits 3 (scripts/run.sh and scripts/test.sh handle that).
# PORT defaults to the port the cluster used last, else a free port picked at random.
set -euo pipefail

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_bindir() {
	local best="" bestv=0 d v
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] || continue
		v=$(basename "$(dirname "$d")")
		case "$v" in *[!0-9]*) continue ;; esac
		if [ "$v" -ge 15 ] && [ "$v" -gt "$bestv" ]; then
			best=$d
			bestv=$v
		fi
	done
	if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		[ -n "$d" ] && [ -x "$d/initdb" ] && best=$d
	fi
	if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
		best=$(dirname "$(command -v initdb)")
	fi
	[ -n "$best" ] || die "no PostgreSQL server binaries (>= 15) found; run scripts/deps.sh"
	echo "$best"
}

# Run a command as the cluster owner, from / so that an unreadable cwd does not matter.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
		return
	fi
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "could not find a free port"
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

abspath() {
	# Resolve symlinks so that the postgres user sees the real path (DIR may be a symlink).
	readlink -m -- "$1"
}

check_reachable() {
	local dir=$1
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd postgres >/dev/null || die "running as root but there is no 'postgres' user (install postgresql)"
		if ! (cd / && runuser -u postgres -- test -x "$dir" -a -w "$dir") 2>/dev/null; then
			echo "pg.sh: the postgres user cannot reach $dir (a parent directory is not traversable," >&2
			echo "pg.sh: e.g. /root is mode 700). Use a directory outside it, e.g. \$(mktemp -d)." >&2
			exit 3
		fi
	fi
}

is_running() {
	local dir=$1
	[ -f "$dir/data/PG_VERSION" ] || return 1
	as_owner "$BINDIR/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

stored_port() {
	local dir=$1 p=""
	[ -f "$dir/port" ] && p=$(tr -dc '0-9' <"$dir/port")
	if [ -z "$p" ] && [ -f "$dir/data/postgresql.auto.conf" ]; then
		p=$(sed -n "s/^port = '\{0,1\}\([0-9]*\).*/\1/p" "$dir/data/postgresql.auto.conf" | tail -1)
	fi
	echo "$p"
}

cmd_url() {
	local dir port db=${2:-postgres}
	dir=$(abspath "$1")
	port=$(stored_port "$dir")
	[ -n "$port" ] || die "no cluster in $dir (run: scripts/pg.sh start $1)"
	echo "postgresql://postgres@127.0.0.1:$port/$db"
}

write_conf() {
	# Settings go to postgresql.auto.conf-style include we own; later lines win.
	local dir=$1 port=$2 sockdir=$3 fast=$4 conf="$dir/data/nichematch.conf"
	{
		echo "# written by scripts/pg.sh"
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$sockdir'"
		echo "max_connections = 200"
		echo "logging_collector = off"
		echo "log_min_messages = warning"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		if [ "$fast" = 1 ] || grep -q '^fsync = off' "$conf" 2>/dev/null; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
			echo "shared_buffers = 64MB"
		fi
	} >"$dir/nichematch.conf.tmp"
	chmod 644 "$dir/nichematch.conf.tmp"
	as_owner cp "$dir/nichematch.conf.tmp" "$conf"
	rm -f "$dir/nichematch.conf.tmp"
	if ! grep -q "^include_if_exists = 'nichematch.conf'" "$dir/data/postgresql.conf"; then
		as_owner sh -c "echo \"include_if_exists = 'nichematch.conf'\" >> '$dir/data/postgresql.conf'"
	fi
}

cmd_start() {
	local dir="" port="" fast=0 arg
	for arg in "$@"; do
		case "$arg" in
		--fast) fast=1 ;;
		-*) die "unknown option $arg" ;;
		*)
			if [ -z "$dir" ]; then dir=$arg
			elif [ -z "$port" ]; then port=$arg
			else usage; fi
			;;
		esac
	done
	[ -n "$dir" ] || usage
	[ -z "$port" ] || [[ "$port" =~ ^[0-9]+$ ]] || die "bad port '$port'"

	mkdir -p -- "$dir"
	dir=$(abspath "$dir")
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd postgres >/dev/null || die "running as root but there is no 'postgres' user (install postgresql)"
		[ "$(stat -c %U "$dir")" = postgres ] || chown postgres: "$dir"
	fi
	check_reachable "$dir"

	if is_running "$dir"; then
		local running_port
		running_port=$(stored_port "$dir")
		if [ -n "$port" ] && [ "$port" != "$running_port" ]; then
			die "cluster in $dir is already running on port $running_port (asked for $port)"
		fi
		cmd_url "$dir"
		return 0
	fi

	if [ ! -f "$dir/data/PG_VERSION" ]; then
		local locale_opt=(--no-locale)
		if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
			locale_opt=(--locale=C.UTF-8)
		fi
		as_owner "$BINDIR/initdb" -D "$dir/data" -U postgres -E UTF8 "${locale_opt[@]}" \
			--auth=trust --no-sync >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			die "initdb failed in $dir/data"
		}
		[ "$fast" = 1 ] && as_owner sh -c "echo 'fsync = off' > '$dir/data/nichematch.conf'"
	fi

	local attempts=1 picked=0
	if [ -z "$port" ]; then
		port=$(stored_port "$dir")
		if [ -z "$port" ] || port_in_use "$port"; then
			port=$(free_port)
		fi
		picked=1
		attempts=5
	fi

	# The unix socket path must fit in sun_path (107 bytes); otherwise TCP only.
	local sockdir=$dir
	if [ $((${#dir} + 20)) -gt 107 ]; then
		echo "pg.sh: $dir is too long for a unix socket path; TCP only" >&2
		sockdir=""
	fi

	local i
	for ((i = 1; i <= attempts; i++)); do
		write_conf "$dir" "$port" "$sockdir" "$fast"
		echo "$port" >"$dir/port.tmp" && chmod 644 "$dir/port.tmp" && mv -f "$dir/port.tmp" "$dir/port"
		if as_owner "$BINDIR/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -s >/dev/null 2>&1; then
			cmd_url "$dir"
			return 0
		fi
		if [ "$picked" = 1 ] && grep -q 'could not bind\|Address already in use' "$dir/postgres.log" 2>/dev/null; then
			port=$(free_port)
			continue
		fi
		break
	done
	echo "pg.sh: PostgreSQL failed to start in $dir; last lines of $dir/postgres.log:" >&2
	tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
	exit 1
}

# A hot standby of a running cluster. initdb's default pg_hba.conf already lets local
# replication connections in (trust), and wal_level=replica / max_wal_senders=10 are the
# defaults, so the primary needs nothing more. The copy keeps the primary's settings (its
# nichematch.conf, --fast included); write_conf then gives it its own port and socket.
cmd_replica() {
	local primary="" dir="" port="" fast=0 arg
	for arg in "$@"; do
		case "$arg" in
		--fast) fast=1 ;;
		-*) die "unknown option $arg" ;;
		*)
			if [ -z "$primary" ]; then primary=$arg
			elif [ -z "$dir" ]; then dir=$arg
			elif [ -z "$port" ]; then port=$arg
			else usage; fi
			;;
		esac
	done
	[ -n "$primary" ] && [ -n "$dir" ] || usage
	primary=$(abspath "$primary")
	is_running "$primary" || die "no running cluster in $primary (run: scripts/pg.sh start $primary)"
	mkdir -p -- "$dir"
	dir=$(abspath "$dir")
	if [ "$(id -u)" -eq 0 ]; then
		[ "$(stat -c %U "$dir")" = postgres ] || chown postgres: "$dir"
	fi
	check_reachable "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		local purl
		purl=$(cmd_url "$primary")
		as_owner "$BINDIR/pg_basebackup" -d "$purl" -D "$dir/data" -R -X stream -c fast \
			--no-sync >"$dir/basebackup.log" 2>&1 || {
			cat "$dir/basebackup.log" >&2
			as_owner rm -rf "$dir/data"
			die "pg_basebackup from $primary failed"
		}
		as_owner rm -f "$dir/data/postmaster.pid" "$dir/data/postmaster.opts"
		[ "$fast" = 1 ] && as_owner sh -c "echo 'fsync = off' > '$dir/data/nichematch.conf'"
	fi
	local args=("$dir")
	[ -z "$port" ] || args+=("$port")
	[ "$fast" = 1 ] && args+=(--fast)
	cmd_start "${args[@]}"
}

cmd_stop() {
	local dir
	dir=$(abspath "$1")
	[ -f "$dir/data/PG_VERSION" ] || return 0
	is_running "$dir" || return 0
	if ! as_owner "$BINDIR/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 -s >/dev/null 2>&1; then
		echo "pg.sh: fast shutdown timed out; using immediate" >&2
		as_owner "$BINDIR/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 -s >/dev/null 2>&1 || true
	fi
	if is_running "$dir"; then
		die "could not stop the cluster in $dir"
	fi
}

cmd_destroy() {
	local dir
	dir=$(abspath "$1")
	[ -e "$dir" ] || return 0
	cmd_stop "$dir"
	rm -rf -- "$dir"
}

cmd_psql() {
	local dir=$1 url
	shift
	url=$(cmd_url "$dir")
	exec psql -X "$url" "$@"
}

[ $# -ge 2 ] || usage
BINDIR=$(find_bindir)
cmd=$1
shift
case "$cmd" in
start) cmd_start "$@" ;;
stop) cmd_stop "$1" ;;
destroy) cmd_destroy "$1" ;;
url) cmd_url "$@" ;;
status) is_running "$(abspath "$1")" ;;
psql) cmd_psql "$@" ;;
replica) cmd_replica "$@" ;;
*) usage ;;
esac
