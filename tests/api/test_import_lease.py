"""Imports that lose their server (issue 13; docs/api-decisions.md "Imports that lose their
server"): a running import holds a lease (a PostgreSQL advisory lock on the connection that
writes its imports row). When the server is SIGKILLed the lease dies with the connection, and
the reaper of any instance (at its start and every 15 s) marks the import failed with a failure
text; nothing of it is in the database. A live import on another instance is left alone."""
import http.client
import signal
import threading
import time
import unittest

from harness import Server
from apihelpers import ndjson, poll

IMPORT = "/v1/creators/import"


class SlowImport:
    """An NDJSON import streamed in a thread, `per_chunk` rows every `pause` seconds, until
    stop() (then the body ends and the reply is read) or the connection breaks."""

    def __init__(self, server, prefix, per_chunk=5000, pause=0.05):
        self.stop_ev = threading.Event()
        self.sent = 0
        self.result = None
        self.error = None

        def body():
            c = 0
            while not self.stop_ev.is_set():
                rows = [{"platform": "instagram", "handle": "%s_%d_%d" % (prefix, c, i),
                         "followers": 1000 + i} for i in range(per_chunk)]
                yield ndjson(rows)
                self.sent += per_chunk
                c += 1
                time.sleep(pause)

        def run():
            try:
                conn = http.client.HTTPConnection(server.host, server.port, timeout=120)
                conn.request("POST", IMPORT, body=body(), encode_chunked=True,
                             headers={"Authorization": "Bearer " + server.admin_key,
                                      "Content-Type": "application/x-ndjson"})
                r = conn.getresponse()
                self.result = (r.status, r.read())
                conn.close()
            except Exception as e:  # the server was killed under it
                self.error = e

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self, timeout=120):
        self.stop_ev.set()
        self.thread.join(timeout)


def running_import(server):
    rows = server.psql("SELECT id, received FROM imports WHERE status = 'running' ORDER BY id")
    return rows[0] if rows else None


class ImportLeaseTests(unittest.TestCase):
    def test_killed_server_import_is_marked_failed(self):
        srv = Server(env={"NICHEMATCH_RATE_LIMIT": "0"})
        try:
            srv.admin_key  # created before the import, not while the server is gone
            imp = SlowImport(srv, "lease")
            # Running, and past one merge batch (25,000 rows) inside its transaction.
            row = poll(lambda: (lambda r: r if r and int(r[1]) >= 30000 else None)(running_import(srv)),
                       timeout=60, interval=0.2)
            self.assertTrue(row, "the import never got going: %r" % (running_import(srv),))
            iid = int(row[0])
            srv.stop(sig=signal.SIGKILL)
            imp.finish()
            # Nothing noticed yet: no instance runs.
            self.assertEqual(srv.psql("SELECT status FROM imports WHERE id = %d" % iid)[0][0], "running")
            t0 = time.monotonic()
            srv.start()

            def failed():
                r = srv.get("/v1/imports/%d" % iid)
                return r.json if r.status == 200 and r.json["status"] == "failed" else None

            got = poll(failed, timeout=60, interval=0.5)
            self.assertTrue(got, "import %d still %r 60 s after the restart" %
                            (iid, srv.get("/v1/imports/%d" % iid).json))
            self.assertLess(time.monotonic() - t0, 60)
            self.assertIn("server running this import stopped", got["failure"], got)
            self.assertIsNotNone(got["finished_at"], got)
            self.assertEqual((got["inserted"], got["updated"]), (0, 0), got)
            n = int(srv.psql("SELECT count(*) FROM creators WHERE handle LIKE 'lease%'")[0][0])
            self.assertEqual(n, 0)
            # The stored row says so too (not only the reply).
            st = srv.psql("SELECT status, failure IS NOT NULL FROM imports WHERE id = %d" % iid)[0]
            self.assertEqual(st, ("failed", "t"))
        finally:
            srv.close()

    def test_live_import_is_not_reaped_by_another_instance(self):
        a = Server(env={"NICHEMATCH_RATE_LIMIT": "0"})
        b = None
        try:
            a.admin_key
            imp = SlowImport(a, "alive", per_chunk=500, pause=0.05)
            row = poll(lambda: running_import(a), timeout=30, interval=0.1)
            self.assertTrue(row)
            iid = int(row[0])
            # A second instance on the same database: its reaper passes at start.
            b = Server(env={"NICHEMATCH_RATE_LIMIT": "0"}, share_db_with=a, migrate=False)
            self.assertTrue(b.running())
            time.sleep(1.5)
            self.assertEqual(b.get("/v1/imports/%d" % iid).json["status"], "running")
            imp.finish()
            self.assertIsNone(imp.error, imp.error)
            self.assertEqual(imp.result[0], 201, imp.result)
            got = b.get("/v1/imports/%d" % iid).json
            self.assertEqual(got["status"], "completed", got)
            self.assertEqual(got["inserted"], imp.sent, got)
            # Its lease went back with it: the side connection is pooled, not left locked.
            locks = int(a.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                               "AND classid = 1313688917::oid AND database = "
                               "(SELECT oid FROM pg_database WHERE datname = current_database())")[0][0])
            self.assertEqual(locks, 0)
        finally:
            if b is not None:
                b.close()
            a.close()


if __name__ == "__main__":
    unittest.main()
