"""Webhooks, both directions (docs/api.md §6, docs/webhooks.md, issue 5).

Outbound deliveries go to a receiver on loopback (http.server in a thread) that records
every request; signatures are checked here with Python's hmac, independently of the
server's signing code. Inbound events are signed here the same way.
"""
import base64
import hashlib
import hmac
import http.server
import json
import re
import secrets
import threading
import time
import unittest

from harness import Server, ServerTestCase
from apihelpers import Api, body_of, poll

RFC3339 = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"
SECRET_RE = r"^whsec_[A-Za-z0-9+/]+={0,2}$"
BASE_ENV = {"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1", "NICHEMATCH_WEBHOOK_RETRY_SCHEDULE": "1,1",
            "NICHEMATCH_RATE_LIMIT": "0"}


# --- Standard Webhooks, implemented here independently of the server --------------------
def secret_key(secret):
    assert re.match(SECRET_RE, secret), "secret %r is not whsec_<base64>" % secret
    return base64.b64decode(secret[len("whsec_"):], validate=True)


def signature(secret, msg_id, ts, body):
    mac = hmac.new(secret_key(secret), ("%s.%s." % (msg_id, ts)).encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def signature_ok(secret, headers, body):
    want = signature(secret, headers["webhook-id"], headers["webhook-timestamp"], body)
    return any(hmac.compare_digest(want, s) for s in headers["webhook-signature"].split())


class VerifierSelfCheck(unittest.TestCase):
    """The test's own signer against the published Standard Webhooks test vector, so that
    a delivery 'verifying' here means something."""

    def test_standard_webhooks_vector(self):
        self.assertEqual(signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                   "1614265330", b'{"test": 2432232314}'),
                         "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")


# --- the receiver ------------------------------------------------------------------------
def _event_key(body):
    """(type, data.id) of an event body, or (None, None)."""
    try:
        ev = json.loads(body)
        return (ev.get("type"), (ev.get("data") or {}).get("id"))
    except (ValueError, AttributeError):
        return (None, None)

class Receiver:
    """An HTTP server on 127.0.0.1 that records every request, in the order they arrive
    (method, path, lower-cased headers, raw body, arrival time, the status it answered). It
    answers the statuses in `script` first (one per request), then `default`.

    Sentinels (Hooks.sentinel): requests to /sentinel, and the deliveries of a sentinel's
    event to /hook, are kept out of snapshot() and answered by their own rule (200; 500 to
    the first attempt of a sentinel that must be retried), never from `script`."""

    def __init__(self, default=200, script=(), delay=0.0, location=None):
        self.default = default
        self.script = list(script)
        self.delay = delay          # seconds to wait before answering
        self.location = location    # a Location header for 3xx answers
        self.lock = threading.Lock()
        self.requests = []
        self.sentinel_events = set()  # (type, data.id) of sentinel events
        self.fail_first = set()       # /sentinel/... paths whose first request gets a 500
        self.failed_once = set()
        rcv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                ev = _event_key(body)
                with rcv.lock:
                    sentinel = self.path.startswith("/sentinel/")
                    if sentinel or ev in rcv.sentinel_events:
                        status = 200
                        if sentinel and self.path in rcv.fail_first and self.path not in rcv.failed_once:
                            rcv.failed_once.add(self.path)
                            status = 500
                    else:
                        status = rcv.script.pop(0) if rcv.script else rcv.default
                    rcv.requests.append({"method": "POST", "path": self.path, "time": time.time(),
                                         "headers": {k.lower(): v for k, v in self.headers.items()},
                                         "body": body, "status": status, "event": ev})
                if rcv.delay and not self.path.startswith("/sentinel/"):
                    time.sleep(rcv.delay)
                reply = b"ok" if status < 300 else b"nope"
                try:
                    self.send_response(status)
                    if rcv.location and 300 <= status < 400:
                        self.send_header("Location", rcv.location)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass  # the sender gave up (a timeout test)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.httpd.server_address[1]

    def sentinel_url(self, token):
        return "http://127.0.0.1:%d/sentinel/%s" % (self.httpd.server_address[1], token)

    def snapshot(self):
        """Every request so far in arrival order, sentinels left out."""
        with self.lock:
            return [q for q in self.requests
                    if not q["path"].startswith("/sentinel/") and q["event"] not in self.sentinel_events]

    def all_requests(self):
        with self.lock:
            return list(self.requests)

    def events(self):
        """(request, parsed body) for every request so far."""
        return [(q, json.loads(q["body"])) for q in self.snapshot()]

    def wait(self, pred, timeout, what):
        """Polls until pred(snapshot) is true; returns the snapshot or fails with `what`."""
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot()
            if pred(snap):
                return snap
            if time.monotonic() > deadline:
                raise AssertionError("receiver: %s within %ss; got %d request(s): %r" % (
                    what, timeout, len(snap), [(q["status"], q["body"][:200]) for q in snap]))
            time.sleep(0.02)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class HangingReceiver:
    """Accepts every connection on 127.0.0.1 and never answers (nor reads): each POST to it
    runs into the sender's timeout. Counts the connections it accepted."""

    def __init__(self):
        import socket
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.lock = threading.Lock()
        self.conns = []
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            with self.lock:
                if self.closed:
                    conn.close()
                    return
                self.conns.append(conn)

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.sock.getsockname()[1]

    def accepted(self):
        with self.lock:
            return len(self.conns)

    def close(self):
        with self.lock:
            self.closed = True
            for c in self.conns:
                c.close()
        self.sock.close()


