"""CRM-grade outbound webhooks (issue 18, docs/webhooks.md): the retry policy for 4xx and
Retry-After, secret rotation verified with the official Standard Webhooks library (npm
`standardwebhooks`), brand and type filters, brand-scoped endpoint management,
import.failed, enriched payloads validated against the schemas /openapi.json publishes,
webhook.test, bulk replay and the event log.

Every event any test here receives is validated against the published schema of its type
(python3-jsonschema)."""
import base64
import hashlib
import hmac
import http.server
import json
import secrets
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import ServerTestCase
from apihelpers import body_of, poll
from test_webhooks import BASE_ENV, Hooks, Receiver, signature, signature_ok

try:
    import jsonschema
except ImportError:  # scripts/test.sh installs python3-jsonschema
    jsonschema = None


class ScriptedReceiver:
    """Answers the (status, headers) pairs of `script` in turn, then 200; records arrival
    time, headers and body of every request."""

    def __init__(self, script=()):
        self.script = list(script)
        self.lock = threading.Lock()
        self.requests = []
        rcv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with rcv.lock:
                    status, headers = rcv.script.pop(0) if rcv.script else (200, {})
                    rcv.requests.append({"time": time.monotonic(), "body": body, "status": status,
                                         "headers": {k.lower(): v for k, v in self.headers.items()}})
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.httpd.server_address[1]

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class CrmHooks(Hooks):
    """Hooks plus schema validation of every event received."""

    def scripted(self, script=()):
        rcv = ScriptedReceiver(script)
        self.addCleanup(rcv.close)
        return rcv

    def validate(self, body):
        """Checks one delivered body against the schema /openapi.json publishes for its type."""
        ev = json.loads(body)
        if jsonschema is None:
            self.skipTest("python3-jsonschema is not installed")
        doc = self.server.request("GET", "/openapi.json", key=None).json
        hook = doc["webhooks"].get(ev["type"])
        self.assertIsNotNone(hook, "no published schema for %s" % ev["type"])
        schema = dict(hook["post"]["requestBody"]["content"]["application/json"]["schema"])
        schema["components"] = doc["components"]
        try:
            jsonschema.Draft202012Validator(schema).validate(ev)
        except jsonschema.ValidationError as e:
            self.fail("%s does not match its published schema: %s\n%s" % (ev["type"], e.message, body[:2000]))
        return ev

    def events_of(self, rcv, types=None):
        out = []
        for q in rcv.snapshot():
            ev = self.validate(q["body"])
            if types is None or ev["type"] in types:
                out.append(ev)
        return out


