"""Retention (docs/operations.md, "Retention"): `nichematch prune` and serve's background
pruner delete what is past its NICHEMATCH_RETAIN_* period and keep what the service still
promises: idempotent replay for 24 h, each brand's latest match run, every event with a
delivery still pending, inbound dedupe records for days, and a ranking index that never
brings a deleted creator back after its tombstone was pruned.

Rows are aged by UPDATE-ing their timestamps; the tombstone tests let real time pass with a
retention of seconds, because what they test is an instance's last sync falling behind."""
import base64
import hashlib
import hmac
import json
import re
import secrets
import subprocess
import time

from harness import Server, ServerTestCase
from apihelpers import Api, body_of, ndjson

BASE_ENV = {"NICHEMATCH_MATCH_RUNS_PER_MINUTE": "0",  # the tests make dozens of runs a minute
            "NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_PRUNE_INTERVAL_S": "0",
            "NICHEMATCH_WEBHOOK_WORKERS": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1"}
TABLES = ("idempotency_keys", "inbound_events", "creator_tombstones", "imports", "events",
          "webhook_deliveries", "webhook_attempts", "match_runs", "match_results", "sessions")
PRUNE_LOCK_KEY = 7384629102
# pg_locks shows a bigint advisory key as its high and low 32 bits.
LOCK_ROW = "locktype = 'advisory' AND classid = %d AND objid = %d" % (PRUNE_LOCK_KEY >> 32,
                                                                      PRUNE_LOCK_KEY & 0xFFFFFFFF)


def poll(fn, timeout, every=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(every)


class PruneBase(Api, ServerTestCase):
    server_env = BASE_ENV

    def prune(self, **env):
        """Runs `nichematch prune` against the server's database; returns its JSON."""
        out = self.server.cli("prune", env=env)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 1, "prune must print one JSON object on stdout: %r" % out.stdout)
        res = json.loads(lines[0])
        self.assertEqual(set(res["deleted"]), set(TABLES), res)
        self.assertIn(res["status"], ("done", "partial", "skipped"), res)
        return res

    def sql(self, sql, **v):
        return self.server.psql(sql, **v)

    def one(self, sql, **v):
        return self.sql(sql, **v)[0][0]

    def brand(self, **fields):
        return self.make_brand(**fields)["id"]


class IdempotencyRetentionTests(PruneBase):
    def post_brand(self, key, name):
        return self.request("POST", "/v1/brands", {"name": name, "niches": ["fitness"]},
                            headers={"Idempotency-Key": key})

    def age(self, key, interval):
        self.sql("UPDATE idempotency_keys SET created_at = now() - :'i'::interval WHERE idem_key = :'k'",
                 i=interval, k=key)

    def test_replay_inside_24h_survives_and_older_records_go(self):
        keep, old = "rt-keep-" + secrets.token_hex(6), "rt-old-" + secrets.token_hex(6)
        first = self.post_brand(keep, "Kept")
        self.assertStatus(first, 201)
        gone = self.post_brand(old, "Old")
        self.assertStatus(gone, 201)
        self.age(keep, "23 hours 50 minutes")
        self.age(old, "24 hours 10 minutes")
        # Placeholders of requests whose server died: one past the window, one fresh.
        kid = self.one("SELECT api_key_id FROM idempotency_keys WHERE idem_key = :'k'", k=keep)
        for k, age in (("rt-crashed-old", "25 hours"), ("rt-crashed-new", "1 hour")):
            self.sql("INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash, created_at) "
                     "VALUES (:'a', :'k', 'POST', '/v1/brands', 'x', now() - :'i'::interval)", a=kid, k=k, i=age)

        res = self.prune()
        self.assertEqual(res["status"], "done", res)
        self.assertEqual(res["deleted"]["idempotency_keys"], 2, res)
        left = {r[0] for r in self.sql("SELECT idem_key FROM idempotency_keys")}
        self.assertEqual(left, {keep, "rt-crashed-new"})

        # Inside 24 h the first response is replayed, byte for byte.
        again = self.post_brand(keep, "Kept")
        self.assertStatus(again, 201)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true", again.headers)
        self.assertEqual(again.json, first.json)
        # Past it the key is new again: the request runs and creates another brand.
        fresh = self.post_brand(old, "Old")
        self.assertStatus(fresh, 201)
        self.assertIsNone(fresh.headers.get("Idempotent-Replayed"))
        self.assertNotEqual(fresh.json["id"], gone.json["id"])
        # The fresh placeholder still says "in progress".
        self.assertProblem(self.request("POST", "/v1/brands", {"name": "X", "niches": ["fitness"]},
                                        headers={"Idempotency-Key": "rt-crashed-new"}), 409)

    def test_longer_retention_and_keep_forever(self):
        key = "rt-long-" + secrets.token_hex(6)
        self.assertStatus(self.post_brand(key, "Long"), 201)
        self.age(key, "30 hours")
        self.assertEqual(self.prune(NICHEMATCH_RETAIN_IDEMPOTENCY="48h")["deleted"]["idempotency_keys"], 0)
        self.assertEqual(self.prune(NICHEMATCH_RETAIN_IDEMPOTENCY="0")["deleted"]["idempotency_keys"], 0)
        self.assertEqual(self.one("SELECT count(*) FROM idempotency_keys WHERE idem_key = :'k'", k=key), "1")
        # Shorter than the 24 h replay the spec promises is refused outright.
        out = self.server.cli("prune", env={"NICHEMATCH_RETAIN_IDEMPOTENCY": "12h"}, check=False)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("NICHEMATCH_RETAIN_IDEMPOTENCY", out.stderr)
        self.assertEqual(out.stdout, "")
        self.assertEqual(self.prune()["deleted"]["idempotency_keys"], 1)


class MatchRunRetentionTests(PruneBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = [{"platform": "instagram", "handle": "rt_run_%d" % i, "followers": 20000 + i * 1000,
                 "engagement_rate": 0.02 + i * 0.005, "categories": ["rtruns"]} for i in range(5)]
        r = cls.server.request("POST", "/v1/creators/import", raw=ndjson(rows), content_type="application/x-ndjson")
        assert r.status == 201, body_of(r)

    def runs(self, brand_id, n):
        ids = []
        for _ in range(n):
            r = self.request("POST", "/v1/brands/%d/matches" % brand_id, {})
            self.assertStatus(r, 201)
            self.assertEqual(r.json["run"]["stored"], 5, r.json["run"])
            ids.append(r.json["run"]["id"])
        return ids

    def results(self, run_id):
        return int(self.one("SELECT count(*) FROM match_results WHERE run_id = :'r'", r=run_id))

    def test_old_runs_go_but_each_brands_latest_stays(self):
        a, b, c = (self.brand(name=n, niches=["rtruns"]) for n in ("A", "B", "C"))
        ra, rb, rc = self.runs(a, 3), self.runs(b, 1), self.runs(c, 2)
        # Everything of A and B is old; C's older run is recent enough to keep.
        self.sql("UPDATE match_runs SET created_at = now() - interval '100 days' WHERE brand_id IN (:'a', :'b')",
                 a=a, b=b)
        self.sql("UPDATE match_runs SET created_at = now() - interval '89 days' WHERE id = :'r'", r=rc[0])

        res = self.prune()
        self.assertEqual(res["deleted"]["match_runs"], 2, res)
        self.assertEqual(res["deleted"]["match_results"], 10, res)
        left = {int(r[0]) for r in self.sql("SELECT id FROM match_runs WHERE brand_id IN (:'a', :'b', :'c')",
                                            a=a, b=b, c=c)}
        self.assertEqual(left, {ra[2], rb[0], rc[0], rc[1]})
        self.assertEqual([self.results(r) for r in ra], [0, 0, 5])
        self.assertEqual(self.results(rb[0]), 5)

        # The latest run still answers without run_id, and its pages are intact.
        page = self.request("GET", "/v1/brands/%d/matches" % a)
        self.assertStatus(page, 200)
        self.assertEqual(len(page.json["data"]), 5, body_of(page))
        self.assertEqual(self.request("GET", "/v1/brands/%d/matches" % b).status, 200)
        self.assertProblem(self.request("GET", "/v1/brands/%d/matches?run_id=%d" % (a, ra[0])), 404)
        runs = self.request("GET", "/v1/brands/%d/match-runs" % a)
        self.assertEqual([x["id"] for x in runs.json["data"]], [ra[2]], body_of(runs))

        # Nothing more to do; and 0 keeps runs forever.
        self.assertEqual(self.prune()["deleted"]["match_runs"], 0)
        self.sql("UPDATE match_runs SET created_at = now() - interval '100 days' WHERE id = :'r'", r=rc[0])
        self.assertEqual(self.prune(NICHEMATCH_RETAIN_MATCH_RUNS="0")["deleted"]["match_runs"], 0)
        res = self.prune(NICHEMATCH_RETAIN_MATCH_RUNS="95d")
        self.assertEqual((res["deleted"]["match_runs"], res["deleted"]["match_results"]), (1, 5), res)

    def test_batches_stay_small_and_finish(self):
        # Runs of 5 results in batches of 100 rows: 20 runs per statement at most.
        d = self.brand(name="D", niches=["rtruns"])
        ids = self.runs(d, 45)
        self.sql("UPDATE match_runs SET created_at = now() - interval '100 days' WHERE brand_id = :'d'", d=d)
        res = self.prune(NICHEMATCH_PRUNE_BATCH="100")
        self.assertEqual(res["status"], "done", res)
        self.assertEqual((res["deleted"]["match_runs"], res["deleted"]["match_results"]), (44, 220), res)
        self.assertEqual({int(r[0]) for r in self.sql("SELECT id FROM match_runs WHERE brand_id = :'d'", d=d)},
                         {ids[-1]})


class WebhookEventRetentionTests(PruneBase):
    def endpoint(self, events):
        r = self.request("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "events": events})
        self.assertStatus(r, 201)
        return r.json["id"]

    def event_of_brand(self, brand_id):
        return int(self.one("SELECT id FROM events WHERE type = 'brand.created' AND (data->>'id')::bigint = :'b'",
                            b=brand_id))

    def settle(self, event_id, endpoint_id, state, attempts, age="40 days"):
        """Makes the delivery of event_id to endpoint_id look finished `age` ago after
        `attempts` attempts (or still pending, for state 'pending')."""
        did = self.one("UPDATE webhook_deliveries SET state = :'s', attempts = :'n', "
                       "next_attempt_at = now() - :'age'::interval + interval '2 minutes' "
                       "WHERE event_id = :'e' AND endpoint_id = :'w' RETURNING id",
                       s=state, n=attempts, age=age, e=event_id, w=endpoint_id)
        for i in range(1, attempts + 1):
            self.sql("INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, http_status, created_at) "
                     "VALUES (:'d', :'w', :'i', 200, now() - :'age'::interval)", d=did, w=endpoint_id, i=i, age=age)
        return int(did)

    def test_settled_events_go_pending_ones_stay(self):
        e1, e2 = self.endpoint(["*"]), self.endpoint(["brand.created"])
        brands = [self.brand(name="W%d" % i) for i in range(5)]
        ev = [self.event_of_brand(b) for b in brands]
        self.assertEqual(int(self.one("SELECT count(*) FROM webhook_deliveries WHERE event_id = ANY(:'e'::bigint[])",
                                      e="{%s}" % ",".join(map(str, ev)))), 10)
        # 0: delivered to both; 1: delivered and failed for good; 2: one still pending
        # (retrying, or its endpoint disabled); 3: delivered long ago, redelivered by hand
        # just now; 4: delivered, but the event is only 10 days old.
        self.settle(ev[0], e1, "succeeded", 1)
        self.settle(ev[0], e2, "succeeded", 2)
        self.settle(ev[1], e1, "succeeded", 1)
        self.settle(ev[1], e2, "failed", 3)
        self.settle(ev[2], e1, "succeeded", 1)
        self.settle(ev[2], e2, "pending", 3)
        self.settle(ev[3], e1, "succeeded", 1)
        d3 = self.settle(ev[3], e2, "succeeded", 1)
        self.assertStatus(self.request("POST", "/v1/webhooks/%d/deliveries/%d/retry" % (e2, d3)), 202)
        self.sql("UPDATE webhook_deliveries SET state = 'succeeded' WHERE id = :'d'", d=d3)
        self.settle(ev[4], e1, "succeeded", 1, age="10 days")
        self.settle(ev[4], e2, "succeeded", 1, age="10 days")
        self.sql("UPDATE events SET created_at = now() - interval '40 days' WHERE id = ANY(:'e'::bigint[])",
                 e="{%s}" % ",".join(map(str, ev[:4])))
        self.sql("UPDATE events SET created_at = now() - interval '10 days' WHERE id = :'e'", e=ev[4])
        # An old event no endpoint subscribed to.
        self.sql("INSERT INTO events (msg_id, type, data, created_at) "
                 "VALUES ('msg_rt_orphan', 'brand.updated', '{}', now() - interval '40 days')")

        msg = dict(self.sql("SELECT id, msg_id FROM events WHERE id = ANY(:'e'::bigint[])",
                            e="{%s}" % ",".join(map(str, ev))))
        res = self.prune()
        self.assertEqual((res["deleted"]["events"], res["deleted"]["webhook_deliveries"],
                          res["deleted"]["webhook_attempts"]), (3, 4, 7), res)
        left = {int(r[0]) for r in self.sql("SELECT id FROM events WHERE id = ANY(:'e'::bigint[])",
                                            e="{%s}" % ",".join(map(str, ev)))}
        self.assertEqual(left, {ev[2], ev[3], ev[4]})
        self.assertEqual(self.one("SELECT count(*) FROM events WHERE msg_id = 'msg_rt_orphan'"), "0")
        # The pending delivery and everything of its event are intact, attempt log included.
        self.assertEqual(self.sql("SELECT endpoint_id, state FROM webhook_deliveries WHERE event_id = :'e' "
                                  "ORDER BY endpoint_id", e=ev[2]), [(str(e1), "succeeded"), (str(e2), "pending")])
        log = self.request("GET", "/v1/webhooks/%d/deliveries?limit=200" % e2)
        self.assertStatus(log, 200)
        per_event = {}
        for x in log.json["data"]:
            per_event[x["event_id"]] = per_event.get(x["event_id"], 0) + 1
        self.assertEqual(per_event, {msg[str(ev[2])]: 3, msg[str(ev[3])]: 1, msg[str(ev[4])]: 1}, log.json)
        # Once the last delivery settles and ages, the event goes too.
        self.settle(ev[2], e2, "failed", 0)
        self.sql("UPDATE webhook_deliveries SET next_attempt_at = now() - interval '31 days' WHERE event_id = :'e'",
                 e=ev[2])
        self.assertEqual(self.prune()["deleted"]["events"], 1)
        self.assertEqual(self.prune(NICHEMATCH_RETAIN_WEBHOOK_EVENTS="5d")["deleted"]["events"], 1)


def sign(secret, msg_id, ts, body):
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, ("%s.%s." % (msg_id, ts)).encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


class InboundImportTombstoneRetentionTests(PruneBase):
    def send(self, src, event, msg_id):
        body = json.dumps(event).encode()
        ts = str(int(time.time()))
        return self.request("POST", "/v1/inbound/%s" % src["name"], raw=body, key=None,
                            headers={"webhook-id": msg_id, "webhook-timestamp": ts,
                                     "webhook-signature": sign(src["secret"], msg_id, ts, body)})

    def test_inbound_dedupe_outlives_sender_retries(self):
        r = self.request("POST", "/v1/inbound-sources", {"name": "rt-crm"})
        self.assertStatus(r, 201)
        src = r.json
        ev = {"type": "creator.upsert", "data": {"platform": "instagram", "handle": "rt_inb", "followers": 20000}}
        self.assertEqual(self.send(src, ev, "msg_rt_1").json["status"], "applied")
        self.sql("UPDATE inbound_events SET received_at = now() - interval '6 days'")
        self.assertEqual(self.prune()["deleted"]["inbound_events"], 0)
        # A sender retrying days later (fresh timestamp, same id) is still recognised.
        self.assertEqual(self.send(src, ev, "msg_rt_1").json["status"], "duplicate")
        self.sql("UPDATE inbound_events SET received_at = now() - interval '8 days'")
        self.assertEqual(self.prune()["deleted"]["inbound_events"], 1)
        self.assertEqual(self.send(src, ev, "msg_rt_1").json["status"], "applied")

    def test_finished_imports_go_after_their_retention(self):
        rows = [{"platform": "instagram", "handle": "rt_imp_%d" % i, "followers": 20000} for i in range(2)]
        old, new = self.import_rows(rows[:1]), self.import_rows(rows[1:])
        self.sql("UPDATE imports SET created_at = now() - interval '100 days', "
                 "heartbeat_at = now() - interval '100 days', finished_at = now() - interval '100 days' "
                 "WHERE id = :'i'", i=old["id"])
        # An import record left 'running' by an instance that died, and one still running.
        self.sql("INSERT INTO imports (format, status, created_at, heartbeat_at) VALUES "
                 "('csv', 'running', now() - interval '100 days', now() - interval '100 days'), "
                 "('csv', 'running', now() - interval '100 days', now())")
        res = self.prune()
        self.assertEqual(res["deleted"]["imports"], 2, res)
        self.assertProblem(self.request("GET", "/v1/imports/%d" % old["id"]), 404)
        self.assertStatus(self.request("GET", "/v1/imports/%d" % new["id"]), 200)
        self.assertEqual(self.one("SELECT count(*) FROM imports WHERE status = 'running'"), "1")
        # Creators stay: only the record of the import goes.
        self.assertEqual(self.one("SELECT count(*) FROM creators WHERE handle = 'rt_imp_0'"), "1")

    def test_old_tombstones_go_and_publish_the_index_horizon(self):
        self.sql("INSERT INTO creator_tombstones (creator_id, deleted_at) VALUES "
                 "(900001, now() - interval '9 days'), (900002, now() - interval '8 days'), "
                 "(900003, now() - interval '6 days')")
        res = self.prune()
        self.assertEqual(res["deleted"]["creator_tombstones"], 2, res)
        self.assertEqual({r[0] for r in self.sql("SELECT creator_id FROM creator_tombstones "
                                                  "WHERE creator_id > 900000")}, {"900003"})
        # Indexes synced before the newest pruned tombstone + the margin (1 d of 7) rebuild.
        lag = float(self.one("SELECT extract(epoch FROM now() - index_resync_before) / 86400 FROM prune_state"))
        self.assertAlmostEqual(lag, 7.0, delta=0.01)
        self.assertEqual(self.prune()["deleted"]["creator_tombstones"], 0)
        lag2 = float(self.one("SELECT extract(epoch FROM now() - index_resync_before) / 86400 FROM prune_state"))
        self.assertAlmostEqual(lag2, lag, delta=0.01)  # nothing pruned: the horizon did not move


class SessionRetentionTests(PruneBase):
    def test_expired_sessions_go_a_day_after_expiry(self):
        for _ in range(3):
            r = self.request("POST", "/v1/sessions", {"api_key": self.server.admin_key}, key=None)
            self.assertStatus(r, 201)
        ids = [int(x[0]) for x in self.sql("SELECT id FROM sessions ORDER BY id")]
        self.assertEqual(len(ids), 3)
        # one expired two days ago, one an hour ago (inside the day), one live
        self.sql("UPDATE sessions SET expires_at = now() - interval '2 days' WHERE id = :'i'", i=ids[0])
        self.sql("UPDATE sessions SET expires_at = now() - interval '1 hour' WHERE id = :'i'", i=ids[1])
        res = self.prune()
        self.assertEqual(res["deleted"]["sessions"], 1, res)
        self.assertEqual([int(x[0]) for x in self.sql("SELECT id FROM sessions ORDER BY id")], ids[1:])
        res = self.prune(NICHEMATCH_RETAIN_SESSIONS="30m")
        self.assertEqual(res["deleted"]["sessions"], 1, res)
        self.assertEqual([int(x[0]) for x in self.sql("SELECT id FROM sessions ORDER BY id")], ids[2:])


class PruneLockTests(PruneBase):
    def test_one_pruner_at_a_time(self):
        key = "rt-lock-" + secrets.token_hex(6)
        self.assertStatus(self.request("POST", "/v1/brands", {"name": "L", "niches": ["fitness"]},
                                       headers={"Idempotency-Key": key}), 201)
        self.sql("UPDATE idempotency_keys SET created_at = now() - interval '2 days'")
        # Another session (another instance's pruner) holds the lock.
        holder = subprocess.Popen(["psql", "-X", "-q", "-d", self.server.db_url, "-c",
                                   "SELECT pg_advisory_lock(%d), pg_sleep(30)" % PRUNE_LOCK_KEY],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.assertTrue(poll(lambda: self.one("SELECT count(*) FROM pg_locks WHERE granted AND " + LOCK_ROW)
                                 == "1", 10))
            res = self.prune()
            self.assertEqual(res["status"], "skipped", res)
            self.assertEqual(sum(res["deleted"].values()), 0, res)
            self.assertEqual(self.one("SELECT count(*) FROM idempotency_keys"), "1")
        finally:
            # The holder's backend sleeps without noticing its client go: end it there.
            self.sql("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE " + LOCK_ROW)
            holder.wait(10)
        res = poll(lambda: (lambda r: r if r["status"] == "done" else None)(self.prune()), 10)
        self.assertTrue(res)
        self.assertEqual(res["deleted"]["idempotency_keys"], 1, res)
        last = json.loads(self.one("SELECT last_pass FROM prune_state"))
        self.assertEqual(last["deleted"]["idempotency_keys"], 1, last)


class BackgroundPrunerTests(PruneBase):
    server_env = dict(BASE_ENV, NICHEMATCH_PRUNE_INTERVAL_S="1")

    def test_serve_prunes_counts_and_logs(self):
        for i in range(3):
            self.assertStatus(self.request("POST", "/v1/brands", {"name": "B%d" % i, "niches": ["fitness"]},
                                           headers={"Idempotency-Key": "rt-bg-%d-%s" % (i, secrets.token_hex(4))}),
                              201)
        self.sql("UPDATE idempotency_keys SET created_at = now() - interval '2 days'")
        self.assertTrue(poll(lambda: self.one("SELECT count(*) FROM idempotency_keys") == "0", 15),
                        "the background pruner did not delete the aged records")

        def pruned():
            m = self.request("GET", "/metrics", key=None).text
            got = re.search(r'^nichematch_pruned_rows_total\{table="idempotency_keys"\} (\d+)$', m, re.M)
            return m if got and int(got.group(1)) == 3 else None
        metrics = poll(pruned, 10)
        self.assertTrue(metrics, "nichematch_pruned_rows_total{table=\"idempotency_keys\"} is not 3")
        for t in TABLES:
            self.assertRegex(metrics, r'(?m)^nichematch_pruned_rows_total\{table="%s"\} \d+$' % t)
        done = re.search(r'(?m)^nichematch_prune_passes_total\{result="done"\} (\d+)$', metrics)
        self.assertTrue(done and int(done.group(1)) >= 1, metrics)
        lines = [x for x in self.server.log_lines() if x.get("msg") == "prune pass"]
        self.assertTrue(lines, "no prune pass was logged")
        self.assertEqual(sum(x["deleted"]["idempotency_keys"] for x in lines), 3, lines)
        for x in lines:
            self.assertEqual(x["level"], "info", x)
            self.assertEqual(x["status"], "done", x)
            self.assertEqual(set(x["deleted"]), set(TABLES), x)
            self.assertIsInstance(x["duration_ms"], int, x)


class TombstoneIndexTests(PruneBase):
    """Instance A ranks; instance B (same database) deletes creators. When a tombstone A
    has not applied yet is pruned, A must notice and rebuild rather than keep a ghost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = Server(env=cls.server_env, share_db_with=cls.server)

    @classmethod
    def tearDownClass(cls):
        other, cls.other = cls.other, None
        if other is not None:
            code = other.stop()
            assert code == 0, "second instance exited %s after SIGTERM" % code
        super().tearDownClass()

    def loads(self, reason=None):
        return [x for x in self.server.log_lines() if x.get("msg") == "ranking index loaded"
                and (reason is None or x.get("reason") == reason)]

    def setup_creators(self, niche):
        rows = [{"platform": "instagram", "handle": "%s_%s" % (niche, n), "followers": 30000,
                 "engagement_rate": er, "categories": [niche]}
                for n, er in (("best", 0.09), ("mid", 0.05), ("low", 0.03))]
        self.import_rows(rows)
        ids = {r[0]: int(r[1]) for r in self.sql("SELECT handle, id FROM creators WHERE handle LIKE :'p'",
                                                 p=niche + "\\_%")}
        return ids, self.brand(name=niche, niches=[niche])

    def run_on(self, srv, brand_id, body=None):
        r = srv.request("POST", "/v1/brands/%d/matches" % brand_id, body or {})
        self.assertStatus(r, 201)
        return r.json

    def test_deleted_creator_never_returns_after_its_tombstone_is_pruned(self):
        ids, b = self.setup_creators("rttomb")
        first = self.run_on(self.server, b)  # A's index now holds all three
        self.assertEqual(first["run"]["candidates"], 3, first["run"])
        self.assertEqual(first["data"][0]["creator"]["handle"], "rttomb_best")

        r = self.other.request("DELETE", "/v1/creators/%d" % ids["rttomb_best"])
        self.assertStatus(r, 204)
        time.sleep(2.5)  # past the 2 s retention below, so the tombstone is prunable
        res = self.prune(NICHEMATCH_RETAIN_TOMBSTONES="2s")
        self.assertGreaterEqual(res["deleted"]["creator_tombstones"], 1, res)
        self.assertEqual(self.one("SELECT count(*) FROM creator_tombstones WHERE creator_id = :'c'",
                                  c=ids["rttomb_best"]), "0")

        before = len(self.loads("tombstones pruned"))
        run = self.run_on(self.server, b, {"limit": 2})
        self.assertEqual(run["run"]["candidates"], 2, "a pruned tombstone left a ghost: %r" % run["run"])
        self.assertEqual(run["run"]["stored"], 2, run["run"])
        self.assertEqual({x["creator"]["handle"] for x in run["data"]}, {"rttomb_mid", "rttomb_low"})
        self.assertEqual(len(self.loads("tombstones pruned")), before + 1,
                         "instance A did not rebuild its index after the tombstones were pruned")
        # Rebuilt once; the next run is an ordinary delta.
        n = len(self.loads())
        again = self.run_on(self.server, b)
        self.assertEqual(again["run"]["candidates"], 2, again["run"])
        self.assertEqual(len(self.loads()), n)

    def test_delete_that_commits_after_a_sync_is_covered_by_the_margin(self):
        # A tombstone carries its transaction's start time. A delete that began before
        # A's sync but committed after it is one A still needs, though its tombstone looks
        # older than A's sync: the horizon's margin (half of a 4 s retention here) covers it.
        ids, b = self.setup_creators("rtslow")
        self.assertEqual(self.run_on(self.server, b)["run"]["candidates"], 3)
        tx = subprocess.Popen(["psql", "-X", "-q", "-t", "-A", "-d", self.server.db_url], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            tx.stdin.write("BEGIN; DELETE FROM creators WHERE id = %d; SELECT 'deleted';\n" % ids["rtslow_best"])
            tx.stdin.flush()
            self.assertEqual(tx.stdout.readline().strip(), "deleted")
            began = time.monotonic()  # no later than the tombstone's time
            time.sleep(0.5)
            self.assertEqual(self.run_on(self.server, b)["run"]["candidates"], 3)  # A syncs mid-transaction
            tx.stdin.write("COMMIT;\n")
            tx.stdin.close()
            self.assertEqual(tx.wait(10), 0, tx.stderr.read())
        finally:
            if tx.poll() is None:
                tx.kill()
                tx.wait()
        time.sleep(max(0.0, began + 4.6 - time.monotonic()))  # past the 4 s retention below
        res = self.prune(NICHEMATCH_RETAIN_TOMBSTONES="4s")
        self.assertGreaterEqual(res["deleted"]["creator_tombstones"], 1, res)
        run = self.run_on(self.server, b, {"limit": 2})
        self.assertEqual(run["run"]["candidates"], 2, "a pruned tombstone left a ghost: %r" % run["run"])
        self.assertEqual({x["creator"]["handle"] for x in run["data"]}, {"rtslow_mid", "rtslow_low"})

    def test_recent_syncs_keep_applying_deltas(self):
        ids, b = self.setup_creators("rtdelta")
        self.assertEqual(self.run_on(self.server, b)["run"]["candidates"], 3)
        n = len(self.loads())
        # An old tombstone pruned with the default 7 d retention moves the horizon to a
        # week ago: A, synced seconds ago, must not rebuild for it...
        self.sql("INSERT INTO creator_tombstones (creator_id, deleted_at) VALUES (990001, now() - interval '8 days')")
        self.assertEqual(self.prune()["deleted"]["creator_tombstones"], 1)
        # ...and a delete since then arrives as a delta.
        self.assertStatus(self.other.request("DELETE", "/v1/creators/%d" % ids["rtdelta_mid"]), 204)
        run = self.run_on(self.server, b)
        self.assertEqual(run["run"]["candidates"], 2, run["run"])
        self.assertNotIn("rtdelta_mid", {x["creator"]["handle"] for x in run["data"]})
        self.assertEqual(len(self.loads()), n, "a recent index was rebuilt needlessly")
