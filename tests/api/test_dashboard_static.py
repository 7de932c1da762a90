"""The dashboard's static files (docs/dashboard.md): "/" and "/assets/*" from
NICHEMATCH_WEB_DIR, loaded at startup, with a strict CSP, long caching for hashed names,
precompressed gzip, and nothing served that was not a plain file there at load."""
import gzip
import os
import shutil
import tempfile

from apihelpers import raw_http
from harness import Server, ServerTestCase

INDEX = b'<!doctype html><html lang="en"><head><title>t</title>' \
        b'<script type="module" src="/assets/index-AbCd1234.js"></script></head><body></body></html>'
JS = b"console.log('dashboard');\n" * 50
CSS = b"body{color:#111}\n"


def make_dist():
    d = tempfile.mkdtemp(prefix="nm-web.")
    os.makedirs(os.path.join(d, "assets"))
    with open(os.path.join(d, "index.html"), "wb") as f:
        f.write(INDEX)
    with open(os.path.join(d, "index.html.gz"), "wb") as f:
        f.write(gzip.compress(INDEX))
    with open(os.path.join(d, "assets", "index-AbCd1234.js"), "wb") as f:
        f.write(JS)
    with open(os.path.join(d, "assets", "index-AbCd1234.js.gz"), "wb") as f:
        f.write(gzip.compress(JS))
    with open(os.path.join(d, "assets", "plain.css"), "wb") as f:
        f.write(CSS)
    with open(os.path.join(d, "assets", ".hidden.js"), "wb") as f:
        f.write(b"hidden-content")
    with open(os.path.join(d, "secret.txt"), "wb") as f:
        f.write(b"not an asset")
    os.symlink("/etc/passwd", os.path.join(d, "assets", "passwd.txt"))
    return d


class StaticTests(ServerTestCase):
    dist = make_dist()
    server_env = {"NICHEMATCH_WEB_DIR": dist, "NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.dist, ignore_errors=True)

    def get(self, path, **headers):
        return self.request("GET", path, key=None, headers=headers)

    def test_index_with_csp_and_no_cache(self):
        r = self.get("/")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, INDEX)
        self.assertEqual(r.content_type, "text/html")
        csp = r.headers.get("Content-Security-Policy") or ""
        for d in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                  "base-uri 'none'", "form-action 'self'", "connect-src 'self'"):
            self.assertIn(d, csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache")
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.headers.get("X-Frame-Options"), "DENY")
        self.assertEqual(self.get("/index.html").body, INDEX)

    def test_hashed_assets_are_immutable_others_not(self):
        r = self.get("/assets/index-AbCd1234.js")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, JS)
        self.assertEqual(r.content_type, "text/javascript")
        self.assertEqual(r.headers.get("Cache-Control"), "public, max-age=31536000, immutable")
        r = self.get("/assets/plain.css")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/css")
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache")

    def test_gzip_when_accepted(self):
        r = self.get("/assets/index-AbCd1234.js", **{"Accept-Encoding": "gzip, deflate, br"})
        self.assertEqual(r.headers.get("Content-Encoding"), "gzip")
        self.assertEqual(gzip.decompress(r.body), JS)
        self.assertIn("Accept-Encoding", r.headers.get("Vary") or "")
        for refuse in ("gzip;q=0", "identity", "br", "gzip;q=0.000, br", "*;q=0"):
            with self.subTest(ae=refuse):
                r = self.get("/assets/index-AbCd1234.js", **{"Accept-Encoding": refuse})
                self.assertIsNone(r.headers.get("Content-Encoding"))
                self.assertEqual(r.body, JS)
        r = self.get("/assets/index-AbCd1234.js", **{"Accept-Encoding": "*"})
        self.assertEqual(r.headers.get("Content-Encoding"), "gzip")
        # No .gz beside it: always identity.
        r = self.get("/assets/plain.css", **{"Accept-Encoding": "gzip"})
        self.assertIsNone(r.headers.get("Content-Encoding"))

    def test_only_files_listed_at_load(self):
        for path in ("/assets/../secret.txt", "/assets/..%2fsecret.txt", "/assets/%2e%2e/secret.txt",
                     "/secret.txt", "/assets/.hidden.js", "/assets/passwd.txt", "/assets/",
                     "/assets/index-AbCd1234.js.gz", "/assets//etc/passwd", "/assets/nope.js"):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertNotEqual(r.status, 200, r)
                self.assertNotIn(b"root:", r.body)
                self.assertNotIn(b"not an asset", r.body)
                self.assertNotIn(b"hidden-content", r.body)
        # Files added after startup are not served either.
        with open(os.path.join(self.dist, "assets", "late.js"), "wb") as f:
            f.write(b"late")
        self.assertEqual(self.get("/assets/late.js").status, 404)

    def test_methods(self):
        r = self.request("POST", "/", {}, key=None)
        self.assertProblem(r, 405)
        self.assertIn("GET", r.headers.get("Allow") or "")
        r = self.request("HEAD", "/", key=None)
        self.assertEqual(r.status, 200)
        r = self.request("OPTIONS", "/assets/index-AbCd1234.js", key=None)
        self.assertEqual(r.status, 204)

    def test_not_an_api_route(self):
        doc = self.get("/openapi.json").json
        self.assertNotIn("/", doc["paths"])
        self.assertFalse([p for p in doc["paths"] if p.startswith("/assets")])
        # API replies keep their own headers (no CSP needed on JSON).
        r = self.get("/healthz")
        self.assertEqual(r.status, 200)

    def test_raw_request_line_traversal(self):
        # A raw request line that no client library would normalise.
        out = raw_http(self.server.port, b"GET /assets/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n"
                                         b"Connection: close\r\n\r\n")
        self.assertNotIn(b"root:", out)


class MissingDistTests(ServerTestCase):
    server_env = {"NICHEMATCH_WEB_DIR": "/nonexistent/nichematch-web"}

    def test_root_says_how_to_build(self):
        p = self.assertProblem(self.request("GET", "/", key=None), 404)
        self.assertIn("not built", p["detail"])
        self.assertIn("vite build", p["detail"])
        self.assertProblem(self.request("GET", "/assets/index-AbCd1234.js", key=None), 404)
        # The API is unaffected.
        self.assertEqual(self.request("GET", "/v1/brands").status, 200)
