#!/usr/bin/env bash
# Lint the OpenAPI document with Redocly CLI.
#
#   scripts/lint-openapi.sh [FILE | URL]
#
# Default: http://127.0.0.1:8080/openapi.json (a running `nichematch serve`). Uses
# `npx --yes @redocly/cli@2.77.0 lint` with the repository's redocly.yaml.
# Exit 0: clean (no errors and no warnings), or "skipped" when npx or the npm registry is not available.
# Exit 1: lint errors (or the document could not be fetched), or, with CI=true, npx or the npm
# registry not available: on CI a lint that did not run is a failure (scripts/test.sh installs
# nodejs and npm from Debian when npx is missing).
set -euo pipefail

CI_MODE=0
case "${CI:-}" in true | TRUE | True | 1 | yes) CI_MODE=1 ;; esac

# not_run REASON: a lint that could not run; skipped, or a failure under CI=true
not_run() {
	if [ "$CI_MODE" = 1 ]; then
		echo "lint-openapi: FAILED: did not run ($1) and CI=true" >&2
		exit 1
	fi
	echo "lint-openapi: skipped ($1)"
	exit 0
}

REDOCLY_VERSION=2.77.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=${1:-http://127.0.0.1:8080/openapi.json}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

doc="$tmp/openapi.json"
case "$SRC" in
http://* | https://*)
	if ! curl -fsS --max-time 30 -o "$doc" "$SRC"; then
		echo "lint-openapi: could not fetch $SRC" >&2
		exit 1
	fi
	;;
*)
	[ -f "$SRC" ] || { echo "lint-openapi: no such file: $SRC" >&2; exit 1; }
	cp "$SRC" "$doc"
	;;
esac

if ! command -v npx >/dev/null 2>&1; then
	not_run "npx is not installed"
fi

out="$tmp/lint.out"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
set +e
(cd "$tmp" && timeout 600 npx --yes "@redocly/cli@$REDOCLY_VERSION" lint \
	--config "$ROOT/redocly.yaml" "$doc") >"$out" 2>&1 </dev/null
rc=$?
set -e
cat "$out"

if [ "$rc" -eq 0 ]; then
	# Zero warnings too: a warning Redocly lets pass is still a defect of the document.
	if grep -qiE '[0-9]+ warnings?' "$out" && ! grep -qE '\b0 warnings' "$out"; then
		echo "lint-openapi: FAILED (warnings)" >&2
		exit 1
	fi
	echo "lint-openapi: ok (no errors, no warnings)"
	exit 0
fi
# Did Redocly run at all? It prints "validating <file>..." before it reports problems. If it
# did not, and npm could not reach the registry, the lint is skipped rather than failed.
if ! grep -q 'validating ' "$out"; then
	if [ "$rc" -eq 124 ] || grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|socket hang up|request to https?://[^ ]* failed|getaddrinfo' "$out"; then
		not_run "the npm registry is not reachable"
	fi
fi
echo "lint-openapi: FAILED (exit $rc)" >&2
exit 1
