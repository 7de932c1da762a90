"""Conflicting pipeline writes wait or are retried, never answered 503 (issue 11).

A psql session changes a status row in an open transaction. A PUT of the same status waits
for it (the status lock and the row lock) and, when psql commits, answers 200 with the status
psql wrote as previous_status: nothing ran twice. (The READ COMMITTED version without the lock
answered 200 with the stale 'shortlisted'.) The inbound creator.status event runs
SERIALIZABLE (its dedupe record and the change are one transaction): there the same conflict
fails with 40001 and the server must run it again. (Without the retry it answered 503.)"""
import json
import re
import subprocess
import threading
import time

from harness import ServerTestCase
from test_security_secrets import sign_inbound


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

    def hold_row_and_run(self, send):
        """Runs send() in a thread while psql holds the status row changed to 'contacted',
        commits psql once send() waits on the lock and returns send()'s reply."""
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
            t = threading.Thread(target=lambda: result.update(r=send()))
            t.start()
            self.wait_for_lock_waiter()
            holder.stdin.write("COMMIT;\n\\echo committed\n")
            holder.stdin.flush()
            self.assertEqual(holder.stdout.readline().strip(), "committed")
            t.join(60)
            self.assertFalse(t.is_alive(), "the request did not finish")
        finally:
            holder.stdin.close()
            holder.wait(30)
        return result["r"]

    def retries(self):
        return metric(self.request("GET", "/metrics", key=None).text, "nichematch_db_tx_retries_total")

    def test_put_waits_for_a_conflicting_write_and_answers_200(self):
        before = self.retries()
        r = self.hold_row_and_run(
            lambda: self.request("PUT", self.path, {"status": "accepted", "note": "by api"}, timeout=60))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["status"], "accepted")
        self.assertEqual(r.json["previous_status"], "contacted",
                         "previous_status must be the status this write replaced")
        self.assertEqual(self.retries(), before, "the PUT ran twice")
        rows = self.server.psql("SELECT status, note FROM creator_statuses WHERE brand_id = %d AND creator_id = %d"
                                % (self.brand, self.creator))
        self.assertEqual(rows, [("accepted", "by api")])

    def test_conflicting_inbound_status_is_retried_and_applied(self):
        ext = "crm-tx-%d" % self.brand
        self.assertStatus(self.request("PATCH", "/v1/brands/%d" % self.brand, {"external_id": ext},
                                       headers={"Content-Type": "application/merge-patch+json"}), 200)
        src = self.request("POST", "/v1/inbound-sources", {"name": "crm-tx-%d" % self.brand})
        self.assertStatus(src, 201)
        handle = self.request("GET", "/v1/creators/%d" % self.creator).json["handle"]
        body = json.dumps({"type": "creator.status", "data": {
            "brand_external_id": ext, "platform": "instagram", "handle": handle,
            "status": "accepted", "note": "by crm"}}).encode()
        before = self.retries()
        r = self.hold_row_and_run(lambda: self.request(
            "POST", "/v1/inbound/crm-tx-%d" % self.brand, raw=body, key=None, timeout=60,
            headers=sign_inbound(src.json["secret"], body)))
        self.assertStatus(r, 200)
        self.assertGreaterEqual(self.retries() - before, 1, "no retry was counted")
        ev = self.server.psql("SELECT data->>'previous_status', data->>'status' FROM events "
                              "WHERE type = 'creator.status_changed' ORDER BY id DESC LIMIT 1")
        self.assertEqual(ev, [("contacted", "accepted")])

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
