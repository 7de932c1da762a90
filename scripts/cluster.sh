#!/usr/bin/env bash
# A whole nichematch cluster on one machine: a PostgreSQL primary, one streaming replica
# (pg_basebackup -R), three nichematch instances and HAProxy in front of them.
#
#   scripts/cluster.sh up        start whatever is not running (creates it the first time)
#   scripts/cluster.sh status    one line per process: role, pid, port, state; exit 0 when all run
#   scripts/cluster.sh down      stop everything (the data stays)
#   scripts/cluster.sh destroy   stop everything and delete NICHEMATCH_CLUSTER_DIR
#   scripts/cluster.sh key       print a new admin key (created on the primary)
#
# Environment:
#   NICHEMATCH_CLUSTER_DIR        data, logs and pid files (default .data/cluster in the checkout)
#   NICHEMATCH_CLUSTER_PORT_BASE  the balancer's port (default 8400); above it: +1..+3 the
#                                 instances, +4 the primary, +5 the replica, +6 HAProxy's stats
#   NICHEMATCH_CLUSTER_INSTANCES  how many instances (default 3)
#   NICHEMATCH_CLUSTER_BIN        the server binary (default build/nichematch, built when missing)
#   NICHEMATCH_CLUSTER_READY_TIMEOUT_S  how long `up` waits for every instance's /readyz (300)
#   NICHEMATCH_CLUSTER_PG_FAST=1  create the PostgreSQL clusters with fsync off (throwaway test
#                                 clusters only: scripts/pg.sh --fast)
# Every other NICHEMATCH_* variable in the environment reaches the instances unchanged;
# DATABASE_URL, NICHEMATCH_DATABASE_REPLICA_URLS, NICHEMATCH_LISTEN, NICHEMATCH_SECRETS_KEY
# (kept in DIR/secrets.key) and NICHEMATCH_MIGRATE_ON_START (0: `up` migrates once, before any
# instance starts) are set here; NICHEMATCH_SHARED_LIMITS defaults to 1 (limits count across
# the instances, in PostgreSQL).
#
# `up` is idempotent: a process that runs is left alone, one that does not (a killed instance,
# a stopped replica) is started again, so `up` is also the repair command. PostgreSQL runs as
# the `postgres` user when this runs as root (like scripts/pg.sh); HAProxy is Debian's
# package, installed by scripts/deps.sh when missing. HAProxy checks GET /readyz on every
# instance (GET /healthz if the server answers /readyz with 404). docs/operations.md,
# "Running a cluster", has the production notes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG="$ROOT/scripts/pg.sh"
DIR=${NICHEMATCH_CLUSTER_DIR:-$ROOT/.data/cluster}
BASE=${NICHEMATCH_CLUSTER_PORT_BASE:-8400}
N=${NICHEMATCH_CLUSTER_INSTANCES:-3}
BIN=${NICHEMATCH_CLUSTER_BIN:-$ROOT/build/nichematch}
DB=nichematch
SLOT=nichematch_replica

if ! [[ $BASE =~ ^[0-9]+$ ]] || ((BASE < 1 || BASE + 6 > 65535)); then
	echo "cluster.sh: bad NICHEMATCH_CLUSTER_PORT_BASE '$BASE'" >&2
	exit 2
fi
[[ $N =~ ^[1-3]$ ]] || {
	echo "cluster.sh: NICHEMATCH_CLUSTER_INSTANCES must be 1, 2 or 3" >&2
	exit 2
}

LB_PORT=$BASE
PRIMARY_PORT=$((BASE + 4))
REPLICA_PORT=$((BASE + 5))
STATS_PORT=$((BASE + 6))
instance_port() { echo $((BASE + $1)); }

note() { echo "cluster.sh: $*" >&2; }
die() {
	note "$*"
	exit 1
}

as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