class RetryPolicyTests(CrmHooks, ServerTestCase):
    server_env = dict(BASE_ENV, NICHEMATCH_WEBHOOK_TIMEOUT_MS="2000")

    def test_400_gets_one_attempt_then_replay_redelivers(self):
        rcv = self.receiver(default=400)
        ep = self.endpoint(rcv.url, events=["brand.created"])
        self.make_brand(name="Refused", external_id="crm-refused")
        rcv.wait(lambda s: len(s) >= 1, 20, "the first attempt")
        self.sentinel(rcv)  # a retry on the 1 s schedule would have come before it
        self.assertEqual(len(rcv.snapshot()), 1, "a 400 must not be retried: %r" % rcv.snapshot())
        log = self.deliveries(ep["id"])
        self.assertEqual([(d["http_status"], d["delivery_state"]) for d in log], [(400, "failed")])
        ev = self.validate(rcv.snapshot()[0]["body"])
        self.assertEqual(ev["data"]["external_id"], "crm-refused")
        # Bulk replay: the receiver is fixed; the failed delivery goes again, same webhook-id.
        rcv.default = 200
        r = self.request("POST", "/v1/webhooks/%d/replay" % ep["id"], {"since": "2000-01-01T00:00:00Z"})
        self.assertEqual(r.status, 202, body_of(r))
        self.assertEqual(r.json["replayed"], 1, body_of(r))
        snap = rcv.wait(lambda s: len(s) >= 2, 20, "the replayed delivery")
        self.assertEqual(snap[1]["status"], 200)
        self.assertEqual(snap[0]["headers"]["webhook-id"], snap[1]["headers"]["webhook-id"])
        for bad in ({}, {"since": "yesterday"}, {"since": "2026-01-01T00:00:00Z", "status": "x"},
                    {"since": "2026-01-01T00:00:00Z", "extra": 1}):
            self.assertProblem(self.request("POST", "/v1/webhooks/%d/replay" % ep["id"], bad), 422)

    def test_retryable_4xx_and_retry_after(self):
        # 429 with Retry-After: 2 (the schedule says 1 s): not before 2 s. 408 is retried.
        rcv = self.scripted([(429, {"Retry-After": "2"}), (408, {})])
        self.endpoint(rcv.url, events=["brand.created"])
        self.make_brand(name="Busy")
        got = poll(lambda: (lambda s: s if len(s) >= 3 else None)(rcv.snapshot()), 30, 0.05)
        self.assertTrue(got, "429 then 408 must both be retried: %r" % rcv.snapshot())
        gap = got[1]["time"] - got[0]["time"]
        self.assertGreaterEqual(gap, 2.0, "retried %.2f s after a Retry-After: 2" % gap)
        self.assertEqual([q["status"] for q in got[:3]], [429, 408, 200])
        self.assertEqual(len({q["headers"]["webhook-id"] for q in got}), 1)

    def test_retry_after_http_date(self):
        # An HTTP date has whole seconds: now + 4 s is at least 3 s away (the schedule: 1 s).
        when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 4))
        rcv = self.scripted([(503, {"Retry-After": when})])
        self.endpoint(rcv.url, events=["brand.created"])
        self.make_brand(name="Maintenance")
        got = poll(lambda: (lambda s: s if len(s) >= 2 else None)(rcv.snapshot()), 30, 0.05)
        self.assertTrue(got, "503 must be retried")
        self.assertGreaterEqual(got[1]["time"] - got[0]["time"], 2.5)


NODE_VERIFY = r"""
const { Webhook } = require("standardwebhooks");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.secrets.map((s) => {
  try { new Webhook(s).verify(input.body, input.headers); return true; } catch (e) { return false; }
});
process.stdout.write(JSON.stringify(out));
"""


