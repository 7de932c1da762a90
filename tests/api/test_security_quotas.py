"""Issue 10, item 6: quotas.

- NICHEMATCH_MATCH_RUNS_PER_MINUTE: match runs per brand (a bucket of that many, refilled
  over a minute); beyond it 429 problem + Retry-After; other brands are unaffected.
- NICHEMATCH_KEY_MAX_IN_FLIGHT: requests in flight per API key; beyond it 429 problem +
  Retry-After at once, other keys unaffected, and the key works again when its requests end.
"""
import subprocess
import threading
import time

from apihelpers import Api, body_of, poll
from harness import ServerTestCase


class MatchRunQuotaTests(Api, ServerTestCase):
    # 6 a minute: a burst of 6, then one more every 10 s
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_MATCH_RUNS_PER_MINUTE": "6"}

    def run_match(self, brand_id, key=None):
        kw = {} if key is None else {"key": key}
        return self.request("POST", "/v1/brands/%d/matches" % brand_id, {"limit": 5}, **kw)

    def test_runs_per_brand_429_then_recovery(self):
        self.make_creator(handle="q1", categories=["fitness"], engagement_rate=0.05)
        a = self.make_brand(name="Quota A")
        b = self.make_brand(name="Quota B")
        scoped = self.server.key("write", brand=a["id"])
        statuses, limited = [], None
        for _ in range(20):
            r = self.run_match(a["id"], key=scoped)
            statuses.append(r.status)
            if r.status == 429:
                limited = r
                break
            self.assertEqual(r.status, 201, body_of(r))
        self.assertIsNotNone(limited, "no 429 after %d runs: %s" % (len(statuses), statuses))
        self.assertGreaterEqual(statuses.count(201), 6, statuses)
        self.assertLessEqual(statuses.count(201), 8, statuses)
        p = self.assertProblem(limited, 429)
        self.assertIn("match runs", p["detail"])
        ra = limited.headers.get("Retry-After", "")
        self.assertTrue(ra.isdigit() and 1 <= int(ra) <= 10, "Retry-After %r" % ra)
        # the quota is the brand's, whichever key asks
        self.assertProblem(self.run_match(a["id"]), 429)
        # nothing was stored for the refused runs
        runs_a = self.count_rows("match_runs", "brand_id = %d" % a["id"])
        self.assertEqual(runs_a, statuses.count(201))
        # other brands are unaffected; reading runs is not a run
        self.assertStatus(self.run_match(b["id"]), 201)
        self.assertStatus(self.request("GET", "/v1/brands/%d/matches" % a["id"], key=scoped), 200)
        # a brand the key cannot see is 404, not 429 (nothing leaks)
        self.assertProblem(self.run_match(b["id"], key=scoped), 404)
        # recovery after Retry-After (generous deadline for a loaded machine)
        time.sleep(int(ra))
        r = poll(lambda: (lambda r: r if r.status == 201 else None)(self.run_match(a["id"], key=scoped)),
                 timeout=15, interval=0.5)
        self.assertIsNotNone(r, "no run allowed again within Retry-After + 15 s")


class KeyInFlightTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_KEY_MAX_IN_FLIGHT": "2"}

    def test_in_flight_limit_per_key(self):
        srv = self.server
        busy = srv.key("read", name="busy")
        other = srv.key("read", name="other")
        for k in (busy, other):
            self.assertStatus(self.request("GET", "/v1/brands", key=k), 200)
        # Hold brands with a lock so that list requests on it wait (well within the 5 s
        # lock_timeout); the lock is released as soon as the answers are in.
        locker = subprocess.Popen(["psql", "-X", "-q", "-d", srv.db_url], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        results, lock = [], threading.Lock()
        threads = []
        try:
            locker.stdin.write("BEGIN; LOCK TABLE brands IN ACCESS EXCLUSIVE MODE;\n")
            locker.stdin.flush()
            self.assertTrue(poll(lambda: srv.psql(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'brands' AND l.mode = 'AccessExclusiveLock' AND l.granted") == [("1",)],
                timeout=10), "the lock was not taken")

            def go():
                r = srv.request("GET", "/v1/brands", key=busy, timeout=30)
                with lock:
                    results.append(r)
            threads = [threading.Thread(target=go) for _ in range(5)]
            for t in threads:
                t.start()
                time.sleep(0.05)
            got = poll(lambda: len(results) >= 3, timeout=4, interval=0.02)
            with lock:
                early = list(results)
            # another key is not limited by busy's requests (this route does not touch brands)
            r_other = self.request("GET", "/v1/creators", key=other, timeout=10)
            r_busy_creators = self.request("GET", "/v1/creators", key=busy, timeout=10)
        finally:
            try:
                locker.stdin.write("COMMIT;\n")
                locker.stdin.close()
            except BrokenPipeError:
                pass
            locker.wait(15)
            for t in threads:
                t.join(30)
        self.assertTrue(got, "fewer than 3 answers while 2 requests were held: %s" % results)
        self.assertEqual(sorted(r.status for r in early), [429, 429, 429], early)
        for r in early:
            self.assertProblem(r, 429)
            self.assertTrue(r.headers.get("Retry-After", "").isdigit(), dict(r.headers))
            self.assertIn("in flight", r.json["detail"])
        self.assertStatus(r_other, 200)
        self.assertProblem(r_busy_creators, 429)
        self.assertEqual(sorted(r.status for r in results), [200, 200, 429, 429, 429], results)
        # both held requests ended: the key works again
        self.assertStatus(self.request("GET", "/v1/brands", key=busy), 200)
        for _ in range(3):
            self.assertStatus(self.request("GET", "/v1/brands", key=busy), 200)
