"""Issue 10, the low items (7) and the inbound part of item 5 (docs/security.md):

- inbound: an unknown source and a known one with a bad signature or stale timestamp get the
  same reply; header problems are refused before the body is read;
- a brand-scoped key cannot set or change its brand's external_id;
- the webhook SSRF guard refuses a non-public address before connecting;
- database errors are logged by SQLSTATE and constraint, never with row values.
"""
import json
import socket
import threading
import time

from harness import ServerTestCase
from apihelpers import Api, body_of, poll
from test_webhooks import signature

SAME_HEADERS = ("content-type", "cache-control", "x-content-type-options", "connection")


def inbound_headers(secret, body, msg_id="msg_1", ts=None):
    ts = int(time.time()) if ts is None else ts
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts),
            "webhook-signature": signature(secret, msg_id, ts, body)}


def headers_only(port, path, headers, content_length, wait=3.0):
    """Sends a request's headers announcing a body, but no body; returns the raw reply the
    server sends within `wait` seconds (b"" when it waits for the body instead)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
               "Content-Length: %d\r\n" % (path, content_length)
        head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
        s.sendall(head.encode())
        out = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                hdr, _, rest = out.partition(b"\r\n\r\n")
                cl = [l for l in hdr.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if cl and len(rest) >= int(cl[0].split(b":")[1]):
                    break
        return out
    finally:
        s.close()


class InboundSourceProbing(ServerTestCase, Api):
    """Item 7: source names cannot be told apart by the reply (status, problem type, detail,
    headers); item 5: what is wrong with the headers is refused before the body is read."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.request("POST", "/v1/inbound-sources", {"name": "crm-known"})
        assert r.status == 201, r
        cls.secret = r.json["secret"]
        r = cls.server.request("POST", "/v1/inbound-sources", {"name": "crm-other"})
        cls.other_secret = r.json["secret"]

    def send(self, name, body, headers):
        return self.request("POST", "/v1/inbound/%s" % name, raw=body, key=None, headers=headers)

    def same_reply(self, a, b, what):
        self.assertEqual(a.status, 401, body_of(a))
        strip = lambda j: {k: v for k, v in j.items() if k != "instance"}  # the path itself
        self.assertEqual((a.status, strip(a.json)), (b.status, strip(b.json)), what)
        for h in SAME_HEADERS:
            self.assertEqual(a.headers.get(h), b.headers.get(h), "%s: header %s" % (what, h))

    def test_unknown_source_indistinguishable_from_bad_signature(self):
        body = json.dumps({"type": "creator.upsert", "data": {"platform": "tiktok", "handle": "probe",
                                                               "followers": 1}}).encode()
        now = int(time.time())
        cases = {
            # the finding: a stale timestamp answered "more than 300 seconds" for a known
            # source only, "does not match" for an unknown one
            "stale timestamp": lambda s: inbound_headers(s, body, ts=now - 600),
            "future timestamp": lambda s: inbound_headers(s, body, ts=now + 600),
            "another source's secret": lambda s: inbound_headers(self.other_secret, body),
            "garbage signature": lambda s: dict(inbound_headers(s, body), **{"webhook-signature": "v1,AAAA"}),
            "no v1 prefix": lambda s: dict(inbound_headers(s, body),
                                           **{"webhook-signature": inbound_headers(s, body)["webhook-signature"][3:]}),
            "missing signature": lambda s: dict(inbound_headers(s, body), **{"webhook-signature": None}),
            "missing id": lambda s: dict(inbound_headers(s, body), **{"webhook-id": None}),
        }
        for what, make in cases.items():
            with self.subTest(what):
                known = self.send("crm-known", body, make(self.secret))
                unknown = self.send("crm-nosuch", body, make(self.secret))
                self.same_reply(known, unknown, what)
        # a fresh, well-formed but wrong signature: both answered after the body, alike
        known = self.send("crm-known", body, inbound_headers(self.other_secret, body))
        unknown = self.send("no-such-source", body, inbound_headers(self.secret, body))
        self.same_reply(known, unknown, "fresh, wrong signature")
        self.assertEqual(self.count_rows("creators", "handle = 'probe'"), 0)
        # and the genuine event still applies
        r = self.send("crm-known", body, inbound_headers(self.secret, body, msg_id="msg_ok"))
        self.assertEqual(r.status, 200, body_of(r))

    def test_bad_headers_refused_before_the_body(self):
        """A request announcing 1 MiB whose headers cannot authenticate gets its 401 at once,
        without the server waiting for (or buffering) the body."""
        body = b"{}"
        now = int(time.time())
        good = inbound_headers(self.secret, body)
        cases = {
            "no signature headers": {},
            "missing webhook-signature": dict(good, **{"webhook-signature": None}),
            "signature without v1": dict(good, **{"webhook-signature": "AAAA"}),
            "stale timestamp": dict(good, **{"webhook-timestamp": str(now - 3600)}),
            "timestamp not a number": dict(good, **{"webhook-timestamp": "yesterday"}),
            "oversized webhook-id": dict(good, **{"webhook-id": "x" * 300}),
        }
        for what, h in cases.items():
            h = {k: v for k, v in h.items() if v is not None}
            for name in ("crm-known", "crm-nosuch"):
                with self.subTest(what, source=name):
                    t0 = time.monotonic()
                    out = headers_only(self.server.port, "/v1/inbound/" + name, h, 1 << 20)
                    self.assertTrue(out.startswith(b"HTTP/1.1 401"),
                                    "no early 401 (the server waited for the body): %r" % out[:200])
                    self.assertLess(time.monotonic() - t0, 2.0)
        # an invalid source name is refused at once too, as a signature failure
        out = headers_only(self.server.port, "/v1/inbound/UPPER.case", good, 1 << 20)
        self.assertTrue(out.startswith(b"HTTP/1.1 401"), out[:200])
        # over the cap by Content-Length: 413 at once
        out = headers_only(self.server.port, "/v1/inbound/crm-known", good, 8 << 20)
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:200])
        # well-formed headers: the server waits for the body (it needs it for the HMAC)
        out = headers_only(self.server.port, "/v1/inbound/crm-known", good, 1 << 20, wait=1.0)
        self.assertEqual(out, b"")
        self.assertEqual(self.request("GET", "/healthz", key=None).status, 200)


