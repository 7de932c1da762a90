"""The seams of the freshness work (issues 16, 20) with the match pages, creator search and
exports (issue 12): one flag list for creator replies and match results, the freshness
notes as coded explanations, captions in full-text search, the geotag never standing in
for the search's country, and data_as_of/confidence in creators.csv (docs/scoring.md
§7.1, §7.2, §12; docs/api.md §4 and "CSV exports")."""
import csv
import io
import os
import unittest

from harness import ServerTestCase
from apihelpers import Api, body_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class FreshMergeTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with open(os.path.join(ROOT, "docs", "scoring.md"), encoding="utf-8") as f:
            cls.scoring_doc = f.read()

    def creator(self, handle):
        r = self.request("GET", "/v1/creators?handle=" + handle)
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(len(r.json["data"]), 1, body_of(r))
        return r.json["data"][0]

    def handles(self, query):
        r = self.request("GET", "/v1/creators?limit=100&" + query)
        self.assertEqual(r.status, 200, body_of(r))
        return sorted(c["handle"] for c in r.json["data"]), r.json

    def results(self, brand):
        r = self.request("POST", "/v1/brands/%d/matches" % brand["id"], {"limit": 1000})
        self.assertEqual(r.status, 201, body_of(r))
        items, _ = self.collect("/v1/brands/%d/matches" % brand["id"], limit=200)
        return {x["creator"]["handle"]: x for x in items}

    def test_one_flag_list_and_coded_notes(self):
        base = {"platform": "instagram", "followers": 30000, "categories": ["fmniche"],
                "price_per_post_cents": 20000}
        self.make_creator(handle="fm_wild", engagement_rate=0.6, sample_posts=3,
                          sponsored_posts=3, country="US", **base)
        self.make_creator(handle="fm_geo", engagement_rate=0.03, content_country="US", **base)
        wild = self.creator("fm_wild")
        # creator reply: the score's flags plus the creator-only mostly_sponsored
        self.assertIn("engagement_unusually_high", wild["flags"], wild)
        self.assertIn("mostly_sponsored", wild["flags"], wild)
        self.assertEqual(wild["flags"].count("engagement_unusually_high"), 1, wild)
        res = self.results(self.make_brand(niches=["fmniche"], target_countries=["US"]))
        w, g = res["fm_wild"], res["fm_geo"]
        # match result: the same code; mostly_sponsored is not among the score's features
        self.assertIn("engagement_unusually_high", w["flags"], w)
        self.assertNotIn("mostly_sponsored", w["flags"], w)
        # the same score flags, activity ones included
        self.assertEqual([f for f in wild["flags"] if f != "mostly_sponsored"], w["flags"])
        codes = {e["code"]: e for e in w["explanations"]}
        self.assertNotIn("engagement_vs_tier", codes)
        e = codes["engagement_unusually_high"]
        self.assertEqual((e["component"], e["value"]), ("engagement", 0.6), e)
        self.assertIn("verify: giveaways", e["text"])
        e = codes["thin_sample"]
        self.assertEqual((e["component"], e["value"], e["benchmark"]), ("engagement", 3, 6), e)
        self.assertIn("3 sampled posts", e["text"])
        e = [e for e in g["explanations"] if e["code"] == "content_country"]
        self.assertEqual(len(e), 1, g["explanations"])
        self.assertEqual((e[0]["component"], e[0]["value"]), ("audience", 1), e)
        self.assertTrue(e[0]["text"].startswith("Posts tagged in US"), e)
        self.assertEqual(w["reasons"], [x["text"] for x in w["explanations"]])
        for x in (w, g):
            for c in x["flags"] + [e["code"] for e in x["explanations"]]:
                self.assertIn("`%s`" % c, self.scoring_doc, c)
        self.assertIn("`mostly_sponsored`", self.scoring_doc)

    def test_full_text_search_finds_the_caption(self):
        self.make_creator(handle="fm_cap", caption="Morning zorblattian serum routine")
        self.make_creator(handle="fm_nocap", bio="nothing to see")
        self.assertEqual(self.handles("q=zorblattian")[0], ["fm_cap"])
        r = self.request("GET", "/v1/creators.csv?q=zorblattian")
        self.assertEqual(r.status, 200, body_of(r))
        rows = list(csv.DictReader(io.StringIO(r.body.decode())))
        self.assertEqual([x["handle"] for x in rows], ["fm_cap"])

    def test_geotag_is_not_the_search_country(self):
        """content_country scores as weaker audience evidence, but ?country= and the country
        facet are the stated country on both search paths (index and SQL)."""
        base = {"platform": "instagram", "followers": 30000, "categories": ["fmgeo"],
                "bio": "fmgeoword"}
        self.make_creator(handle="fm_tagged", content_country="US", **base)
        self.make_creator(handle="fm_stated", country="US", **base)
        for q in ("category=fmgeo", "category=fmgeo&q=fmgeoword"):
            with self.subTest(q=q):
                got, body = self.handles(q + "&country=US&facets=country")
                self.assertEqual(got, ["fm_stated"], body)
                self.assertEqual(body["facets"]["country"], [{"value": "US", "count": 1}], body)
                self.assertEqual(self.handles(q)[0], ["fm_stated", "fm_tagged"])

    def test_creators_csv_has_data_as_of_and_confidence(self):
        self.make_creator(handle="fm_csv", sample_posts=1, data_as_of="2020-01-01T00:00:00Z")
        c = self.creator("fm_csv")
        r = self.request("GET", "/v1/creators.csv?handle=fm_csv")
        self.assertEqual(r.status, 200, body_of(r))
        rows = list(csv.DictReader(io.StringIO(r.body.decode())))
        self.assertEqual(len(rows), 1, r.body)
        self.assertEqual(list(rows[0])[-2:], ["data_as_of", "confidence"])
        self.assertEqual((rows[0]["data_as_of"], rows[0]["confidence"]),
                         (c["data_as_of"], c["confidence"]))
        self.assertEqual(c["confidence"], "low", c)


if __name__ == "__main__":
    unittest.main()