# The PostgreSQL directories must be reachable by the postgres user when we are root; a
# cluster directory under /root (mode 700) is not, so they then live under
# /var/lib/nichematch/cluster-<hash> with symlinks in DIR (as scripts/run.sh does for .data/pg).
pg_home() { # NAME: the real directory of DIR/NAME, created
	local link="$DIR/$1"
	if [ -L "$link" ]; then
		readlink -m "$link"
		return
	fi
	if [ -d "$link" ]; then
		echo "$link"
		return
	fi
	if [ "$(id -u)" -eq 0 ] && ! (cd / && runuser -u postgres -- test -x "$DIR") 2>/dev/null; then
		local target
		target="/var/lib/nichematch/cluster-$(printf '%s' "$DIR" | sha256sum | cut -c1-16)/$1"
		mkdir -p "$target"
		chmod 755 /var/lib/nichematch "$(dirname "$target")"
		chown postgres: "$target"
		ln -s "$target" "$link"
		note "the postgres user cannot reach $DIR: $1 lives in $target"
		echo "$target"
		return
	fi
	mkdir -p "$link"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$link"
	echo "$link"
}

pg_url() { echo "postgresql://postgres@127.0.0.1:$1/${2:-$DB}"; }

q() { # PORT SQL: one value from the database on PORT
	psql -X -At -v ON_ERROR_STOP=1 -d "$(pg_url "$1")" -c "$2"
}

pg_running() { # NAME
	[ -e "$DIR/$1" ] && "$PG" status "$DIR/$1" 2>/dev/null
}

pg_pid() { # NAME: the postmaster's pid
	local f
	f="$(readlink -m "$DIR/$1")/data/postmaster.pid"
	[ -r "$f" ] && head -1 "$f" || echo "-"
}

# --- processes started here: pid files in DIR/run ----------------------------------------------
pid_of() { # NAME: the pid when the process runs, else nothing
	local f="$DIR/run/$1.pid" pid
	[ -r "$f" ] || return 0
	pid=$(tr -dc '0-9' <"$f")
	[ -n "$pid" ] || return 0
	# The pid must still be ours: a recycled pid of another program does not count.
	if kill -0 "$pid" 2>/dev/null && grep -qa -e "$2" "/proc/$pid/cmdline" 2>/dev/null; then
		echo "$pid"
	fi
}

start_detached() { # NAME LOG CMD...: runs CMD in its own session, writes DIR/run/NAME.pid
	local name=$1 log=$2
	shift 2
	setsid "$@" </dev/null >>"$log" 2>&1 &
	echo $! >"$DIR/run/$name.pid"
}