class ExternalIdByScopedKeys(ServerTestCase, Api):
    """Item 7: external_id routes inbound CRM events (brand.upsert, creator.status) to a
    brand; a brand-scoped key may not set or change it (docs/api-decisions.md)."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_scoped_key_cannot_set_or_change_external_id(self):
        b = self.make_brand(name="Scoped", external_id="crm-own-1")
        other = self.make_brand(name="Unrelated")
        scoped = self.server.key("write", brand=b["id"])
        path = "/v1/brands/%d" % b["id"]
        for what, patch in (("change", {"external_id": "crm-victim-9"}),
                            ("remove", {"external_id": None})):
            with self.subTest(what):
                r = self.request("PATCH", path, patch, key=scoped)
                self.assertProblem(r, 403, "external_id")
        self.assertEqual(self.request("GET", path).json["external_id"], "crm-own-1")
        # other fields, and external_id sent unchanged, are fine
        r = self.request("PATCH", path, {"name": "Scoped 2", "external_id": "crm-own-1"}, key=scoped)
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual((r.json["name"], r.json["external_id"]), ("Scoped 2", "crm-own-1"))
        # a brand without one: a scoped key cannot claim one either
        scoped_other = self.server.key("write", brand=other["id"])
        r = self.request("PATCH", "/v1/brands/%d" % other["id"], {"external_id": "crm-victim-9"},
                         key=scoped_other)
        self.assertProblem(r, 403, "external_id")
        # an unscoped write key may
        unscoped = self.server.key("write")
        r = self.request("PATCH", "/v1/brands/%d" % other["id"], {"external_id": "crm-new-2"},
                         key=unscoped)
        self.assertEqual((r.status, r.json.get("external_id")), (200, "crm-new-2"), body_of(r))
        # and the inbound brand.upsert for crm-victim-9 creates a brand of its own
        r = self.request("POST", "/v1/inbound-sources", {"name": "crm"})
        ev = json.dumps({"type": "brand.upsert", "data": {"external_id": "crm-victim-9", "name": "Victim",
                                                          "niches": ["fitness"]}}).encode()
        r = self.request("POST", "/v1/inbound/crm", raw=ev, key=None, headers=inbound_headers(r.json["secret"], ev))
        self.assertEqual(r.status, 200, body_of(r))
        self.assertNotIn(r.json["result"]["brand"]["id"], (b["id"], other["id"]))


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts (and closes them)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            c.close()

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


class WebhookSsrfBeforeConnect(ServerTestCase, Api):
    """Item 7: a delivery to a non-public address is refused before any connection is made
    (the guard used to connect, and start TLS, then refuse). The endpoint is saved while
    private targets are allowed, then the server restarts with them refused, which is what a
    DNS answer that changes after the save-time check looks like to the sender."""
    server_env = {"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1", "NICHEMATCH_WEBHOOK_RETRY_SCHEDULE": "1,1",
                  "NICHEMATCH_RATE_LIMIT": "0"}

    def test_private_target_refused_without_connecting(self):
        lst = Listener()
        self.addCleanup(lst.close)
        eps = []
        for url in ("http://127.0.0.1:%d/hook" % lst.port, "https://127.0.0.1:%d/hook" % lst.port,
                    "http://localhost:%d/hook" % lst.port):
            r = self.request("POST", "/v1/webhooks", {"url": url, "events": ["brand.created"]})
            self.assertEqual(r.status, 201, body_of(r))
            eps.append(r.json["id"])
        self.server.restart(env={"NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "0"})
        self.make_brand(name="Ssrf")

        def attempts():
            out = []
            for ep in eps:
                r = self.request("GET", "/v1/webhooks/%d/deliveries" % ep)
                self.assertEqual(r.status, 200, body_of(r))
                out.append(r.json["data"])
            return out if all(out) else None

        log = poll(attempts, timeout=20)
        self.assertTrue(log, "no delivery attempt was recorded")
        for entries in log:
            for a in entries:
                self.assertIn("refused", a["error"] or "", a)
                self.assertIn("loopback", a["error"] or "", a)
        time.sleep(0.3)
        self.assertEqual(lst.accepted, 0, "the sender connected to the private address before refusing")


class DbErrorsLogNoValues(ServerTestCase, Api):
    """Item 7: a failed statement is logged by SQLSTATE and constraint name; the row values
    in libpq's DETAIL ("Failing row contains (...)") and CONTEXT lines never reach the log."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    SECRET_NAME = "Zebra-4711-confidential"
    SECRET_HANDLE = "copyrowsecret_8815"

    def test_constraint_violation_logged_without_values(self):
        # A constraint the server does not know of: its violation takes the generic
        # database-error path, which logs.
        self.server.psql("ALTER TABLE brands ADD CONSTRAINT test_no_zebra "
                         "CHECK (name NOT LIKE 'Zebra-%')")
        r = self.request("POST", "/v1/brands", {"name": self.SECRET_NAME, "niches": ["fitness"]})
        self.assertEqual(r.status, 500, body_of(r))
        self.assertNotIn(self.SECRET_NAME, r.text)
        log = self.server.log_text()
        self.assertIn("test_no_zebra", log)
        self.assertIn("23514", log)
        self.assertNotIn("4711-confidential", log)

    def test_import_merge_error_logged_without_values(self):
        self.server.psql("ALTER TABLE creators ADD CONSTRAINT test_no_copysecret "
                         "CHECK (handle NOT LIKE 'copyrowsecret%')")
        rows = [{"platform": "instagram", "handle": "fine_%d" % i, "followers": 20000} for i in range(3)]
        rows.append({"platform": "instagram", "handle": self.SECRET_HANDLE, "followers": 20000})
        r = self.request("POST", "/v1/creators/import", raw="".join(json.dumps(x) + "\n" for x in rows).encode(),
                         content_type="application/x-ndjson")
        self.assertGreaterEqual(r.status, 400, body_of(r))
        log = self.server.log_text()
        self.assertIn("test_no_copysecret", log)
        self.assertNotIn(self.SECRET_HANDLE, log)
        self.assertNotIn("Failing row", log)
        self.assertEqual(self.request("GET", "/healthz", key=None).status, 200)