class Hooks(Api):
    """Mixin: receivers and endpoints that clean up after the test."""

    def receiver(self, **kw):
        rcv = Receiver(**kw)
        self.addCleanup(rcv.close)
        return rcv

    def hanging(self):
        rcv = HangingReceiver()
        self.addCleanup(rcv.close)
        return rcv

    def endpoint(self, url, events=("brand.created",), server=None):
        srv = server or self.server
        r = srv.request("POST", "/v1/webhooks", {"url": url, "events": list(events)})
        self.assertEqual(r.status, 201, body_of(r))
        ep = r.json
        self.addCleanup(srv.request, "DELETE", "/v1/webhooks/%d" % ep["id"])
        return ep

    def assertSigned(self, q, secret):
        h = q["headers"]
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            self.assertIn(name, h, "delivery lacks %s: %r" % (name, h))
        self.assertRegex(h["webhook-timestamp"], r"^\d+$")
        self.assertLess(abs(int(h["webhook-timestamp"]) - time.time()), 300, h)
        self.assertRegex(h["webhook-signature"], r"^v1,[A-Za-z0-9+/]+={0,2}( |$)", h)
        self.assertTrue(signature_ok(secret, h, q["body"]),
                        "signature does not verify: headers %r body %r" % (h, q["body"][:300]))

    def deliveries(self, ep_id, server=None):
        """The endpoint's deliveries log, newest first, sentinel events left out."""
        r = (server or self.server).request("GET", "/v1/webhooks/%d/deliveries?limit=200" % ep_id)
        self.assertEqual(r.status, 200, body_of(r))
        skip = getattr(self, "_sentinel_event_ids", set())
        return [d for d in r.json["data"] if d["event_id"] not in skip]

    def sentinel(self, rcv, retried=True, server=None, timeout=60):
        """Sends a sentinel event after the case and returns once it has arrived, so that a
        "nothing else arrived" check can be judged on events, not on a sleep: anything the
        case would still send (a late duplicate, a retry, an event to a disabled endpoint)
        was due before the sentinel. The sentinel is the import.completed of a one-row
        import, sent to a temporary endpoint at rcv's /sentinel/<token> (deleted afterwards).
        retried (the default): the sentinel's first attempt is answered 500 and the check
        waits for its retry, one step of the retry schedule after the case's last attempt, so
        that a retry or a duplicate the schedule would send is due before it too."""
        srv = server or self.server
        token = secrets.token_hex(4)
        path = "/sentinel/" + token
        if retried:  # before anything can arrive there
            with rcv.lock:
                rcv.fail_first.add(path)
        r = srv.request("POST", "/v1/webhooks", {"url": rcv.sentinel_url(token), "events": ["import.completed"]})
        self.assertEqual(r.status, 201, body_of(r))
        ep_id = r.json["id"]
        try:
            row = {"platform": "tiktok", "handle": "sentinel_" + token, "followers": 1}
            r = srv.request("POST", "/v1/creators/import", raw=(json.dumps(row) + "\n").encode(),
                            content_type="application/x-ndjson")
            self.assertEqual(r.status, 201, body_of(r))
            imp = r.json["id"]
            with rcv.lock:
                rcv.sentinel_events.add(("import.completed", imp))  # its copies to other endpoints

            def arrived():
                qs = [q for q in rcv.all_requests() if q["path"] == path]
                ok = [q for q in qs if q["status"] == 200]
                return ok if ok and (not retried or len(qs) >= 2) else None
            got = poll(arrived, timeout, 0.02)
            self.assertTrue(got, "the sentinel event did not arrive within %d s (retried=%s)" % (timeout, retried))
            if not hasattr(self, "_sentinel_event_ids"):
                self._sentinel_event_ids = set()
            self._sentinel_event_ids.add(got[0]["headers"]["webhook-id"])
        finally:
            srv.request("DELETE", "/v1/webhooks/%d" % ep_id)

    def wait_deliveries(self, ep_id, pred, timeout, what):
        got = poll(lambda: (lambda d: d if pred(d) else None)(self.deliveries(ep_id)), timeout, 0.05)
        self.assertTrue(got, "deliveries log: %s within %ss; log: %r" % (what, timeout, self.deliveries(ep_id)))
        return got