stop_pid() { # PID SECONDS: SIGTERM, then SIGKILL after SECONDS
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

http_status() { # URL: the status code, 000 when nothing answers
	curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

# /readyz, or /healthz on a server that answers /readyz with 404 (an older build).
health_path() {
	local p st
	p=$(instance_port 1)
	st=$(http_status "http://127.0.0.1:$p/readyz")
	if [ "$st" = 404 ]; then echo /healthz; else echo /readyz; fi
}

# --- pieces ------------------------------------------------------------------------------------
ensure_tools() {
	local pkgs=()
	command -v haproxy >/dev/null 2>&1 || pkgs+=(haproxy)
	"$ROOT/scripts/deps.sh" "${pkgs[@]}"
	if [ ! -x "$BIN" ]; then
		[ "$BIN" = "$ROOT/build/nichematch" ] || die "NICHEMATCH_CLUSTER_BIN=$BIN is not executable"
		note "building build/nichematch (Release)"
		cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
		cmake --build "$ROOT/build" -j"$(nproc 2>/dev/null || echo 2)" --target nichematch >&2
	fi
	local b
	for b in pg_basebackup pg_ctl; do
		[ -x "/usr/lib/postgresql/15/bin/$b" ] || command -v "$b" >/dev/null || die "no $b (install postgresql)"
	done
}

pgbin() {
	if [ -x "/usr/lib/postgresql/15/bin/$1" ]; then echo "/usr/lib/postgresql/15/bin/$1"; else command -v "$1"; fi
}

fast_opt() {
	if [ "${NICHEMATCH_CLUSTER_PG_FAST:-0}" = 1 ]; then echo --fast; fi
}

up_primary() {
	local home
	home=$(pg_home primary)
	if ! pg_running primary; then
		# shellcheck disable=SC2046
		"$PG" start "$home" "$PRIMARY_PORT" $(fast_opt) >/dev/null
		note "primary started on $PRIMARY_PORT"
	fi
	if [ "$(q "$PRIMARY_PORT" "SELECT 1" 2>/dev/null || true)" != 1 ]; then
		psql -X -q -d "$(pg_url "$PRIMARY_PORT" postgres)" -c "CREATE DATABASE $DB"
	fi
	if [ "$(psql -X -At -d "$(pg_url "$PRIMARY_PORT" postgres)" \
		-c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 0 ]; then
		# A physical slot: the primary keeps the WAL a stopped replica has not received yet.
		psql -X -q -d "$(pg_url "$PRIMARY_PORT" postgres)" \
			-c "SELECT pg_create_physical_replication_slot('$SLOT')" >/dev/null
	fi
}

up_replica() {
	local home
	home=$(pg_home replica)
	if [ ! -f "$home/data/PG_VERSION" ]; then
		note "replica: pg_basebackup from the primary"
		rm -rf "${home:?}/data"
		# -R writes standby.signal and primary_conninfo; -S streams through the slot.
		as_postgres "$(pgbin pg_basebackup)" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
			-D "$home/data" -R -X stream -S "$SLOT" -c fast >>"$DIR/logs/basebackup.log" 2>&1 ||
			die "pg_basebackup failed (see $DIR/logs/basebackup.log)"
	fi
	if ! pg_running replica; then
		# pg.sh writes the replica's own port and socket over the primary's copied settings.
		"$PG" start "$home" "$REPLICA_PORT" >/dev/null
		note "replica started on $REPLICA_PORT"
	fi
}

secrets_key() {
	if [ ! -s "$DIR/secrets.key" ]; then
		(umask 077 && head -c 32 /dev/urandom | base64 >"$DIR/secrets.key")
	fi
	cat "$DIR/secrets.key"
}

migrate() {
	DATABASE_URL=$(pg_url "$PRIMARY_PORT") "$BIN" migrate >>"$DIR/logs/migrate.log" 2>&1 ||
		die "migrate failed (see $DIR/logs/migrate.log)"
}

up_instance() { # I
	local i=$1 port pid
	port=$(instance_port "$i")
	pid=$(pid_of "instance-$i" nichematch)
	[ -n "$pid" ] && return 0
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "port $port (instance $i) is taken by another program"
	fi
	start_detached "instance-$i" "$DIR/logs/instance-$i.log" env \
		DATABASE_URL="$(pg_url "$PRIMARY_PORT")" \
		NICHEMATCH_DATABASE_REPLICA_URLS="$(pg_url "$REPLICA_PORT")" \
		NICHEMATCH_LISTEN="127.0.0.1:$port" \
		NICHEMATCH_MIGRATE_ON_START=0 \
		NICHEMATCH_SHARED_LIMITS="${NICHEMATCH_SHARED_LIMITS:-1}" \
		NICHEMATCH_SECRETS_KEY="$(secrets_key)" \
		"$BIN" serve
	note "instance $i started on $port (pid $(cat "$DIR/run/instance-$i.pid"))"
}

wait_instances() {
	local i port deadline st ok
	# /readyz stays 503 until the ranking index is loaded: ~10-15 s per million creators.
	deadline=$((SECONDS + ${NICHEMATCH_CLUSTER_READY_TIMEOUT_S:-300}))
	for ((i = 1; i <= N; i++)); do
		port=$(instance_port "$i")
		ok=0
		while ((SECONDS < deadline)); do
			st=$(http_status "http://127.0.0.1:$port/readyz")
			if [ "$st" = 200 ] || [ "$st" = 404 ]; then
				ok=1
				break
			fi
			[ -n "$(pid_of "instance-$i" nichematch)" ] || break
			sleep 0.2
		done
		if [ "$ok" != 1 ]; then
			tail -n 20 "$DIR/logs/instance-$i.log" >&2 || true
			die "instance $i (port $port) did not become ready"
		fi
	done
}

write_haproxy_cfg() {
	local check i body
	check=$(health_path)
	body='{"type":"https://nichematch.dev/problems/no-instance-available","title":"No instance available","status":503,"detail":"No nichematch instance can take the request right now; retry after the Retry-After delay."}'
	# HAProxy sends an errorfile as it is: a whole HTTP response. 502 and 504 (an instance
	# died or timed out under a request that could not be retried) get the same 503: the
	# client cannot tell whether the write happened, so it retries (with an Idempotency-Key).
	printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\nRetry-After: 1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
		"${#body}" "$body" >"$DIR/haproxy-503.http"
	{
		cat <<EOF
# written by scripts/cluster.sh up; edit the script, not this file
global
    maxconn 4096
    log stdout format raw local0 info
    stats socket $DIR/run/haproxy.sock mode 600 level admin
EOF
		# As root, HAProxy drops to Debian's haproxy user once its sockets are bound.
		if [ "$(id -u)" -eq 0 ] && getent passwd haproxy >/dev/null; then
			printf '    user haproxy\n    group haproxy\n'
		fi
		cat <<EOF
    # request bodies up to this size are buffered and so can be replayed by retry-on
    tune.bufsize 32768

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option log-health-checks
    timeout connect 1s
    timeout client 60s
    # imports stream bodies for minutes; the server has its own body and statement timeouts
    timeout server 300s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 2s
    errorfile 502 $DIR/haproxy-503.http
    errorfile 503 $DIR/haproxy-503.http
    errorfile 504 $DIR/haproxy-503.http

frontend nichematch
    bind 127.0.0.1:$LB_PORT
    option forwardfor
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET $check
    http-check expect status 200
    # A dead or draining instance leaves the rotation in ~1 s (2 failed checks 500 ms apart)
    # and comes back after 2 good ones.
    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2 check
    retries 2
    option redispatch 1
    # Retries beyond a refused connection only for requests that can be replayed: safe and
    # idempotent methods, and POSTs carrying an Idempotency-Key (the server replays those).
    # The whole request (up to tune.bufsize) is read before it is sent, so that a retry
    # has all of it: without this a PUT answered 503 (a serialization conflict that
    # outlived the server's own retries) was passed on instead of retried elsewhere.
    option http-buffer-request
    retry-on conn-failure empty-response response-timeout 503
    acl replayable method GET HEAD OPTIONS PUT DELETE
    acl replayable req.hdr(Idempotency-Key) -m found
    http-request disable-l7-retry unless replayable
EOF
		for ((i = 1; i <= N; i++)); do
			echo "    server instance-$i 127.0.0.1:$(instance_port "$i")"
		done
		cat <<EOF

listen stats
    bind 127.0.0.1:$STATS_PORT
    stats enable
    stats uri /
    stats refresh 2s
    stats show-legends
EOF
	} >"$DIR/haproxy.cfg.tmp"
	haproxy -c -q -f "$DIR/haproxy.cfg.tmp" || die "haproxy rejects the generated $DIR/haproxy.cfg.tmp"
	mv -f "$DIR/haproxy.cfg.tmp" "$DIR/haproxy.cfg"
}

up_balancer() {
	write_haproxy_cfg
	local pid
	pid=$(pid_of balancer haproxy)
	if [ -n "$pid" ]; then
		# A running HAProxy keeps its configuration unless it changed (SIGUSR2 would need
		# master-worker mode; a restart costs a few refused connections).
		if ! cmp -s "$DIR/haproxy.cfg" "$DIR/run/haproxy.cfg.running"; then
			note "haproxy.cfg changed: restarting the balancer"
			stop_pid "$pid" 5
		else
			return 0
		fi
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$LB_PORT") 2>/dev/null; then
		die "port $LB_PORT (balancer) is taken by another program"
	fi
	# -db: stays in the foreground of its own session, logging to DIR/logs/haproxy.log.
	start_detached balancer "$DIR/logs/haproxy.log" haproxy -db -f "$DIR/haproxy.cfg"
	cp "$DIR/haproxy.cfg" "$DIR/run/haproxy.cfg.running"
	local i
	for i in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$LB_PORT") 2>/dev/null && break
		sleep 0.1
	done
	note "balancer started on $LB_PORT (stats on http://127.0.0.1:$STATS_PORT/)"
}

cmd_up() {
	mkdir -p "$DIR/run" "$DIR/logs"
	DIR=$(readlink -m "$DIR")
	ensure_tools
	up_primary
	up_replica
	migrate
	local i
	for ((i = 1; i <= N; i++)); do
		up_instance "$i"
	done
	wait_instances
	up_balancer
	cmd_status
}

cmd_status() {
	local all=0 pid state i port lag
	[ -d "$DIR" ] || {
		echo "no cluster in $DIR"
		return 1
	}
	pid=$(pid_of balancer haproxy)
	if [ -n "$pid" ]; then
		state="running stats=http://127.0.0.1:$STATS_PORT/"
	else
		state=stopped
		pid=-
		all=1
	fi
	printf '%-8s %-8s %-6s %s\n' balancer "$pid" "$LB_PORT" "$state"
	if pg_running primary; then
		printf '%-8s %-8s %-6s %s\n' primary "$(pg_pid primary)" "$PRIMARY_PORT" running
	else
		printf '%-8s %-8s %-6s %s\n' primary - "$PRIMARY_PORT" stopped
		all=1
	fi
	if pg_running replica; then
		# The receiver's state and how far replay is behind what was received (bytes).
		lag=$(q "$REPLICA_PORT" "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'NOT-IN-RECOVERY'
			ELSE coalesce((SELECT status FROM pg_stat_wal_receiver), 'no-receiver') || ' replay_behind=' ||
			coalesce(greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()))::bigint::text, '?') || 'B' END" \
			2>/dev/null || echo unreachable)
		printf '%-8s %-8s %-6s %s\n' replica "$(pg_pid replica)" "$REPLICA_PORT" "running $lag"
	else
		printf '%-8s %-8s %-6s %s\n' replica - "$REPLICA_PORT" stopped
		all=1
	fi
	for ((i = 1; i <= N; i++)); do
		port=$(instance_port "$i")
		pid=$(pid_of "instance-$i" nichematch)
		if [ -n "$pid" ]; then
			case "$(http_status "http://127.0.0.1:$port/readyz")" in
			200) state="running ready" ;;
			404) state="running (no /readyz)" ;;
			*) state="running not-ready" ;;
			esac
		else
			pid=-
			state=stopped
			all=1
		fi
		printf '%-8s %-8s %-6s %s\n' instance "$pid" "$port" "$state"
	done
	return "$all"
}

