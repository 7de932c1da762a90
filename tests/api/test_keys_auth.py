"""API keys, roles, brand scope, CORS, routing, security headers, rate limit, OpenAPI (docs/api.md §2, §7)."""
import hashlib
import os
import re
import subprocess
import time
import unittest

from harness import ServerTestCase
from apihelpers import Api, assert_routes_documented, body_of, ndjson, poll, route_table

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
RANK = {"none": 0, "read": 1, "write": 2, "admin": 3}


def policy_role(method, path):
    """The role docs/api.md §2 asks for, written here independently of routes.c: key, webhook and
    inbound-source management is admin; other /v1 writes are write; /v1 reads are read; the
    ops endpoints, the signed inbound receiver and the dashboard's sign-in take no key; any
    key's session may read and end itself; a brand's lookalikes are a read sent as a POST."""
    if not path.startswith("/v1/") or path.startswith("/v1/inbound/") or path == "/v1/sessions":
        return "none"
    if path == "/v1/sessions/current":
        return "read"
    if path.split("/")[2] in ("keys", "webhooks", "inbound-sources"):
        return "admin"
    if method == "POST" and path == "/v1/brands/{id}/lookalikes":
        return "read"  # a query with a body (seeds, filters) that stores nothing (docs/api.md)
    return "read" if method == "GET" else "write"


def brand_body(name="B"):
    return {"name": name, "niches": ["fitness"]}


class AuthTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_AUTH_CACHE_TTL_S": "1"}

    def assert401(self, r):
        self.assertProblem(r, 401)
        self.assertTrue((r.headers.get("WWW-Authenticate") or "").lower().startswith("bearer"),
                        "401 without WWW-Authenticate: Bearer: %r" % dict(r.headers))

    def test_401_missing_bad_malformed(self):
        self.assert401(self.request("GET", "/v1/brands", key=None))
        self.assert401(self.request("GET", "/v1/brands", key="nm_definitely_not_a_key_000000000"))
        self.assert401(self.request("GET", "/v1/brands", key=None, headers={"Authorization": "Basic YTpi"}))
        self.assert401(self.request("GET", "/v1/brands", key=None, headers={"Authorization": "Bearer"}))
        self.assert401(self.request("POST", "/v1/brands", brand_body(), key=None))
        self.assert401(self.request("GET", "/v1/creators", key="x"))

    def test_401_before_validation(self):
        # an anonymous bad body is not looked at
        self.assert401(self.request("POST", "/v1/brands", raw=b"{", key=None))

    def test_role_matrix(self):
        b = self.make_brand()
        read, write = self.server.key("read"), self.server.key("write")
        bid = b["id"]
        cases = [
            # (method, path, body, {role: expected status})
            ("GET", "/v1/brands", None, {"read": 200, "write": 200}),
            ("GET", "/v1/brands/%d" % bid, None, {"read": 200, "write": 200}),
            ("POST", "/v1/brands", brand_body(), {"read": 403, "write": 201}),
            ("PATCH", "/v1/brands/%d" % bid, {"industry": "x"}, {"read": 403, "write": 200}),
            ("GET", "/v1/creators", None, {"read": 200, "write": 200}),
            ("POST", "/v1/creators", {"platform": "instagram", "handle": "rolecheck", "followers": 5},
             {"read": 403, "write": 201}),
            ("POST", "/v1/brands/%d/matches" % bid, {}, {"read": 403, "write": 201}),
            ("GET", "/v1/brands/%d/matches" % bid, None, {"read": 200, "write": 200}),
            ("GET", "/v1/brands/%d/match-runs" % bid, None, {"read": 200, "write": 200}),
            ("GET", "/v1/imports", None, {"read": 200, "write": 200}),
            ("POST", "/v1/keys", {"role": "read"}, {"read": 403, "write": 403}),
            ("GET", "/v1/keys", None, {"read": 403, "write": 403}),
            ("DELETE", "/v1/keys/1", None, {"read": 403, "write": 403}),
        ]
        for method, path, body, want in cases:
            for role, key in (("read", read), ("write", write)):
                with self.subTest(role=role, method=method, path=path):
                    r = self.request(method, path, body, key=key)
                    if want[role] == 403:
                        self.assertProblem(r, 403)
                    else:
                        self.assertEqual(r.status, want[role], body_of(r))
        # read cannot delete; write can
        self.assertProblem(self.request("DELETE", "/v1/brands/%d" % bid, key=read), 403)
        self.assertStatus(self.request("DELETE", "/v1/brands/%d" % bid, key=write), 204)
        # the read key's import attempt is refused on the headers alone
        r = self.request("POST", "/v1/creators/import", raw=b'{"platform":"instagram","handle":"a","followers":1}\n',
                         content_type="application/x-ndjson", key=read)
        self.assertProblem(r, 403)

    def test_role_matrix_covers_the_route_table(self):
        """Every route of routes.c, with a read, a write and an admin key: the route's role
        is the one docs/api.md §2 asks for (policy_role), a key below it gets 403, a key at or above
        it is let through (any answer but 401/403/5xx; ids that do not exist keep it
        harmless)."""
        keys = {"read": self.server.key("read"), "write": self.server.key("write"),
                "admin": self.server.admin_key}
        routes = route_table()
        self.assertGreaterEqual(len(routes), 30, routes)
        for method, template, role, body_kind in routes:
            self.assertEqual(role, policy_role(method, template),
                             "routes.c gives %s %s the role %s" % (method, template, role))
            if role == "none":
                continue
            path = re.sub(r"\{[^}]+\}", "987654", template)
            for key_role, key in keys.items():
                with self.subTest(method=method, path=template, key=key_role):
                    if body_kind == "NM_BODY_STREAM":
                        r = self.request(method, path, raw=ndjson([{"platform": "tiktok", "handle": "rm_" + key_role,
                                                                    "followers": 1}]),
                                         content_type="application/x-ndjson", key=key)
                    else:
                        r = self.request(method, path, {} if body_kind != "NM_BODY_NONE" else None, key=key)
                    if RANK[key_role] < RANK[role]:
                        self.assertProblem(r, 403)
                    else:
                        self.assertNotIn(r.status, (401, 403), body_of(r))
                        self.assertLess(r.status, 500, body_of(r))

    def test_keys_api_lifecycle(self):
        r = self.request("POST", "/v1/keys", {"role": "read", "name": "dash"})
        self.assertStatus(r, 201)
        k = r.json
        self.assertTrue(r.headers.get("Location"), dict(r.headers))
        self.assertIsInstance(k.get("key"), str, body_of(r))
        self.assertEqual((k["role"], k["name"]), ("read", "dash"), body_of(r))
        key = k["key"]
        self.assertStatus(self.request("GET", "/v1/brands", key=key), 200)
        # never shown again
        lst = self.request("GET", "/v1/keys")
        self.assertStatus(lst, 200)
        self.assertNotIn(key, lst.text)
        mine = [x for x in lst.json["data"] if x["id"] == k["id"]]
        self.assertEqual(len(mine), 1, body_of(lst))
        self.assertNotIn("key", mine[0], body_of(lst))
        self.assertTrue(key.startswith(mine[0].get("prefix", "\0")), "prefix is not the key's start: %s" % mine[0])
        # revoke
        d = self.request("DELETE", "/v1/keys/%d" % k["id"])
        self.assertStatus(d, 204)
        self.assert401(self.request("GET", "/v1/brands", key=key))
        self.assertProblem(self.request("DELETE", "/v1/keys/987654"), 404)
        # validation
        self.assertProblem(self.request("POST", "/v1/keys", {"role": "god"}), 422, "role")
        self.assertProblem(self.request("POST", "/v1/keys", {"role": "read", "brand_id": 987654}), 422, "brand_id")
        self.assertProblem(self.request("POST", "/v1/keys", {"role": "read", "key": "nm_chosen"}), 422, "key")

    def test_admin_can_create_admin_key_and_it_works(self):
        r = self.request("POST", "/v1/keys", {"role": "admin"})
        self.assertStatus(r, 201)
        self.assertStatus(self.request("GET", "/v1/keys", key=r.json["key"]), 200)

    def test_cli_keys(self):
        out = self.server.cli("keys", "create", "--role", "write", "--name", "cli-key")
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), 1, "stdout must hold only the key: %r" % out.stdout)
        key = lines[0]
        self.assertRegex(key, r"^\S{20,}$")
        self.assertStatus(self.request("POST", "/v1/brands", brand_body(), key=key), 201)
        lst = self.server.cli("keys", "list")
        self.assertNotIn(key, lst.stdout + lst.stderr)
        row = self.server.psql("SELECT id FROM api_keys WHERE name = 'cli-key'")
        self.server.cli("keys", "revoke", row[0][0])
        # revocation by another process reaches a running server within its auth cache TTL
        # (NICHEMATCH_AUTH_CACHE_TTL_S, default 5 s)
        r = poll(lambda: (lambda r: r if r.status == 401 else None)(
            self.request("GET", "/v1/brands", key=key)), timeout=8, interval=0.2)
        self.assertIsNotNone(r, "a key revoked with the CLI still works after 8 s")
        self.assert401(r)
        bad = self.server.cli("keys", "create", "--role", "superuser", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertEqual(bad.stdout.strip(), "", "a failed create printed on stdout")

    def test_cli_keys_create_prints_the_key_alone(self):
        """docs/api.md §2: `keys create --role R [--brand ID] [--name N]` prints the new key alone on
        one line of stdout and nothing else there; notes go to stderr."""
        srv = self.server
        a = self.make_brand()
        b = self.make_brand()
        cases = [
            (["--role", "read"], "read", None, None),
            (["--role", "write", "--name", "CRM sync (HubSpot) é"], "write", None, "CRM sync (HubSpot) é"),
            (["--role", "admin", "--brand", str(a["id"])], "admin", a["id"], None),
            (["--name", "scoped-cli", "--brand", str(a["id"]), "--role", "read"], "read", a["id"], "scoped-cli"),
            (["--role=write", "--brand=%d" % a["id"], "--name=eq-form"], "write", a["id"], "eq-form"),
        ]
        for args, role, brand, name in cases:
            for env in ({}, {"NICHEMATCH_LOG_LEVEL": "debug"}):
                out = srv.cli("keys", "create", *args, env=env)
                self.assertRegex(out.stdout, r"\Anm_[A-Za-z0-9_-]{32}\n\Z",
                                 "%s: stdout must be the key and one newline" % args)
                self.assertIn("key id", out.stderr, "%s: no note on stderr" % args)
                key = out.stdout.strip()
                self.assertNotIn(key, out.stderr)
                row = srv.psql("SELECT role, brand_id, name FROM api_keys WHERE key_hash = :'h'",
                               h=hashlib.sha256(key.encode()).hexdigest())
                self.assertEqual(row, [(role, None if brand is None else str(brand), name)], args)
                r = self.request("GET", "/v1/brands/%d" % b["id"], key=key)
                self.assertStatus(r, 200 if brand is None else 404)
                self.assertStatus(self.request("GET", "/v1/brands/%d" % a["id"], key=key), 200)
        # failures print nothing on stdout and create nothing
        n_keys = srv.psql("SELECT count(*) FROM api_keys")
        for args, code in ((["--role", "read", "--brand", "987654"], 1),
                           (["--role", "read", "--brand", "x"], 2),
                           (["--role", "read", "my-name"], 2),
                           (["--brand", str(a["id"])], 2),
                           (["--role", "read", "--name"], 2),
                           (["--role", "read", "--bogus"], 2)):
            out = srv.cli("keys", "create", *args, check=False)
            self.assertEqual(out.returncode, code, "%s: %r" % (args, out.stderr))
            self.assertEqual(out.stdout, "", "%s printed on stdout" % args)
            self.assertTrue(out.stderr.strip(), "%s: no reason on stderr" % args)
        self.assertEqual(srv.psql("SELECT count(*) FROM api_keys"), n_keys)

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_cli_keys_create_reports_a_lost_key(self):
        """The key exists only in the create's output: when stdout cannot take it, the exit
        code says so and stderr names the key id to revoke."""
        with open("/dev/full", "w") as full:
            out = subprocess.run([self.server.bin, "keys", "create", "--role", "read"],
                                 env=self.server.env(), stdout=full, stderr=subprocess.PIPE, text=True,
                                 timeout=60)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("revoke key id", out.stderr)

    def test_keys_stored_hashed(self):
        key = self.server.key("read", name="hashcheck")
        rows = self.server.psql("SELECT row_to_json(k)::text FROM api_keys k")
        dump = "\n".join(r[0] for r in rows)
        self.assertNotIn(key, dump, "a plaintext key is stored")
        self.assertNotIn(key[12:], dump, "a large part of the key is stored")
        h = self.server.psql("SELECT key_hash FROM api_keys WHERE name = 'hashcheck'")[0][0]
        self.assertEqual(h, hashlib.sha256(key.encode()).hexdigest())


class BrandScopeTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.a = s.request("POST", "/v1/brands", {"name": "A", "niches": ["fitness"]}).json
        cls.b = s.request("POST", "/v1/brands", {"name": "B", "niches": ["fitness"]}).json
        cls.c = s.request("POST", "/v1/creators", {"platform": "instagram", "handle": "scoped_c",
                                                   "followers": 20000, "categories": ["fitness"],
                                                   "engagement_rate": 0.03}).json
        cls.key = s.key("write", brand=cls.a["id"], name="scoped")
        r = s.request("POST", "/v1/brands/%d/matches" % cls.b["id"], {})
        assert r.status == 201, r

    def test_list_shows_only_its_brand(self):
        r = self.request("GET", "/v1/brands", key=self.key)
        self.assertStatus(r, 200)
        self.assertEqual([x["id"] for x in r.json["data"]], [self.a["id"]], body_of(r))

    def test_own_brand_works(self):
        self.assertStatus(self.request("GET", "/v1/brands/%d" % self.a["id"], key=self.key), 200)
        self.assertStatus(self.request("POST", "/v1/brands/%d/matches" % self.a["id"], {}, key=self.key), 201)
        self.assertStatus(self.request("GET", "/v1/brands/%d/matches" % self.a["id"], key=self.key), 200)
        r = self.request("PUT", "/v1/brands/%d/creators/%d/status" % (self.a["id"], self.c["id"]),
                         {"status": "shortlisted"}, key=self.key)
        self.assertStatus(r, 200)

    def test_other_brand_404(self):
        bid = self.b["id"]
        for method, path, body in (
                ("GET", "/v1/brands/%d" % bid, None),
                ("PATCH", "/v1/brands/%d" % bid, {"name": "hijack"}),
                ("DELETE", "/v1/brands/%d" % bid, None),
                ("POST", "/v1/brands/%d/matches" % bid, {}),
                ("GET", "/v1/brands/%d/matches" % bid, None),
                ("GET", "/v1/brands/%d/matches?run_id=1" % bid, None),
                ("GET", "/v1/brands/%d/match-runs" % bid, None),
                ("PUT", "/v1/brands/%d/creators/%d/status" % (bid, self.c["id"]), {"status": "declined"}),
                ("GET", "/v1/brands/%d/creators?status=shortlisted" % bid, None)):
            with self.subTest(method=method, path=path):
                self.assertProblem(self.request(method, path, body, key=self.key), 404)
        # nothing changed
        g = self.request("GET", "/v1/brands/%d" % bid)
        self.assertEqual(g.json["name"], "B", body_of(g))

    def test_cannot_create_brands(self):
        self.assertProblem(self.request("POST", "/v1/brands", brand_body(), key=self.key), 403)

    def test_creator_pool_read_only(self):
        self.assertStatus(self.request("GET", "/v1/creators", key=self.key), 200)
        self.assertStatus(self.request("GET", "/v1/creators/%d" % self.c["id"], key=self.key), 200)
        self.assertProblem(self.request("POST", "/v1/creators", {"platform": "instagram", "handle": "scoped_new",
                                                                  "followers": 1}, key=self.key), 403)
        self.assertProblem(self.request("DELETE", "/v1/creators/%d" % self.c["id"], key=self.key), 403)
        r = self.request("POST", "/v1/creators/import", raw=b'{"platform":"instagram","handle":"sx","followers":1}\n',
                         content_type="application/x-ndjson", key=self.key)
        self.assertProblem(r, 403)


class CorsTests(ServerTestCase):
    server_env = {"NICHEMATCH_CORS_ORIGINS": "https://dash.example", "NICHEMATCH_RATE_LIMIT": "0"}
    ORIGIN = "https://dash.example"

    def test_allowed_origin_normal_reply(self):
        for key, status in ((None, 401), (True, 200)):
            kw = {} if key else {"key": None}
            r = self.request("GET", "/v1/brands", headers={"Origin": self.ORIGIN}, **kw)
            self.assertStatus(r, status)
            self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), self.ORIGIN, dict(r.headers))
            self.assertIn("origin", (r.headers.get("Vary") or "").lower(), dict(r.headers))

    def test_exposes_headers_for_dashboards(self):
        r = self.request("POST", "/v1/brands", {"name": "x", "niches": ["a"]}, headers={"Origin": self.ORIGIN})
        self.assertStatus(r, 201)
        exposed = (r.headers.get("Access-Control-Expose-Headers") or "").lower()
        for h in ("location", "x-request-id"):
            self.assertIn(h, exposed, dict(r.headers))

    def test_preflight(self):
        r = self.request("OPTIONS", "/v1/brands", key=None,
                         headers={"Origin": self.ORIGIN, "Access-Control-Request-Method": "POST",
                                  "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})
        self.assertStatus(r, 204)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), self.ORIGIN, dict(r.headers))
        methods = [m.strip().upper() for m in (r.headers.get("Access-Control-Allow-Methods") or "").split(",")]
        self.assertIn("POST", methods, dict(r.headers))
        self.assertIn("GET", methods, dict(r.headers))
        allowed = (r.headers.get("Access-Control-Allow-Headers") or "").lower()
        for h in ("authorization", "content-type", "idempotency-key"):
            self.assertIn(h, allowed, dict(r.headers))
        # preflight of an item route
        r = self.request("OPTIONS", "/v1/brands/1", key=None,
                         headers={"Origin": self.ORIGIN, "Access-Control-Request-Method": "PATCH"})
        self.assertStatus(r, 204)
        methods = [m.strip().upper() for m in (r.headers.get("Access-Control-Allow-Methods") or "").split(",")]
        self.assertIn("PATCH", methods, dict(r.headers))

    def test_other_origin_gets_no_cors(self):
        for origin in ("https://evil.example", "https://dash.example.evil.com", "null", "http://dash.example"):
            with self.subTest(origin=origin):
                r = self.request("GET", "/v1/brands", headers={"Origin": origin})
                self.assertStatus(r, 200)
                self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"), dict(r.headers))
                r = self.request("OPTIONS", "/v1/brands", key=None,
                                 headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
                self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"), dict(r.headers))
                self.assertIsNone(r.headers.get("Access-Control-Allow-Methods"), dict(r.headers))


class RoutingHeaderTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_unknown_routes_404(self):
        # ("/" is the dashboard: tests/api/test_dashboard_static.py)
        for path in ("/v1/nope", "/v2/brands", "/v1/brands/1/nope", "/v1/brands//", "/v1"):
            with self.subTest(path=path):
                p = self.assertProblem(self.request("GET", path), 404)
                self.assertTrue(p["detail"].startswith("No route"), p)

    def test_405_with_allow(self):
        for method, path, must in (("PUT", "/v1/brands", {"GET", "POST"}), ("POST", "/v1/brands/1", {"GET", "PATCH", "DELETE"}),
                                   ("DELETE", "/v1/creators", {"GET", "POST"}), ("GET", "/v1/creators/import", {"POST"}),
                                   ("PATCH", "/v1/keys", {"GET", "POST"})):
            with self.subTest(method=method, path=path):
                r = self.request(method, path, {} if method in ("PUT", "POST", "PATCH") else None)
                self.assertProblem(r, 405)
                allow = {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",") if m.strip()}
                self.assertTrue(must <= allow, "Allow %r lacks %r" % (r.headers.get("Allow"), must))
                self.assertNotIn(method, allow)

    def test_head_where_get(self):
        r = self.request("HEAD", "/v1/brands")
        self.assertStatus(r, 200)
        self.assertEqual(r.body, b"")
        r = self.request("HEAD", "/healthz", key=None)
        self.assertStatus(r, 200)

    def test_security_headers_everywhere(self):
        cases = [("GET", "/healthz", None, None), ("GET", "/openapi.json", None, None),
                 ("GET", "/v1/brands", None, True), ("GET", "/v1/brands", None, None),
                 ("GET", "/v1/brands/987654", None, True), ("POST", "/v1/brands", {"x": 1}, True),
                 ("GET", "/nope", None, None), ("PUT", "/v1/brands", {}, True)]
        for method, path, body, auth in cases:
            with self.subTest(method=method, path=path):
                kw = {} if auth else {"key": None}
                r = self.request(method, path, body, **kw)
                self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff", dict(r.headers))
                if path.startswith("/v1"):
                    self.assertIn("no-store", (r.headers.get("Cache-Control") or ""), dict(r.headers))


class RateLimitTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "5"}

    def test_burst_then_429_then_recovers(self):
        key = self.server.key("read", name="rl")
        other = self.server.key("read", name="rl-other")
        statuses, limited = [], None
        # until the first 429: on a loaded machine the requests go out slowly and the bucket
        # refills meanwhile, so what is let through is judged against the time taken
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            r = self.request("GET", "/v1/brands", key=key)
            statuses.append(r.status)
            if r.status == 429:
                limited = r
                break
        elapsed = time.monotonic() - t0
        self.assertIsNotNone(limited, "no 429 after %d requests: %s" % (len(statuses), statuses))
        ok = statuses.count(200)
        self.assertGreaterEqual(ok, 10, "burst of 2x5 not granted: %s" % statuses)
        self.assertLessEqual(ok, 10 + 5 * elapsed + 1,
                             "more than burst 10 + 5/s x %.1f s let through: %s" % (elapsed, statuses))
        self.assertProblem(limited, 429)
        ra = limited.headers.get("Retry-After")
        self.assertRegex(ra or "", r"^\d+$", dict(limited.headers))
        self.assertGreaterEqual(int(ra), 1)
        self.assertLessEqual(int(ra), 5)
        for h in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
            self.assertIsNotNone(limited.headers.get(h), "%s missing: %r" % (h, dict(limited.headers)))
        self.assertEqual(limited.headers.get("RateLimit-Remaining"), "0", dict(limited.headers))
        # another key is not limited by this one's use
        self.assertStatus(self.request("GET", "/v1/brands", key=other), 200)
        time.sleep(int(ra))
        r = self.request("GET", "/v1/brands", key=key)
        self.assertStatus(r, 200)
        rem = r.headers.get("RateLimit-Remaining")
        self.assertRegex(rem or "", r"^\d+$", dict(r.headers))


class OpenApiRouteTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.request("GET", "/openapi.json", key=None)
        assert r.status == 200, r
        cls.doc = r.json

    def concrete(self, path):
        return re.sub(r"\{[^}]+\}", "1", path)

    def test_route_table_is_documented(self):
        """/openapi.json lists exactly the routes of src/http/routes.c."""
        assert_routes_documented(self, self.doc)

    def table_paths(self):
        """{path template: {METHOD}} from the route table (not from the document)."""
        out = {}
        for method, path, _, _ in route_table():
            out.setdefault(path, set()).add(method)
        return out

    def test_documented_routes_exist(self):
        paths = self.table_paths()
        self.assertGreater(len(paths), 10)
        for path, methods in paths.items():
            for method in methods:
                with self.subTest(method=method, path=path):
                    body = {} if method in ("POST", "PUT", "PATCH") else None
                    r = self.request(method, self.concrete(path), body)
                    self.assertNotEqual(r.status, 405, body_of(r))
                    if r.status == 404:
                        self.assertFalse((r.json or {}).get("detail", "").startswith("No route"), body_of(r))

    def test_undocumented_methods_405(self):
        for path, served in self.table_paths().items():
            for method in METHODS:
                if method in served:
                    continue
                with self.subTest(method=method, path=path):
                    body = {} if method in ("POST", "PUT", "PATCH") else None
                    r = self.request(method, self.concrete(path), body)
                    self.assertEqual(r.status, 405, body_of(r))
                    allow = {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",") if m.strip()}
                    self.assertTrue(served <= allow, "Allow %r vs served %r" % (allow, served))

    def test_server_routes_documented(self):
        # routes docs/api.md names (§2–§5) must all be in the document
        spec = {("/v1/brands", "post"), ("/v1/brands", "get"), ("/v1/brands/{id}", "get"),
                ("/v1/brands/{id}", "patch"), ("/v1/brands/{id}", "delete"), ("/v1/creators", "get"),
                ("/v1/creators", "post"), ("/v1/creators/import", "post"), ("/v1/imports", "get"),
                ("/v1/keys", "post"), ("/healthz", "get"), ("/readyz", "get"), ("/metrics", "get")}
        have = set()
        for path, item in self.doc["paths"].items():
            norm = re.sub(r"\{[^}]+\}", "{id}", path)
            for m in item:
                have.add((norm, m))
        self.assertTrue(spec <= have, "undocumented: %s" % (spec - have))


if __name__ == "__main__":
    unittest.main()
