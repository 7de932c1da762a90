#!/usr/bin/env bash
# THE RUN COMMAND: a working nichematch on this machine, from a fresh checkout.
#
#   scripts/run.sh [SERVE_ARGS...]   install missing packages, build (Release), start or reuse the
#                                    local PostgreSQL cluster (.data/pg), create the `nichematch`
#                                    database, migrate, seed demo data into an empty database,
#                                    create an admin key, print it with curl examples, and run
#                                    `nichematch serve` in the foreground (Ctrl-C stops it)
#   scripts/run.sh stop              stop the local PostgreSQL cluster (it keeps running otherwise)
#   scripts/run.sh status            is the local cluster running? prints its URL
#   scripts/run.sh psql [ARGS...]    psql into the local `nichematch` database
#   scripts/run.sh reset             stop the local cluster and delete it with all its data
#
# With DATABASE_URL set, no local cluster is used: the server runs against that database.
# Environment: NICHEMATCH_LISTEN (default 127.0.0.1:8080), NM_PG_PORT (port of the local cluster;
# default: the one it used last, else a free one), NM_DEMO_CREATORS (default 500).
#
# Where the cluster lives: .data/pg in the checkout. PostgreSQL runs as the `postgres` user when
# this script runs as root; if that user cannot reach the checkout (e.g. it is under /root,
# mode 700), the cluster is kept in /var/lib/nichematch/<hash of the checkout's path> instead,
# and .data/pg is a symlink to it. No permissions of the checkout's parents are changed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PG="$ROOT/scripts/pg.sh"
BIN="$ROOT/build/nichematch"

note() { echo "run.sh: $*" >&2; }

# The cluster's directory, deciding (once) where it lives. Prints the real path.
pg_dir() {
	local link="$ROOT/.data/pg"
	if [ -L "$link" ]; then
		readlink -m "$link"
		return
	fi
	if [ -d "$link" ]; then
		echo "$link"
		return
	fi
	mkdir -p "$ROOT/.data"
	if [ "$(id -u)" -eq 0 ] && ! (cd / && runuser -u postgres -- test -x "$ROOT/.data") 2>/dev/null; then
		local hash target
		hash=$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)
		target="/var/lib/nichematch/$hash"
		mkdir -p "$target"
		chmod 755 /var/lib/nichematch
		ln -s "$target" "$link"
		note "the postgres user cannot reach $ROOT (a parent directory is not traversable),"
		note "so the local cluster lives in $target (.data/pg links to it)."
		note "'scripts/run.sh reset' deletes it."
		echo "$target"
		return
	fi
	mkdir -p "$link"
	echo "$link"
}

existing_pg_dir() {
	local link="$ROOT/.data/pg"
	if [ -L "$link" ]; then readlink -m "$link"; elif [ -d "$link" ]; then echo "$link"; fi
}

case "${1:-}" in
stop)
	dir=$(existing_pg_dir)
	[ -n "$dir" ] || { note "no local cluster"; exit 0; }
	"$PG" stop "$dir"
	note "local PostgreSQL stopped ($dir)"
	exit 0
	;;
status)
	dir=$(existing_pg_dir)
	if [ -n "$dir" ] && "$PG" status "$dir"; then
		echo "running: $("$PG" url "$dir" nichematch)"
		exit 0
	fi
	echo "not running"
	exit 1
	;;
psql)
	shift
	dir=$(existing_pg_dir)
	[ -n "$dir" ] || { note "no local cluster; run scripts/run.sh first"; exit 1; }
	exec psql -X "$("$PG" url "$dir" nichematch)" "$@"
	;;
reset)
	dir=$(existing_pg_dir)
	if [ -n "$dir" ]; then
		"$PG" destroy "$dir"
		rm -f "$ROOT/.data/pg"
		rm -rf "$ROOT/.data/pg"
		note "local cluster deleted ($dir)"
	fi
	exit 0
	;;
-h | --help | help)
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

# --- packages and build ----------------------------------------------------------------------
# node and npm build the dashboard (web/); a machine that already has npx (e.g. NodeSource's
# nodejs, which conflicts with Debian's npm package) keeps what it has.
web_pkgs=()
command -v npx >/dev/null 2>&1 || web_pkgs=(nodejs npm)
"$ROOT/scripts/deps.sh" "${web_pkgs[@]}"

if [ -f build/CMakeCache.txt ] &&
	[ "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' build/CMakeCache.txt)" != "$ROOT" ]; then
	rm -rf build
fi
note "building (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >&2
note "building the dashboard (web/dist)"
if ! "$ROOT/scripts/build-web.sh" >&2; then
	note "the dashboard could not be built (see above); the API works, / says how to build it"