cmd_down() {
	[ -d "$DIR" ] || return 0
	local pid i
	pid=$(pid_of balancer haproxy)
	[ -n "$pid" ] && stop_pid "$pid" 5
	# SIGTERM to all instances at once: each drains (/readyz 503 for NICHEMATCH_DRAIN_SECONDS,
	# 5 s) and then gives in-flight requests NICHEMATCH_SHUTDOWN_GRACE_S (30 s).
	local pids=()
	for ((i = 1; i <= 3; i++)); do
		pid=$(pid_of "instance-$i" nichematch)
		[ -n "$pid" ] && pids+=("$pid")
	done
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do stop_pid "$pid" 40; done
	[ -e "$DIR/replica" ] && "$PG" stop "$DIR/replica"
	[ -e "$DIR/primary" ] && "$PG" stop "$DIR/primary"
	rm -f "$DIR"/run/*.pid
	return 0
}

cmd_destroy() {
	cmd_down
	local d
	for d in primary replica; do
		[ -L "$DIR/$d" ] && rm -rf "$(readlink -m "$DIR/$d")"
	done
	rm -rf "$DIR"
}

cmd_key() {
	DATABASE_URL=$(pg_url "$PRIMARY_PORT") "$BIN" keys create --role admin --name cluster.sh
}

case "${1:-}" in
up) cmd_up ;;
status) cmd_status ;;
down) cmd_down ;;
destroy) cmd_destroy ;;
key) cmd_key ;;
*)
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