class RotationTests(CrmHooks, ServerTestCase):
    server_env = BASE_ENV

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.npm_dir = None
        npm = shutil.which("npm")
        if not npm or not shutil.which("node"):
            return
        d = tempfile.mkdtemp(prefix="nm-swh-")
        try:
            r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", d, "standardwebhooks"],
                               capture_output=True, timeout=180)
            if r.returncode == 0 and os.path.isdir(os.path.join(d, "node_modules", "standardwebhooks")):
                with open(os.path.join(d, "verify.js"), "w") as f:
                    f.write(NODE_VERIFY)
                cls.npm_dir = d
        except subprocess.TimeoutExpired:
            pass

    @classmethod
    def tearDownClass(cls):
        if cls.npm_dir:
            shutil.rmtree(cls.npm_dir, ignore_errors=True)
        super().tearDownClass()

    def verify(self, q, secrets):
        """Which secrets the official library accepts the delivery q with."""
        if not self.npm_dir:
            self.skipTest("npm registry unreachable: standardwebhooks not installed")
        inp = {"secrets": secrets, "body": q["body"].decode(), "headers": {
            k: q["headers"][k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}}
        r = subprocess.run(["node", os.path.join(self.npm_dir, "verify.js")], input=json.dumps(inp).encode(),
                           capture_output=True, timeout=60, cwd=self.npm_dir)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return json.loads(r.stdout)

    def test_rotation_overlap_then_new_only(self):
        rcv = self.receiver()
        ep = self.endpoint(rcv.url, events=["brand.created"])
        old = ep["secret"]
        r = self.request("POST", "/v1/webhooks/%d/test" % ep["id"])
        self.assertEqual(r.status, 202, body_of(r))
        snap = rcv.wait(lambda s: len(s) >= 1, 20, "the test event")
        self.assertEqual(self.validate(snap[0]["body"])["type"], "webhook.test")
        self.assertEqual(self.verify(snap[0], [old]), [True])

        r = self.request("POST", "/v1/webhooks/%d/rotate-secret" % ep["id"], {"overlap_seconds": 4})
        self.assertEqual(r.status, 200, body_of(r))
        new = r.json["secret"]
        self.assertNotEqual(new, old)
        self.assertIsNotNone(r.json["previous_secret_expires_at"])
        self.assertNotIn(old, self.request("GET", "/v1/webhooks/%d" % ep["id"]).text)
        rotated = time.monotonic()
        self.assertEqual(self.request("POST", "/v1/webhooks/%d/test" % ep["id"]).status, 202)
        snap = rcv.wait(lambda s: len(s) >= 2, 20, "the test event during the overlap")
        self.assertEqual(len(snap[1]["headers"]["webhook-signature"].split()), 2, snap[1]["headers"])
        self.assertEqual(self.verify(snap[1], [old, new]), [True, True], "both verify during the overlap")
        self.assertTrue(signature_ok(new, snap[1]["headers"], snap[1]["body"]))

        time.sleep(max(0.0, rotated + 5 - time.monotonic()))
        self.assertIsNone(self.request("GET", "/v1/webhooks/%d" % ep["id"]).json["previous_secret_expires_at"])
        self.assertEqual(self.request("POST", "/v1/webhooks/%d/test" % ep["id"]).status, 202)
        snap = rcv.wait(lambda s: len(s) >= 3, 20, "the test event after the overlap")
        self.assertEqual(len(snap[2]["headers"]["webhook-signature"].split()), 1, snap[2]["headers"])
        self.assertEqual(self.verify(snap[2], [old, new]), [False, True], "only the new one after the overlap")

    def test_rotation_input_and_test_on_disabled(self):
        ep = self.endpoint("http://127.0.0.1:9/hook")
        for bad in ({"overlap_seconds": -1}, {"overlap_seconds": 10 ** 7}, {"x": 1}):
            self.assertProblem(self.request("POST", "/v1/webhooks/%d/rotate-secret" % ep["id"], bad), 422)
        r = self.request("POST", "/v1/webhooks/%d/rotate-secret" % ep["id"])  # no body: default overlap
        self.assertEqual(r.status, 200, body_of(r))
        self.assertIsNotNone(r.json["previous_secret_expires_at"])
        self.assertProblem(self.request("POST", "/v1/webhooks/999999/rotate-secret"), 404)
        self.assertEqual(self.request("PATCH", "/v1/webhooks/%d" % ep["id"], {"status": "disabled"}).status, 200)
        self.assertProblem(self.request("POST", "/v1/webhooks/%d/test" % ep["id"]), 409)


class FilterTests(CrmHooks, ServerTestCase):
    server_env = BASE_ENV

    def test_brand_filter_and_brand_scoped_endpoints(self):
        a = self.make_brand(name="Alpha", external_id="crm-alpha")
        b = self.make_brand(name="Beta", external_id="crm-beta")
        cr = self.make_creator(handle="filter_fit", categories=["fitness"])
        ra, rb = self.receiver(), self.receiver()
        ep_a = self.endpoint(ra.url, events=["*"])
        r = self.request("PATCH", "/v1/webhooks/%d" % ep_a["id"], {"brand_ids": [a["id"]]})
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(r.json["brand_ids"], [a["id"]])
        # A key bound to brand B manages B's endpoints only; its endpoint is pinned to B.
        kb = self.server.key("admin", brand=b["id"])
        r = self.request("POST", "/v1/webhooks", {"url": rb.url, "events": ["*"]}, key=kb)
        self.assertEqual(r.status, 201, body_of(r))
        ep_b = r.json
        self.addCleanup(self.request, "DELETE", "/v1/webhooks/%d" % ep_b["id"])
        self.assertEqual(ep_b["brand_ids"], [b["id"]])
        self.assertProblem(self.request("POST", "/v1/webhooks", {"url": rb.url, "events": ["*"],
                                                                 "brand_ids": [a["id"]]}, key=kb), 422)
        self.assertProblem(self.request("POST", "/v1/webhooks", {"url": rb.url, "events": ["*"],
                                                                 "brand_ids": None}, key=kb), 422)
        self.assertProblem(self.request("GET", "/v1/webhooks/%d" % ep_a["id"], key=kb), 404)
        self.assertProblem(self.request("DELETE", "/v1/webhooks/%d" % ep_a["id"], key=kb), 404)
        self.assertProblem(self.request("PATCH", "/v1/webhooks/%d" % ep_b["id"], {"brand_ids": [a["id"]]}, key=kb), 422)
        self.assertEqual([e["id"] for e in self.request("GET", "/v1/webhooks", key=kb).json["data"]], [ep_b["id"]])
        self.assertEqual(self.request("GET", "/v1/webhooks/%d" % ep_b["id"], key=kb).status, 200)

        for brand in (a, b):
            self.assertEqual(self.request("PATCH", "/v1/brands/%d" % brand["id"], {"industry": "food"}).status, 200)
            r = self.request("PUT", "/v1/brands/%d/creators/%d/status" % (brand["id"], cr["id"]),
                             {"status": "shortlisted"})
            self.assertIn(r.status, (200, 201), body_of(r))
        self.import_rows([{"platform": "tiktok", "handle": "nobrand_1", "followers": 5}])
        ra.wait(lambda s: len(s) >= 2, 20, "brand A's two events")
        rb.wait(lambda s: len(s) >= 2, 20, "brand B's two events")
        self.sentinel(ra)
        self.sentinel(rb)
        for rcv, brand in ((ra, a), (rb, b)):
            evs = self.events_of(rcv)
            self.assertEqual(sorted(e["type"] for e in evs), ["brand.updated", "creator.status_changed"], evs)
            for e in evs:
                bid = e["data"]["id"] if e["type"].startswith("brand.") else e["data"]["brand_id"]
                self.assertEqual(bid, brand["id"], e)
            st = [e for e in evs if e["type"] == "creator.status_changed"][0]["data"]
            self.assertEqual(st["brand"], {"id": brand["id"], "name": brand["name"],
                                           "external_id": brand["external_id"]})

    def test_type_filter(self):
        rcv = self.receiver()
        self.endpoint(rcv.url, events=["brand.updated"])
        brand = self.make_brand(name="Typed")
        self.assertEqual(self.request("PATCH", "/v1/brands/%d" % brand["id"], {"industry": "x"}).status, 200)
        rcv.wait(lambda s: len(s) >= 1, 20, "brand.updated")
        self.sentinel(rcv)
        self.assertEqual([e["type"] for e in self.events_of(rcv)], ["brand.updated"])

    def test_brand_ids_validation(self):
        for bad in ([], [0], ["1"], list(range(1, 102)), "1"):
            with self.subTest(brand_ids=bad):
                self.assertProblem(self.request("POST", "/v1/webhooks", {
                    "url": "http://127.0.0.1:9/hook", "events": ["*"], "brand_ids": bad}), 422)


class PayloadTests(CrmHooks, ServerTestCase):
    server_env = BASE_ENV

    def test_import_failed_on_rolled_back_import(self):
        rcv = self.receiver()
        self.endpoint(rcv.url, events=["import.failed", "import.completed"])
        rows = [{"platform": "tiktok", "handle": "ok_row", "followers": 10},
                {"platform": "tiktok", "handle": "bad_row", "followers": -5}]
        r = self.request("POST", "/v1/creators/import?on_error=abort",
                         raw=("".join(json.dumps(x) + "\n" for x in rows)).encode(),
                         content_type="application/x-ndjson")
        self.assertEqual(r.status, 422, body_of(r))
        snap = rcv.wait(lambda s: len(s) >= 1, 20, "import.failed")
        ev = self.validate(snap[0]["body"])
        self.assertEqual(ev["type"], "import.failed")
        self.assertEqual(ev["data"]["status"], "failed")
        self.assertEqual(ev["data"]["received"], 2)
        imports = self.request("GET", "/v1/imports").json["data"]
        self.assertIn(ev["data"]["id"], [i["id"] for i in imports if i["status"] == "failed"])
        # A completed import still sends import.completed only.
        self.import_rows([{"platform": "tiktok", "handle": "fine_row", "followers": 10}])
        rcv.wait(lambda s: len(s) >= 2, 20, "import.completed")
        self.assertEqual([e["type"] for e in self.events_of(rcv)], ["import.failed", "import.completed"])

    def test_creator_events_and_import_coalescing(self):
        rcv = self.receiver()
        self.endpoint(rcv.url, events=["creator.created", "creator.updated", "creator.deleted", "import.completed"])
        rows = [{"platform": "tiktok", "handle": "coal_%d" % i, "followers": 100 + i} for i in range(5)]
        imp = self.import_rows(rows)
        c = self.make_creator(handle="single_sam", followers=3000, external_id="hs-c-9")
        self.make_creator(handle="single_sam", followers=3100, external_id="hs-c-9")
        self.assertEqual(self.request("DELETE", "/v1/creators/%d" % c["id"]).status, 204)
        rcv.wait(lambda s: len(s) >= 4, 20, "import.completed and three creator events")
        self.sentinel(rcv)
        # Deliveries run concurrently (several POSTs in flight per endpoint), so arrival
        # order is not event order (docs/webhooks.md): each type once, looked up by type.
        evs = self.events_of(rcv)
        self.assertEqual(sorted(e["type"] for e in evs),
                         sorted(["import.completed", "creator.created", "creator.updated", "creator.deleted"]))
        by_type = {e["type"]: e for e in evs}
        self.assertEqual((by_type["import.completed"]["data"]["id"], by_type["import.completed"]["data"]["inserted"]),
                         (imp["id"], 5), "an import is one event with the counts, not one per creator")
        self.assertEqual(by_type["creator.created"]["data"]["followers"], 3000)
        self.assertEqual(by_type["creator.updated"]["data"]["followers"], 3100)
        self.assertEqual(by_type["creator.deleted"]["data"], {"id": c["id"], "platform": "instagram",
                                                              "handle": "single_sam", "external_id": "hs-c-9"})

    def test_status_and_run_payloads_carry_crm_fields(self):
        rcv = self.receiver()
        self.endpoint(rcv.url, events=["match_run.completed", "creator.status_changed"])
        brand = self.make_brand(name="Rich", external_id="crm-deal-42", niches=["fitness"])
        cr = self.make_creator(handle="rich_fit", followers=25000, categories=["fitness"],
                               engagement_rate=0.05, email="fit@example.com",
                               profile_url="https://instagram.com/rich_fit", external_id="hs-contact-7")
        for i in range(12):
            self.make_creator(handle="rich_more_%d" % i, followers=20000 + i, categories=["fitness"])
        r = self.request("POST", "/v1/brands/%d/matches" % brand["id"])
        self.assertIn(r.status, (200, 201), body_of(r))
        run = r.json
        r = self.request("PUT", "/v1/brands/%d/creators/%d/status" % (brand["id"], cr["id"]), {"status": "contacted"})
        self.assertIn(r.status, (200, 201), body_of(r))
        rcv.wait(lambda s: len(s) >= 2, 20, "the run and the status change")
        evs = {e["type"]: e["data"] for e in self.events_of(rcv)}
        m = evs["match_run.completed"]
        self.assertEqual(m["brand"]["external_id"], "crm-deal-42")
        self.assertEqual(len(m["top"]), 10)
        self.assertEqual([t["rank"] for t in m["top"]], list(range(1, 11)))
        self.assertTrue(m["page_url"].startswith("/v1/brands/%d/matches" % brand["id"]), m["page_url"])
        run_id = m["id"]
        self.assertEqual(self.request("GET", m["page_url"]).status, 200)
        s = evs["creator.status_changed"]
        self.assertEqual(s["brand"], {"id": brand["id"], "name": "Rich", "external_id": "crm-deal-42"})
        c = s["creator"]
        self.assertEqual((c["email"], c["profile_url"], c["external_id"], c["tier"]),
                         ("fit@example.com", "https://instagram.com/rich_fit", "hs-contact-7", "micro"))
        self.assertAlmostEqual(c["engagement_rate"], 0.05)
        self.assertIsNotNone(s["latest_match"], s)
        self.assertEqual(s["latest_match"]["run_id"], run_id)
        self.assertGreaterEqual(s["latest_match"]["rank"], 1)
        self.assertIsInstance(run, dict)

    def test_event_log(self):
        brand = self.make_brand(name="Logged", external_id="crm-log")
        self.assertEqual(self.request("PATCH", "/v1/brands/%d" % brand["id"], {"industry": "y"}).status, 200)
        r = self.request("GET", "/v1/events?after=0&limit=200")
        self.assertEqual(r.status, 200, body_of(r))
        mine = [e for e in r.json["data"] if e["type"].startswith("brand.") and e["data"]["id"] == brand["id"]]
        self.assertEqual([e["type"] for e in mine], ["brand.created", "brand.updated"])
        seqs = [e["seq"] for e in r.json["data"]]
        self.assertEqual(seqs, sorted(seqs))
        for e in mine:
            self.validate(json.dumps(e))
        last = mine[-1]["seq"]
        r = self.request("GET", "/v1/events?after=%d&type=brand.updated" % (last - 1))
        self.assertEqual([e["seq"] for e in r.json["data"]], [last])
        r = self.request("GET", "/v1/events?after=%d" % max(seqs))
        self.assertEqual(r.json["data"], [])
        for bad in ("after=-1", "after=x", "type=nope"):
            self.assertProblem(self.request("GET", "/v1/events?" + bad), 400)
        # A key bound to another brand does not see this brand's events.
        other = self.make_brand(name="Other")
        k = self.server.key("read", brand=other["id"])
        r = self.request("GET", "/v1/events?after=0&limit=200", key=k)
        self.assertEqual(r.status, 200, body_of(r))
        self.assertTrue(all(e["type"].startswith("brand.") and e["data"]["id"] == other["id"]
                            for e in r.json["data"]), r.json["data"])


def hubspot_v3(secret, method, url, body, ts_ms):
    """HubSpot's documented v3 recipe, written here independently of the server:
    base64(HMAC-SHA256(client secret, method + URI + body + timestamp))."""
    msg = (method + url).encode() + body + str(ts_ms).encode()
    return base64.b64encode(hmac.new(secret.encode(), msg, hashlib.sha256).digest()).decode()


class InboundCrmTests(Hooks, ServerTestCase):
    """Acceptance 4: per-source schemes (HubSpot v3, bearer), creator.patch, batches with
    per-item results, field map, and the inbound log."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def source(self, **body):
        body.setdefault("name", "src-" + secrets.token_hex(4))
        r = self.request("POST", "/v1/inbound-sources", body)
        self.assertEqual(r.status, 201, body_of(r))
        self.addCleanup(self.request, "DELETE", "/v1/inbound-sources/%d" % r.json["id"])
        return r.json

    def send_standard(self, src, event, msg_id=None):
        body = json.dumps(event).encode()
        msg_id = msg_id or "msg_" + secrets.token_hex(8)
        ts = str(int(time.time()))
        return self.request("POST", src["inbound_path"], raw=body, key=None, headers={
            "webhook-id": msg_id, "webhook-timestamp": ts,
            "webhook-signature": signature(src["secret"], msg_id, ts, body)})

    def send_hubspot(self, src, secret, event, sig=None, ts_ms=None):
        body = json.dumps(event).encode()
        ts_ms = ts_ms if ts_ms is not None else int(time.time() * 1000)
        url = "http://127.0.0.1:%d%s" % (self.server.port, src["inbound_path"])
        sig = sig or hubspot_v3(secret, "POST", url, body, ts_ms)
        return self.request("POST", src["inbound_path"], raw=body, key=None, headers={
            "Host": "127.0.0.1:%d" % self.server.port,
            "X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": str(ts_ms)})

    def creator(self, handle):
        r = self.request("GET", "/v1/creators?platform=instagram&handle=%s" % handle)
        self.assertEqual(r.status, 200, body_of(r))
        return r.json["data"][0] if r.json["data"] else None

    def log(self, src):
        r = self.request("GET", "/v1/inbound-sources/%d/events?limit=200" % src["id"])
        self.assertEqual(r.status, 200, body_of(r))
        return r.json["data"]

    def test_hubspot_v3_signed_sample_applied_wrong_one_401(self):
        client_secret = "hs-app-client-secret-" + secrets.token_hex(8)
        src = self.source(scheme="hubspot_v3", secret=client_secret)
        self.assertEqual(src["scheme"], "hubspot_v3")
        self.assertIsNone(src["secret"], "the HubSpot client secret is not echoed")
        ev = {"type": "creator.upsert", "data": {"platform": "instagram", "handle": "hs_jane",
                                                 "followers": 21000, "email": "jane@example.com"}}
        r = self.send_hubspot(src, client_secret, ev)
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(r.json["status"], "applied")
        self.assertEqual(self.creator("hs_jane")["email"], "jane@example.com")
        ev["data"]["followers"] = 99999
        for kw in ({"sig": hubspot_v3("wrong-secret-123", "POST", "http://127.0.0.1:%d%s" % (
                        self.server.port, src["inbound_path"]), json.dumps(ev).encode(), int(time.time() * 1000))},
                   {"ts_ms": int(time.time() * 1000) - 600 * 1000}):
            self.assertProblem(self.send_hubspot(src, client_secret, ev, **kw), 401)
        # Standard Webhooks headers do not authenticate a hubspot_v3 source, nor a bearer.
        self.assertProblem(self.request("POST", src["inbound_path"], raw=json.dumps(ev).encode(), key=None,
                                        headers={"Authorization": "Bearer " + client_secret}), 401)
        self.assertEqual(self.creator("hs_jane")["followers"], 21000)
        for bad in ({"name": "hs-" + secrets.token_hex(3), "scheme": "hubspot_v3"},
                    {"name": "hs-" + secrets.token_hex(3), "scheme": "standard", "secret": "abcdefghij"},
                    {"name": "hs-" + secrets.token_hex(3), "scheme": "nope"},
                    {"name": "hs-" + secrets.token_hex(3), "field_map": {"a": 1}}):
            self.assertProblem(self.request("POST", "/v1/inbound-sources", bad), 422)

    def test_bearer_scheme(self):
        src = self.source(scheme="bearer")
        ev = {"type": "creator.upsert", "data": {"platform": "instagram", "handle": "bearer_bob", "followers": 5000}}
        r = self.request("POST", src["inbound_path"], raw=json.dumps(ev).encode(), key=None,
                         headers={"Authorization": "Bearer " + src["secret"]})
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(r.json["status"], "applied")
        r = self.request("POST", src["inbound_path"], raw=json.dumps(ev).encode(), key=None,
                         headers={"Authorization": "Bearer " + src["secret"]})
        self.assertEqual(r.json["status"], "duplicate", body_of(r))
        self.assertProblem(self.request("POST", src["inbound_path"], raw=json.dumps(ev).encode(), key=None,
                                        headers={"Authorization": "Bearer whsec_wrong"}), 401)
        self.assertProblem(self.send_standard(src, ev), 401)

    def test_creator_patch_leaves_absent_fields_untouched(self):
        src = self.source()
        r = self.send_standard(src, {"type": "creator.upsert", "data": {
            "platform": "instagram", "handle": "patch_pat", "followers": 12000, "bio": "trail running",
            "country": "DE", "categories": ["fitness"], "external_id": "hs-contact-55"}})
        self.assertEqual(r.status, 200, body_of(r))
        before = self.creator("patch_pat")
        r = self.send_standard(src, {"type": "creator.patch", "data": {"external_id": "hs-contact-55",
                                                                       "followers": 15000, "email": "pat@example.com"}})
        self.assertEqual(r.status, 200, body_of(r))
        after = self.creator("patch_pat")
        self.assertEqual((after["followers"], after["email"]), (15000, "pat@example.com"))
        for k in ("bio", "country", "categories", "external_id", "id"):
            self.assertEqual(after[k], before[k], k)
        # by platform + handle, and null clears an optional member
        r = self.send_standard(src, {"type": "creator.patch", "data": {"platform": "instagram",
                                                                       "handle": "patch_pat", "bio": None}})
        self.assertEqual(r.status, 200, body_of(r))
        self.assertIsNone(self.creator("patch_pat")["bio"])
        self.assertEqual(self.creator("patch_pat")["country"], "DE")
        r = self.send_standard(src, {"type": "creator.patch", "data": {"external_id": "nobody", "followers": 1}})
        self.assertProblem(r, 422, "data.external_id")
        r = self.send_standard(src, {"type": "creator.patch", "data": {"id": before["id"], "followers": -1}})
        self.assertProblem(r, 422, "data.followers")

    def test_batch_of_100_with_3_bad_and_the_log(self):
        src = self.source(field_map={"instagram_followers": "followers"})
        bad = {7, 42, 99}
        events = []
        for i in range(100):
            d = {"platform": "instagram", "handle": "batch_%03d" % i, "instagram_followers": 1000 + i}
            if i in bad:
                d["instagram_followers"] = -1
            events.append({"type": "creator.upsert", "data": d})
        msg_id = "batch_" + secrets.token_hex(6)
        r = self.send_standard(src, events, msg_id=msg_id)
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual((r.json["applied"], r.json["rejected"], r.json["duplicate"]), (97, 3, 0), body_of(r))
        res = r.json["results"]
        self.assertEqual([x["index"] for x in res], list(range(100)))
        self.assertEqual({x["index"] for x in res if x["status"] == "rejected"}, bad)
        for x in res:
            if x["status"] == "rejected":
                self.assertEqual(x["errors"][0]["field"], "[%d].data.followers" % x["index"], x)
        self.assertEqual(self.creator("batch_005")["followers"], 1005, "the field map renames before validation")
        self.assertIsNone(self.creator("batch_007"))
        # The same batch again: 97 duplicates, the 3 bad ones rejected again.
        r = self.send_standard(src, events, msg_id=msg_id)
        self.assertEqual((r.json["applied"], r.json["rejected"], r.json["duplicate"]), (0, 3, 97), body_of(r))
        log = self.log(src)
        self.assertEqual(len([e for e in log if e["status"] == "applied"]), 97)
        rejected = [e for e in log if e["status"] == "rejected"]
        self.assertEqual(len(rejected), 6)
        self.assertTrue(all(e["errors"] and e["errors"][0]["field"].endswith("data.followers") for e in rejected), rejected)
        self.assertIn("%s#7" % msg_id, {e["msg_id"] for e in rejected})
        self.assertEqual(len([e for e in log if e["status"] == "duplicate"]), 97)
        # a body that is not an event is logged as rejected too
        self.assertProblem(self.send_standard(src, [], msg_id="empty_" + secrets.token_hex(4)), 400)
        self.assertEqual(self.log(src)[0]["status"], "rejected")
        self.assertProblem(self.send_standard(src, [{"type": "x", "data": {}}] * 101), 400)
        self.assertProblem(self.request("GET", "/v1/inbound-sources/999999/events"), 404)


if __name__ == "__main__":
    unittest.main()
