# syntax=docker/dockerfile:1
# nichematch container image.
#   docker build -t nichematch .
#   docker run --rm -e DATABASE_URL=postgresql://user:pass@host:5432/db -p 8080:8080 nichematch
# See docker/compose.yaml for a complete stack with PostgreSQL 15.

# --- build stage -----------------------------------------------------------------------------
FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libmicrohttpd-dev libjansson-dev libpq-dev libcurl4-openssl-dev libssl-dev libcsv-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY include/ include/
COPY src/ src/
COPY migrations/ migrations/
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build -j"$(nproc)" --target nichematch \
 && strip build/nichematch

# --- runtime stage ---------------------------------------------------------------------------
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libpq5 libcurl4 libssl3 libcsv3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin nichematch
COPY --from=build /src/build/nichematch /usr/local/bin/nichematch
COPY migrations/ /usr/share/nichematch/migrations/
ENV NICHEMATCH_LISTEN=0.0.0.0:8080 \
    NICHEMATCH_MIGRATIONS_DIR=/usr/share/nichematch/migrations
USER 10001:10001
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["nichematch"]
CMD ["serve"]