# --- outbound ----------------------------------------------------------------------------
class OutboundDeliveryTests(Hooks, ServerTestCase):
    server_env = dict(BASE_ENV, NICHEMATCH_WEBHOOK_TIMEOUT_MS="1000")

    def test_brand_created_arrives_signed(self):
        rcv = self.receiver()
        r = self.request("POST", "/v1/webhooks", {"url": rcv.url, "events": ["brand.created"],
                                                  "description": "crm"})
        self.assertStatus(r, 201)
        ep = r.json
        self.addCleanup(self.request, "DELETE", "/v1/webhooks/%d" % ep["id"])
        self.assertEqual(r.headers.get("Location"), "/v1/webhooks/%d" % ep["id"])
        self.assertEqual((ep["url"], ep["events"], ep["status"]), (rcv.url, ["brand.created"], "active"), ep)
        secret = ep.get("secret")
        self.assertIsInstance(secret, str, ep)
        self.assertGreaterEqual(len(secret_key(secret)), 24, secret)
        # the secret is shown once: never by GET or list
        g = self.request("GET", "/v1/webhooks/%d" % ep["id"])
        self.assertStatus(g, 200)
        self.assertNotIn("secret", g.json)
        self.assertNotIn(secret[6:], g.text)
        self.assertEqual(g.json["url"], rcv.url)
        lst = self.request("GET", "/v1/webhooks")
        self.assertStatus(lst, 200)
        self.assertIn(ep["id"], [e["id"] for e in lst.json["data"]])
        self.assertNotIn(secret[6:], lst.text)

        brand = self.make_brand(name="Signed Co", external_id="sig-1")
        snap = rcv.wait(lambda s: s, 30, "brand.created arrived")
        q = snap[0]
        self.assertEqual((q["method"], q["path"]), ("POST", "/hook"))
        self.assertTrue(q["headers"].get("content-type", "").startswith("application/json"), q["headers"])
        self.assertSigned(q, secret)
        # the independent check is not vacuous: another key, or another body, fails it
        self.assertFalse(signature_ok("whsec_" + base64.b64encode(b"x" * 24).decode(), q["headers"], q["body"]))
        self.assertFalse(signature_ok(secret, q["headers"], q["body"] + b" "))
        ev = json.loads(q["body"])
        self.assertEqual(set(ev), {"id", "type", "created_at", "data"}, ev)
        self.assertEqual(ev["id"], q["headers"]["webhook-id"])
        self.assertEqual(ev["type"], "brand.created")
        self.assertRegex(ev["created_at"], RFC3339)
        self.assertEqual(ev["data"]["id"], brand["id"], ev)
        self.assertEqual(ev["data"], self.request("GET", "/v1/brands/%d" % brand["id"]).json,
                         "data is the brand as the API returns it")

        # not subscribed to brand.updated: an update sends nothing, the next create does
        p = self.request("PATCH", "/v1/brands/%d" % brand["id"], {"name": "Renamed"},
                         content_type="application/merge-patch+json")
        self.assertIn(p.status, (200,), body_of(p))
        b2 = self.make_brand(name="Second")
        snap = rcv.wait(lambda s: len(s) >= 2, 30, "the second brand.created arrived")
        self.sentinel(rcv)  # a duplicate or the update would have come before it
        evs = [e for _, e in rcv.events()]
        self.assertEqual([(e["type"], e["data"]["id"]) for e in evs],
                         [("brand.created", brand["id"]), ("brand.created", b2["id"])])
        self.assertNotEqual(evs[0]["id"], evs[1]["id"])

    def test_two_failures_then_success_three_attempts_one_id(self):
        rcv = self.receiver(script=[500, 500], default=200)
        ep = self.endpoint(rcv.url)
        brand = self.make_brand(name="Retry Co")
        snap = rcv.wait(lambda s: len(s) >= 3, 30, "three attempts")
        # the schedule is 1 s: a fourth attempt would come before a sentinel's retry
        self.sentinel(rcv)
        snap = rcv.snapshot()
        self.assertEqual([q["status"] for q in snap], [500, 500, 200])
        ids = {q["headers"]["webhook-id"] for q in snap}
        self.assertEqual(len(ids), 1, "every attempt carries the same webhook-id: %r" % ids)
        for q in snap:
            self.assertSigned(q, ep["secret"])
        bodies = [json.loads(q["body"]) for q in snap]
        self.assertTrue(all(b == bodies[0] for b in bodies), bodies)
        self.assertEqual(bodies[0]["data"]["id"], brand["id"])
        for a, b in zip(snap, snap[1:]):
            self.assertGreater(b["time"] - a["time"], 0.8, "retry came before the 1 s schedule")
        msg_id = ids.pop()
        log = self.wait_deliveries(ep["id"], lambda d: len(d) >= 3 and d[0]["http_status"] == 200, 30,
                                   "three attempts recorded")
        self.assertEqual(len(log), 3, log)
        self.assertEqual([d["attempt"] for d in log], [3, 2, 1], "newest first: %r" % log)
        self.assertEqual([d["http_status"] for d in log], [200, 500, 500], log)
        for d in log:
            self.assertEqual((d["event_id"], d["event_type"]), (msg_id, "brand.created"), d)
            self.assertEqual(d["delivery_id"], log[0]["delivery_id"], log)
            self.assertEqual(d["delivery_state"], "succeeded", d)
            self.assertIsNone(d["error"], d)
            self.assertIsInstance(d["latency_ms"], (int, float), d)
            self.assertRegex(d["created_at"], RFC3339)
        self.assertEqual(self.request("GET", "/v1/webhooks/%d" % ep["id"]).json["status"], "active")

    def test_out_of_retries_failing_then_manual_retry(self):
        rcv = self.receiver(default=500)
        ep = self.endpoint(rcv.url)
        self.make_brand(name="Failing Co")
        rcv.wait(lambda s: len(s) >= 3, 30, "three attempts (schedule 1,1)")
        st = poll(lambda: self.request("GET", "/v1/webhooks/%d" % ep["id"]).json["status"] == "failing", 30)
        self.assertTrue(st, "endpoint not failing after the last retry: %r"
                        % self.request("GET", "/v1/webhooks/%d" % ep["id"]).json)
        self.sentinel(rcv)  # a fourth attempt would come before the sentinel's retry
        snap = rcv.snapshot()
        self.assertEqual(len(snap), 3, "no attempt after the schedule ran out: %r" % len(snap))
        msg_id = snap[0]["headers"]["webhook-id"]
        log = self.wait_deliveries(ep["id"], lambda d: len(d) == 3, 30, "three attempts")
        self.assertEqual([d["delivery_state"] for d in log], ["failed"] * 3, log)
        self.assertEqual([d["http_status"] for d in log], [500] * 3, log)

        bogus = self.request("POST", "/v1/webhooks/%d/deliveries/%d/retry" % (ep["id"], 987654321))
        self.assertProblem(bogus, 404)
        retry = "/v1/webhooks/%d/deliveries/%d/retry" % (ep["id"], log[0]["delivery_id"])
        # still broken: a delivery that had run out of retries gets exactly one more attempt
        r = self.request("POST", retry)
        self.assertStatus(r, 202)
        self.assertEqual(r.json.get("event_id"), msg_id, body_of(r))
        rcv.wait(lambda s: len(s) >= 4, 30, "the first manual retry")
        self.wait_deliveries(ep["id"], lambda d: len(d) == 4, 30, "the fourth attempt recorded")
        self.sentinel(rcv)  # a restarted schedule's attempt would come before it
        self.assertEqual(len(rcv.snapshot()), 4, "a failed manual retry restarted the schedule")
        log = self.deliveries(ep["id"])
        self.assertEqual((len(log), log[0]["attempt"], log[0]["delivery_state"]), (4, 4, "failed"), log)
        self.assertEqual(self.request("GET", "/v1/webhooks/%d" % ep["id"]).json["status"], "failing")
        # fixed: the next retry is delivered, with the same webhook-id
        rcv.default = 200
        r = self.request("POST", retry)
        self.assertStatus(r, 202)
        self.assertEqual(r.json.get("event_id"), msg_id, body_of(r))
        snap = rcv.wait(lambda s: len(s) >= 5, 30, "the redelivery")
        self.assertEqual(snap[4]["headers"]["webhook-id"], msg_id)
        self.assertEqual(snap[4]["status"], 200)
        self.assertSigned(snap[4], ep["secret"])
        st = poll(lambda: self.request("GET", "/v1/webhooks/%d" % ep["id"]).json["status"] == "active", 30)
        self.assertTrue(st, "a successful delivery turns a failing endpoint active")
        log = self.wait_deliveries(ep["id"], lambda d: len(d) == 5 and d[0]["http_status"] == 200, 30,
                                   "the fifth attempt recorded")
        self.assertEqual((log[0]["attempt"], log[0]["event_id"], log[0]["delivery_state"]),
                         (5, msg_id, "succeeded"), log[0])
        # redelivery of a delivery that succeeded
        r = self.request("POST", retry)
        self.assertStatus(r, 202)
        snap = rcv.wait(lambda s: len(s) >= 6, 30, "the redelivery of a succeeded delivery")
        self.assertEqual(snap[5]["headers"]["webhook-id"], msg_id)
        # the retry action is scoped to its endpoint
        other = self.endpoint(rcv.url, events=["brand.deleted"])
        self.assertProblem(self.request("POST", "/v1/webhooks/%d/deliveries/%d/retry"
                                        % (other["id"], log[0]["delivery_id"])), 404)

    def test_event_catalogue(self):
        rcv = self.receiver()
        ep = self.endpoint(rcv.url, events=["*"])
        src = self.request("POST", "/v1/inbound-sources", {"name": "catalogue"}).json

        def inbound(ev):
            body = json.dumps(ev, ensure_ascii=False).encode()
            mid, ts = "msg_" + secrets.token_hex(8), str(int(time.time()))
            r = self.request("POST", "/v1/inbound/catalogue", raw=body, key=None, headers={
                "webhook-id": mid, "webhook-timestamp": ts,
                "webhook-signature": signature(src["secret"], mid, ts, body)})
            return r

        name = "Caf\u00e9 \u2615 \U0001F600"  # non-ASCII: the signature covers the raw UTF-8 bytes
        r = inbound({"type": "brand.upsert", "data": {"external_id": "cat-1", "name": name, "niches": ["coffee"]}})
        self.assertStatus(r, 200)
        bid = r.json["result"]["brand"]["id"]
        self.assertStatus(inbound({"type": "brand.upsert", "data": {"external_id": "cat-1", "name": name + " 2",
                                                                    "niches": ["coffee"]}}), 200)
        self.assertProblem(inbound({"type": "brand.upsert", "data": {"external_id": "cat-1", "name": "x",
                                                                     "niches": ["coffee"], "goal": "fame"}}),
                           422, "data.goal")
        c = self.make_creator(handle="cat_jane", categories=["coffee"], followers=20000, engagement_rate=0.05)
        st = "/v1/brands/%d/creators/%d/status" % (bid, c["id"])
        self.assertStatus(self.request("PUT", st, {"status": "shortlisted"}), 200)
        self.assertStatus(self.request("PUT", st, {"status": "shortlisted"}), 200)  # unchanged: no event
        self.assertStatus(inbound({"type": "creator.status", "data": {
            "brand_external_id": "cat-1", "platform": "instagram", "handle": "cat_jane", "status": "contacted"}}), 200)
        imp = self.import_rows([{"platform": "tiktok", "handle": "cat_imp", "followers": 15000}])
        run = self.request("POST", "/v1/brands/%d/matches" % bid, {})
        self.assertStatus(run, 201)
        self.assertStatus(self.request("DELETE", "/v1/brands/%d" % bid), 204)
        want = ["brand.created", "brand.updated", "creator.status_changed", "creator.status_changed",
                "import.completed", "match_run.completed", "brand.deleted", "creator.created"]
        rcv.wait(lambda s: len(s) >= len(want), 30, "the eight events")
        self.sentinel(rcv)  # anything more (a duplicate, the unchanged status) would come first
        snap = rcv.snapshot()
        for q in snap:
            self.assertSigned(q, ep["secret"])
        evs = sorted((json.loads(q["body"]) for q in snap), key=lambda e: want.index(e["type"]))
        self.assertEqual(sorted(e["type"] for e in evs), sorted(want), [e["type"] for e in evs])
        self.assertEqual(len({e["id"] for e in evs}), len(want))
        created, updated, st1, st2, imported, ran, deleted, c_created = evs
        self.assertEqual(c_created["data"]["id"], c["id"], c_created)  # issue 18: single writes
        self.assertEqual((created["data"]["id"], created["data"]["name"]), (bid, name))
        self.assertEqual((updated["data"]["id"], updated["data"]["name"]), (bid, name + " 2"))
        sts = sorted([st1["data"], st2["data"]], key=lambda d: d["status"] != "shortlisted")
        self.assertEqual([(d["brand_id"], d["creator_id"], d["status"], d["previous_status"]) for d in sts],
                         [(bid, c["id"], "shortlisted", None), (bid, c["id"], "contacted", "shortlisted")])
        self.assertEqual(sts[0]["creator"]["handle"], "cat_jane", sts[0])
        self.assertEqual(imported["data"]["id"], imp["id"], imported)
        self.assertEqual((imported["data"]["status"], imported["data"]["inserted"]), ("completed", 1), imported)
        self.assertEqual(ran["data"]["brand_id"], bid, ran)
        self.assertEqual(ran["data"]["id"], run.json["run"]["id"], ran)
        self.assertLessEqual({"id", "brand_id", "created_at", "candidates", "stored", "weights"}, set(ran["data"]), ran)
        self.assertEqual((deleted["data"]["id"], deleted["data"]["name"]), (bid, name + " 2"), deleted)

    def test_endpoint_patch_events_and_disable(self):
        rcv = self.receiver()
        ep = self.endpoint(rcv.url, events=["brand.created"])
        path = "/v1/webhooks/%d" % ep["id"]
        p = self.request("PATCH", path, {"events": ["brand.updated", "brand.updated"]})
        self.assertStatus(p, 200)
        self.assertEqual(p.json["events"], ["brand.updated"], "duplicates are dropped")
        self.assertNotIn("secret", p.json)
        self.assertProblem(self.request("PATCH", path, {"status": "failing"}), 422, "status")
        self.assertProblem(self.request("PATCH", path, {"events": []}), 422, "events")
        b = self.make_brand(name="Patched")
        self.assertStatus(self.request("PATCH", "/v1/brands/%d" % b["id"], {"name": "Patched 2"}), 200)
        snap = rcv.wait(lambda s: s, 30, "brand.updated")
        self.sentinel(rcv)
        self.assertEqual([(e["type"], e["data"]["name"]) for _, e in rcv.events()],
                         [("brand.updated", "Patched 2")], "brand.created is no longer subscribed")
        self.assertSigned(snap[0], ep["secret"])  # the secret survives a PATCH
        self.assertEqual(self.request("PATCH", path, {"status": "disabled"}).json["status"], "disabled")
        self.assertStatus(self.request("PATCH", "/v1/brands/%d" % b["id"], {"name": "Patched 3"}), 200)
        self.sentinel(rcv)
        self.assertEqual(len(rcv.snapshot()), 1, "a disabled endpoint receives nothing")
        self.assertEqual(self.request("PATCH", path, {"status": "active"}).json["status"], "active")
        self.assertStatus(self.request("PATCH", "/v1/brands/%d" % b["id"], {"name": "Patched 4"}), 200)
        rcv.wait(lambda s: any(json.loads(q["body"])["data"]["name"] == "Patched 4" for q in s), 30,
                 "brand.updated after re-enabling")
        self.assertStatus(self.request("DELETE", path), 204)
        self.assertProblem(self.request("GET", path), 404)
        self.assertProblem(self.request("GET", path + "/deliveries"), 404)

    def test_timeout_is_a_failure_and_retried(self):
        # NICHEMATCH_WEBHOOK_TIMEOUT_MS is 1000 in this class; the receiver answers after 8 s,
        # so an attempt that took less than 7 s was cut by the timeout, however loaded the
        # machine
        rcv = self.receiver(delay=8.0)
        ep = self.endpoint(rcv.url)
        self.make_brand(name="Slow")
        log = self.wait_deliveries(ep["id"], lambda d: d, 30, "the timed-out attempt")
        rcv.delay = 0
        self.assertIsNone(log[0]["http_status"], log)
        self.assertTrue(log[0]["error"], log)
        self.assertGreaterEqual(log[0]["latency_ms"], 900, log)
        self.assertLess(log[0]["latency_ms"], 7000, "the timeout was not applied: %r" % log)
        log = self.wait_deliveries(ep["id"], lambda d: len(d) >= 2, 30, "the retry after the timeout")
        self.assertEqual((log[0]["attempt"], log[0]["http_status"], log[0]["delivery_state"]),
                         (2, 200, "succeeded"), log)
        snap = rcv.snapshot()
        self.assertEqual(len({q["headers"]["webhook-id"] for q in snap}), 1)

    def test_gone_disables_and_errors_are_recorded(self):
        gone = self.receiver(default=410)
        ep = self.endpoint(gone.url)
        dead = Receiver()
        dead_url = dead.url
        dead.close()  # nothing listens there any more: connection refused
        ep2 = self.endpoint(dead_url)
        target = self.receiver()
        redirect = self.receiver(script=[302], location=target.url)
        ep3 = self.endpoint(redirect.url)
        self.make_brand(name="Gone")
        st = poll(lambda: self.request("GET", "/v1/webhooks/%d" % ep["id"]).json["status"] == "disabled", 30)
        self.assertTrue(st, "410 Gone disables the endpoint")
        log = self.wait_deliveries(ep2["id"], lambda d: d, 30, "the refused connection recorded")
        self.assertIsNone(log[-1]["http_status"], log)
        self.assertTrue(log[-1]["error"], log)
        self.assertEqual(log[-1]["attempt"], 1, log)
        redirect.wait(lambda s: len(s) >= 2, 30, "a retry after the 302 (redirects are failures)")
        self.assertEqual(target.snapshot(), [], "a redirect was followed")
        log3 = self.wait_deliveries(ep3["id"], lambda d: len(d) >= 2, 30, "302 then 200 recorded")
        self.assertEqual([d["http_status"] for d in log3], [200, 302], log3)
        self.sentinel(gone)  # a retry after the 410 would come before the sentinel's
        self.assertEqual(len(gone.snapshot()), 1, "no retry after 410")
        self.assertEqual(self.deliveries(ep["id"])[0]["http_status"], 410)

    def test_failed_changes_emit_nothing(self):
        self.make_brand(name="Taken", external_id="atomic-1")  # before the endpoint exists
        rcv = self.receiver()
        ep = self.endpoint(rcv.url, events=["*"])
        bad = self.request("POST", "/v1/brands", {"name": "Bad", "niches": ["fitness"], "goal": "fame"})
        self.assertProblem(bad, 422, "goal")
        dup = self.request("POST", "/v1/brands", {"name": "Dup", "niches": ["x"], "external_id": "atomic-1"})
        self.assertProblem(dup, 409)
        good = self.make_brand(name="Good")
        rcv.wait(lambda s: s, 30, "the valid brand's event")
        self.sentinel(rcv)
        evs = [e for _, e in rcv.events()]
        self.assertEqual([(e["type"], e["data"]["id"]) for e in evs], [("brand.created", good["id"])],
                         "only the committed change emits: %r" % evs)
        self.assertEqual(len(self.deliveries(ep["id"])), 1)


