#!/usr/bin/env python3
"""Latency targets that the API tests used to assert and no longer do (issue 21): a test on a
loaded two-core machine must not fail on time, so the tests check the behaviour (answered at
all, in order, before a 30 s deadline) and these figures are measured here instead.

    python3 bench/latency_targets.py        env: NM_BIN (default build/nichematch),
                                                 NM_TEST_DB_URL (else a throwaway cluster),
                                                 BENCH_SAMPLES (default 50)

Prints, for each case, the median and the worst of BENCH_SAMPLES requests and the target;
exits 0 whatever the figures (it reports, it does not judge). Cases:
  idle            GET /healthz and GET /v1/brands on an idle server (baseline)
  200 stalled     the same while 200 clients hold stalled requests (target: < 1 s)
  1000 open       the same while 1,000 connections are open (target: < 1 s)
  db down         GET /v1/brands answered 503 while PostgreSQL is stopped (target: < 1 s)
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "api"))

import harness  # noqa: E402
from harness import ADMIN, Server  # noqa: E402

N = int(os.environ.get("BENCH_SAMPLES", "50"))
TARGET_S = 1.0


def sample(srv, path, key, want):
    times = []
    for _ in range(N):
        t0 = time.monotonic()
        r = srv.request("GET", path, key=key, timeout=60)
        times.append(time.monotonic() - t0)
        if r.status != want:
            raise SystemExit("%s answered %d, want %d" % (path, r.status, want))
    return times


def report(case, path, times):
    worst = max(times)
    print("  %-12s %-12s median %7.1f ms  worst %7.1f ms  target < %.0f ms  %s"
          % (case, path, 1000 * statistics.median(times), 1000 * worst, 1000 * TARGET_S,
             "ok" if worst < TARGET_S else "MISSED"), flush=True)


def hold(srv, n, data):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(data)
        socks.append(s)
    time.sleep(0.5)
    return socks


def main():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
    env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_HEADER_TIMEOUT_S": "300",
           "NICHEMATCH_CONNECTION_TIMEOUT_S": "300"}
    print("latency targets (%d samples each, %s)" % (N, harness.nm_bin()))
    with Server(env=env) as srv:
        srv.request("GET", "/v1/brands")
        for path, key in (("/healthz", None), ("/v1/brands", ADMIN)):
            report("idle", path, sample(srv, path, key, 200))
        socks = hold(srv, 200, b"GET /v1/brands HTTP/1.1\r\nHost: x\r\n")
        try:
            for path, key in (("/healthz", None), ("/v1/brands", ADMIN)):
                report("200 stalled", path, sample(srv, path, key, 200))
        finally:
            for s in socks:
                s.close()
        socks = hold(srv, 1000, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        try:
            for path, key in (("/healthz", None), ("/v1/brands", ADMIN)):
                report("1000 open", path, sample(srv, path, key, 200))
        finally:
            for s in socks:
                s.close()
    d = tempfile.mkdtemp(prefix="nm-bench-pg.")
    pg = os.path.join(os.path.dirname(HERE), "scripts", "pg.sh")
    url = subprocess.run([pg, "start", d, "--fast"], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    try:
        with Server(base_url=url, env={"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_AUTH_CACHE_TTL_S": "3600"}) as srv:
            srv.request("GET", "/v1/brands")
            subprocess.run([pg, "stop", d], check=True, stdout=subprocess.DEVNULL)
            try:
                report("db down", "/v1/brands", sample(srv, "/v1/brands", ADMIN, 503))
            finally:
                subprocess.run([pg, "start", d], check=True, stdout=subprocess.DEVNULL)
    finally:
        subprocess.run([pg, "destroy", d], stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
