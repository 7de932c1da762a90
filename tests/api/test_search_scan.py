"""Creator search's in-memory scan (docs/architecture.md "Creator search"): the category
facet past the 64 categories that a slot's category mask holds (those are counted from
posting lists), categories rewritten in place, and (in the sanitizer build, which splits
the scan from 128 slots) the parts' merge: total, facets and order against counts computed
here, on the index and on the SQL path."""
import json
import random
import unittest
from collections import Counter

from harness import ServerTestCase
from apihelpers import Api

CATS = ["cat%03d" % i for i in range(100)]


class SearchScanTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    N = 400

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rnd = random.Random(64)
        cls.rows = []
        for i in range(cls.N):
            cls.rows.append({"platform": rnd.choice(["instagram", "tiktok"]), "handle": "sc%04d" % i,
                             "followers": 1000 + i * 2000 + rnd.randint(0, 1999),
                             # the first creators bring the categories in order, so that
                             # categories past the 64th exist and are common
                             "categories": [CATS[i % 100]] + rnd.sample(CATS, rnd.randint(0, 2)),
                             "bio": "plain words"})
        data = "".join(json.dumps(r) + "\n" for r in cls.rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == cls.N, r

    def facet(self, query, rows):
        r = self.request("GET", "/v1/creators?limit=7&sort=-followers&facets=category,platform&" + query)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["total"], len(rows))
        want = Counter(c for x in rows for c in set(x["categories"]))
        top = sorted(((n, v) for v, n in want.items()), key=lambda t: (-t[0], t[1]))[:50]
        self.assertEqual([(e["count"], e["value"]) for e in r.json["facets"]["category"]], top)
        order = sorted(rows, key=lambda x: -x["followers"])[:7]
        self.assertEqual([c["handle"] for c in r.json["data"]], [x["handle"] for x in order])

    def test_category_facet_past_64_categories(self):
        self.facet("", self.rows)
        self.facet("platform=tiktok", [x for x in self.rows if x["platform"] == "tiktok"])
        self.facet("category=cat090,cat010",
                   [x for x in self.rows if {"cat090", "cat010"} & set(x["categories"])])
        self.facet("min_followers=500000", [x for x in self.rows if x["followers"] >= 500000])

    def test_rewritten_categories(self):
        row = dict(self.rows[5], categories=["cat099", "newcat"])
        self.assertStatus(self.request("POST", "/v1/creators", row), 200)
        rows = [row if x["handle"] == row["handle"] else x for x in self.rows]
        try:
            self.facet("", rows)
        finally:
            self.assertStatus(self.request("POST", "/v1/creators", self.rows[5]), 200)


class SearchScanSqlTests(SearchScanTests):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_INDEX": "0"}


if __name__ == "__main__":
    unittest.main()
