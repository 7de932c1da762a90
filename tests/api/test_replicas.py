"""Read replicas (NICHEMATCH_DATABASE_REPLICA_URLS; issue 19 acceptance 2 and 3).

A primary and a streaming replica of this module's own (scripts/pg.sh start --fast, then
scripts/pg.sh replica: pg_basebackup -R), two instances on them:
- read your writes: a write through instance A, then at once a read through instance B,
  whose reads wait for the replica (NICHEMATCH_REPLICA_READ_WAIT_MS), 1,000 times: never an
  older version, and the reads did go to the replica;
- reads go to the replica: its table statistics count them, the primary's do not;
- the replica stopped: reads fall back to the primary with no error; started again: used
  again.
Which server a request read from is in the request log line ("db":"replica")."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from apihelpers import Api, body_of
from harness import REPO, Server, ServerTestCase, psql

PG_SH = os.path.join(REPO, "scripts", "pg.sh")


def pg(*args):
    out = subprocess.run([PG_SH] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=180)
    if out.returncode != 0:
        raise RuntimeError("pg.sh %s failed: %s" % (" ".join(args), out.stderr))
    return out.stdout.strip()


def with_db(url, dbname):
    return url.rsplit("/", 1)[0] + "/" + dbname


def poll(fn, timeout, step=0.05):
    t0 = time.monotonic()
    while True:
        v = fn()
        if v or time.monotonic() - t0 > timeout:
            return v
        time.sleep(step)


class ReplicaTests(Api, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        unittest.TestCase.setUpClass()
        cls.pdir = tempfile.mkdtemp(prefix="nm-repl-p.", dir="/tmp")
        cls.rdir = tempfile.mkdtemp(prefix="nm-repl-r.", dir="/tmp")
        os.chmod(cls.pdir, 0o755)
        os.chmod(cls.rdir, 0o755)
        cls.server = cls.other = None
        try:
            cls.primary_url = pg("start", cls.pdir, "--fast")
            # --fast turns synchronous_commit off: a commit would then reach the replica only
            # when the WAL writer flushes (every 200 ms), and each read-your-writes read would
            # wait that long. fsync stays off, so this costs nothing.
            psql(cls.primary_url, "ALTER SYSTEM SET synchronous_commit = on")
            psql(cls.primary_url, "SELECT pg_reload_conf()")
            cls.replica_base = pg("replica", cls.pdir, cls.rdir, "--fast")
            env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_AUTH_CACHE_TTL_S": "60"}
            cls.server = Server(base_url=cls.primary_url, env=env, start=False)
            cls.replica_url = with_db(cls.replica_base, cls.server.dbname)
            cls.server.extra_env["NICHEMATCH_DATABASE_REPLICA_URLS"] = cls.replica_url
            cls.server.start()
            # B: its reads wait up to 2 s for the replica to replay the key's last write.
            cls.other = Server(env=dict(env, NICHEMATCH_DATABASE_REPLICA_URLS=cls.replica_url,
                                        NICHEMATCH_REPLICA_READ_WAIT_MS="2000"),
                               migrate=False, share_db_with=cls.server)
        except Exception:
            cls._teardown()
            raise

    @classmethod
    def _teardown(cls):
        try:
            for srv in (cls.other, cls.server):
                if srv is not None:
                    code = srv.stop()
                    if code != 0:
                        raise AssertionError("exit %s after SIGTERM; log %s" % (code, srv.log_path))
        finally:
            for d in (cls.rdir, cls.pdir):
                subprocess.run([PG_SH, "destroy", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                shutil.rmtree(d, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls._teardown()

    def replica_psql(self, sql):
        return psql(self.replica_url, sql)

    def replica_reads(self, srv, route):
        return sum(1 for l in srv.log_lines()
                   if l.get("msg") == "request" and l.get("route") == route and l.get("db") == "replica")

    def wait_replica_in_use(self, srv, key):
        """Polls GET /v1/brands until one is served by the replica (the probe needs a moment
        after a start)."""
        def one():
            before = self.replica_reads(srv, "/v1/brands")
            self.assertStatus(srv.request("GET", "/v1/brands", key=key), 200)
            return self.replica_reads(srv, "/v1/brands") > before
        self.assertTrue(poll(one, 30, 0.1), "no read went to the replica within 30 s")

    def test_a_read_your_writes_across_instances(self):
        key = self.server.key("write", name="ryw")
        brand = self.make_brand(key=key, name="v0")
        self.wait_replica_in_use(self.other, key)
        route = "/v1/brands/{id}"
        before = self.replica_reads(self.other, route)
        stale = []
        n = 1000
        for i in range(1, n + 1):
            w = self.server.request("PATCH", "/v1/brands/%d" % brand["id"], {"name": "v%d" % i}, key=key,
                                    content_type="application/merge-patch+json")
            self.assertEqual(w.status, 200, body_of(w))
            r = self.other.request("GET", "/v1/brands/%d" % brand["id"], key=key)
            self.assertEqual(r.status, 200, body_of(r))
            if r.json["name"] != "v%d" % i:
                stale.append((i, r.json["name"]))
        self.assertEqual(stale, [], "reads through B went back in time")
        on_replica = self.replica_reads(self.other, route) - before
        # Each read waited for the replica; a few may time out to the primary under load.
        self.assertGreaterEqual(on_replica, n * 9 // 10, "only %d of %d reads on the replica" % (on_replica, n))

    def test_b_reads_go_to_the_replica(self):
        reader = self.server.key("read", name="reader")
        c = self.make_creator(handle="replica_read", categories=["fitness"])
        # Written by another key: the reader sees it once the replica has it (read your
        # writes is per key; other keys' writes arrive within the replica's lag).
        self.assertTrue(poll(lambda: self.replica_psql("SELECT count(*) FROM creators WHERE id = %d"
                                                       % c["id"])[0][0] == "1", 10))
        self.wait_replica_in_use(self.server, reader)

        def scans(url):
            return int(psql(url, "SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) FROM pg_stat_user_tables "
                                 "WHERE relname = 'creators'")[0][0])

        def commits(url):
            return int(psql(url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")[0][0])

        primary = self.server.db_url
        p0, r0, rc0 = scans(primary), scans(self.replica_url), commits(self.replica_url)
        n = 50
        for _ in range(n):
            self.assertStatus(self.request("GET", "/v1/creators/%d" % c["id"], key=reader), 200)
        # Statistics are flushed by each backend at most once a second (10 s when idle).
        self.assertTrue(poll(lambda: scans(self.replica_url) - r0 >= n, 30, 0.5),
                        "the replica's creators scans rose by %d, want >= %d" % (scans(self.replica_url) - r0, n))
        self.assertGreaterEqual(commits(self.replica_url) - rc0, n)
        time.sleep(1.5)
        self.assertLess(scans(primary) - p0, 5, "reads of creators reached the primary")
        self.assertGreaterEqual(self.replica_reads(self.server, "/v1/creators/{id}"), n)

    def test_c_replica_down_then_back(self):
        reader = self.server.key("read", name="reader2")
        self.wait_replica_in_use(self.server, reader)
        pg("stop", self.rdir)
        try:
            for i in range(40):
                for srv in (self.server, self.other):
                    r = srv.request("GET", "/v1/brands", key=reader)
                    self.assertEqual(r.status, 200, "read %d while the replica is down: %s" % (i, body_of(r)))
            self.assertIn("read replica 1 left out", self.server.log_text())
        finally:
            pg("start", self.rdir)
        self.wait_replica_in_use(self.server, reader)
        self.wait_replica_in_use(self.other, reader)

    def test_d_lagging_replica_left_out(self):
        """Replay paused on the replica: once it is more than NICHEMATCH_REPLICA_MAX_LAG_MS
        (5 s) behind, reads go to the primary; resumed, it is used again."""
        reader = self.server.key("read", name="reader3")
        self.wait_replica_in_use(self.server, reader)
        self.replica_psql("SELECT pg_wal_replay_pause()")
        try:
            self.make_brand(name="written while the replica is paused")
            left_out = lambda: "left out: lagging" in self.server.log_text()
            self.assertTrue(poll(left_out, 20, 0.2), "the paused replica was never left out")
            before = self.replica_reads(self.server, "/v1/brands")
            for _ in range(10):
                r = self.request("GET", "/v1/brands", key=reader)
                self.assertStatus(r, 200)
                self.assertIn("written while the replica is paused", r.text)
            self.assertEqual(self.replica_reads(self.server, "/v1/brands"), before)
        finally:
            self.replica_psql("SELECT pg_wal_replay_resume()")
        self.wait_replica_in_use(self.server, reader)
