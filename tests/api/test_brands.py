"""Brands API (docs/api.md §3) and the HTTP conventions of §2 and limits of §7 on it."""
import json
import threading
import time
import unittest

from harness import ServerTestCase
from apihelpers import Api, body_of, send_big

MINIMAL = {"name": "Acme", "niches": ["fitness"]}


class BrandCreateTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_create_201_location_and_defaults(self):
        r = self.request("POST", "/v1/brands", MINIMAL)
        self.assertStatus(r, 201)
        b = r.json
        self.assertIsInstance(b.get("id"), int, body_of(r))
        self.assertGreater(b["id"], 0)
        self.assertEqual(r.headers.get("Location"), "/v1/brands/%d" % b["id"], dict(r.headers))
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"), dict(r.headers))
        want = {"name": "Acme", "niches": ["fitness"], "target_gender": "any", "goal": "engagement",
                "follower_min": 10000, "follower_max": 100000}
        for k, v in want.items():
            self.assertEqual(b.get(k), v, "%s: %s" % (k, body_of(r)))
        # every field is present with its effective value
        for k in ("industry", "keywords", "platforms", "target_countries", "target_languages",
                  "min_engagement_rate", "budget_per_post_cents", "external_id", "created_at",
                  "updated_at"):
            self.assertIn(k, b, body_of(r))
        self.assertRegex(b["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", body_of(r))
        # the Location answers with the same resource
        g = self.request("GET", r.headers["Location"])
        self.assertStatus(g, 200)
        self.assertEqual(g.json, b)

    def test_create_every_field_round_trips(self):
        full = {"name": "Full", "industry": "Sports", "niches": ["running"], "keywords": ["marathon"],
                "platforms": ["instagram", "tiktok"], "target_countries": ["US", "DE"],
                "target_languages": ["en"], "target_gender": "female", "goal": "conversions",
                "follower_min": 5000, "follower_max": 50000, "min_engagement_rate": 0.02,
                "budget_per_post_cents": 25000, "external_id": "crm-full-1"}
        r = self.request("POST", "/v1/brands", full)
        self.assertStatus(r, 201)
        for k, v in full.items():
            self.assertEqual(r.json.get(k), v, "%s: %s" % (k, body_of(r)))

    def test_awareness_default_range_unbounded(self):
        b = self.make_brand(goal="awareness")
        self.assertEqual((b["follower_min"], b["follower_max"]), (10000, None), b)
        c = self.make_brand(goal="conversions")
        self.assertEqual((c["follower_min"], c["follower_max"]), (10000, 100000), c)

    def test_normalisation(self):
        b = self.make_brand(niches=["  Fitness ", "fitness", "YOGA", "yoga "], platforms=["x", "instagram"])
        self.assertEqual(sorted(b["niches"]), ["fitness", "yoga"], b)
        self.assertEqual(len(b["niches"]), 2, b)
        self.assertIn("twitter", b["platforms"], b)
        self.assertNotIn("x", b["platforms"], b)

    def test_validation_names_each_field(self):
        cases = [
            ({"niches": ["a"]}, "name"),
            ({"name": "", "niches": ["a"]}, "name"),
            ({"name": "x" * 201, "niches": ["a"]}, "name"),
            ({"name": "a"}, "niches"),
            ({"name": "a", "niches": []}, "niches"),
            ({"name": "a", "niches": ["n%d" % i for i in range(21)]}, "niches"),
            ({"name": "a", "niches": ["a", "b", ""]}, "niches[2]"),
            ({"name": "a", "niches": ["a", "b", 7]}, "niches[2]"),
            ({"name": "a", "niches": ["a"], "follower_min": 5000, "follower_max": 100}, "follower_min"),
            ({"name": "a", "niches": ["a"], "min_engagement_rate": 1.5}, "min_engagement_rate"),
            ({"name": "a", "niches": ["a"], "min_engagement_rate": -0.1}, "min_engagement_rate"),
            ({"name": "a", "niches": ["a"], "bogus": 1}, "bogus"),
            ({"name": "a", "niches": ["a"], "id": 5}, "id"),
            ({"name": "a", "niches": ["a"], "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
            ({"name": "a", "niches": ["a"], "platforms": ["myspace"]}, "platforms[0]"),
            ({"name": "a", "niches": ["a"], "goal": "fame"}, "goal"),
            ({"name": "a", "niches": ["a"], "target_gender": "other"}, "target_gender"),
            ({"name": "a", "niches": ["a"], "target_countries": ["XX"]}, "target_countries[0]"),
            ({"name": "a", "niches": ["a"], "target_languages": ["english"]}, "target_languages[0]"),
            ({"name": "a", "niches": ["a"], "budget_per_post_cents": -1}, "budget_per_post_cents"),
            ({"name": "a", "niches": ["a"], "keywords": ["k%d" % i for i in range(51)]}, "keywords"),
            ({"name": 5, "niches": ["a"]}, "name"),
        ]
        before = self.count_rows("brands")
        for body, field in cases:
            with self.subTest(field=field, body=json.dumps(body)[:80]):
                r = self.request("POST", "/v1/brands", body)
                self.assertProblem(r, 422, field)
        self.assertEqual(self.count_rows("brands"), before, "a rejected brand was stored")

    def test_validation_reports_all_bad_fields_at_once(self):
        r = self.request("POST", "/v1/brands", {"name": "", "niches": ["a", "b", ""], "follower_min": 9,
                                                "follower_max": 1, "min_engagement_rate": 2, "bogus": 1,
                                                "id": 4})
        p = self.assertProblem(r, 422)
        fields = {e["field"] for e in p["errors"]}
        for f in ("name", "niches[2]", "follower_min", "min_engagement_rate", "bogus", "id"):
            self.assertIn(f, fields, body_of(r))

    def test_malformed_json_400(self):
        for body in (b'{"name":"a",', b'not json', b'{"name":"a","niches":["x"]} trailing', b'[]', b'"str"'):
            with self.subTest(body=body):
                r = self.request("POST", "/v1/brands", raw=body)
                self.assertProblem(r, 400)

    def test_duplicate_keys_400(self):
        r = self.request("POST", "/v1/brands", raw=b'{"name":"a","name":"b","niches":["x"]}')
        self.assertProblem(r, 400)
        r = self.request("POST", "/v1/brands", raw=b'{"name":"a","niches":["x"],"x":{"k":1,"k":2}}')
        self.assertProblem(r, 400)

    def test_nesting_limit(self):
        def nested(depth):  # total nesting depth of the document, the outer object included
            s = "1"
            for _ in range(depth - 1):
                s = "[" + s + "]"
            return ('{"name":"a","niches":["x"],"industry":%s}' % s).encode()
        r = self.request("POST", "/v1/brands", raw=nested(33))
        self.assertProblem(r, 400)
        r = self.request("POST", "/v1/brands", raw=nested(200))
        self.assertProblem(r, 400)
        r = self.request("POST", "/v1/brands", raw=nested(32))
        self.assertProblem(r, 422, "industry")  # parsed: only the type is wrong

    def test_body_of_2_mib_413(self):
        body = b'{"name":"' + b"a" * (2 << 20) + b'","niches":["x"]}'
        status, headers, payload = send_big(self.server.port, "POST", "/v1/brands",
                                            {"Authorization": "Bearer " + self.server.admin_key,
                                             "Content-Type": "application/json"}, body)
        self.assertEqual(status, 413, payload[:500])
        self.assertIn("application/problem+json", headers.lower())
        self.assertEqual(json.loads(payload)["status"], 413)
        self.assertTrue(self.server.running())
        self.assertStatus(self.request("GET", "/healthz", key=None), 200)

    def test_wrong_content_type_415(self):
        for ct in ("text/plain", "application/x-www-form-urlencoded", "text/csv"):
            with self.subTest(ct=ct):
                r = self.request("POST", "/v1/brands", raw=json.dumps(MINIMAL).encode(), content_type=ct)
                self.assertProblem(r, 415)
        # charset parameter is fine
        r = self.request("POST", "/v1/brands", raw=json.dumps(MINIMAL).encode(),
                         content_type="application/json; charset=utf-8")
        self.assertStatus(r, 201)

    def test_external_id_unique_409(self):
        self.make_brand(external_id="crm-dup")
        r = self.request("POST", "/v1/brands", dict(MINIMAL, external_id="crm-dup"))
        self.assertProblem(r, 409)
        other = self.make_brand(external_id="crm-dup-2")
        r = self.request("PATCH", "/v1/brands/%d" % other["id"], {"external_id": "crm-dup"})
        self.assertProblem(r, 409)

    def test_request_id_echo(self):
        rid = "brand-req-7d1e"
        r = self.request("POST", "/v1/brands", MINIMAL, headers={"X-Request-Id": rid})
        self.assertStatus(r, 201)
        self.assertEqual(r.headers.get("X-Request-Id"), rid)
        r = self.request("GET", "/v1/brands/999999", headers={"X-Request-Id": rid + "b"})
        self.assertEqual(r.headers.get("X-Request-Id"), rid + "b")


class BrandReadUpdateDeleteTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_get_404(self):
        r = self.request("GET", "/v1/brands/987654")
        self.assertProblem(r, 404)
        for bad in ("abc", "0", "-1", "1.5", "99999999999999999999999"):
            with self.subTest(id=bad):
                r = self.request("GET", "/v1/brands/" + bad)
                self.assertProblem(r, 404)

    def test_patch_merge_patch(self):
        b = self.make_brand(industry="Sports", keywords=["gym"], budget_per_post_cents=500)
        path = "/v1/brands/%d" % b["id"]
        # Times have millisecond resolution: let one pass, so that updated_at can differ
        # (a create and a patch within the same millisecond keep the same value).
        time.sleep(0.005)
        r = self.request("PATCH", path, {"name": "Renamed", "industry": None},
                         content_type="application/merge-patch+json")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "Renamed", body_of(r))
        self.assertIsNone(r.json["industry"], body_of(r))
        # untouched members stay
        self.assertEqual(r.json["keywords"], ["gym"], body_of(r))
        self.assertEqual(r.json["budget_per_post_cents"], 500, body_of(r))
        self.assertEqual(r.json["niches"], ["fitness"], body_of(r))
        self.assertEqual(r.json["created_at"], b["created_at"], body_of(r))
        self.assertNotEqual(r.json["updated_at"], b["updated_at"], body_of(r))
        # the whole resource
        self.assertEqual(set(r.json), set(b), body_of(r))
        g = self.request("GET", path)
        self.assertEqual(g.json, r.json)
        # application/json works too
        r = self.request("PATCH", path, {"budget_per_post_cents": None, "niches": ["Yoga "]})
        self.assertStatus(r, 200)
        self.assertIsNone(r.json["budget_per_post_cents"], body_of(r))
        self.assertEqual(r.json["niches"], ["yoga"], body_of(r))

    def test_patch_goal_moves_default_range(self):
        b = self.make_brand()
        path = "/v1/brands/%d" % b["id"]
        r = self.request("PATCH", path, {"goal": "awareness"}, content_type="application/merge-patch+json")
        self.assertStatus(r, 200)
        self.assertEqual((r.json["follower_min"], r.json["follower_max"]), (10000, None), body_of(r))
        r = self.request("PATCH", path, {"goal": "engagement"})
        self.assertEqual((r.json["follower_min"], r.json["follower_max"]), (10000, 100000), body_of(r))

    def test_patch_explicit_range_and_null_resets_default(self):
        b = self.make_brand(follower_max=50000)
        path = "/v1/brands/%d" % b["id"]
        self.assertEqual(b["follower_max"], 50000)
        r = self.request("PATCH", path, {"follower_max": None})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["follower_max"], 100000, "null restores the goal default: " + body_of(r))

    def test_patch_validation(self):
        b = self.make_brand()
        path = "/v1/brands/%d" % b["id"]
        for body, field in (({"name": ""}, "name"), ({"name": None}, "name"), ({"niches": None}, "niches"),
                            ({"id": 9}, "id"), ({"nope": 1}, "nope"),
                            ({"follower_min": 200000}, "follower_min"),
                            ({"min_engagement_rate": 1.01}, "min_engagement_rate")):
            with self.subTest(body=body):
                self.assertProblem(self.request("PATCH", path, body), 422, field)
        self.assertEqual(self.request("GET", path).json, b, "a rejected patch changed the brand")
        self.assertProblem(self.request("PATCH", path, raw=b"{", content_type="application/merge-patch+json"), 400)
        self.assertProblem(self.request("PATCH", path, raw=b'{"name":"x"}', content_type="text/plain"), 415)
        self.assertProblem(self.request("PATCH", "/v1/brands/987654", {"name": "x"}), 404)

    def test_delete_204_then_404(self):
        b = self.make_brand()
        path = "/v1/brands/%d" % b["id"]
        r = self.request("DELETE", path)
        self.assertStatus(r, 204)
        self.assertEqual(r.body, b"")
        self.assertProblem(self.request("GET", path), 404)
        self.assertProblem(self.request("DELETE", path), 404)
        self.assertProblem(self.request("PATCH", path, {"name": "x"}), 404)


class BrandListTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ids = []
        for i in range(25):
            r = cls.server.request("POST", "/v1/brands", {"name": "B%02d" % i, "niches": ["n"]})
            assert r.status == 201, r
            cls.ids.append(r.json["id"])

    def test_pages_cover_everything_once(self):
        items, pages = self.collect("/v1/brands", limit=7)
        ids = [b["id"] for b in items]
        self.assertEqual(len(ids), len(set(ids)), "duplicates: %s" % ids)
        self.assertTrue(set(self.ids) <= set(ids), "gaps: missing %s" % (set(self.ids) - set(ids)))
        self.assertEqual([len(p) for p in pages[:-1]], [7] * (len(pages) - 1))
        self.assertLessEqual(len(pages[-1]), 7)
        self.assertGreater(len(pages), 3)

    def test_default_limit_and_last_page_null_cursor(self):
        r = self.request("GET", "/v1/brands")
        self.assertStatus(r, 200)
        self.assertIsNone(r.json["next_cursor"], body_of(r))  # <= 50 brands: one page
        r = self.request("GET", "/v1/brands?limit=200")
        self.assertStatus(r, 200)
        r = self.request("GET", "/v1/brands?limit=1")
        self.assertEqual(len(r.json["data"]), 1)
        self.assertIsInstance(r.json["next_cursor"], str, body_of(r))

    def test_bad_limit_and_cursor_400(self):
        for q in ("limit=0", "limit=201", "limit=abc", "limit=-1", "limit=", "limit=1.5", "limit=7x",
                  "cursor=not-a-cursor", "cursor=" + "A" * 300, "cursor=%FF%FE"):
            with self.subTest(q=q):
                self.assertProblem(self.request("GET", "/v1/brands?" + q), 400)

    def test_query_value_with_nul_400(self):
        first = self.request("GET", "/v1/brands?limit=3").json["next_cursor"]
        for q in ("cursor=%00%01", "cursor=" + first + "%00zz", "limit=5%00x"):
            with self.subTest(q=q):
                self.assertProblem(self.request("GET", "/v1/brands?" + q), 400)

    def test_stable_under_concurrent_inserts(self):
        first = self.request("GET", "/v1/brands?limit=7")
        self.assertStatus(first, 200)
        stop = threading.Event()
        made, refused = [], []

        def writer():
            n = 0
            while not stop.is_set() and n < 40:
                r = self.server.request("POST", "/v1/brands", {"name": "C%d" % n, "niches": ["n"]})
                if r.status == 201:
                    made.append(r.json["id"])
                else:
                    refused.append(r)
                n += 1
        t = threading.Thread(target=writer)
        t.start()
        try:
            seen, cursor, cursors = [p["id"] for p in first.json["data"]], first.json["next_cursor"], []
            pages = {None: first.json["data"]}
            while cursor is not None:
                r = self.request("GET", "/v1/brands?limit=7&cursor=" + cursor)
                self.assertStatus(r, 200)
                pages[cursor] = r.json["data"]
                cursors.append(cursor)
                seen += [b["id"] for b in r.json["data"]]
                cursor = r.json["next_cursor"]
        finally:
            stop.set()
            t.join()
        self.assertEqual(len(seen), len(set(seen)), "duplicates while inserting: %s" % seen)
        self.assertTrue(set(self.ids) <= set(seen), "pre-existing brands skipped: %s" % (set(self.ids) - set(seen)))
        self.assertTrue(made, "the writer created nothing")
        self.assertEqual(refused, [], "a concurrent insert failed")
        # pages already read never change (a short last page may only grow at its end)
        r = self.request("GET", "/v1/brands?limit=7")
        self.assertEqual(r.json["data"], pages[None], "first page changed")
        for c in cursors:
            r = self.request("GET", "/v1/brands?limit=7&cursor=" + c)
            if len(pages[c]) == 7:
                self.assertEqual(r.json["data"], pages[c], "page at cursor %s changed" % c)
            else:
                self.assertEqual(r.json["data"][:len(pages[c])], pages[c], "last page at cursor %s changed" % c)


class IdempotencyTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_replay_same_body(self):
        before = self.count_rows("brands")
        body = {"name": "Idem", "niches": ["a"]}
        h = {"Idempotency-Key": "idem-1"}
        r1 = self.request("POST", "/v1/brands", body, headers=h)
        self.assertStatus(r1, 201)
        r2 = self.request("POST", "/v1/brands", body, headers=h)
        self.assertEqual(r2.status, r1.status, body_of(r2))
        self.assertEqual(r2.json, r1.json)
        self.assertEqual(r2.headers.get("Location"), r1.headers.get("Location"))
        self.assertEqual((r2.headers.get("Idempotent-Replayed") or "").lower(), "true", dict(r2.headers))
        self.assertIsNone(r1.headers.get("Idempotent-Replayed"), dict(r1.headers))
        self.assertEqual(self.count_rows("brands"), before + 1, "replay created a second brand")

    def test_replay_of_an_error(self):
        h = {"Idempotency-Key": "idem-err"}
        r1 = self.request("POST", "/v1/brands", {"name": "", "niches": ["a"]}, headers=h)
        self.assertProblem(r1, 422, "name")
        r2 = self.request("POST", "/v1/brands", {"name": "", "niches": ["a"]}, headers=h)
        self.assertEqual((r2.status, r2.json), (r1.status, r1.json))

    def test_different_body_422(self):
        h = {"Idempotency-Key": "idem-2"}
        self.assertStatus(self.request("POST", "/v1/brands", {"name": "One", "niches": ["a"]}, headers=h), 201)
        before = self.count_rows("brands")
        r = self.request("POST", "/v1/brands", {"name": "Two", "niches": ["a"]}, headers=h)
        self.assertProblem(r, 422)
        self.assertEqual(self.count_rows("brands"), before)

    def test_keys_are_per_api_key(self):
        other = self.server.key("write", name="idem-other")
        body = {"name": "PerKey", "niches": ["a"]}
        h = {"Idempotency-Key": "idem-3"}
        r1 = self.request("POST", "/v1/brands", body, headers=h)
        r2 = self.request("POST", "/v1/brands", body, headers=h, key=other)
        self.assertStatus(r1, 201)
        self.assertStatus(r2, 201)
        self.assertNotEqual(r1.json["id"], r2.json["id"], "a different API key replayed another's reply")
        # and a different body under the other key is not a conflict with the first key's
        r3 = self.request("POST", "/v1/brands", {"name": "X", "niches": ["a"]}, headers={"Idempotency-Key": "idem-1b"},
                          key=other)
        self.assertStatus(r3, 201)

    # Concurrent duplicates: one request creates the brand, the others get 409
    # idempotency-in-progress or the replay of the first.
    def test_concurrent_same_key_creates_one(self):
        before = self.count_rows("brands")
        body = {"name": "Race", "niches": ["a"]}
        results = []

        def go():
            results.append(self.server.request("POST", "/v1/brands", body, headers={"Idempotency-Key": "idem-race"}))
        ts = [threading.Thread(target=go) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        created = [r for r in results if r.status == 201]
        self.assertTrue(created, [body_of(r) for r in results])
        for r in results:
            self.assertIn(r.status, (201, 409), body_of(r))  # 409: "in progress" is acceptable
        self.assertEqual(len({r.json["id"] for r in created}), 1, [body_of(r) for r in created])
        self.assertEqual(self.count_rows("brands"), before + 1)


if __name__ == "__main__":
    unittest.main()
