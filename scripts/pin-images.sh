#!/bin/sh
# Pins the base images by digest (issue 10 item 8): asks Docker Hub for the current digest
# of each tag's multi-platform index and rewrites the pins in Dockerfile and
# docker/compose.yaml. Needs curl and network access to auth.docker.io and
# registry-1.docker.io (or `docker buildx imagetools` when PIN_WITH=docker).
#   scripts/pin-images.sh          # rewrite the pins
#   scripts/pin-images.sh --check  # print current vs pinned, change nothing (exit 1 if stale)
# Then: docker compose -f docker/compose.yaml build, run the tests, commit.
set -eu
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && check=1

digest() { # repo tag -> sha256:...
	if [ "${PIN_WITH:-curl}" = docker ]; then
		docker buildx imagetools inspect "$1:$2" --format '{{json .Manifest.Digest}}' | tr -d '"'
		return
	fi
	token=$(curl -fsS "https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/$1:pull" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	curl -fsSI -H "Authorization: Bearer $token" \
		-H "Accept: application/vnd.oci.image.index.v1+json" \
		-H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
		"https://registry-1.docker.io/v2/library/$1/manifests/$2" |
		tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

stale=0
pin() { # repo tag file
	new=$(digest "$1" "$2")
	case "$new" in sha256:????????????????????????????????????????????????????????????????) ;;
	*) echo "pin-images: no digest for $1:$2 (got '$new')" >&2; exit 2 ;;
	esac
	old=$(grep -o "$1:$2@sha256:[0-9a-f]*" "$3" | head -n1 | sed 's/.*@//')
	echo "$1:$2 pinned ${old:-none} current $new ($3)"
	[ "$old" = "$new" ] && return
	stale=1
	[ $check = 1 ] && return
	sed -i "s|$1:$2@sha256:[0-9a-f]*|$1:$2@$new|g" "$3"
}

pin debian 12-slim Dockerfile
pin postgres 15 docker/compose.yaml
[ $check = 1 ] && exit $stale
exit 0
