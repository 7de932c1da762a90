"""Several instances on one database (issue 19, server side): /readyz for a balancer and
the drain after SIGTERM; revocations and brand deletions pushed to every instance with
LISTEN/NOTIFY; rate limits and match-run quotas shared through PostgreSQL."""
import signal
import threading
import time

from apihelpers import Api, body_of
from harness import Server, ServerTestCase


def poll(fn, timeout, step=0.02):
    """fn() until truthy or timeout; returns (value, seconds waited)."""
    t0 = time.monotonic()
    while True:
        v = fn()
        if v or time.monotonic() - t0 > timeout:
            return v, time.monotonic() - t0
        time.sleep(step)


class ReadyzTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_ready_once_the_index_is_loaded(self):
        r, _ = poll(lambda: (lambda x: x if x.status == 200 else None)(
            self.request("GET", "/readyz", key=None)), 30, 0.1)
        self.assertIsNotNone(r, "never ready")
        self.assertEqual(r.json["status"], "ready")
        self.assertIn("ranking index loaded", self.server.log_text())

    def test_drain_after_sigterm(self):
        """SIGTERM: /readyz is 503 + Retry-After at once, other requests are still served
        for NICHEMATCH_DRAIN_SECONDS, then the process stops with 0."""
        srv = Server(env={"NICHEMATCH_DRAIN_SECONDS": "3", "NICHEMATCH_RATE_LIMIT": "0"}, migrate=False,
                     share_db_with=self.server)
        try:
            poll(lambda: srv.request("GET", "/readyz", key=None).status == 200, 30, 0.1)
            self.assertStatus(srv.request("GET", "/readyz", key=None), 200)
            t0 = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            r, _ = poll(lambda: (lambda x: x if x.status == 503 else None)(
                srv.request("GET", "/readyz", key=None)), 2)
            self.assertIsNotNone(r, "/readyz stayed 200 after SIGTERM")
            self.assertProblem(r, 503)
            self.assertEqual(r.json["type"].rsplit("/", 1)[-1], "shutting-down")
            self.assertEqual(r.headers.get("Retry-After"), "1")
            served = 0
            while time.monotonic() - t0 < 2.0:
                self.assertStatus(srv.request("GET", "/v1/brands"), 200)
                self.assertStatus(srv.request("GET", "/healthz", key=None), 200)
                served += 1
                time.sleep(0.1)
            self.assertGreater(served, 3)
            srv.proc.wait(20)
            took = time.monotonic() - t0
            self.assertEqual(srv.proc.returncode, 0, srv.log_text()[-3000:])
            self.assertGreaterEqual(took, 2.9, "stopped before the drain ended")
        finally:
            srv.stop()

    def test_second_signal_ends_the_drain(self):
        srv = Server(env={"NICHEMATCH_DRAIN_SECONDS": "60"}, migrate=False, share_db_with=self.server)
        try:
            srv.proc.send_signal(signal.SIGTERM)
            poll(lambda: srv.request("GET", "/readyz", key=None).status == 503, 5)
            t0 = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            srv.proc.wait(20)
            self.assertLess(time.monotonic() - t0, 15)
            self.assertEqual(srv.proc.returncode, 0)
        finally:
            srv.stop()


# A long TTL: without the NOTIFY a revoked key would keep working on the other instance for
# ten minutes, so every "refused within 1 s" below fails on the code before it.
TWIN_ENV = {"NICHEMATCH_AUTH_CACHE_TTL_S": "600", "NICHEMATCH_RATE_LIMIT": "0"}


