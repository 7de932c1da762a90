# syntax=docker/dockerfile:1
# nichematch container image.
#   docker build -t nichematch .
#   docker run --rm --read-only --cap-drop ALL --security-opt no-new-privileges \
#     -e PGHOST=db -e PGUSER=... -e PGPASSWORD=... -e PGDATABASE=... -p 8080:8080 nichematch
# See docker/compose.yaml for a complete stack with PostgreSQL 15 (owner role for
# migrations, least-privilege role for the service) and docs/operations.md.
#
# Base images are pinned by digest (a tag can be re-pointed; a digest cannot). The digest
# is of the multi-platform index of the tag. scripts/pin-images.sh prints the current
# digests of debian:12-slim and postgres:15 from the registry and rewrites these lines and
# docker/compose.yaml; run it, rebuild, run the tests, commit. Refresh at least monthly
# (security updates of the base image arrive only through a new digest). The digests
# committed here were copied from public pins of these tags and could not be checked
# against the registry when written (no registry access): run
# `scripts/pin-images.sh --check` before the first build.
ARG DEBIAN_IMAGE=debian:12-slim@sha256:d5d3f9c23164ea16f31852f95bd5959aad1c5e854332fe00f7b3a20fcc9f635c

# --- dashboard stage (web/dist, docs/dashboard.md) ----------------------------------------------
# Debian's nodejs and npm on the same pinned base; npm ci installs exactly package-lock.json.
# The steps are scripts/build-web.sh's: vite build, then a gzip copy beside each text asset.
FROM ${DEBIAN_IMAGE} AS web
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/index.html web/vite.config.js ./
COPY web/src/ src/
RUN npx --no-install vite build --logLevel warn \
 && find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) \
      -exec gzip -9 -k -n -f {} +

# --- build stage -----------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libmicrohttpd-dev libjansson-dev libpq-dev libcurl4-openssl-dev libssl-dev libcsv-dev \
      libstemmer-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY include/ include/
COPY src/ src/
COPY migrations/ migrations/
# Release: -O2 with _FORTIFY_SOURCE=3, stack protector, PIE, full RELRO (CMakeLists.txt).
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build -j"$(nproc)" --target nichematch \
 && strip build/nichematch \
 && readelf -d build/nichematch | grep -q BIND_NOW

# --- runtime stage ---------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libpq5 libcurl4 libssl3 libcsv3 libstemmer0d ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin nichematch
COPY --from=build /src/build/nichematch /usr/local/bin/nichematch
COPY migrations/ /usr/share/nichematch/migrations/
COPY --from=web /web/dist/ /usr/share/nichematch/web/
# Behind a TLS-terminating proxy set NICHEMATCH_SESSION_COOKIE_SECURE=1 (docs/dashboard.md).
ENV NICHEMATCH_LISTEN=0.0.0.0:8080 \
    NICHEMATCH_MIGRATIONS_DIR=/usr/share/nichematch/migrations \
    NICHEMATCH_WEB_DIR=/usr/share/nichematch/web
USER 10001:10001
EXPOSE 8080
# Ready = listening and the database reachable and migrated (/readyz, SPEC §7). No curl in
# the image: bash's /dev/tcp speaks enough HTTP/1.0 for one status line.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${NICHEMATCH_LISTEN##*:} && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["nichematch"]
CMD ["serve"]
