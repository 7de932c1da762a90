"""Caching and conditional requests (issue 13, acceptance 6): ETag on brand, creator, status,
match run, match page and pipeline replies; If-None-Match → 304; If-Match on the writes of a
brand and of a status → 412 when stale (two editors do not overwrite each other silently); the
headers through CORS; 304 and 412 in /openapi.json. Oracles: the reply bytes themselves (an
ETag must change when they change and only then), the database (what a refused write left)."""
import hashlib
import http.client
import json
import re
import threading
import time

from apihelpers import Api, raw_http
from harness import ServerTestCase

ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
ORIGIN = "https://dash.example"


class CachingTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_WORKERS": "0",
                  "NICHEMATCH_CORS_ORIGINS": ORIGIN}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = "".join(json.dumps({"platform": "instagram", "handle": "cache_%03d" % i,
                                   "followers": 20000 + 37 * i, "engagement_rate": 0.03,
                                   "categories": ["fitness"]}) + "\n" for i in range(40))
        r = cls.server.request("POST", "/v1/creators/import", rows, content_type="application/x-ndjson")
        assert r.status == 201, r
        cls.creators = [int(x[0]) for x in cls.server.psql(
            "SELECT id FROM creators WHERE handle LIKE 'cache_%' ORDER BY handle")]

    # ---- helpers ----

    def brand(self, **fields):
        body = {"name": "Cache %f" % time.time(), "niches": ["fitness"]}
        body.update(fields)
        r = self.request("POST", "/v1/brands", body)
        self.assertStatus(r, 201)
        return r.json["id"]

    def etag_of(self, r):
        tag = r.headers.get("ETag")
        self.assertIsNotNone(tag, "no ETag on %r %s" % (r, dict(r.headers)))
        self.assertRegex(tag, ETAG_RE)
        return tag

    def assert_cached(self, path):
        """GET path: 200 with a strong ETag (the hash of the bytes); If-None-Match with it → 304,
        no body, same ETag; with another tag → 200. Returns (etag, body)."""
        r = self.request("GET", path)
        self.assertStatus(r, 200)
        tag = self.etag_of(r)
        self.assertEqual(tag, '"%s"' % hashlib.sha256(r.body).hexdigest()[:32])
        again = self.request("GET", path)
        self.assertEqual(again.headers.get("ETag"), tag, "the same bytes must give the same tag")
        nm = self.request("GET", path, headers={"If-None-Match": tag})
        self.assertStatus(nm, 304)
        self.assertEqual(nm.body, b"")
        self.assertEqual(nm.headers.get("ETag"), tag)
        self.assertIsNone(nm.headers.get("Content-Type"))
        other = self.request("GET", path, headers={"If-None-Match": '"0000000000000000000000000000dead"'})
        self.assertStatus(other, 200)
        self.assertEqual(other.body, r.body)
        return tag, r.body

    def assert_changed(self, path, old_tag):
        """After a change: the old tag gives 200 with the new body and a new ETag."""
        r = self.request("GET", path, headers={"If-None-Match": old_tag})
        self.assertStatus(r, 200)
        tag = self.etag_of(r)
        self.assertNotEqual(tag, old_tag)
        self.assertStatus(self.request("GET", path, headers={"If-None-Match": tag}), 304)
        return tag

    def put_status(self, b, c, status, note=None, headers=None):
        body = {"status": status}
        if note is not None:
            body["note"] = note
        return self.request("PUT", "/v1/brands/%d/creators/%d/status" % (b, c), body, headers=headers)

    # ---- 304 on every cached GET, 200 with a new ETag after a change ----

    def test_brand_304_then_200_after_a_change(self):
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag, _ = self.assert_cached(path)
        r = self.request("PATCH", path, {"industry": "sports"})
        self.assertStatus(r, 200)
        new = self.assert_changed(path, tag)
        # The PATCH reply carries the ETag of what GET now shows, so a client can chain.
        self.assertEqual(r.headers.get("ETag"), new)

    def test_creator_304_then_200_after_a_change(self):
        c = self.request("POST", "/v1/creators", {"platform": "tiktok", "handle": "cache_one",
                                                  "followers": 5000}).json
        path = "/v1/creators/%d" % c["id"]
        tag, _ = self.assert_cached(path)
        r = self.request("POST", "/v1/creators", {"platform": "tiktok", "handle": "cache_one",
                                                  "followers": 6000})
        self.assertIn(r.status, (200, 201), r)
        self.assert_changed(path, tag)

    def test_match_page_runs_and_pipeline(self):
        b = self.brand()
        run = self.request("POST", "/v1/brands/%d/matches" % b, {})
        self.assertStatus(run, 201)
        paths = ["/v1/brands/%d/matches" % b, "/v1/brands/%d/matches?limit=5" % b,
                 "/v1/brands/%d/matches?run_id=%d" % (b, run.json["run"]["id"]),
                 "/v1/brands/%d/match-runs" % b, "/v1/brands/%d/pipeline" % b]
        tags = {p: self.assert_cached(p)[0] for p in paths}
        # A status changes the match page (its status column) and the pipeline counts.
        self.assertStatus(self.put_status(b, self.creators[0], "shortlisted"), 200)
        self.assert_changed("/v1/brands/%d/pipeline" % b, tags[paths[-1]])
        # A new run changes the latest page and the run list.
        self.assertStatus(self.request("POST", "/v1/brands/%d/matches" % b, {}), 201)
        self.assert_changed("/v1/brands/%d/match-runs" % b, tags["/v1/brands/%d/match-runs" % b])

    def test_status_get_304_and_put_reply_etag(self):
        b = self.brand()
        c = self.creators[1]
        path = "/v1/brands/%d/creators/%d/status" % (b, c)
        self.assertProblem(self.request("GET", path), 404)
        r = self.put_status(b, c, "shortlisted", "first")
        self.assertStatus(r, 200)
        put_tag = self.etag_of(r)
        tag, body = self.assert_cached(path)
        self.assertEqual(put_tag, tag, "the PUT reply's ETag is the status's (GET) ETag")
        self.assertNotIn("previous_status", json.loads(body))
        self.assertStatus(self.put_status(b, c, "contacted"), 200)
        self.assert_changed(path, tag)

    def test_if_none_match_lists_weak_and_star(self):
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag = self.etag_of(self.request("GET", path))
        for value in ('"nope", %s' % tag, "W/" + tag, '"a,b" ,\t%s' % tag, "*"):
            self.assertStatus(self.request("GET", path, headers={"If-None-Match": value}), 304)
        for value in ('"nope"', tag[1:-1], "", tag[:-2] + '"'):
            self.assertStatus(self.request("GET", path, headers={"If-None-Match": value}), 200)
        # Only a 200 would be conditional: a missing resource is still 404, a 304 never hides it.
        self.assertProblem(self.request("GET", "/v1/brands/999999999", headers={"If-None-Match": "*"}), 404)

    def test_head_gets_etag_and_304(self):
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag = self.etag_of(self.request("GET", path))
        r = self.request("HEAD", path)
        self.assertStatus(r, 200)
        self.assertEqual(r.headers.get("ETag"), tag)
        self.assertStatus(self.request("HEAD", path, headers={"If-None-Match": tag}), 304)

    def test_304_on_the_wire_keeps_the_connection_usable(self):
        """A 304 has no content, and a Content-Length only of the 200's size (RFC 9110 §8.6);
        the next request on the same keep-alive connection is answered normally."""
        b = self.brand()
        path = "/v1/brands/%d" % b
        full = self.request("GET", path)
        tag = self.etag_of(full)
        req = ("GET %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\nIf-None-Match: %s\r\n\r\n"
               "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
               % (path, self.server.admin_key, tag)).encode()
        out = raw_http(self.server.port, req)
        first, _, rest = out.partition(b"\r\n\r\n")
        self.assertTrue(first.startswith(b"HTTP/1.1 304"), out[:300])
        lengths = re.findall(rb"(?im)^content-length:\s*(\d+)", first)
        self.assertIn(lengths, ([], [str(len(full.body)).encode()]), first)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200"), "no content after a 304: %r" % out[:600])
        self.assertIn(b'{"status":"ok"}', rest)

    def test_scoped_key_cannot_probe_with_if_none_match(self):
        mine, other = self.brand(), self.brand()
        key = self.server.key("read", brand=mine)
        self.assertStatus(self.request("GET", "/v1/brands/%d" % mine, key=key, headers={"If-None-Match": "*"}), 304)
        self.assertProblem(self.request("GET", "/v1/brands/%d" % other, key=key, headers={"If-None-Match": "*"}), 404)
        self.assertProblem(self.request("GET", "/v1/brands/%d" % other, key=None, headers={"If-None-Match": "*"}), 401)

    # ---- If-Match on writes ----

    def test_two_editors_brand_patch(self):
        b = self.brand(industry="fitness")
        path = "/v1/brands/%d" % b
        alice = self.etag_of(self.request("GET", path))
        bob = self.etag_of(self.request("GET", path))
        r = self.request("PATCH", path, {"industry": "alice"}, headers={"If-Match": alice})
        self.assertStatus(r, 200)
        r = self.request("PATCH", path, {"industry": "bob"}, headers={"If-Match": bob})
        self.assertProblem(r, 412)
        self.assertTrue(r.json["type"].endswith("/precondition-failed"), r.json)
        self.assertEqual(self.request("GET", path).json["industry"], "alice", "the first change is kept")
        self.assertEqual(self.server.psql("SELECT doc->>'industry' FROM brands WHERE id = %d" % b)[0][0], "alice")
        # Bob reads again and retries with the current tag: it goes through.
        bob = self.etag_of(self.request("GET", path))
        self.assertStatus(self.request("PATCH", path, {"industry": "bob"}, headers={"If-Match": bob}), 200)
        # Without If-Match the behaviour is as before: last write wins.
        self.assertStatus(self.request("PATCH", path, {"industry": "carol"}), 200)

    def test_brand_if_match_star_and_lists_and_weak(self):
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag = self.etag_of(self.request("GET", path))
        # A weak tag never passes If-Match (strong comparison), nor an unquoted one.
        self.assertProblem(self.request("PATCH", path, {"industry": "x"}, headers={"If-Match": "W/" + tag}), 412)
        self.assertProblem(self.request("PATCH", path, {"industry": "x"}, headers={"If-Match": tag[1:-1]}), 412)
        r = self.request("PATCH", path, {"industry": "x"}, headers={"If-Match": '"old", ' + tag})
        self.assertStatus(r, 200)
        self.assertStatus(self.request("PATCH", path, {"industry": "y"}, headers={"If-Match": "*"}), 200)
        # A brand that does not exist: 404, whatever If-Match says.
        self.assertProblem(self.request("PATCH", "/v1/brands/999999999", {"industry": "x"},
                                        headers={"If-Match": "*"}), 404)

    def test_brand_delete_if_match(self):
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag = self.etag_of(self.request("GET", path))
        self.assertStatus(self.request("PATCH", path, {"industry": "changed"}), 200)
        self.assertProblem(self.request("DELETE", path, headers={"If-Match": tag}), 412)
        self.assertEqual(self.count_rows("brands", "id = %d" % b), 1)
        tag = self.etag_of(self.request("GET", path))
        self.assertStatus(self.request("DELETE", path, headers={"If-Match": tag}), 204)
        self.assertEqual(self.count_rows("brands", "id = %d" % b), 0)

    def test_two_editors_status_put_and_delete(self):
        b = self.brand()
        c = self.creators[2]
        path = "/v1/brands/%d/creators/%d/status" % (b, c)
        # If-Match on a status that does not exist yet fails, "*" included.
        self.assertProblem(self.put_status(b, c, "shortlisted", headers={"If-Match": "*"}), 412)
        self.assertEqual(self.count_rows("creator_statuses", "brand_id = %d" % b), 0)
        self.assertStatus(self.put_status(b, c, "shortlisted", "start"), 200)
        alice = self.etag_of(self.request("GET", path))
        bob = self.etag_of(self.request("GET", path))
        self.assertStatus(self.put_status(b, c, "contacted", "alice", headers={"If-Match": alice}), 200)
        self.assertProblem(self.put_status(b, c, "declined", "bob", headers={"If-Match": bob}), 412)
        cur = self.request("GET", path).json
        self.assertEqual((cur["status"], cur["note"]), ("contacted", "alice"))
        hist = self.request("GET", "/v1/brands/%d/creators/%d/history" % (b, c)).json["data"]
        self.assertEqual([h["to"] for h in hist], ["shortlisted", "contacted"], "the refused write left no history")
        # DELETE with the stale tag: 412, the status stays; with the current one: 204.
        self.assertProblem(self.request("DELETE", path, headers={"If-Match": bob}), 412)
        self.assertEqual(self.count_rows("creator_statuses", "brand_id = %d" % b), 1)
        self.assertStatus(self.put_status(b, c, "accepted", headers={"If-Match": "*"}), 200)
        tag = self.etag_of(self.request("GET", path))
        self.assertStatus(self.request("DELETE", path, headers={"If-Match": tag}), 204)
        self.assertEqual(self.count_rows("creator_statuses", "brand_id = %d" % b), 0)
        # Nothing left to delete: 404 (the precondition does not turn it into a 412).
        self.assertProblem(self.request("DELETE", path, headers={"If-Match": tag}), 404)

    def test_concurrent_if_match_writes_one_wins(self):
        """Eight editors hold the same tag and PATCH at once: exactly one succeeds (the compare
        and the write are under one row lock), the others get 412."""
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag = self.etag_of(self.request("GET", path))
        results = [None] * 8

        def edit(i):
            results[i] = self.request("PATCH", path, {"industry": "editor%d" % i}, headers={"If-Match": tag})

        threads = [threading.Thread(target=edit, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [200] + [412] * 7, [r.status for r in results])
        winner = [i for i, r in enumerate(results) if r.status == 200][0]
        self.assertEqual(self.request("GET", path).json["industry"], "editor%d" % winner)
        # Same for a status.
        c = self.creators[3]
        self.assertStatus(self.put_status(b, c, "shortlisted"), 200)
        spath = "/v1/brands/%d/creators/%d/status" % (b, c)
        tag = self.etag_of(self.request("GET", spath))

        def put(i):
            results[i] = self.put_status(b, c, "contacted", "editor%d" % i, headers={"If-Match": tag})

        threads = [threading.Thread(target=put, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(r.status for r in results), [200] + [412] * 7, [r.status for r in results])

    # ---- interactions ----

    def test_idempotency_replay_still_works_and_is_exposed(self):
        key = "cache-idem-%f" % time.time()
        body = {"name": "Idem", "niches": ["fitness"]}
        h = {"Idempotency-Key": key, "Origin": ORIGIN}
        first = self.request("POST", "/v1/brands", body, headers=h)
        self.assertStatus(first, 201)
        again = self.request("POST", "/v1/brands", body, headers=h)
        self.assertStatus(again, 201)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json, first.json)
        exposed = [x.strip().lower() for x in (again.headers.get("Access-Control-Expose-Headers") or "").split(",")]
        self.assertIn("idempotent-replayed", exposed)
        self.assertIn("etag", exposed)

    def test_cors_exposes_etag_and_preflight_allows_conditionals(self):
        b = self.brand()
        r = self.request("GET", "/v1/brands/%d" % b, headers={"Origin": ORIGIN})
        self.assertStatus(r, 200)
        exposed = [x.strip().lower() for x in (r.headers.get("Access-Control-Expose-Headers") or "").split(",")]
        self.assertIn("etag", exposed, dict(r.headers))
        self.assertIn("idempotent-replayed", exposed, dict(r.headers))
        # a browser download of an export reads its file name and run id
        self.assertIn("content-disposition", exposed, dict(r.headers))
        self.assertIn("x-match-run-id", exposed, dict(r.headers))
        # A 304 keeps the CORS headers (a browser drops a reply without them).
        nm = self.request("GET", "/v1/brands/%d" % b, headers={"Origin": ORIGIN, "If-None-Match": r.headers["ETag"]})
        self.assertStatus(nm, 304)
        self.assertEqual(nm.headers.get("Access-Control-Allow-Origin"), ORIGIN)
        pre = self.request("OPTIONS", "/v1/brands/%d" % b, key=None,
                           headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PATCH",
                                    "Access-Control-Request-Headers": "if-match, if-none-match"})
        self.assertStatus(pre, 204)
        allowed = [x.strip().lower() for x in (pre.headers.get("Access-Control-Allow-Headers") or "").split(",")]
        self.assertIn("if-match", allowed)
        self.assertIn("if-none-match", allowed)

    def test_304_is_not_an_error_in_metrics_or_logs(self):
        b = self.brand()
        path = "/v1/brands/%d" % b
        tag = self.etag_of(self.request("GET", path))
        for _ in range(3):
            self.assertStatus(self.request("GET", path, headers={"If-None-Match": tag}), 304)
        m = self.request("GET", "/metrics", key=None).text
        line = [l for l in m.splitlines() if l.startswith("nichematch_http_requests_total{")
                and 'route="/v1/brands/{id}"' in l and 'method="GET"' in l and 'status="304"' in l]
        self.assertTrue(line, "no 304 series for GET /v1/brands/{id}")
        self.assertGreaterEqual(int(float(line[0].rsplit(" ", 1)[1])), 3)
        # Logged at info, like any success.
        logs = [json.loads(l) for l in self.server.log_text().splitlines() if l.startswith("{") and '"status":304' in l]
        self.assertTrue(logs)
        self.assertTrue(all(x.get("level") in ("info", "INFO") for x in logs), logs[:2])

    def test_uncached_routes_have_no_etag_and_ignore_if_none_match(self):
        r = self.request("GET", "/v1/brands")
        self.assertStatus(r, 200)
        self.assertIsNone(r.headers.get("ETag"))
        self.assertStatus(self.request("GET", "/v1/brands", headers={"If-None-Match": "*"}), 200)
        # A POST reply (201) carries no ETag and If-None-Match does not make it a 304.
        r = self.request("POST", "/v1/brands", {"name": "n", "niches": ["a"]}, headers={"If-None-Match": "*"})
        self.assertStatus(r, 201)


class OpenApiCachingTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    GETS = [("/v1/brands/{id}", "get"), ("/v1/creators/{id}", "get"),
            ("/v1/brands/{id}/matches", "get"), ("/v1/brands/{id}/match-runs", "get"),
            ("/v1/brands/{id}/pipeline", "get"), ("/v1/brands/{id}/creators/{creator_id}/status", "get")]
    WRITES = [("/v1/brands/{id}", "patch"), ("/v1/brands/{id}", "delete"),
              ("/v1/brands/{id}/creators/{creator_id}/status", "put"),
              ("/v1/brands/{id}/creators/{creator_id}/status", "delete")]

    def test_304_and_412_documented(self):
        doc = self.request("GET", "/openapi.json", key=None).json
        for path, method in self.GETS:
            op = doc["paths"][path][method]
            self.assertIn("304", op["responses"], (path, method))
            self.assertIn("ETag", op["responses"]["304"]["headers"], (path, method))
            self.assertIn("ETag", op["responses"]["200"]["headers"], (path, method))
            names = [p["name"] for p in op["parameters"] if p["in"] == "header"]
            self.assertIn("If-None-Match", names, (path, method))
        for path, method in self.WRITES:
            op = doc["paths"][path][method]
            self.assertIn("412", op["responses"], (path, method))
            self.assertIn("/problems/precondition-failed", op["responses"]["412"]["description"])
            names = [p["name"] for p in op["parameters"] if p["in"] == "header"]
            self.assertIn("If-Match", names, (path, method))
        for path, method in (("/v1/brands/{id}", "patch"), ("/v1/brands/{id}/creators/{creator_id}/status", "put")):
            self.assertIn("ETag", doc["paths"][path][method]["responses"]["200"]["headers"])
        # Routes without a validator do not claim one.
        self.assertNotIn("304", doc["paths"]["/v1/brands"]["get"]["responses"])
        self.assertNotIn("412", doc["paths"]["/v1/brands"]["post"]["responses"])
