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
