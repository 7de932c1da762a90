"""Match pages (issue 12): page filters, the run object and its funnel, points, flags and
explanations per result, target_countries_mode require, exclude_keywords/exclude_handles,
and GET /v1/brands/{id}/match-runs/{run_id}. The pool is seeded with known creators; every
expected number here is computed from that seed, not read from the server."""
import os
import re
import unittest
from datetime import datetime, timedelta, timezone

from harness import ServerTestCase
from apihelpers import Api, body_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NICHE = "mpniche"
WIDE = {"follower_min": 1000, "follower_max": 1000000}
RULES = ["niche_relevance_zero", "follower_range", "platform", "min_engagement",
         "target_countries_required", "exclude_keywords", "exclude_handles",
         "status_declined_or_excluded", "data_too_old", "confidence_below_minimum"]


def _tier(n):
    return "nano" if n < 10000 else "micro" if n < 100000 else "mid" if n < 500000 else \
        "macro" if n < 1000000 else "mega"


def seed():
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(30):
        followers = [5000, 20000, 50000, 150000, 600000][i % 5]
        c = {"platform": ["instagram", "tiktok", "youtube"][i % 3], "handle": "mp_%02d" % i,
             "followers": followers, "engagement_rate": 0.01 + (i % 7) * 0.01,
             "categories": [NICHE]}
        country = ["US", "GB", "DE", "FR", None][(i // 2) % 5]
        if country:
            c["country"] = country
        if i % 4:
            c["price_per_post_cents"] = 10000 + 1000 * i
        if i % 6 == 0:
            c["audience_countries"] = {"US": 0.6, "DE": 0.4}
        elif i % 6 == 1:
            c["audience_countries"] = {"FR": 0.9, "US": 0.1}
        if i % 3 == 0:
            c["last_post_at"] = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif i % 3 == 1:
            c["last_post_at"] = (now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if i == 5:
            c["following"] = followers * 2  # follow-for-follow
        if i == 8:
            c["follower_growth_30d"] = 0.55  # a jump with engagement under the median
            c["engagement_rate"] = 0.004
        if i in (3, 7, 12):
            c["hashtags"] = ["gambling", "cards"]
        if i == 11:
            c["bio"] = "I love gambling and long walks"
        if i == 13:
            c.pop("engagement_rate")
        rows.append(c)
    for i in range(5):  # no brand term anywhere
        rows.append({"platform": "instagram", "handle": "mp_other_%d" % i, "followers": 20000,
                     "engagement_rate": 0.05, "categories": ["knitting"]})
    return rows


def words(c):
    out = set(c.get("categories") or []) | set(c.get("hashtags") or [])
    out |= set(re.findall(r"[a-z0-9]+", (c.get("bio") or "").lower()))
    return out


def country_ok(c, targets, min_share):
    if c.get("country") in targets:
        return True
    aud = c.get("audience_countries")
    return bool(aud) and sum(v for k, v in aud.items() if k in targets) >= min_share - 1e-9


def expected_funnel(rows, brand, statuses=None, ids=None):
    """The funnel of docs/scoring.md §1 computed from the seed: each creator counts for the
    first rule it fails, in the documented order."""
    removed = dict.fromkeys(RULES, 0)
    lo, hi = brand.get("follower_min", 10000), brand.get("follower_max", 100000)
    terms = set(brand["niches"]) | set(brand.get("keywords") or [])
    for c in rows:
        er = c.get("engagement_rate")
        checks = [
            ("niche_relevance_zero", not (terms & words(c))),
            ("follower_range", c["followers"] < lo or (hi is not None and c["followers"] > hi)),
            ("platform", bool(brand.get("platforms")) and c["platform"] not in brand["platforms"]),
            ("min_engagement", brand.get("min_engagement_rate") is not None
             and (er is None or er < brand["min_engagement_rate"])),
            ("target_countries_required", brand.get("target_countries_mode") == "require"
             and not country_ok(c, brand["target_countries"], brand.get("min_audience_share", 0.5))),
            ("exclude_keywords", bool(set(brand.get("exclude_keywords") or []) & words(c))),
            ("exclude_handles", c["handle"] in [h.lstrip("@").lower() for h in brand.get("exclude_handles") or []]),
            ("status_declined_or_excluded", (statuses or {}).get(c["handle"]) in ("declined", "excluded")),
        ]
        for rule, fails in checks:
            if fails:
                removed[rule] += 1
                break
    return removed


class MatchPagesTests(ServerTestCase, Api):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import json
        cls.rows = seed()
        r = cls.server.request("POST", "/v1/creators/import",
                               raw="".join(json.dumps(x) + "\n" for x in cls.rows).encode(),
                               content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == len(cls.rows), r
        cls.by_handle = {c["handle"]: c for c in cls.rows}
        cls.ids = {}
        for c in cls.rows:
            g = cls.server.request("GET", "/v1/creators?handle=" + c["handle"])
            cls.ids[c["handle"]] = g.json["data"][0]["id"]
        cls.handle_of = {v: k for k, v in cls.ids.items()}
        with open(os.path.join(ROOT, "docs", "scoring.md"), encoding="utf-8") as f:
            cls.scoring_doc = f.read()

    # --- helpers -------------------------------------------------------------------------

    def run_match(self, brand_id, body=None):
        r = self.request("POST", "/v1/brands/%d/matches" % brand_id, body if body is not None else {})
        self.assertEqual(r.status, 201, body_of(r))
        return r.json

    def page(self, brand_id, query="", status=200):
        r = self.request("GET", "/v1/brands/%d/matches?limit=200%s" % (brand_id, query))
        self.assertEqual(r.status, status, body_of(r))
        return r.json

    def check_funnel_chain(self, funnel, candidates):
        self.assertEqual([x["rule"] for x in funnel["rules"]], RULES, funnel)
        left = funnel["pool"]
        for x in funnel["rules"]:
            self.assertEqual(x["before"], left, funnel)
            self.assertEqual(x["before"] - x["removed"], x["after"], funnel)
            left = x["after"]
        self.assertEqual(left, funnel["candidates"], funnel)
        self.assertEqual(funnel["candidates"], candidates, funnel)

    def set_status(self, brand_id, handle, status):
        r = self.request("PUT", "/v1/brands/%d/creators/%d/status" % (brand_id, self.ids[handle]),
                         {"status": status})
        self.assertEqual(r.status, 200, body_of(r))

    # --- filters -------------------------------------------------------------------------

    def test_each_filter_and_combined(self):
        b = self.make_brand(niches=[NICHE], **WIDE)
        run = self.run_match(b["id"], {"limit": 1000})
        every = self.page(b["id"])["data"]
        self.assertEqual(len(every), run["run"]["stored"])
        self.assertGreater(len(every), 10)
        ids = lambda xs: [x["creator"]["id"] for x in xs]

        def want(pred):
            return [x["creator"]["id"] for x in every if pred(x)]

        for tier in ("nano", "micro", "mid", "macro"):
            self.assertEqual(ids(self.page(b["id"], "&tier=" + tier)["data"]),
                             want(lambda x: x["creator"]["tier"] == tier), tier)
        self.assertEqual(ids(self.page(b["id"], "&tier=nano,mid")["data"]),
                         want(lambda x: x["creator"]["tier"] in ("nano", "mid")))
        self.assertEqual(ids(self.page(b["id"], "&tier=nano&tier=MID")["data"]),
                         want(lambda x: x["creator"]["tier"] in ("nano", "mid")))
        for platform in ("instagram", "tiktok", "youtube"):
            got = ids(self.page(b["id"], "&platform=" + platform)["data"])
            self.assertEqual(got, want(lambda x: x["creator"]["platform"] == platform), platform)
            self.assertTrue(got, platform)
        self.assertEqual(self.page(b["id"], "&platform=x")["data"], [])  # the twitter alias
        self.assertEqual(ids(self.page(b["id"], "&country=US")["data"]),
                         want(lambda x: x["creator"]["country"] == "US"))
        self.assertEqual(ids(self.page(b["id"], "&country=us,gb")["data"]),
                         want(lambda x: x["creator"]["country"] in ("US", "GB")))
        self.assertEqual(ids(self.page(b["id"], "&country=US&country=DE")["data"]),
                         want(lambda x: x["creator"]["country"] in ("US", "DE")))
        scores = sorted(x["score"] for x in every)
        cut = scores[len(scores) // 2]
        self.assertEqual(ids(self.page(b["id"], "&min_score=%s" % cut)["data"]),
                         want(lambda x: x["score"] >= cut))
        # statuses are live: set after the run, they filter the stored run
        self.set_status(b["id"], self.handle_of[every[0]["creator"]["id"]], "shortlisted")
        self.set_status(b["id"], self.handle_of[every[1]["creator"]["id"]], "contacted")
        self.set_status(b["id"], self.handle_of[every[2]["creator"]["id"]], "declined")
        self.assertEqual(ids(self.page(b["id"], "&status=shortlisted")["data"]), ids(every[:1]))
        self.assertEqual(ids(self.page(b["id"], "&status=shortlisted&status=contacted")["data"]),
                         ids(every[:2]))
        self.assertEqual(ids(self.page(b["id"], "&status=declined")["data"]), ids(every[2:3]))
        self.assertEqual(ids(self.page(b["id"], "&status=none")["data"]), ids(every[3:]))
        self.assertEqual(ids(self.page(b["id"], "&status=none,contacted")["data"]),
                         ids(every[1:2] + every[3:]))
        # combined: every filter must hold
        got = self.page(b["id"], "&tier=micro&platform=instagram&status=none&min_score=1")["data"]
        self.assertEqual(ids(got), [i for i in want(lambda x: x["creator"]["tier"] == "micro"
                                                    and x["creator"]["platform"] == "instagram")
                                    if i not in ids(every[:3])])
        # a filtered walk in small pages gives the filtered list, once each
        items, pages = self.collect("/v1/brands/%d/matches?tier=micro,mid" % b["id"], limit=2)
        self.assertEqual(ids(items), want(lambda x: x["creator"]["tier"] in ("micro", "mid")))
        self.assertGreater(len(pages), 2)

    def test_bad_filters(self):
        b = self.make_brand(niches=[NICHE], **WIDE)
        self.run_match(b["id"])
        for q, field in (("country=ZZ", "country"), ("country=USA", "country"),
                         ("tier=giant", "tier"), ("status=maybe", "status"),
                         ("platform=myspace", "platform"), ("min_score=101", "min_score"),
                         ("min_score=abc", "min_score"), ("min_score=1&min_score=2", "min_score")):
            self.assertProblem(self.request("GET", "/v1/brands/%d/matches?%s" % (b["id"], q)), 400, field)

    # --- run, funnel ---------------------------------------------------------------------

    def test_funnel_adds_up_and_matches_the_seed(self):
        fields = dict(niches=[NICHE], platforms=["instagram", "tiktok"], follower_min=10000,
                      follower_max=100000, min_engagement_rate=0.02, exclude_keywords=["gambling"],
                      exclude_handles=["@MP_06"], target_countries=["US", "GB", "DE"],
                      target_countries_mode="require", min_audience_share=0.5)
        b = self.make_brand(**fields)
        self.set_status(b["id"], "mp_01", "declined")
        self.set_status(b["id"], "mp_26", "excluded")
        run = self.run_match(b["id"], {"limit": 1000})
        funnel = run["run"]["funnel"]
        self.check_funnel_chain(funnel, run["run"]["candidates"])
        self.assertEqual(funnel["pool"], len(self.rows))
        want = expected_funnel(self.rows, fields, {"mp_01": "declined", "mp_26": "excluded"})
        self.assertEqual({x["rule"]: x["removed"] for x in funnel["rules"]}, want, funnel)
        for rule in RULES[:-2]:  # the seed exercises every rule but the freshness ones
            # (data_too_old, confidence_below_minimum: test_freshness_filters)
            self.assertGreater(want[rule], 0, rule)
        self.assertEqual(funnel["candidates"], 1)  # mp_22
        self.assertEqual([x["creator"]["id"] for x in run["data"]], [self.ids["mp_22"]])
        # the page and the run endpoint show the same run
        got = self.request("GET", "/v1/brands/%d/match-runs/%d" % (b["id"], run["run"]["id"]))
        self.assertEqual(got.status, 200, body_of(got))
        self.assertEqual(got.json["funnel"], funnel)
        self.assertEqual(got.json["candidates"], run["run"]["candidates"])
        page = self.page(b["id"])
        self.assertEqual(page["run"], got.json)
        self.assertEqual(page["run_id"], run["run"]["id"])

    def test_impossible_brand_explains_its_empty_page(self):
        for fields, rule in (({"min_engagement_rate": 0.99}, "min_engagement"),
                             ({"platforms": ["pinterest"]}, "platform"),
                             ({"follower_min": 900000, "follower_max": 950000}, "follower_range"),
                             ({"niches": ["nosuchnicheanywhere"]}, "niche_relevance_zero"),
                             ({"target_countries": ["JP"], "target_countries_mode": "require"},
                              "target_countries_required"),
                             ({"exclude_keywords": [NICHE]}, "exclude_keywords")):
            body = dict(niches=[NICHE], **WIDE)
            body.update(fields)
            b = self.make_brand(**body)
            run = self.run_match(b["id"])
            self.assertEqual(run["run"]["candidates"], 0, run["run"])
            self.assertEqual(run["data"], [])
            page = self.page(b["id"])
            self.assertEqual(page["data"], [])
            funnel = page["run"]["funnel"]
            self.check_funnel_chain(funnel, 0)
            # the rule named removed everyone it was given: nothing was left before it or
            # after it, and it removed something
            named = [x for x in funnel["rules"] if x["rule"] == rule][0]
            self.assertGreater(named["removed"], 0, funnel)
            self.assertEqual(named["after"], 0, funnel)
            self.assertEqual(named["removed"], named["before"], funnel)
            first_empty = [x["rule"] for x in funnel["rules"] if x["after"] == 0][0]
            self.assertEqual(first_empty, rule, funnel)

    def test_run_endpoint_and_runs_list(self):
        b = self.make_brand(niches=[NICHE], **WIDE)
        other = self.make_brand(niches=[NICHE])
        run = self.run_match(b["id"], {"limit": 5, "goal": "awareness"})
        r = self.request("GET", "/v1/brands/%d/match-runs/%d" % (b["id"], run["run"]["id"]))
        self.assertEqual(r.status, 200, body_of(r))
        for k in ("id", "brand_id", "created_at", "goal", "weights", "query", "candidates",
                  "stored", "funnel", "duration_ms"):
            self.assertIn(k, r.json)
        self.assertEqual(r.json["goal"], "awareness")
        self.assertEqual(r.json["query"]["goal"], "awareness")
        self.assertEqual(r.json["stored"], 5)
        self.assertEqual(r.json["weights"], run["run"]["weights"])
        self.assertEqual(r.json["query"], run["run"]["query"])
        self.assertEqual(r.json["funnel"], run["run"]["funnel"])
        listed = self.request("GET", "/v1/brands/%d/match-runs" % b["id"]).json["data"]
        self.assertEqual(listed[0], r.json)
        self.assertProblem(self.request("GET", "/v1/brands/%d/match-runs/%d" % (other["id"], run["run"]["id"])), 404)
        self.assertProblem(self.request("GET", "/v1/brands/%d/match-runs/987654321" % b["id"]), 404)
        self.assertProblem(self.request("GET", "/v1/brands/%d/match-runs/abc" % b["id"]), 404)
        # a key bound to the other brand does not see this brand's run
        key = self.server.key("read", brand=other["id"])
        self.assertProblem(self.request("GET", "/v1/brands/%d/match-runs/%d" % (b["id"], run["run"]["id"]),
                                        key=key), 404)

    # --- results: points, flags, explanations --------------------------------------------

    def all_results(self, body):
        b = self.make_brand(niches=[NICHE], **body)
        self.run_match(b["id"], {"limit": 1000})
        return self.page(b["id"])["data"], b

    def test_points_sum_to_score(self):
        for goal in ("engagement", "awareness", "conversions"):
            results, b = self.all_results(dict(WIDE, goal=goal, target_countries=["US"],
                                               target_gender="female", budget_per_post_cents=15000))
            self.assertTrue(results)
            weights = self.request("GET", "/v1/brands/%d/match-runs" % b["id"]).json["data"][0]["weights"]
            for x in results:
                self.assertEqual(set(x["points"]), set(x["components"]), x)
                self.assertLessEqual(abs(sum(x["points"].values()) - x["score"]), 0.01 + 1e-9, x)
                for c, v in x["points"].items():
                    self.assertLessEqual(abs(v - weights[c] * x["components"][c] * 100), 0.01 + 1e-9, (c, x))

    def test_flags_and_explanations(self):
        results, _ = self.all_results(dict(WIDE, target_countries=["US"], target_gender="female",
                                           target_languages=["en"], budget_per_post_cents=15000))
        by = {self.handle_of[x["creator"]["id"]]: x for x in results}
        for h, x in by.items():
            c = self.by_handle[h]
            codes = [e["code"] for e in x["explanations"]]
            self.assertEqual(x["reasons"], [e["text"] for e in x["explanations"]], x)
            for e in x["explanations"]:
                self.assertEqual(set(e), {"code", "component", "value", "benchmark", "text"}, e)
                self.assertIn(e["component"], x["components"], e)
            # every flag is stated by an explanation with the same code
            for f in x["flags"]:
                self.assertIn(f, codes, x)
            self.assertEqual("no_price" in x["flags"], "price_per_post_cents" not in c, h)
            self.assertEqual("no_engagement_rate" in x["flags"], "engagement_rate" not in c, h)
            self.assertEqual("no_last_post" in x["flags"], "last_post_at" not in c, h)
            self.assertEqual("inactive" in x["flags"], int(h[3:]) % 3 == 1, h)
            self.assertEqual("follow_ratio" in x["flags"], h == "mp_05", h)
            self.assertEqual("growth_spike" in x["flags"], h == "mp_08", h)
        self.assertIn("engagement_far_below_tier", by["mp_08"]["flags"])
        e = [e for e in by["mp_05"]["explanations"] if e["code"] == "follow_ratio"][0]
        self.assertEqual((e["component"], e["value"], e["benchmark"]), ("authenticity", 2.0, 0.5))
        e = [e for e in by["mp_00"]["explanations"] if e["code"] == "audience_in_target_countries"][0]
        self.assertEqual((e["component"], e["value"], e["benchmark"]), ("audience", 0.6, 0.5))

    def test_every_code_is_documented(self):
        seen = set()
        for body in (dict(WIDE), dict(WIDE, goal="awareness"),
                     dict(WIDE, target_countries=["US"], target_gender="male", target_languages=["de"],
                          budget_per_post_cents=1000)):
            results, _ = self.all_results(body)
            for x in results:
                seen.update(x["flags"])
                seen.update(e["code"] for e in x["explanations"])
        self.assertGreater(len(seen), 12, seen)
        missing = sorted(c for c in seen if "`%s`" % c not in self.scoring_doc)
        self.assertEqual(missing, [], "codes missing from docs/scoring.md")
        for rule in RULES:
            self.assertIn("`%s`" % rule, self.scoring_doc, rule)

    def test_reasons_spliced_from_explanations(self):
        """Stored documents carry explanations only; pages splice the reasons in from the
        explanations' texts, escaped strings included. Documents stored before explanations
        existed keep the reasons they were stored with."""
        term = 'say "hi" \\ now'
        self.import_rows([{"platform": "instagram", "handle": "mp_quote", "followers": 20000,
                           "engagement_rate": 0.05, "categories": [term]}])
        b = self.make_brand(niches=[term])
        run = self.run_match(b["id"])
        self.assertEqual(len(run["data"]), 1, run)
        x = run["data"][0]
        self.assertEqual(x["reasons"][0], "Posts about " + term.lower())
        self.assertEqual(x["reasons"], [e["text"] for e in x["explanations"]])
        self.assertEqual(self.page(b["id"])["data"], run["data"])
        stored = self.server.psql("SELECT doc FROM match_results WHERE run_id = %d" % run["run"]["id"])[0][0]
        self.assertNotIn('"reasons"', stored)
        self.assertIn('"explanations"', stored)
        # a document in the format before explanations: served as stored
        import json
        old = json.loads(stored)
        old.pop("explanations")
        old.pop("flags")
        old.pop("points")
        old["reasons"] = ["Old reason \"quoted\""]
        self.server.psql("UPDATE match_results SET doc = :'d' WHERE run_id = %d" % run["run"]["id"],
                         d=json.dumps(old))
        got = self.page(b["id"])["data"][0]
        self.assertEqual(got["reasons"], ["Old reason \"quoted\""])
        self.assertNotIn("explanations", got)

    # --- brand fields --------------------------------------------------------------------

    def test_require_mode_keeps_only_target_countries(self):
        prefer, _ = self.all_results(dict(WIDE, target_countries=["US"]))
        self.assertTrue([x for x in prefer if x["creator"]["country"] != "US"], "prefer keeps others")
        for share in (0.5, 0.05, 1.0):
            results, b = self.all_results(dict(WIDE, target_countries=["US"],
                                               target_countries_mode="require", min_audience_share=share))
            self.assertEqual(b["target_countries_mode"], "require")
            want = sorted(self.ids[c["handle"]] for c in self.rows
                          if NICHE in c["categories"] and country_ok(c, ["US"], share))
            self.assertEqual(sorted(x["creator"]["id"] for x in results), want, share)
            for x in results:
                c = self.by_handle[self.handle_of[x["creator"]["id"]]]
                self.assertTrue(x["creator"]["country"] == "US" or
                                (c.get("audience_countries") or {}).get("US", 0) >= share, x)
        # the default share is 0.5
        results, b = self.all_results(dict(WIDE, target_countries=["US"], target_countries_mode="require"))
        self.assertEqual(b["min_audience_share"], 0.5)
        self.assertEqual(sorted(x["creator"]["id"] for x in results),
                         sorted(self.ids[c["handle"]] for c in self.rows
                                if NICHE in c["categories"] and country_ok(c, ["US"], 0.5)))

    def test_exclusions(self):
        results, b = self.all_results(dict(WIDE, exclude_keywords=["Gambling"],
                                           exclude_handles=["@MP_01", "mp_02", "nobody"]))
        self.assertEqual(b["exclude_keywords"], ["gambling"])
        self.assertEqual(b["exclude_handles"], ["mp_01", "mp_02", "nobody"])
        got = {self.handle_of[x["creator"]["id"]] for x in results}
        gone = {"mp_01", "mp_02", "mp_03", "mp_07", "mp_11", "mp_12"}
        for h in gone:
            self.assertNotIn(h, got)
        self.assertEqual(got, {c["handle"] for c in self.rows if NICHE in c["categories"]} - gone)
        # a run may override them (overrides are brand fields)
        run = self.run_match(b["id"], {"exclude_keywords": [], "exclude_handles": ["mp_04"], "limit": 1000})
        got = {self.handle_of[x["creator"]["id"]] for x in self.page(b["id"])["data"]}
        self.assertIn("mp_03", got)
        self.assertNotIn("mp_04", got)
        self.assertEqual(run["run"]["query"]["exclude_handles"], ["mp_04"])

    def test_brand_field_validation(self):
        b = self.make_brand()
        self.assertEqual(b["target_countries_mode"], "prefer")
        self.assertEqual(b["min_audience_share"], 0.5)
        self.assertEqual(b["exclude_keywords"], [])
        self.assertEqual(b["exclude_handles"], [])
        for body, field in (({"target_countries_mode": "require"}, "target_countries_mode"),
                            ({"target_countries_mode": "always", "target_countries": ["US"]},
                             "target_countries_mode"),
                            ({"min_audience_share": 1.5}, "min_audience_share"),
                            ({"min_audience_share": "half"}, "min_audience_share"),
                            ({"exclude_keywords": "gambling"}, "exclude_keywords"),
                            ({"exclude_keywords": [""]}, "exclude_keywords[0]"),
                            ({"exclude_handles": ["a b"]}, "exclude_handles[0]"),
                            ({"exclude_handles": ["@@a"]}, "exclude_handles[0]"),
                            ({"exclude_handles": [7]}, "exclude_handles[0]"),
                            ({"exclude_handles": ["h%d" % i for i in range(101)]}, "exclude_handles")):
            r = self.request("POST", "/v1/brands", dict({"name": "X", "niches": ["a"]}, **body))
            self.assertProblem(r, 422, field)
        r = self.request("PATCH", "/v1/brands/%d" % b["id"], {"target_countries_mode": "require"})
        self.assertProblem(r, 422, "target_countries_mode")
        r = self.request("PATCH", "/v1/brands/%d" % b["id"],
                         {"target_countries_mode": "REQUIRE", "target_countries": ["us"]})
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(r.json["target_countries_mode"], "require")
        # removing the countries of a require brand is refused too
        r = self.request("PATCH", "/v1/brands/%d" % b["id"], {"target_countries": None})
        self.assertProblem(r, 422, "target_countries_mode")
        r = self.request("POST", "/v1/brands/%d/matches" % b["id"], {"exclude_handles": ["a b"]})
        self.assertProblem(r, 422, "exclude_handles[0]")


if __name__ == "__main__":
    unittest.main()
