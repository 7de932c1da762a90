"""Transactions are retried on serialization failures instead of answered 503 (issue 11).

The pipeline status write runs at SERIALIZABLE so that previous_status is the status the write
replaced. A psql session changes the same row in an open transaction; the server's PUT blocks
on the row lock, and when psql commits, PostgreSQL fails the PUT's transaction with 40001. The
server must run it again and answer 200 with the status psql wrote as previous_status. (The
READ COMMITTED version answered 200 with the stale 'shortlisted': the test fails there on the
previous_status assertion.)"""
import re
import subprocess
import threading
import time

from harness import ServerTestCase


def metric(text, name, labels=""):
    total = 0.0
    for line in text.splitlines():
        m = re.match(r"^%s(\{[^}]*\})?\s+([0-9.eE+-]+)$" % re.escape(name), line)
        if m and labels in (m.group(1) or ""):
            total += float(m.group(2))
    return total


class SerializationRetryTests(ServerTestCase):
    # Eight writers at once on one key: the per-key in-flight limit is not what is tested.
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_WORKERS": "0",
                  "NICHEMATCH_KEY_MAX_IN_FLIGHT": "0"}

    def setUp(self):
        b = self.request("POST", "/v1/brands", {"name": "Tx %f" % time.time(), "niches": ["fitness"]})
        self.assertStatus(b, 201)
        self.brand = b.json["id"]
        c = self.request("POST", "/v1/creators", {"platform": "instagram",
                                                  "handle": "tx_%d" % int(time.time() * 1e6),
                                                  "followers": 20000})
        self.assertIn(c.status, (200, 201), c)
        self.creator = c.json["id"]
        self.path = "/v1/brands/%d/creators/%d/status" % (self.brand, self.creator)
        self.assertStatus(self.request("PUT", self.path, {"status": "shortlisted"}), 200)

    def wait_for_lock_waiter(self, deadline_s=30):
        """Until a backend of the server's database waits on a lock (the PUT)."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            rows = self.server.psql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")
            if int(rows[0][0]) >= 1:
                return
            time.sleep(0.02)
        self.fail("the PUT never waited on the row lock")

    def test_conflicting_write_is_retried_and_answered_200(self):
        before = metric(self.request("GET", "/metrics", key=None).text, "nichematch_db_tx_retries_total")
        holder = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.server.db_url],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        try:
            holder.stdin.write("BEGIN;\nUPDATE creator_statuses SET status = 'contacted', note = 'by psql' "
                               "WHERE brand_id = %d AND creator_id = %d;\n\\echo locked\n"
                               % (self.brand, self.creator))
            holder.stdin.flush()
            self.assertEqual(holder.stdout.readline().strip(), "locked", holder.stderr.read() if holder.poll() else "")
            result = {}
            t = threading.Thread(target=lambda: result.update(
                r=self.request("PUT", self.path, {"status": "accepted", "note": "by api"}, timeout=60)))
            t.start()
            self.wait_for_lock_waiter()
            holder.stdin.write("COMMIT;\n\\echo committed\n")
            holder.stdin.flush()
            self.assertEqual(holder.stdout.readline().strip(), "committed")
            t.join(60)
            self.assertFalse(t.is_alive(), "the PUT did not finish")
        finally:
            holder.stdin.close()
            holder.wait(30)
        r = result["r"]
        self.assertStatus(r, 200)
        self.assertEqual(r.json["status"], "accepted")
        self.assertEqual(r.json["previous_status"], "contacted",
                         "previous_status must be the status this write replaced")
        after = metric(self.request("GET", "/metrics", key=None).text, "nichematch_db_tx_retries_total")
        self.assertGreaterEqual(after - before, 1, "no retry was counted")
        rows = self.server.psql("SELECT status, note FROM creator_statuses WHERE brand_id = %d AND creator_id = %d"
                                % (self.brand, self.creator))
        self.assertEqual(rows, [("accepted", "by api")])

    def test_concurrent_writes_all_succeed_and_chain(self):
        """Eight PUTs at once on one pair: all 200, and the previous_status values form one
        chain (each write replaced exactly one other), which stale reads would break."""
        statuses = ["contacted", "accepted", "declined", "shortlisted", "excluded"]
        results = []
        lock = threading.Lock()

        def put(i):
            r = self.request("PUT", self.path, {"status": statuses[i % 5], "note": "n%d" % i}, timeout=60)
            with lock:
                results.append(r)

        threads = [threading.Thread(target=put, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        self.assertEqual(len(results), 8)
        for r in results:
            self.assertStatus(r, 200)
        # The events, in commit order, form one chain: each change starts from the status
        # the change before it set. Stale reads would emit two events from the same status.
        rows = self.server.psql(
            "SELECT data->>'previous_status', data->>'status' FROM events "
            "WHERE type = 'creator.status_changed' AND (data->>'brand_id')::bigint = %d "
            "AND (data->>'creator_id')::bigint = %d ORDER BY id" % (self.brand, self.creator))
        self.assertGreaterEqual(len(rows), 2)
        for (prev_prev, prev_status), (cur_prev, _) in zip(rows, rows[1:]):
            self.assertEqual(cur_prev, prev_status, "broken event chain: %r" % (rows,))
        final = self.server.psql("SELECT status FROM creator_statuses WHERE brand_id = %d AND creator_id = %d"
                                 % (self.brand, self.creator))[0][0]
        self.assertEqual(final, rows[-1][1])