class SlowEndpointTests(Hooks, ServerTestCase):
    """One delivery worker, and a receiver that accepts and never answers: its POSTs hold
    a few of the worker's slots until the timeout, while another endpoint's events still go
    out at once (no head-of-line blocking), and its attempts are recorded as time-outs and
    retried. Judged by order, not by a latency bound: all of the answering endpoint's events
    arrive before the hanging endpoint's first attempt has timed out (5 s)."""
    server_env = dict(BASE_ENV, NICHEMATCH_WEBHOOK_WORKERS="1", NICHEMATCH_WEBHOOK_TIMEOUT_MS="5000")

    def test_hanging_endpoint_does_not_delay_others(self):
        hang = self.hanging()
        slow_ep = self.endpoint(hang.url)  # first: its deliveries come first in every claim
        fast = self.receiver()
        fast_ep = self.endpoint(fast.url)
        created = {}
        for i in range(6):
            b = self.make_brand(name="Beside a hang %d" % i)
            created[b["id"]] = time.time()
        snap = fast.wait(lambda s: len(s) >= 6, 30, "all six events at the answering endpoint")
        # none of them waited for a hanging POST to time out: when the sixth arrived, no
        # attempt to the hanging endpoint had finished
        self.assertEqual(self.deliveries(slow_ep["id"]), [],
                         "an answering endpoint's event waited behind the hanging endpoint's timeout")
        for q in snap:
            self.assertSigned(q, fast_ep["secret"])
        self.assertEqual(sorted(json.loads(q["body"])["data"]["id"] for q in snap), sorted(created))
        self.assertTrue(poll(lambda: hang.accepted() >= 1, 30), "nothing was sent to the hanging endpoint")
        # the hanging endpoint's attempts: time-outs, recorded, then retried (schedule 1,1)
        log = self.wait_deliveries(slow_ep["id"], lambda d: any(a["attempt"] >= 2 for a in d), 60,
                                   "a retry after a timed-out attempt")
        for a in log:
            self.assertIsNone(a["http_status"], a)
            self.assertIn("timeout", (a["error"] or "").lower(), a)
            self.assertGreaterEqual(a["latency_ms"], 4900, a)  # not cut before the timeout
            self.assertLess(a["latency_ms"], 10000, a)         # nor left to hang far past it
            self.assertEqual(a["delivery_state"] in ("pending", "failed"), True, a)
        self.assertEqual(len(fast.snapshot()), 6, "the answering endpoint got an event twice")
        log = self.deliveries(fast_ep["id"])
        self.assertEqual(sorted((a["attempt"], a["http_status"]) for a in log), [(1, 200)] * 6, log)