class InvalidationTests(Api, ServerTestCase):
    server_env = TWIN_ENV

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = Server(env=TWIN_ENV, migrate=False, share_db_with=cls.server)

    @classmethod
    def tearDownClass(cls):
        code = cls.other.stop()
        super().tearDownClass()
        assert code == 0, "second instance exited %s" % code

    def wait_listening(self, srv):
        ok, _ = poll(lambda: self.server.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN nm_invalidate' "
            "AND datname = current_database()")[0][0] == "2", 10, 0.05)
        self.assertTrue(ok, "both instances listen")

    def refused_within(self, srv, key, seconds=1.0):
        r, took = poll(lambda: srv.request("GET", "/v1/brands", key=key).status == 401, seconds)
        self.assertTrue(r, "key still accepted %.1f s after its revocation elsewhere" % took)
        return took

    def new_key(self, **body):
        body.setdefault("role", "write")
        r = self.request("POST", "/v1/keys", body)
        self.assertStatus(r, 201)
        return r.json

    def test_revocation_on_a_reaches_b_within_1s(self):
        self.wait_listening(self.other)
        k = self.new_key()
        self.assertStatus(self.other.request("GET", "/v1/brands", key=k["key"]), 200)  # cached on B
        self.assertStatus(self.other.request("GET", "/v1/brands", key=k["key"]), 200)
        self.assertStatus(self.request("DELETE", "/v1/keys/%d" % k["id"]), 204)
        self.refused_within(self.other, k["key"])
        self.assertEqual(self.request("GET", "/v1/brands", key=k["key"]).status, 401)

    def test_cli_revocation_reaches_every_instance(self):
        self.wait_listening(self.other)
        k = self.new_key(role="read")
        for srv in (self.server, self.other):
            self.assertStatus(srv.request("GET", "/v1/brands", key=k["key"]), 200)
        self.server.cli("keys", "revoke", str(k["id"]))
        for srv in (self.server, self.other):
            self.refused_within(srv, k["key"])

    def test_brand_deletion_reaches_b(self):
        self.wait_listening(self.other)
        b = self.make_brand(name="Goes away")
        k = self.new_key(brand_id=b["id"])
        self.assertStatus(self.other.request("GET", "/v1/brands/%d" % b["id"], key=k["key"]), 200)
        self.assertStatus(self.request("DELETE", "/v1/brands/%d" % b["id"]), 204)
        self.refused_within(self.other, k["key"])

    def test_rolled_back_revocation_notifies_nothing(self):
        """The NOTIFY is part of the revoking transaction: a revocation that rolls back
        leaves the key working (and nobody is told otherwise)."""
        self.wait_listening(self.other)
        k = self.new_key(role="read")
        self.assertStatus(self.other.request("GET", "/v1/brands", key=k["key"]), 200)
        self.server.psql("BEGIN; UPDATE api_keys SET revoked_at = now() WHERE id = %d; "
                         "SELECT pg_notify('nm_invalidate', 'key'); ROLLBACK" % k["id"])
        time.sleep(0.3)
        self.assertStatus(self.other.request("GET", "/v1/brands", key=k["key"]), 200)

    def test_listener_reconnects(self):
        """The listener's connection is killed: it reconnects (within about a second)
        and revocations reach it again."""
        self.wait_listening(self.other)
        self.server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE query = 'LISTEN nm_invalidate' AND datname = current_database()")
        poll(lambda: self.server.psql("SELECT count(*) FROM pg_stat_activity WHERE query = "
                                      "'LISTEN nm_invalidate' AND datname = current_database()")[0][0] != "2", 5)
        self.wait_listening(self.other)
        k = self.new_key()
        self.assertStatus(self.other.request("GET", "/v1/brands", key=k["key"]), 200)
        self.assertStatus(self.request("DELETE", "/v1/keys/%d" % k["id"]), 204)
        self.refused_within(self.other, k["key"])


