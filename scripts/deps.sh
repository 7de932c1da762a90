#!/usr/bin/env bash
# Install the Debian packages nichematch needs to build, test and run.
#
#   scripts/deps.sh [EXTRA_PACKAGE...]     e.g. scripts/deps.sh clang libclang-rt-dev wrk
#
# Quiet when everything is already installed. As root it runs `apt-get update` once and
# `apt-get install -y --no-install-recommends`; otherwise it uses sudo when available, else it
# prints the command to run and exits 1.
set -euo pipefail

BASE_PACKAGES=(
	build-essential cmake pkg-config
	libmicrohttpd-dev libjansson-dev libpq-dev libcurl4-openssl-dev libssl-dev libcsv-dev
	libstemmer-dev
	postgresql python3 curl ca-certificates
)

missing=()
for pkg in "${BASE_PACKAGES[@]}" "$@"; do
	[ -n "$pkg" ] || continue
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
	fi
done

[ "${#missing[@]}" -eq 0 ] && exit 0

echo "deps.sh: installing missing packages: ${missing[*]}" >&2

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO=(sudo -n)
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
	SUDO=(sudo)
else
	echo "deps.sh: not root and sudo is not available; run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

# Verify: a package name that does not exist makes apt-get fail above; anything still missing
# here (e.g. held packages) is an error too.
still=()
for pkg in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "installed" ] || still+=("$pkg")
done
if [ "${#still[@]}" -ne 0 ]; then
	echo "deps.sh: still missing after install: ${still[*]}" >&2
	exit 1
fi