fi

# --- database --------------------------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
	dir=$(pg_dir)
	set +e
	base=$("$PG" start "$dir" ${NM_PG_PORT:+"$NM_PG_PORT"})
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		note "could not start the local PostgreSQL cluster in $dir"
		exit 1
	fi
	if [ "$(psql -X -At -d "$base" -c "SELECT 1 FROM pg_database WHERE datname = 'nichematch'")" != 1 ]; then
		psql -X -q -d "$base" -c 'CREATE DATABASE nichematch'
		note "created database nichematch"
	fi
	DATABASE_URL=$("$PG" url "$dir" nichematch)
	export DATABASE_URL
	note "local PostgreSQL: $DATABASE_URL (stop it with: scripts/run.sh stop)"
else
	note "using DATABASE_URL from the environment"
fi

# Webhook and inbound secrets are stored sealed under NICHEMATCH_SECRETS_KEY. For a local
# run, one key is made once and kept in .data/secrets.key (mode 600); production passes its
# own from a secret store (docs/operations.md).
if [ -z "${NICHEMATCH_SECRETS_KEY:-}" ]; then
	mkdir -p "$ROOT/.data"
	if [ ! -s "$ROOT/.data/secrets.key" ]; then
		(umask 077 && head -c 32 /dev/urandom | base64 >"$ROOT/.data/secrets.key")
		note "made a secrets key in .data/secrets.key"
	fi
	NICHEMATCH_SECRETS_KEY=$(cat "$ROOT/.data/secrets.key")
	export NICHEMATCH_SECRETS_KEY
fi

"$BIN" migrate

# --- demo data: seeded through the API once the server listens (below) ------------------------
count=$(psql -X -At -d "$DATABASE_URL" -c 'SELECT count(*) FROM creators' 2>/dev/null || true)
seed_demo=0
[ "$count" = 0 ] && seed_demo=1

# --- admin key and how to use it -------------------------------------------------------------
KEY=$("$BIN" keys create --role admin --name run.sh)

listen=${NICHEMATCH_LISTEN:-127.0.0.1:8080}
port=${listen##*:}
host=${listen%:*}
case "$host" in
"" | 0.0.0.0 | "*") host=127.0.0.1 ;;
"[::]") host="[::1]" ;;
esac
URL="http://$host:$port"

if (exec 3<>"/dev/tcp/${host//[\[\]]/}/$port") 2>/dev/null; then
	note "something is already listening on $listen; set NICHEMATCH_LISTEN=127.0.0.1:<port> to use another port"
	exit 1
fi

cat <<EOF

nichematch is starting on $URL
Dashboard: $URL/ (sign in with the key below)
Admin API key (stored hashed, shown only now):

  export KEY=$KEY

Try:
  curl -s $URL/healthz
  curl -s -H "Authorization: Bearer \$KEY" $URL/v1/brands
  curl -s -X POST -H "Authorization: Bearer \$KEY" -H 'Content-Type: application/json' \\
       -d '{"name":"Acme","niches":["fitness"]}' $URL/v1/brands

Ctrl-C stops the server; the local PostgreSQL keeps running (scripts/run.sh stop stops it).

EOF

# The server runs in the foreground of this script; Ctrl-C and SIGTERM reach it and it
# drains and exits 0. An empty database first gets demo creators and a demo brand through
# the API itself, so the examples above return something.
"$BIN" serve "$@" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' INT TERM
if [ "$seed_demo" = 1 ]; then
	for _ in $(seq 1 100); do
		curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null && break
		sleep 0.1
	done
	n=${NM_DEMO_CREATORS:-500}
	if "$BIN" demo-data --creators "$n" --format ndjson |
		curl -fsS -o /dev/null -X POST "$URL/v1/creators/import" -H "Authorization: Bearer $KEY" \
			-H 'Content-Type: application/x-ndjson' --data-binary @- &&
		curl -fsS -o /dev/null -X POST "$URL/v1/brands" -H "Authorization: Bearer $KEY" \
			-H 'Content-Type: application/json' \
			-d '{"name":"Demo Fitness Co","niches":["fitness","wellness"],"goal":"engagement"}'; then
		note "seeded $n demo creators and a demo brand; rank them with:"
		note "  curl -s -X POST -H \"Authorization: Bearer \$KEY\" $URL/v1/brands/1/matches"
	else
		note "could not seed demo data (continuing)"
	fi
fi
rc=0
wait "$server" || rc=$?
# A signal interrupts the first wait; wait again for the drained exit.
if kill -0 "$server" 2>/dev/null; then
	wait "$server" || rc=$?
fi
exit "$rc"
