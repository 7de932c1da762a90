"""The row cache (docs/architecture.md "The row cache"): an index search's page is built from
each row's encoded columns, kept per row version (PostgreSQL's xmin), plus the members that
depend on the clock or on engagement_benchmarks, computed on every request. What it sends
must be, byte for byte, what the same creators' single replies are; a write of a creator is
seen by the next page; a change of a benchmark too, though no creator changed."""
import json
import re

from harness import ServerTestCase
from apihelpers import Api


def cache_count(text, result):
    m = re.search(r'^nichematch_row_cache_total\{result="%s"\} ([0-9.]+)$' % result, text, re.M)
    return float(m.group(1)) if m else 0.0


QUERY = "/v1/creators?platform=instagram&sort=-followers&facets=tier&limit=40"


class RowCacheTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    N = 120

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = []
        for i in range(cls.N):
            r = {"platform": "instagram" if i % 3 else "tiktok", "handle": "rowc%04d" % i,
                 "followers": 12000 + 997 * i, "engagement_rate": round(0.004 + i / 4000.0, 5),
                 "categories": ["food"] if i % 2 else ["travel", "food"],
                 "bio": 'quotes " and \\ backslashes, tabs\tand \u00e9\u2728 emoji %d' % i,
                 "country": "US" if i % 4 else "DE", "language": "en",
                 "hashtags": ["a,b", "NULL", "q\"t", "{br}", "back\\slash"] if i % 5 == 0 else ["tag%d" % i]}
            if i % 2:
                r["audience_countries"] = {"US": 0.5, "GB": 0.125}
                r["price_per_post_cents"] = 10000 + i
                r["last_post_at"] = "2026-11-%02dT10:00:00Z" % (1 + i % 28)
                r["follower_growth_30d"] = 0.3 if i % 7 == 0 else 0.01
                r["sample_posts"] = 12
                r["sponsored_posts"] = i % 13
            rows.append(r)
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == cls.N, r

    def counts(self):
        text = self.request("GET", "/metrics", key=None).text
        return cache_count(text, "hit"), cache_count(text, "miss")

    def page(self):
        r = self.request("GET", QUERY)
        self.assertStatus(r, 200)
        self.assertEqual(r.headers.get("Content-Type"),
                         self.request("GET", "/v1/creators?limit=1&handle=rowc0001").headers.get("Content-Type"))
        return r

    def assert_rows_are_single_replies(self, r):
        """Each row's bytes are the bytes GET /v1/creators/{id} sends (jansson encodes
        those from one object; the page joins parts encoded separately)."""
        for c in r.json["data"]:
            one = self.request("GET", "/v1/creators/%d" % c["id"])
            self.assertStatus(one, 200)
            self.assertIn(one.body.strip(), r.body, "row %d differs from its single reply" % c["id"])

    def test_pages_are_the_single_replies_and_hit_the_cache(self):
        hits0, misses0 = self.counts()
        first = self.page()
        hits1, misses1 = self.counts()
        second = self.page()
        hits2, misses2 = self.counts()
        n = len(first.json["data"])
        self.assertEqual(n, 40)
        self.assertEqual(first.body, second.body)
        self.assertEqual(misses2, misses1)  # the second page read no row
        self.assertEqual(hits2 - hits1, n)
        self.assertEqual((hits1 - hits0) + (misses1 - misses0), n)
        self.assert_rows_are_single_replies(second)
        # the members derived per request are there, from the facts kept beside the text
        x = second.json["data"][0]
        for k in ("tier", "er_source", "sponsored_share", "confidence", "confidence_codes",
                  "engagement_benchmark", "flags"):
            self.assertIn(k, x)
        self.assertNotIn("engagement_derived", x)

    def test_a_write_is_seen_by_the_next_page(self):
        self.page()
        self.page()
        top = self.page().json["data"][0]
        changed = {"platform": "instagram", "handle": top["handle"], "followers": top["followers"],
                   "bio": "rewritten bio", "engagement_rate": 0.2, "categories": ["tech"]}
        r = self.request("POST", "/v1/creators", changed)
        self.assertIn(r.status, (200, 201), r)
        after = self.page()
        x = next(c for c in after.json["data"] if c["id"] == top["id"])
        self.assertEqual((x["bio"], x["engagement_rate"], x["categories"]),
                         ("rewritten bio", 0.2, ["tech"]))
        self.assert_rows_are_single_replies(after)

    def test_a_benchmark_change_is_seen_without_a_creator_write(self):
        before = self.page()
        self.page()
        x = before.json["data"][0]
        old = self.server.psql("SELECT median_rate::text FROM engagement_benchmarks "
                               "WHERE platform = 'instagram' AND tier = :'tier'", tier=x["tier"])[0][0]
        self.server.psql("UPDATE engagement_benchmarks SET median_rate = 0.5 "
                         "WHERE platform = 'instagram' AND tier = :'tier'", tier=x["tier"])
        try:
            after = self.page()
            y = next(c for c in after.json["data"] if c["id"] == x["id"])
            self.assertEqual(y["engagement_benchmark"]["median_rate"], 0.5)
            self.assertNotEqual(x["engagement_benchmark"], y["engagement_benchmark"])
            self.assert_rows_are_single_replies(after)
        finally:
            self.server.psql("UPDATE engagement_benchmarks SET median_rate = :'rate'::float8 "
                             "WHERE platform = 'instagram' AND tier = :'tier'", tier=x["tier"], rate=old)
        self.assertEqual(self.page().json["data"][0]["engagement_benchmark"], x["engagement_benchmark"])

    def test_a_deleted_creator_leaves_the_page(self):
        top = self.page().json["data"]
        gone = top[1]["id"]
        self.assertStatus(self.request("DELETE", "/v1/creators/%d" % gone), 204)
        ids = [c["id"] for c in self.page().json["data"]]
        self.assertNotIn(gone, ids)
        self.assertEqual(ids[0], top[0]["id"])

    def test_without_the_cache_the_bytes_are_the_same(self):
        with_cache = self.page().body
        self.server.restart(env={"NICHEMATCH_ROW_CACHE": "0"})
        try:
            self.assertEqual(self.page().body, with_cache)
            self.assertEqual(self.counts(), (0.0, 0.0))
        finally:
            self.server.restart(env={"NICHEMATCH_ROW_CACHE": "10000"})
