"""The creator search cache (docs/architecture.md "Creator search"): per query and index
generation it keeps the total, the facets and the first 1,000 hits of the list, so that
the next pages and repeated requests skip the scan. What it answers must be what a scan
answers: every page of a walk (past the window too) equals the same walk with the cache
off, and any write that reaches the index is seen by the next request."""
import json
import random
import re
import urllib.parse

from harness import ServerTestCase
from apihelpers import Api


def cache_count(text, result):
    m = re.search(r'^nichematch_search_cache_total\{result="%s"\} ([0-9.]+)$' % result, text, re.M)
    return float(m.group(1)) if m else 0.0


class SearchCacheTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    N = 1500  # more matches than the 1,000 hits an entry keeps

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rnd = random.Random(7)
        rows = []
        for i in range(cls.N):
            rows.append({"platform": rnd.choice(["instagram", "tiktok", "youtube"]), "handle": "scache%05d" % i,
                         # many equal follower counts: ties are broken by id
                         "followers": rnd.choice([15000, 25000, 40000, 60000, 90000, rnd.randint(10000, 99999)]),
                         "engagement_rate": rnd.choice([None, round(rnd.uniform(0.005, 0.09), 4)]),
                         "country": rnd.choice(["US", "GB", "DE", "FR"]),
                         "categories": rnd.sample(["fitness", "food", "travel", "tech"], rnd.randint(1, 2))})
        data = "".join(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n" for r in rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == cls.N, r

    def counts(self):
        text = self.request("GET", "/metrics", key=None).text
        return cache_count(text, "hit"), cache_count(text, "miss")

    def walk(self, query, limit):
        """Every page of the list: [(ids, total, facets)]."""
        pages, cursor = [], None
        while True:
            q = query + "&limit=%d" % limit + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            r = self.request("GET", "/v1/creators?" + q)
            self.assertStatus(r, 200)
            pages.append(([c["id"] for c in r.json["data"]], r.json["total"], r.json.get("facets")))
            cursor = r.json["next_cursor"]
            if not cursor:
                return pages

    QUERIES = ["sort=-followers&facets=platform,tier,country,category",
               "platform=instagram,tiktok&sort=engagement_rate&facets=country",
               "country=US,GB&category=fitness&sort=-engagement_rate&facets=platform,category",
               "q=fit&sort=followers"]

    def test_walks_equal_the_walks_without_cache(self):
        with_cache = {}
        for query in self.QUERIES:
            for limit in (50, 173):
                with_cache[query, limit] = self.walk(query, limit)
        hits, misses = self.counts()
        # one miss per list (its first page fills the window); the pages within the window
        # are hits, the ones past it scan
        self.assertGreater(hits, 20)
        self.server.restart(env={"NICHEMATCH_SEARCH_CACHE": "0"})
        try:
            for (query, limit), pages in with_cache.items():
                self.assertEqual(pages, self.walk(query, limit), "%s limit %d" % (query, limit))
            self.assertEqual(self.counts(), (0.0, 0.0))
        finally:
            self.server.restart(env={"NICHEMATCH_SEARCH_CACHE": "64"})
        # the walk over all creators returned each once
        pages = with_cache[self.QUERIES[0], 50]
        ids = [i for p in pages for i in p[0]]
        self.assertGreaterEqual(len(ids), self.N)
        self.assertEqual(len(ids), pages[0][1])
        self.assertEqual(len(set(ids)), len(ids))

    def test_repeated_request_is_a_hit_with_the_same_answer(self):
        query = "/v1/creators?tier=micro&country=DE&sort=-followers&facets=platform,category&limit=20"
        first = self.request("GET", query)
        h0, m0 = self.counts()
        second = self.request("GET", query)
        h1, m1 = self.counts()
        self.assertEqual((h1 - h0, m1 - m0), (1, 0))
        self.assertEqual(first.json, second.json)

    def test_a_write_is_seen_by_the_next_request(self):
        query = "/v1/creators?country=FR&platform=youtube&sort=-followers&facets=tier,category&limit=5"
        before = self.request("GET", query).json
        self.assertEqual(self.request("GET", query).json, before)  # now cached
        # a new creator at the top of the list, in a new category
        new = self.make_creator(handle="scache_new", platform="youtube", country="FR", followers=99999,
                                categories=["woodworking"])
        after = self.request("GET", query).json
        self.assertEqual(after["total"], before["total"] + 1)
        self.assertEqual(after["data"][0]["id"], new["id"])
        self.assertIn({"value": "woodworking", "count": 1}, after["facets"]["category"])
        # and when it leaves the filter
        r = self.request("POST", "/v1/creators", {"platform": "youtube", "handle": "scache_new",
                                                  "country": "GB", "followers": 99999})
        self.assertIn(r.status, (200, 201), r)
        self.assertEqual(self.request("GET", query).json, before)
        self.assertStatus(self.request("DELETE", "/v1/creators/%d" % new["id"]), 204)

    def test_a_last_page_asked_first_does_not_empty_the_list(self):
        """A page asked with a cursor before any first page at this generation (here: a write
        between two pages) stores the counts but not its hits as the list's beginning."""
        query = "/v1/creators?country=DE&platform=youtube&tier=micro&sort=followers&limit=%d"
        first = self.request("GET", query % 7).json
        total = first["total"]
        self.assertGreater(total, 7)
        limit = total - 7 + 3  # the second page is the last one
        p1 = self.request("GET", query % 7).json
        # a write moves the generation on: the next request finds no entry
        other = self.make_creator(handle="scache_other", platform="instagram", country="US")
        p2 = self.request("GET", (query % limit) + "&cursor=" + urllib.parse.quote(p1["next_cursor"])).json
        self.assertIsNone(p2["next_cursor"])
        self.assertEqual(len(p2["data"]), total - 7)
        again = self.request("GET", query % 7).json
        self.assertEqual(again, first)
        self.assertStatus(self.request("DELETE", "/v1/creators/%d" % other["id"]), 204)

    def test_clock_filters_are_not_cached(self):
        query = "/v1/creators?active_within_days=30&max_data_age_days=400&limit=5"
        h0, m0 = self.counts()
        for _ in range(3):
            self.assertStatus(self.request("GET", query), 200)
        self.assertEqual(self.counts(), (h0, m0))
