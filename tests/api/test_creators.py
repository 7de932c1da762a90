"""Creators API: POST upsert, validation and normalisation, GET filters, GET/DELETE (docs/api.md §4)."""
import json
import re
import unittest

from harness import ServerTestCase
from apihelpers import Api, body_of


class CreatorUpsertTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def post(self, body, **kw):
        return self.request("POST", "/v1/creators", body, **kw)

    def test_insert_201_then_update_200(self):
        r = self.post({"platform": "instagram", "handle": "@Upsert_Me", "followers": 20000})
        self.assertStatus(r, 201)
        c = r.json
        self.assertEqual(r.headers.get("Location"), "/v1/creators/%d" % c["id"], dict(r.headers))
        self.assertEqual(c["handle"], "upsert_me", body_of(r))
        self.assertEqual(c["platform"], "instagram")
        r2 = self.post({"platform": "instagram", "handle": "upsert_me", "followers": 25000})
        self.assertStatus(r2, 200)
        self.assertEqual(r2.json["id"], c["id"], body_of(r2))
        self.assertEqual(r2.json["followers"], 25000, body_of(r2))
        self.assertEqual(r2.json["created_at"], c["created_at"])
        self.assertEqual(self.count_rows("creators", "handle = 'upsert_me'"), 1)
        # the same handle on another platform is another creator
        r3 = self.post({"platform": "tiktok", "handle": "UPSERT_ME", "followers": 1})
        self.assertStatus(r3, 201)
        self.assertNotEqual(r3.json["id"], c["id"])
        g = self.request("GET", "/v1/creators/%d" % c["id"])
        self.assertStatus(g, 200)
        self.assertEqual(g.json["followers"], 25000, body_of(g))

    def test_upsert_replaces_the_profile(self):
        r = self.post({"platform": "instagram", "handle": "replace_me", "followers": 5, "bio": "old bio",
                       "categories": ["food"]})
        self.assertStatus(r, 201)
        r = self.post({"platform": "instagram", "handle": "replace_me", "followers": 6})
        self.assertStatus(r, 200)
        self.assertIsNone(r.json["bio"], body_of(r))
        self.assertEqual(r.json["categories"], [], body_of(r))
        self.assertEqual(self.request("GET", "/v1/creators/%d" % r.json["id"]).json, r.json)

    def test_idempotency_key(self):
        h = {"Idempotency-Key": "creator-once"}
        body = {"platform": "instagram", "handle": "idem_creator", "followers": 5}
        r1 = self.post(body, headers=h)
        r2 = self.post(body, headers=h)
        self.assertStatus(r1, 201)
        self.assertEqual((r2.status, r2.json), (r1.status, r1.json), "a replay must repeat the 201")
        self.assertProblem(self.post(dict(body, followers=6), headers=h), 422)

    def test_platform_alias_x(self):
        r = self.post({"platform": "x", "handle": "xuser", "followers": 10})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["platform"], "twitter", body_of(r))
        r = self.post({"platform": "twitter", "handle": "xuser", "followers": 11})
        self.assertStatus(r, 200)  # same (platform, handle)

    def test_derived_engagement_rate(self):
        r = self.post({"platform": "instagram", "handle": "derived", "followers": 20000,
                       "avg_likes": 800, "avg_comments": 150, "avg_shares": 50})
        self.assertStatus(r, 201)
        self.assertAlmostEqual(r.json["engagement_rate"], (800 + 150 + 50) / 20000, places=6, msg=body_of(r))
        r = self.post({"platform": "instagram", "handle": "derived2", "followers": 4000,
                       "avg_likes": 100, "avg_comments": 20})
        self.assertAlmostEqual(r.json["engagement_rate"], 120 / 4000, places=6, msg=body_of(r))
        # an explicit rate wins
        r = self.post({"platform": "instagram", "handle": "derived3", "followers": 20000,
                       "avg_likes": 800, "engagement_rate": 0.07})
        self.assertAlmostEqual(r.json["engagement_rate"], 0.07, places=6, msg=body_of(r))
        # no inputs: stays unknown, and 0 followers never divides by zero
        r = self.post({"platform": "instagram", "handle": "derived4", "followers": 0, "avg_likes": 5})
        self.assertIn(r.status, (201, 200), body_of(r))
        self.assertIsNone(r.json["engagement_rate"], body_of(r))

    def test_tier_derived(self):
        for followers, tier in ((0, "nano"), (9999, "nano"), (10000, "micro"), (99999, "micro"),
                                (100000, "mid"), (499999, "mid"), (500000, "macro"), (999999, "macro"),
                                (1000000, "mega"), (50000000, "mega")):
            with self.subTest(followers=followers):
                r = self.post({"platform": "youtube", "handle": "tier%d" % followers, "followers": followers})
                self.assertStatus(r, 201)
                self.assertEqual(r.json["tier"], tier, body_of(r))

    def test_normalisation(self):
        r = self.post({"platform": "instagram", "handle": "Norm", "followers": 5,
                       "categories": [" Fitness", "fitness", "FOOD "],
                       "hashtags": ["#Gym", "gym", " #Yoga "], "country": "us", "language": "EN",
                       "audience_countries": {"us": 0.4, "DE": 0.1}})
        self.assertStatus(r, 201)
        c = r.json
        self.assertEqual(sorted(c["categories"]), ["fitness", "food"], body_of(r))
        self.assertEqual(sorted(c["hashtags"]), ["gym", "yoga"], body_of(r))
        self.assertEqual(c["country"], "US", body_of(r))
        self.assertEqual(c["language"], "en", body_of(r))
        self.assertEqual(c["audience_countries"], {"US": 0.4, "DE": 0.1}, body_of(r))

    def test_all_fields_round_trip(self):
        full = {"platform": "tiktok", "handle": "fullfields", "display_name": "Full Fields",
                "profile_url": "https://tiktok.com/@fullfields", "email": "ff@example.com",
                "followers": 42000, "following": 300, "posts_count": 120, "avg_likes": 3000.0,
                "avg_comments": 200.0, "avg_shares": 50.0, "avg_views": 90000.0, "engagement_rate": 0.08,
                "categories": ["dance"], "hashtags": ["dance"], "bio": "Dancer", "country": "BR",
                "language": "pt", "audience_countries": {"BR": 0.6}, "audience_female_share": 0.55,
                "price_per_post_cents": 15000, "follower_growth_30d": -0.02,
                "last_post_at": "2026-11-01T10:00:00Z", "external_id": "crm-ff"}
        r = self.post(full)
        self.assertStatus(r, 201)
        for k, v in full.items():
            if k == "last_post_at":
                self.assertRegex(r.json[k], r"^2026-11-01T10:00:00(\.0+)?Z$", body_of(r))
            elif isinstance(v, float):
                self.assertAlmostEqual(r.json[k], v, places=6, msg=k)
            else:
                self.assertEqual(r.json[k], v, "%s: %s" % (k, body_of(r)))
        self.assertEqual(self.request("GET", "/v1/creators/%d" % r.json["id"]).json, r.json)

    def test_validation_each_field(self):
        base = {"platform": "instagram", "handle": "valid", "followers": 1000}
        cases = [
            ({"platform": None}, "platform"),
            ({"platform": "myspace"}, "platform"),
            ({"handle": None}, "handle"),
            ({"handle": ""}, "handle"),
            ({"handle": "@"}, "handle"),
            ({"handle": "h" * 101}, "handle"),
            ({"followers": None}, "followers"),
            ({"followers": -1}, "followers"),
            ({"followers": "12,400"}, "followers"),
            ({"followers": "12400"}, "followers"),
            ({"followers": 1.5}, "followers"),
            ({"following": -3}, "following"),
            ({"posts_count": "many"}, "posts_count"),
            ({"avg_likes": -1}, "avg_likes"),
            ({"engagement_rate": 1.5}, "engagement_rate"),
            ({"engagement_rate": -0.1}, "engagement_rate"),
            ({"engagement_rate": "4.1%"}, "engagement_rate"),
            ({"categories": ["c%d" % i for i in range(21)]}, "categories"),
            ({"categories": ["ok", 5]}, "categories[1]"),
            ({"hashtags": ["h%d" % i for i in range(51)]}, "hashtags"),
            ({"bio": "b" * 2001}, "bio"),
            ({"country": "XX"}, "country"),
            ({"country": "USA"}, "country"),
            ({"language": "english"}, "language"),
            ({"language": "zz"}, "language"),
            ({"audience_countries": {"US": 0.7, "DE": 0.5}}, "audience_countries"),
            ({"audience_countries": {"US": 1.5}}, "audience_countries.US"),
            ({"audience_countries": {"US": "half"}}, "audience_countries.US"),
            ({"audience_countries": {"XX": 0.1}}, "audience_countries.XX"),
            ({"audience_countries": [0.5]}, "audience_countries"),
            ({"audience_female_share": 1.2}, "audience_female_share"),
            ({"price_per_post_cents": -5}, "price_per_post_cents"),
            ({"price_per_post_cents": 9.99}, "price_per_post_cents"),
            ({"follower_growth_30d": "fast"}, "follower_growth_30d"),
            ({"last_post_at": "yesterday"}, "last_post_at"),
            ({"last_post_at": "2026-13-45T99:00:00Z"}, "last_post_at"),
            ({"id": 7}, "id"),
            ({"tier": "mega"}, "tier"),
            ({"unknown_field": 1}, "unknown_field"),
        ]
        before = self.count_rows("creators")
        for patch, field in cases:
            body = dict(base)
            body.update(patch)
            body = {k: v for k, v in body.items() if v is not None}
            with self.subTest(field=field, body=json.dumps(patch)[:60]):
                self.assertProblem(self.post(body), 422, field)
        self.assertEqual(self.count_rows("creators"), before, "a rejected creator was stored")

    def test_rate_error_message_advice_is_followable(self):
        """An out-of-range rate's message carries an example of a valid value; sent back on the
        same route, that example is accepted (JSON: "e.g. 0.041"; import: "write 4.1% ...")."""
        base = {"platform": "instagram", "handle": "advice", "followers": 1000}
        p = self.assertProblem(self.post(dict(base, engagement_rate=4.1)), 422, "engagement_rate")
        msg = [e["message"] for e in p["errors"] if e["field"] == "engagement_rate"][0]
        m = re.search(r"e\.g\. (\d+(?:\.\d+)?)\b", msg)
        self.assertTrue(m, "the JSON route's message gives no example value: %r" % msg)
        self.assertAlmostEqual(float(m.group(1)), 0.041, msg=msg)  # 4.1 read as a percentage
        r = self.post(dict(base, engagement_rate=float(m.group(1))))
        self.assertIn(r.status, (200, 201), "the advice %r does not work: %s" % (msg, body_of(r)))
        # the import's message for the same value names the percent form, which it accepts
        csv_row = b"platform,handle,followers,engagement_rate\ninstagram,advice_csv,1000,%s\n"
        r = self.request("POST", "/v1/creators/import", raw=csv_row % b"4.1", content_type="text/csv")
        self.assertEqual(r.status, 201, body_of(r))
        errs = [e["message"] for e in r.json["errors"] if e["field"] == "engagement_rate"]
        self.assertEqual(len(errs), 1, body_of(r))
        m = re.search(r"write (\S+%)", errs[0])
        self.assertTrue(m, "the import's message gives no percent example: %r" % errs[0])
        r = self.request("POST", "/v1/creators/import", raw=csv_row % m.group(1).encode(), content_type="text/csv")
        self.assertEqual((r.status, r.json["inserted"], r.json["rejected"]), (201, 1, 0),
                         "the advice %r does not work: %s" % (errs[0], body_of(r)))

    def test_limits_accepted_at_the_edge(self):
        r = self.post({"platform": "instagram", "handle": "e" * 100, "followers": 0, "bio": "b" * 2000,
                       "categories": ["c%d" % i for i in range(20)], "hashtags": ["h%d" % i for i in range(50)],
                       "engagement_rate": 1, "audience_countries": {"US": 0.5, "DE": 0.5}})
        self.assertStatus(r, 201)

    def test_malformed_and_content_type(self):
        self.assertProblem(self.post(None, raw=b'{"platform":'), 400)
        self.assertProblem(self.post(None, raw=b'{"platform":"instagram","platform":"tiktok","handle":"d","followers":1}'), 400)
        self.assertProblem(self.post(None, raw=b'{"platform":"instagram","handle":"d","followers":1}',
                                     content_type="text/csv"), 415)


class CreatorQueryTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = [
            {"platform": "instagram", "handle": "q_yoga", "followers": 15000, "country": "US",
             "categories": ["fitness"], "bio": "Morning yoga flows and protein smoothies"},
            {"platform": "instagram", "handle": "q_food", "followers": 50000, "country": "FR",
             "categories": ["food"], "bio": "Paris bakeries, croissants every day"},
            {"platform": "tiktok", "handle": "q_tok", "followers": 120000, "country": "US",
             "categories": ["fitness", "dance"], "bio": "Dance workouts"},
            {"platform": "youtube", "handle": "q_tube", "followers": 9000, "country": "DE",
             "categories": ["travel"], "bio": "Backpacking through the Alps"},
        ] + [{"platform": "pinterest", "handle": "q_pin%02d" % i, "followers": 1000 + i,
              "categories": ["interior"]} for i in range(12)]
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == len(rows), r

    def handles(self, query):
        items, _ = self.collect("/v1/creators?" + query, limit=200)
        return sorted(c["handle"] for c in items)

    def test_filters(self):
        self.assertEqual(self.handles("platform=tiktok"), ["q_tok"])
        self.assertEqual(self.handles("platform=youtube"), ["q_tube"])
        self.assertEqual(self.handles("handle=q_food"), ["q_food"])
        self.assertEqual(self.handles("country=US"), ["q_tok", "q_yoga"])
        self.assertEqual(self.handles("category=fitness"), ["q_tok", "q_yoga"])
        self.assertEqual(self.handles("category=food"), ["q_food"])
        self.assertEqual(self.handles("min_followers=50000"), ["q_food", "q_tok"])
        self.assertEqual(self.handles("max_followers=9000&platform=youtube"), ["q_tube"])
        self.assertEqual(self.handles("min_followers=15000&max_followers=50000"), ["q_food", "q_yoga"])
        self.assertEqual(self.handles("country=US&category=fitness&platform=instagram"), ["q_yoga"])
        self.assertEqual(self.handles("category=nothing-like-this"), [])

    def test_filters_normalise_like_the_data(self):
        self.assertEqual(self.handles("handle=%40Q_Food"), ["q_food"])
        self.assertEqual(self.handles("category=Fitness"), ["q_tok", "q_yoga"])
        self.assertEqual(self.handles("platform=x"), [])

    def test_full_text(self):
        self.assertEqual(self.handles("q=yoga"), ["q_yoga"])
        # whole words, case-insensitive (the 'simple' text configuration: no stemming)
        self.assertEqual(self.handles("q=Croissants"), ["q_food"])
        self.assertEqual(self.handles("q=alps"), ["q_tube"])
        # categories are searchable too
        self.assertEqual(self.handles("q=dance"), ["q_tok"])
        self.assertEqual(self.handles("q=yoga%20protein"), ["q_yoga"])
        self.assertEqual(self.handles("q=zebra"), [])

    def test_bad_filters_400(self):
        for q in ("platform=myspace", "min_followers=abc", "max_followers=-1", "limit=0", "limit=201",
                  "cursor=garbage"):
            with self.subTest(q=q):
                self.assertProblem(self.request("GET", "/v1/creators?" + q), 400)

    def test_pagination(self):
        items, pages = self.collect("/v1/creators?platform=pinterest", limit=5)
        self.assertEqual([len(p) for p in pages], [5, 5, 2])
        ids = [c["id"] for c in items]
        self.assertEqual(len(set(ids)), 12, ids)
        items2, _ = self.collect("/v1/creators?platform=pinterest", limit=200)
        self.assertEqual([c["id"] for c in items2], ids, "paging changed the order")

    def test_get_and_delete(self):
        c = self.make_creator(handle="to_delete")
        path = "/v1/creators/%d" % c["id"]
        self.assertEqual(self.request("GET", path).json, c)
        r = self.request("DELETE", path)
        self.assertStatus(r, 204)
        self.assertProblem(self.request("GET", path), 404)
        self.assertProblem(self.request("DELETE", path), 404)
        self.assertProblem(self.request("GET", "/v1/creators/987654"), 404)
        for bad in ("abc", "0", "-3"):
            self.assertProblem(self.request("GET", "/v1/creators/" + bad), 404)
        self.assertEqual(self.handles("handle=to_delete"), [])


if __name__ == "__main__":
    unittest.main()