def same_window(t0, t1, window_s):
    return int(t0 // window_s) == int(t1 // window_s)


SHARED_RUNS = {"NICHEMATCH_SHARED_LIMITS": "1", "NICHEMATCH_RATE_LIMIT": "0",
               "NICHEMATCH_MATCH_RUNS_PER_MINUTE": "4"}


class SharedMatchQuotaTests(Api, ServerTestCase):
    """NICHEMATCH_SHARED_LIMITS=1: a brand's 4 match runs a minute hold across two
    instances (each alone would allow 4: 8 in all)."""
    server_env = SHARED_RUNS

    def test_quota_holds_across_instances(self):
        other = Server(env=SHARED_RUNS, migrate=False, share_db_with=self.server)
        self.addCleanup(other.stop)
        self.make_creator(handle="sq1", categories=["fitness"], engagement_rate=0.05)
        for attempt in range(3):
            b = self.make_brand(name="Shared quota %d" % attempt)
            t0 = time.time()
            statuses = []
            for i in range(10):
                srv = (self.server, other)[i % 2]
                r = srv.request("POST", "/v1/brands/%d/matches" % b["id"], {"limit": 5})
                self.assertIn(r.status, (201, 429), body_of(r))
                statuses.append(r.status)
                if r.status == 429:
                    p = self.assertProblem(r, 429)
                    self.assertIn("match runs", p["detail"])
                    ra = r.headers.get("Retry-After", "")
                    self.assertTrue(ra.isdigit() and 1 <= int(ra) <= 60, ra)
            if not same_window(t0, time.time(), 60):
                continue  # crossed a minute's edge: a fresh window may let more through
            self.assertEqual(statuses.count(201), 4, statuses)
            self.assertEqual(statuses[:4], [201] * 4, statuses)
            self.assertEqual(self.count_rows("rate_windows", "scope = 2 AND subject = %d" % b["id"]), 1)
            return
        self.fail("three attempts crossed a minute's edge")


SHARED_KEYS = {"NICHEMATCH_SHARED_LIMITS": "1", "NICHEMATCH_RATE_LIMIT": "0.1"}


class SharedKeyRateTests(Api, ServerTestCase):
    """NICHEMATCH_RATE_LIMIT=0.1 (one request per 10 s window, shared): a key's request on
    A spends what B would have allowed."""
    server_env = SHARED_KEYS

    def test_key_rate_holds_across_instances(self):
        other = Server(env=SHARED_KEYS, migrate=False, share_db_with=self.server)
        self.addCleanup(other.stop)
        for attempt in range(3):
            key = self.server.key("read")
            t0 = time.time()
            a = self.server.request("GET", "/v1/brands", key=key)
            b = other.request("GET", "/v1/brands", key=key)
            if not same_window(t0, time.time(), 10):
                continue
            self.assertStatus(a, 200)
            self.assertEqual(a.headers.get("RateLimit-Remaining"), "0", dict(a.headers))
            p = self.assertProblem(b, 429)
            self.assertIn("Rate limit", p["detail"])
            ra = int(b.headers.get("Retry-After", "0"))
            self.assertTrue(1 <= ra <= 10, ra)
            # another key is not affected
            self.assertStatus(other.request("GET", "/v1/brands", key=self.server.key("read")), 200)
            return
        self.fail("three attempts crossed a window's edge")


class LocalLimitsStayLocalTests(Api, ServerTestCase):
    """Without NICHEMATCH_SHARED_LIMITS nothing is counted in PostgreSQL."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "100"}

    def test_no_shared_rows(self):
        for _ in range(5):
            self.assertStatus(self.request("GET", "/v1/brands"), 200)
        self.assertEqual(self.count_rows("rate_windows"), 0)


class SigintTests(Api, ServerTestCase):

    def test_sigint_skips_the_drain(self):
        """Ctrl-C at a terminal: no balancer waits, so no drain."""
        srv = Server(env={"NICHEMATCH_DRAIN_SECONDS": "60"}, migrate=False, share_db_with=self.server)
        t0 = time.monotonic()
        code = srv.stop(sig=signal.SIGINT, timeout=30)
        self.assertEqual(code, 0)
        self.assertLess(time.monotonic() - t0, 20)
