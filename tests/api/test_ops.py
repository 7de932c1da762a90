"""Operational endpoints and HTTP conventions shared by every route (docs/api.md §2)."""
import re
import time
import unittest

from harness import ServerTestCase


class HealthTests(ServerTestCase):
    def test_healthz_ok_without_auth(self):
        r = self.request("GET", "/healthz", key=None)
        self.assertStatus(r, 200)
        self.assertEqual(r.content_type, "application/json")
        self.assertEqual(r.json, {"status": "ok"})

    def test_request_id_generated(self):
        r = self.request("GET", "/healthz", key=None)
        rid = r.headers.get("X-Request-Id")
        self.assertTrue(rid, "no X-Request-Id in %r" % dict(r.headers))
        r2 = self.request("GET", "/healthz", key=None)
        self.assertNotEqual(rid, r2.headers.get("X-Request-Id"), "request ids must differ")

    def test_request_id_echoed_and_logged(self):
        rid = "ops-test-4f1c2a9e"
        r = self.request("GET", "/healthz", key=None, headers={"X-Request-Id": rid})
        self.assertStatus(r, 200)
        self.assertEqual(r.headers.get("x-request-id"), rid)
        deadline = time.monotonic() + 3
        while True:
            lines = [l for l in self.server.log_lines() if rid in [str(v) for v in l.values()]]
            if lines or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertTrue(lines, "no JSON log line carries request id %s; log:\n%s"
                        % (rid, self.server.log_text()[-3000:]))

    def test_readyz_ok(self):
        r = self.request("GET", "/readyz", key=None)
        self.assertStatus(r, 200)
        self.assertTrue(r.headers.get("X-Request-Id"))

    def test_metrics(self):
        self.request("GET", "/healthz", key=None)
        r = self.request("GET", "/metrics", key=None)
        self.assertStatus(r, 200)
        self.assertEqual(r.content_type, "text/plain")
        self.assertIn("nichematch_http_requests_total", r.text)
        samples = [l for l in r.text.splitlines() if l.startswith("nichematch_http_requests_total{")]
        self.assertTrue(samples, r.text[:2000])
        labelled = [l for l in samples
                    if re.search(r'\broute="', l) and re.search(r'\bmethod="GET"', l)
                    and re.search(r'\bstatus="200"', l)]
        self.assertTrue(labelled, "no sample labelled route/method=GET/status=200: %r" % samples[:10])
        for l in samples:
            self.assertRegex(l, r"^nichematch_http_requests_total\{[^}]*\} [0-9.e+]+$")

    def test_openapi_document(self):
        r = self.request("GET", "/openapi.json", key=None)
        self.assertStatus(r, 200)
        self.assertEqual(r.content_type, "application/json")
        self.assertIsInstance(r.json, dict)
        self.assertTrue(str(r.json.get("openapi", "")).startswith("3.1"), r.json.get("openapi"))
        self.assertIn("/v1/brands", r.json.get("paths", {}))


class RoutingTests(ServerTestCase):
    def test_unknown_route_404(self):
        r = self.request("GET", "/no-such-route", key=None)
        self.assertProblem(r, 404)
        self.assertTrue(r.headers.get("X-Request-Id"))

    def test_unknown_v1_route_404(self):
        r = self.request("GET", "/v1/no-such-resource")
        self.assertProblem(r, 404)

    def test_wrong_method_405_with_allow(self):
        for method in ("POST", "DELETE", "PUT"):
            with self.subTest(method=method):
                r = self.request(method, "/healthz", key=None, body={} if method != "DELETE" else None)
                self.assertProblem(r, 405)
                allow = [m.strip().upper() for m in (r.headers.get("Allow") or "").split(",")]
                self.assertIn("GET", allow, "Allow: %r" % r.headers.get("Allow"))
                self.assertNotIn(method, allow)

    def test_missing_key_401(self):
        r = self.request("GET", "/v1/brands", key=None)
        self.assertProblem(r, 401)

    def test_bad_key_401(self):
        r = self.request("GET", "/v1/brands", key="nm_not_a_real_key")
        self.assertProblem(r, 401)

    def test_admin_key_lists_brands(self):
        r = self.request("GET", "/v1/brands")
        self.assertStatus(r, 200)
        self.assertIsInstance(r.json, dict)
        self.assertIsInstance(r.json.get("data"), list)
        self.assertIn("next_cursor", r.json)


if __name__ == "__main__":
    unittest.main()