class LeastPrivilegeRole(ServerTestCase, Api):
    """Item 8: the service runs as a member of nichematch_app (migration 0017: row rights
    only) with NICHEMATCH_MIGRATE_ON_START=0, while migrations run as the owner."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1"}

    def app_url(self):
        from urllib.parse import urlsplit, urlunsplit
        import secrets
        user = "nm_svc_" + secrets.token_hex(4)
        self.server.psql('CREATE ROLE "%s" LOGIN IN ROLE nichematch_app' % user)
        self.addCleanup(lambda: self.server.psql('DROP OWNED BY "%s"; DROP ROLE "%s"' % (user, user)))
        p = urlsplit(self.server.db_url)
        host = p.netloc.split("@", 1)[-1]
        return urlunsplit((p.scheme, "%s@%s" % (user, host), p.path, p.query, p.fragment)), user

    def test_service_works_with_row_rights_only(self):
        from harness import Server, psql
        url, user = self.app_url()
        # the role has no DDL rights
        with self.assertRaises(Exception):
            psql(url, "CREATE TABLE sneaky (x int)")
        with self.assertRaises(Exception):
            psql(url, "ALTER TABLE brands ADD COLUMN sneaky int")
        app = Server(env={"DATABASE_URL": url, "NICHEMATCH_MIGRATE_ON_START": "0",
                          "NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1"},
                     migrate=False, share_db_with=self.server)
        self.addCleanup(app.close)
        self.assertEqual(app.request("GET", "/readyz", key=None).status, 200)
        r = app.request("POST", "/v1/brands", {"name": "Least", "niches": ["fitness"]})
        self.assertEqual(r.status, 201, body_of(r))
        bid = r.json["id"]
        rows = [{"platform": "instagram", "handle": "lp_%d" % i, "followers": 20000 + i,
                 "categories": ["Fitness"], "engagement_rate": 0.03} for i in range(20)]
        r = app.request("POST", "/v1/creators/import", raw="".join(json.dumps(x) + "\n" for x in rows).encode(),
                        content_type="application/x-ndjson")
        self.assertEqual((r.status, r.json.get("inserted")), (201, 20), body_of(r))
        r = app.request("POST", "/v1/brands/%d/matches" % bid, {})
        self.assertIn(r.status, (200, 201), body_of(r))
        r = app.request("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/x", "events": ["*"]})
        self.assertEqual(r.status, 201, body_of(r))
        r = app.request("POST", "/v1/inbound-sources", {"name": "lp-crm"})
        self.assertEqual(r.status, 201, body_of(r))
        ev = json.dumps({"type": "creator.delete", "data": {"platform": "instagram", "handle": "lp_3"}}).encode()
        r = app.request("POST", "/v1/inbound/lp-crm", raw=ev, key=None, headers=inbound_headers(r.json["secret"], ev))
        self.assertEqual(r.status, 200, body_of(r))
        r = app.request("DELETE", "/v1/brands/%d" % bid)
        self.assertEqual(r.status, 204, body_of(r))
        self.assertNotIn('"level":"error"', app.log_text())

    def test_skip_migration_refuses_an_unmigrated_database(self):
        from harness import Server
        import subprocess
        fresh = Server(migrate=False, start=False)
        self.addCleanup(fresh.close)
        out = subprocess.run([fresh.bin, "serve"], env=fresh.env(NICHEMATCH_MIGRATE_ON_START="0",
                                                                  NICHEMATCH_LISTEN="127.0.0.1:0"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("nichematch migrate", out.stdout)
        out = subprocess.run([fresh.bin, "serve"], env=fresh.env(NICHEMATCH_MIGRATE_ON_START="maybe"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0, out.stdout)