class RestartTests(Hooks, ServerTestCase):
    server_env = dict(BASE_ENV, NICHEMATCH_WEBHOOK_WORKERS="0")

    def test_pending_events_delivered_after_restart(self):
        rcv = self.receiver()
        ep = self.endpoint(rcv.url)
        brands = [self.make_brand(name="Pending %d" % i)["id"] for i in range(3)]
        self.assertEqual(rcv.snapshot(), [], "NICHEMATCH_WEBHOOK_WORKERS=0 must not deliver")
        t_stop = time.time()
        code = self.server.restart(env={"NICHEMATCH_WEBHOOK_WORKERS": "2"})
        self.assertEqual(code, 0, "exit code after SIGTERM")
        rcv.wait(lambda s: len(s) >= 3, 30, "three pending brand.created after the restart")
        self.sentinel(rcv)
        snap = rcv.snapshot()
        self.assertEqual(len(snap), 3)
        # the instance without workers delivered nothing: every arrival came after its stop,
        # and each delivery was attempted once
        self.assertGreater(min(q["time"] for q in snap), t_stop, "delivered while NICHEMATCH_WEBHOOK_WORKERS=0")
        self.assertEqual(sorted(a["attempt"] for a in self.deliveries(ep["id"])), [1, 1, 1])
        evs = [json.loads(q["body"]) for q in snap]
        self.assertEqual(sorted(e["data"]["id"] for e in evs), sorted(brands))
        self.assertEqual(len({q["headers"]["webhook-id"] for q in snap}), 3)
        for q in snap:
            self.assertSigned(q, ep["secret"])


    def test_shutdown_finishes_posts_in_flight_and_leaves_the_rest_due(self):
        self.server.restart(env={"NICHEMATCH_WEBHOOK_WORKERS": "0"})
        rcv = self.receiver(delay=1.0)
        ep = self.endpoint(rcv.url)
        brands = [self.make_brand(name="Batch %d" % i)["id"] for i in range(8)]
        # one worker, at most three POSTs in flight to one endpoint: three go out at once
        # (the receiver is slow), five wait unclaimed
        self.server.restart(env={"NICHEMATCH_WEBHOOK_WORKERS": "1",
                                 "NICHEMATCH_WEBHOOK_ENDPOINT_CONCURRENCY": "3"})
        rcv.wait(lambda s: s, 30, "the first POSTs")
        self.assertEqual(self.server.stop(), 0)
        before = len(rcv.snapshot())
        self.assertLess(before, 8, "the worker kept claiming after SIGTERM")
        # the POSTs in flight at SIGTERM finished and were recorded before the exit
        self.assertEqual(self.attempts_in_db(ep["id"]), before)
        rcv.delay = 0
        self.server.start()
        # the rest were still due: all arrive within seconds
        rcv.wait(lambda s: len({q["headers"]["webhook-id"] for q in s}) >= 8, 30,
                 "the rest after the restart (%d before it)" % before)
        self.sentinel(rcv)
        snap = rcv.snapshot()
        msg_ids = [q["headers"]["webhook-id"] for q in snap]
        self.assertEqual(len(snap), 8, "an attempt that finished before the exit was sent again: %r"
                         % sorted(msg_ids))
        self.assertEqual(sorted(json.loads(q["body"])["data"]["id"] for q in snap), sorted(brands))
        self.server.restart(env={"NICHEMATCH_WEBHOOK_WORKERS": "2",
                                 "NICHEMATCH_WEBHOOK_ENDPOINT_CONCURRENCY": None})

    def test_sigterm_with_hanging_posts_exits_at_the_grace_and_hands_them_back(self):
        # POSTs that would hang for the whole 10 s timeout do not hold up the exit beyond
        # NICHEMATCH_SHUTDOWN_GRACE_S; they are handed back due now (not left to the lease,
        # which is over 40 s) and not counted as attempts.
        env = {"NICHEMATCH_WEBHOOK_WORKERS": "1", "NICHEMATCH_WEBHOOK_TIMEOUT_MS": "10000",
               "NICHEMATCH_SHUTDOWN_GRACE_S": "1"}
        self.server.restart(env=env)
        hang = self.hanging()
        ep = self.endpoint(hang.url)
        brands = [self.make_brand(name="Hung %d" % i)["id"] for i in range(3)]
        self.assertTrue(poll(lambda: hang.accepted() >= 3, 30), "three POSTs in flight: %d" % hang.accepted())
        t0 = time.monotonic()
        self.assertEqual(self.server.stop(), 0)
        # the grace is 1 s, the POSTs would hang for their 10 s timeout
        self.assertLess(time.monotonic() - t0, 8, "SIGTERM waited for the hanging POSTs")
        rows = self.server.psql("SELECT attempts, next_attempt_at <= now() FROM webhook_deliveries "
                                "WHERE endpoint_id = %d" % ep["id"])
        self.assertEqual(sorted(rows), [("0", "t")] * 3, "handed back: due now, no attempt counted")
        self.assertEqual(self.attempts_in_db(ep["id"]), 0)
        # the receiver is fixed (URL changed with no worker running); the next start sends
        # all three at once
        rcv = self.receiver()
        self.server.extra_env["NICHEMATCH_WEBHOOK_WORKERS"] = "0"
        self.server.start()
        p = self.request("PATCH", "/v1/webhooks/%d" % ep["id"], {"url": rcv.url},
                         content_type="application/merge-patch+json")
        self.assertStatus(p, 200)
        self.server.restart(env={"NICHEMATCH_WEBHOOK_WORKERS": "1"})
        rcv.wait(lambda s: len(s) >= 3, 30, "the handed-back deliveries after the restart")
        self.assertEqual(sorted(json.loads(q["body"])["data"]["id"] for q in rcv.snapshot()), sorted(brands))
        log = self.wait_deliveries(ep["id"], lambda d: len(d) >= 3, 30, "three attempts recorded")
        self.assertEqual([(a["attempt"], a["http_status"]) for a in log], [(1, 200)] * 3, log)
        self.server.restart(env={"NICHEMATCH_WEBHOOK_WORKERS": "2", "NICHEMATCH_WEBHOOK_TIMEOUT_MS": None,
                                 "NICHEMATCH_SHUTDOWN_GRACE_S": None})

    def attempts_in_db(self, ep_id):
        return int(self.server.psql("SELECT count(*) FROM webhook_attempts WHERE endpoint_id = %d" % ep_id)[0][0])

    def test_private_target_refused_at_send_time(self):
        self.server.restart(env={"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1", "NICHEMATCH_WEBHOOK_WORKERS": "2"})
        rcv = self.receiver()
        ep = self.endpoint(rcv.url)
        self.server.restart(env={"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "0"})
        try:
            self.make_brand(name="Rebound")
            log = self.wait_deliveries(ep["id"], lambda d: d, 30, "the refused attempt")
            self.assertIsNone(log[0]["http_status"], log)
            self.assertIn("refused", log[0]["error"] or "", log)
            self.assertIn("loopback", log[0]["error"] or "", log)
            self.assertEqual(rcv.snapshot(), [], "sent to a loopback address without ALLOW_PRIVATE")
        finally:
            self.server.restart(env={"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1"})


class TwoInstanceTests(Hooks, ServerTestCase):
    server_env = BASE_ENV

    def test_each_event_delivered_once(self):
        other = Server(env=self.server_env, migrate=False, share_db_with=self.server)
        self.addCleanup(lambda: self.assertEqual(other.stop(), 0, "second instance exit code"))
        rcv = self.receiver()
        ep = self.endpoint(rcv.url)
        servers = [self.server, other]
        ids = []
        for i in range(50):
            r = servers[i % 2].request("POST", "/v1/brands", {"name": "Twin %d" % i, "niches": ["x"]})
            self.assertEqual(r.status, 201, body_of(r))
            ids.append(r.json["id"])
        rcv.wait(lambda s: len({q["headers"]["webhook-id"] for q in s}) >= 50, 60, "50 distinct events")
        self.sentinel(rcv)  # a second delivery by the other instance would come before it
        snap = rcv.snapshot()
        msg_ids = [q["headers"]["webhook-id"] for q in snap]
        dupes = sorted({m for m in msg_ids if msg_ids.count(m) > 1})
        self.assertEqual(dupes, [], "delivered more than once")
        self.assertEqual(len(snap), 50)
        self.assertEqual(sorted(json.loads(q["body"])["data"]["id"] for q in snap), sorted(ids))
        for q in snap:
            self.assertSigned(q, ep["secret"])
        log, pages = self.collect("/v1/webhooks/%d/deliveries" % ep["id"], limit=7)
        # One successful attempt per event. Under load an attempt can time out before the
        # receiver reads it (it is then logged as failed and retried): such an attempt is in
        # the log with its error, never as a second success.
        ok = [d for d in log if d["http_status"] is not None and 200 <= d["http_status"] < 300]
        self.assertEqual(sorted(d["event_id"] for d in ok), sorted(msg_ids), "one success each in the log")
        for d in log:
            if d not in ok:
                self.assertTrue(d["error"] or d["http_status"], d)
        self.assertEqual(len(pages), (len(log) + 6) // 7)
        self.assertEqual(len({d["id"] for d in log}), len(log))


class EndpointValidationTests(Hooks, ServerTestCase):
    server_env = {"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "0", "NICHEMATCH_RATE_LIMIT": "0"}

    def test_private_targets_refused(self):
        for url in ("http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                    "http://[::1]/", "http://localhost:9/hook", "http://192.168.1.10/", "http://172.16.0.1/",
                    "http://100.64.0.1/", "http://0.0.0.0/", "http://[fe80::1]/", "http://[fd00::1]/",
                    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",
                    "http://2130706433/", "http://127.1/", "http://0x7f000001/", "https://127.0.0.1:8443/x"):
            with self.subTest(url=url):
                r = self.request("POST", "/v1/webhooks", {"url": url, "events": ["brand.created"]})
                self.assertProblem(r, 422, "url")
        self.assertEqual(self.request("GET", "/v1/webhooks").json["data"], [])

    def test_public_target_accepted(self):
        # a literal public address: no DNS needed; nothing is sent (no events happen here)
        r = self.request("POST", "/v1/webhooks", {"url": "http://93.184.216.34/hook", "events": ["*"]})
        self.assertStatus(r, 201)
        self.assertStatus(self.request("DELETE", "/v1/webhooks/%d" % r.json["id"]), 204)
        self.assertProblem(self.request("GET", "/v1/webhooks/%d" % r.json["id"]), 404)

    def test_patch_to_private_refused(self):
        r = self.request("POST", "/v1/webhooks", {"url": "http://93.184.216.34/hook", "events": ["*"]})
        self.assertStatus(r, 201)
        self.addCleanup(self.request, "DELETE", "/v1/webhooks/%d" % r.json["id"])
        p = self.request("PATCH", "/v1/webhooks/%d" % r.json["id"], {"url": "http://127.0.0.1:9/"},
                         content_type="application/merge-patch+json")
        self.assertProblem(p, 422, "url")
        self.assertEqual(self.request("GET", "/v1/webhooks/%d" % r.json["id"]).json["url"],
                         "http://93.184.216.34/hook")

    def test_body_validation(self):
        url = "http://93.184.216.34/hook"
        cases = [({"url": url, "events": []}, "events"),
                 ({"url": url, "events": ["brand.exploded"]}, "events[0]"),
                 ({"url": url, "events": ["brand.created", 7]}, "events[1]"),
                 ({"url": url, "events": "brand.created"}, "events"),
                 ({"url": url}, "events"),
                 ({"events": ["*"]}, "url"),
                 ({"url": "ftp://93.184.216.34/x", "events": ["*"]}, "url"),
                 ({"url": "not a url", "events": ["*"]}, "url"),
                 ({"url": url, "events": ["*"], "secret": "whsec_mine"}, "secret"),
                 ({"url": url, "events": ["*"], "colour": "red"}, "colour")]
        for body, field in cases:
            with self.subTest(body=body):
                self.assertProblem(self.request("POST", "/v1/webhooks", body), 422, field)
        self.assertEqual(self.request("GET", "/v1/webhooks").json["data"], [])

    def test_admin_only(self):
        body = {"url": "http://93.184.216.34/hook", "events": ["*"]}
        for role in ("write", "read"):
            k = self.server.key(role)
            with self.subTest(role=role):
                self.assertProblem(self.request("POST", "/v1/webhooks", body, key=k), 403)
                self.assertProblem(self.request("GET", "/v1/webhooks", key=k), 403)
                self.assertProblem(self.request("POST", "/v1/inbound-sources", {"name": "x" + role}, key=k), 403)
        self.assertProblem(self.request("GET", "/v1/webhooks", key=None), 401)
        self.assertEqual(self.request("GET", "/v1/webhooks").json["data"], [])


# --- inbound -----------------------------------------------------------------------------
class InboundTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def source(self, name=None):
        name = name or "src-" + secrets.token_hex(4)
        r = self.request("POST", "/v1/inbound-sources", {"name": name})
        self.assertStatus(r, 201)
        return r.json

    def send(self, src, event, msg_id=None, ts=None, secret=None, sig=None, name=None, raw=None):
        """POSTs event to /v1/inbound/<name>, signed with the source's secret unless told."""
        body = raw if raw is not None else json.dumps(event).encode()
        msg_id = msg_id or "msg_" + secrets.token_hex(8)
        ts = str(int(time.time()) if ts is None else ts)
        sig = sig or signature(secret or src["secret"], msg_id, ts, body)
        return self.request("POST", "/v1/inbound/%s" % (name or src["name"]), raw=body, key=None,
                            headers={"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig})

    def applied(self, r, type_):
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual((r.json.get("status"), r.json.get("type")), ("applied", type_), body_of(r))
        return r.json["result"]

    def creator(self, handle):
        r = self.request("GET", "/v1/creators?platform=instagram&handle=%s" % handle)
        self.assertStatus(r, 200)
        self.assertLessEqual(len(r.json["data"]), 1, body_of(r))
        return r.json["data"][0] if r.json["data"] else None

    def n_creators(self):
        return len(self.collect("/v1/creators", limit=200)[0])

    def test_sources_admin(self):
        r = self.request("POST", "/v1/inbound-sources", {"name": "hubspot"})
        self.assertStatus(r, 201)
        src = r.json
        self.assertEqual(r.headers.get("Location"), "/v1/inbound-sources/%d" % src["id"])
        self.assertEqual((src["name"], src.get("inbound_path")), ("hubspot", "/v1/inbound/hubspot"))
        self.assertGreaterEqual(len(secret_key(src["secret"])), 24)
        g = self.request("GET", "/v1/inbound-sources/%d" % src["id"])
        self.assertStatus(g, 200)
        self.assertNotIn("secret", g.json)
        self.assertNotIn(src["secret"][6:], g.text)
        lst = self.request("GET", "/v1/inbound-sources")
        self.assertIn(src["id"], [s["id"] for s in lst.json["data"]])
        self.assertNotIn(src["secret"][6:], lst.text)
        self.assertProblem(self.request("POST", "/v1/inbound-sources", {"name": "hubspot"}), 409)
        for name in ("HubSpot", "", "a" * 65, "has space", "zap/ier", "é", 5, None):
            with self.subTest(name=name):
                self.assertProblem(self.request("POST", "/v1/inbound-sources", {"name": name}), 422, "name")
        self.assertProblem(self.request("POST", "/v1/inbound-sources", {}), 422, "name")
        self.assertProblem(self.request("POST", "/v1/inbound-sources", {"name": "ok", "x": 1}), 422, "x")
        ok64 = self.request("POST", "/v1/inbound-sources", {"name": "a-_9" + "z" * 60})
        self.assertStatus(ok64, 201)
        # a deleted source's events are refused like an unknown source's
        ev = {"type": "creator.delete", "data": {"platform": "instagram", "handle": "nobody"}}
        self.applied(self.send(src, ev), "creator.delete")
        self.assertStatus(self.request("DELETE", "/v1/inbound-sources/%d" % src["id"]), 204)
        self.assertProblem(self.request("GET", "/v1/inbound-sources/%d" % src["id"]), 404)
        self.assertProblem(self.send(src, ev), 401)

    def test_creator_upsert_applies_once(self):
        src = self.source()
        ev = {"type": "creator.upsert", "data": {"platform": "instagram", "handle": "@Dedupe_Jane",
                                                 "followers": 25000, "categories": ["Fitness"]}}
        res = self.applied(self.send(src, ev, msg_id="msg_dedupe_1"), "creator.upsert")
        self.assertIs(res["inserted"], True, res)
        self.assertEqual(res["creator"]["handle"], "dedupe_jane", res)
        c = self.creator("dedupe_jane")
        self.assertIsNotNone(c, "creator.upsert did not apply")
        self.assertEqual(c["followers"], 25000)
        n = self.n_creators()
        ev["data"]["followers"] = 99999
        for _ in range(2):
            r = self.send(src, ev, msg_id="msg_dedupe_1")
            self.assertStatus(r, 200)
            self.assertEqual((r.json.get("status"), r.json.get("type")), ("duplicate", "creator.upsert"), body_of(r))
        self.assertEqual(self.creator("dedupe_jane")["followers"], 25000, "a repeated webhook-id applied again")
        self.assertEqual(self.n_creators(), n)
        # dedupe is per (source, webhook-id): a new id, or the same id from another source, applies
        ev["data"]["followers"] = 30000
        self.assertIs(self.applied(self.send(src, ev, msg_id="msg_dedupe_2"), "creator.upsert")["inserted"], False)
        self.assertEqual(self.creator("dedupe_jane")["followers"], 30000)
        ev["data"]["followers"] = 31000
        self.applied(self.send(self.source(), ev, msg_id="msg_dedupe_1"), "creator.upsert")
        self.assertEqual(self.creator("dedupe_jane")["followers"], 31000)

    def test_unauthentic_requests_401_and_change_nothing(self):
        src, other = self.source(), self.source()
        n = self.n_creators()
        ev = {"type": "creator.upsert", "data": {"platform": "instagram", "handle": "intruder", "followers": 1}}
        body = json.dumps(ev).encode()
        now = int(time.time())
        mid = "msg_unauth_1"
        cases = {
            "other source's secret": dict(secret=other["secret"]),
            "signature of another body": dict(sig=signature(src["secret"], mid, now, body + b" ")),
            "signature for another id": dict(sig=signature(src["secret"], "msg_x", now, body)),
            "no v1 prefix": dict(sig=signature(src["secret"], mid, now, body)[3:]),
            "garbage signature": dict(sig="v1,AAAA"),
            "timestamp 10 minutes old": dict(ts=now - 600),
            "timestamp 10 minutes ahead": dict(ts=now + 600),
            "timestamp not a number": dict(ts="yesterday"),
            "unknown source": dict(name="no-such-source"),
            "unknown source, other's secret": dict(name="no-such-source", secret=other["secret"]),
        }
        for what, kw in cases.items():
            with self.subTest(what):
                self.assertProblem(self.send(src, ev, msg_id=mid, **kw), 401)
        for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            with self.subTest(missing=missing):
                h = {"webhook-id": mid, "webhook-timestamp": str(now),
                     "webhook-signature": signature(src["secret"], mid, now, body)}
                del h[missing]
                r = self.request("POST", "/v1/inbound/%s" % src["name"], raw=body, key=None, headers=h)
                self.assertProblem(r, 401)
        self.assertIsNone(self.creator("intruder"))
        self.assertEqual(self.n_creators(), n)
        # none of the refusals left a dedupe record: the genuine event with that id applies
        self.applied(self.send(src, ev, msg_id=mid), "creator.upsert")
        self.assertIsNotNone(self.creator("intruder"))
        # a signature among several (key rotation) is accepted; 4 minutes old is still fresh
        good = signature(src["secret"], "msg_unauth_2", now - 240, body)
        r = self.send(src, ev, msg_id="msg_unauth_2", ts=now - 240, sig="v1,AAAA " + good)
        self.applied(r, "creator.upsert")

    def test_brand_upsert_inserts_then_updates(self):
        src = self.source()
        ev = {"type": "brand.upsert", "data": {"external_id": "hs-981", "name": "Acme Protein",
                                               "niches": ["fitness"], "goal": "engagement"}}
        res = self.applied(self.send(src, ev), "brand.upsert")
        self.assertIs(res["inserted"], True, res)
        bid = res["brand"]["id"]
        ev["data"].update(name="Acme Protein Plus", niches=["nutrition"])
        res = self.applied(self.send(src, ev), "brand.upsert")
        self.assertIs(res["inserted"], False, res)
        self.assertEqual(res["brand"]["id"], bid)
        brands = [b for b in self.collect("/v1/brands", limit=200)[0] if b["external_id"] == "hs-981"]
        self.assertEqual(len(brands), 1, brands)
        self.assertEqual((brands[0]["id"], brands[0]["name"], brands[0]["niches"]),
                         (bid, "Acme Protein Plus", ["nutrition"]))
        # external_id is required
        r = self.send(src, {"type": "brand.upsert", "data": {"name": "No Ext", "niches": ["x"]}})
        self.assertProblem(r, 422, "data.external_id")

    def test_creator_status_and_delete(self):
        src = self.source()
        b = self.applied(self.send(src, {"type": "brand.upsert", "data": {
            "external_id": "hs-st", "name": "Status Co", "niches": ["fitness"]}}), "brand.upsert")["brand"]
        c = self.applied(self.send(src, {"type": "creator.upsert", "data": {
            "platform": "instagram", "handle": "st_jane", "followers": 20000}}), "creator.upsert")["creator"]
        ev = {"type": "creator.status", "data": {"brand_external_id": "hs-st", "platform": "instagram",
                                                 "handle": "@ST_Jane", "status": "contacted", "note": "from CRM"}}
        res = self.applied(self.send(src, ev), "creator.status")
        self.assertEqual((res["status"], res["creator_id"], res["brand_id"]), ("contacted", c["id"], b["id"]), res)
        g = self.request("GET", "/v1/brands/%d/creators?status=contacted" % b["id"])
        self.assertStatus(g, 200)
        self.assertEqual([(x["creator_id"], x["note"]) for x in g.json["data"]], [(c["id"], "from CRM")])
        for data, field in (({"brand_external_id": "hs-none", "platform": "instagram", "handle": "st_jane",
                              "status": "accepted"}, "data.brand_external_id"),
                            ({"brand_external_id": "hs-st", "platform": "instagram", "handle": "st_nobody",
                              "status": "accepted"}, "data.handle"),
                            ({"brand_external_id": "hs-st", "platform": "instagram", "handle": "st_jane",
                              "status": "maybe"}, "data.status")):
            with self.subTest(field=field):
                self.assertProblem(self.send(src, {"type": "creator.status", "data": data}), 422, field)
        g = self.request("GET", "/v1/brands/%d/creators?status=contacted" % b["id"])
        self.assertEqual([x["creator_id"] for x in g.json["data"]], [c["id"]], "a refused event changed the status")

        d = {"type": "creator.delete", "data": {"platform": "instagram", "handle": "ST_JANE"}}
        res = self.applied(self.send(src, d), "creator.delete")
        self.assertEqual(res, {"deleted": True, "id": c["id"]})
        self.assertIsNone(self.creator("st_jane"))
        self.assertProblem(self.request("GET", "/v1/creators/%d" % c["id"]), 404)
        self.assertEqual(self.applied(self.send(src, d), "creator.delete"), {"deleted": False, "id": None})

    def test_invalid_event_leaves_no_record(self):
        src = self.source()
        n = self.n_creators()
        ev = {"type": "creator.upsert", "data": {"platform": "instagram", "handle": "fixme", "followers": -1}}
        r = self.send(src, ev, msg_id="msg_fix_1")
        self.assertProblem(r, 422, "data.followers")
        self.assertIsNone(self.creator("fixme"))
        self.assertEqual(self.n_creators(), n)
        ev["data"]["followers"] = 5000
        res = self.applied(self.send(src, ev, msg_id="msg_fix_1"), "creator.upsert")
        self.assertIs(res["inserted"], True)
        self.assertEqual(self.creator("fixme")["followers"], 5000)
        # envelope errors
        self.assertProblem(self.send(src, {"type": "creator.explode", "data": {}}), 422, "type")
        self.assertProblem(self.send(src, {"type": "creator.delete"}), 422, "data")
        self.assertProblem(self.send(src, {"type": "creator.delete", "data": {}, "extra": 1}), 422, "extra")
        self.assertProblem(self.send(src, None, raw=b'{"type":'), 400)
        self.assertEqual(self.n_creators(), n + 1)


if __name__ == "__main__":
    unittest.main()
