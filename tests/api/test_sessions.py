"""Dashboard sessions (docs/dashboard.md): POST /v1/sessions exchanges an API key for an
HttpOnly, SameSite=Strict cookie; cookie-authenticated writes need the session's CSRF token;
DELETE /v1/sessions/current signs out; bearer keys are unchanged."""
import time

from apihelpers import Api, body_of
from harness import ServerTestCase


def session_cookie(r):
    """(token, attributes dict) of the nm_session Set-Cookie of a reply, or (None, {})."""
    for v in r.headers.get_all("Set-Cookie") or []:
        parts = [p.strip() for p in v.split(";")]
        name, _, value = parts[0].partition("=")
        if name != "nm_session":
            continue
        attrs = {}
        for p in parts[1:]:
            k, _, a = p.partition("=")
            attrs[k.lower()] = a
        return value, attrs
    return None, {}


class SessionTests(ServerTestCase, Api):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SESSION_TTL_S": "3600"}

    def sign_in(self, key=None, headers=None):
        key = key or self.server.admin_key
        r = self.request("POST", "/v1/sessions", {"api_key": key}, key=None, headers=headers)
        self.assertEqual(r.status, 201, body_of(r))
        token, attrs = session_cookie(r)
        self.assertTrue(token, r.headers)
        return token, r.json, attrs, r

    def cookie(self, token, csrf=None, **more):
        h = {"Cookie": "nm_session=" + token}
        if csrf:
            h["X-CSRF-Token"] = csrf
        h.update(more)
        return h

    def test_sign_in_sets_a_strict_httponly_cookie_and_never_returns_the_key(self):
        key = self.server.key("write", name="marketing laptop")
        token, body, attrs, r = self.sign_in(key)
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs.get("samesite"), "Strict")
        self.assertEqual(attrs.get("path"), "/")
        self.assertEqual(attrs.get("max-age"), "3600")
        self.assertNotIn("secure", attrs)  # plain HTTP and no proxy said https
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        self.assertEqual(body["key"]["role"], "write")
        self.assertEqual(body["key"]["name"], "marketing laptop")
        self.assertEqual(body["key"]["prefix"], key[:11])
        self.assertRegex(body["csrf_token"], r"^[0-9a-f]{64}$")
        self.assertIn("expires_at", body)
        self.assertNotIn(key, r.text)
        self.assertNotIn(key, str(r.headers))
        self.assertNotIn(token, r.text)
        # Only the token's hash is stored.
        stored = str(self.server.psql("SELECT token_hash FROM sessions"))
        self.assertNotIn(token, stored)
        self.assertNotIn(key, self.server.log_text())
        self.assertNotIn(token, self.server.log_text())

    def test_secure_behind_tls_proxy_or_when_configured(self):
        _, _, attrs, _ = self.sign_in(headers={"X-Forwarded-Proto": "https"})
        self.assertIn("secure", attrs)

    def test_cookie_reads_with_the_keys_role_and_scope(self):
        brand = self.make_brand(name="Scoped")
        other = self.make_brand(name="Other")
        key = self.server.key("read", brand=brand["id"])
        token, body, _, _ = self.sign_in(key)
        self.assertEqual(body["key"]["brand_id"], brand["id"])
        r = self.request("GET", "/v1/brands/%d" % brand["id"], key=None, headers=self.cookie(token))
        self.assertEqual(r.status, 200, body_of(r))
        r = self.request("GET", "/v1/brands/%d" % other["id"], key=None, headers=self.cookie(token))
        self.assertProblem(r, 404)
        # A read key's session cannot write, CSRF token or not.
        r = self.request("POST", "/v1/brands", {"name": "X", "niches": ["fitness"]}, key=None,
                         headers=self.cookie(token, body["csrf_token"]))
        self.assertProblem(r, 403)

    def test_writes_need_the_csrf_token(self):
        token, body, _, _ = self.sign_in()
        brand = {"name": "Via cookie", "niches": ["fitness"]}
        r = self.request("POST", "/v1/brands", brand, key=None, headers=self.cookie(token))
        p = self.assertProblem(r, 403)
        self.assertIn("X-CSRF-Token", p["detail"])
        r = self.request("POST", "/v1/brands", brand, key=None,
                         headers=self.cookie(token, "0" * 64))
        self.assertProblem(r, 403)
        # Another session's token does not fit this one.
        _, other, _, _ = self.sign_in()
        r = self.request("POST", "/v1/brands", brand, key=None,
                         headers=self.cookie(token, other["csrf_token"]))
        self.assertProblem(r, 403)
        r = self.request("POST", "/v1/brands", brand, key=None,
                         headers=self.cookie(token, body["csrf_token"]))
        self.assertEqual(r.status, 201, body_of(r))
        bid = r.json["id"]
        for method, path, b in (("PATCH", "/v1/brands/%d" % bid, {"name": "Renamed"}),
                                ("DELETE", "/v1/brands/%d" % bid, None)):
            r = self.request(method, path, b, key=None, headers=self.cookie(token))
            self.assertProblem(r, 403)
            r = self.request(method, path, b, key=None, headers=self.cookie(token, body["csrf_token"]))
            self.assertIn(r.status, (200, 204), body_of(r))

    def test_cross_site_form_post_is_refused(self):
        token, _, _, _ = self.sign_in()
        before = str(self.server.psql("SELECT count(*) FROM brands"))
        r = self.request("POST", "/v1/brands", "name=Evil&niches=fitness", key=None,
                         content_type="application/x-www-form-urlencoded",
                         headers=self.cookie(token, Origin="https://evil.example",
                                             Referer="https://evil.example/form.html"))
        self.assertProblem(r, 403)
        self.assertEqual(str(self.server.psql("SELECT count(*) FROM brands")), before)
        # A simple cross-origin POST gets no CORS grant either.
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))

    def test_current_session_returns_the_csrf_token_again(self):
        token, body, _, _ = self.sign_in()
        r = self.request("GET", "/v1/sessions/current", key=None, headers=self.cookie(token))
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(r.json["csrf_token"], body["csrf_token"])
        self.assertEqual(r.json["key"], body["key"])
        # With a bearer key there is no session.
        self.assertProblem(self.request("GET", "/v1/sessions/current"), 404)
        self.assertProblem(self.request("DELETE", "/v1/sessions/current"), 404)

    def test_sign_out_revokes_the_cookie(self):
        token, body, _, _ = self.sign_in()
        r = self.request("DELETE", "/v1/sessions/current", key=None, headers=self.cookie(token))
        self.assertProblem(r, 403)  # sign-out is a write too: CSRF token needed
        r = self.request("DELETE", "/v1/sessions/current", key=None,
                         headers=self.cookie(token, body["csrf_token"]))
        self.assertEqual(r.status, 204, body_of(r))
        cleared, attrs = session_cookie(r)
        self.assertEqual(cleared, "")
        self.assertEqual(attrs.get("max-age"), "0")
        r = self.request("GET", "/v1/brands", key=None, headers=self.cookie(token))
        self.assertProblem(r, 401)
        # Bearer keys keep working.
        self.assertEqual(self.request("GET", "/v1/brands").status, 200)

    def test_revoked_key_ends_its_sessions(self):
        key = self.server.key("write")
        token, body, _, _ = self.sign_in(key)
        self.assertEqual(self.request("GET", "/v1/brands", key=None, headers=self.cookie(token)).status, 200)
        r = self.request("DELETE", "/v1/keys/%d" % body["key"]["id"])
        self.assertEqual(r.status, 204, body_of(r))
        self.assertProblem(self.request("GET", "/v1/brands", key=None, headers=self.cookie(token)), 401)

    def test_wrong_or_malformed_key_is_401_problem(self):
        for bad in ("nm_" + "A" * 32, "not a key", "nm_live_x"):
            with self.subTest(bad=bad):
                r = self.request("POST", "/v1/sessions", {"api_key": bad}, key=None)
                self.assertProblem(r, 401)
                self.assertIsNone(session_cookie(r)[0])
                self.assertNotIn(bad, r.text)
        self.assertProblem(self.request("POST", "/v1/sessions", {}, key=None), 422, field="api_key")
        self.assertProblem(self.request("POST", "/v1/sessions", {"api_key": 5}, key=None), 422,
                           field="api_key")
        self.assertProblem(self.request("POST", "/v1/sessions", {"api_key": "x", "role": "admin"},
                                        key=None), 422, field="role")
        # A form post cannot sign in (no login CSRF through a form).
        r = self.request("POST", "/v1/sessions", "api_key=" + self.server.admin_key, key=None,
                         content_type="application/x-www-form-urlencoded")
        self.assertProblem(r, 415)

    def test_bad_cookies_are_401(self):
        for bad in ("nms_" + "A" * 32, "garbage", "nms_" + "A" * 31 + "!"):
            with self.subTest(bad=bad):
                r = self.request("GET", "/v1/brands", key=None, headers=self.cookie(bad))
                self.assertProblem(r, 401)
        # A bearer key wins over a stale cookie.
        r = self.request("GET", "/v1/brands", headers=self.cookie("garbage"))
        self.assertEqual(r.status, 200, body_of(r))

    def test_key_never_in_logs(self):
        key = self.server.key("write", name="log check")
        token, _, _, _ = self.sign_in(key)
        self.request("POST", "/v1/sessions", {"api_key": key + "x"}, key=None)
        log = self.server.log_text()
        self.assertNotIn(key, log)
        self.assertNotIn(token, log)


class SessionExpiryTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SESSION_TTL_S": "1",
                  "NICHEMATCH_SESSION_COOKIE_SECURE": "1"}

    def test_session_expires(self):
        r = self.request("POST", "/v1/sessions", {"api_key": self.server.admin_key}, key=None)
        self.assertEqual(r.status, 201, body_of(r))
        token, attrs = session_cookie(r)
        self.assertIn("secure", attrs)  # NICHEMATCH_SESSION_COOKIE_SECURE=1
        self.assertEqual(attrs.get("max-age"), "1")
        time.sleep(1.5)
        r = self.request("GET", "/v1/brands", key=None, headers={"Cookie": "nm_session=" + token})
        self.assertProblem(r, 401)
