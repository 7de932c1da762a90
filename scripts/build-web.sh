#!/usr/bin/env bash
# Builds the dashboard into web/dist (docs/dashboard.md): npm ci when node_modules is
# missing or older than the lockfile, `npx vite build`, then a gzip copy of each text asset
# beside it (nichematch serves the .gz to clients that accept gzip).
#
#   scripts/build-web.sh            build (needs node and npm; exits 3 when they are missing)
#
# scripts/run.sh and scripts/test.sh call this; the Dockerfile runs the same steps in a node
# stage.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT/web"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "build-web.sh: node and npm are needed to build the dashboard (apt-get install nodejs npm)" >&2
	exit 3
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi
npx --no-install vite build --logLevel warn
# -n: no name or time stamp in the header, so the same build gives the same bytes.
find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
	-exec gzip -9 -k -n -f {} +
echo "build-web.sh: dashboard built in web/dist ($(du -sh dist | cut -f1))" >&2
