"""Data freshness filters and labels (issue 16; docs/api.md "Data freshness filters",
docs/scoring.md §12): max_data_age_days and min_confidence on creator search (index and SQL
paths), the CSV export, match runs (funnel rules data_too_old, confidence_below_minimum) and
plans; the data_stale explanation of old results; confidence on plan entries; the data-health
gauges of /metrics.

The seed crosses data ages (at exact day boundaries), sample sizes, price, audience data and a
derived rate, so every confidence level and both sides of every age edge occur; what each
filter should keep is computed here from the seed with the documented rules."""
import csv
import io
import itertools
import unittest
from datetime import datetime, timedelta, timezone

from harness import ServerTestCase
from apihelpers import Api, body_of

AGES = [0, 30, 100, 180, 181, 200, 365, 366, 400]
SAMPLES = [None, 1, 3, 30]
LEVELS = ["high", "medium", "low"]


def ts(days_ago):
    # cut to whole seconds (a little older): the age in whole days is exactly days_ago for
    # the day after the seed
    t = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_level(c):
    """docs/scoring.md §12.1, from the prose."""
    age, sample = c["_age"], c.get("sample_posts")
    sample = -1 if sample is None else sample
    stale = age > 180
    thin = 0 <= sample < 6
    minor = int(c["_derived"]) + int(c.get("audience_countries") is None) + \
        int(c.get("price_per_post_cents") is None)
    if age > 365 or 0 <= sample <= 1 or (stale and thin):
        return "low"
    if stale or thin or minor >= 2:
        return "medium"
    return "high"


def seed():
    rows = []
    for i, (age, sample, price, aud, derived) in enumerate(
            itertools.product(AGES, SAMPLES, (True, False), (True, False), (False, True))):
        if derived and (not price or not aud):
            continue  # a derived rate only with everything else known: keeps the seed small
        r = {"platform": "instagram", "handle": "ff_%03d" % i, "followers": 20000 + i,
             "categories": ["fitness"], "data_as_of": ts(age), "last_post_at": ts(2)}
        if derived:
            r.update(avg_likes=900, avg_comments=100)
        else:
            r["engagement_rate"] = 0.05
        if sample is not None:
            r["sample_posts"] = sample
        if price:
            r["price_per_post_cents"] = 30000
        if aud:
            r["audience_countries"] = {"US": 0.6, "GB": 0.2}
        r["_age"], r["_derived"] = age, derived
        rows.append(r)
    return rows


def wire(r):
    return {k: v for k, v in r.items() if not k.startswith("_")}


def keeps(rows, max_age=None, min_conf=None):
    out = set()
    for c in rows:
        if max_age is not None and c["_age"] > max_age:
            continue
        if min_conf is not None and LEVELS.index(expected_level(c)) > LEVELS.index(min_conf):
            continue
        out.add(c["handle"])
    return out


AGE_CASES = [0, 29, 30, 180, 181, 199, 365, 366, 400, 36500]
CASES = [(a, None) for a in AGE_CASES] + [(None, l) for l in LEVELS] + \
    [(180, "high"), (365, "medium"), (30, "low"), (400, "medium")]


def metric(text, name, label):
    for line in text.splitlines():
        if line.startswith('%s{%s}' % (name, label)):
            return float(line.split()[-1])
    return None


class FreshFilterBase(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    served = "index"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = seed()
        cls.by_handle = {r["handle"]: r for r in cls.rows}
        # creators outside the brand's niche and follower range, for the search only
        extra = [{"platform": "tiktok", "handle": "ff_other_%d" % i, "followers": 500 + i,
                  "categories": ["knitting"], "engagement_rate": 0.02, "data_as_of": ts(age),
                  "_age": age, "_derived": False} for i, age in enumerate([1, 250, 500])]
        cls.rows_all = cls.rows + extra
        import json
        body = "".join(json.dumps(wire(r)) + "\n" for r in cls.rows_all).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=body,
                               content_type="application/x-ndjson")
        assert r.status == 201 and r.json["rejected"] == 0, body_of(r)

    def search(self, query):
        items, _ = self.collect("/v1/creators" + ("?" + query if query else ""), limit=200)
        return items

    def served_count(self, how):
        r = self.request("GET", "/metrics")
        return metric(r.text, "nichematch_creator_searches_total", 'served="%s"' % how) or 0.0


class SearchFilterTests(FreshFilterBase):
    def test_seed_confidence_is_the_documented_one(self):
        got = {c["handle"]: c["confidence"] for c in self.search("")}
        for r in self.rows_all:
            self.assertEqual(got[r["handle"]], expected_level(r), r)
        self.assertEqual(set(got.values()), set(LEVELS))

    def test_filters_remove_exactly_what_they_should(self):
        before = self.served_count(self.served)
        for max_age, min_conf in CASES:
            q = []
            if max_age is not None:
                q.append("max_data_age_days=%d" % max_age)
            if min_conf is not None:
                q.append("min_confidence=" + min_conf)
            with self.subTest(query="&".join(q)):
                want = keeps(self.rows_all, max_age, min_conf)
                items = self.search("&".join(q) + "&sort=-followers")
                self.assertEqual({c["handle"] for c in items}, want)
                first = self.request("GET", "/v1/creators?limit=5&facets=platform&" + "&".join(q))
                self.assertStatus(first, 200)
                self.assertEqual(first.json["total"], len(want))
                self.assertEqual(sum(f["count"] for f in first.json["facets"]["platform"]),
                                 len(want))
        self.assertGreater(self.served_count(self.served), before)

    def test_combined_with_other_filters(self):
        want = {h for h in keeps(self.rows_all, 180, "medium")
                if self.by_handle.get(h, {}).get("price_per_post_cents")}
        items = self.search("max_data_age_days=180&min_confidence=medium&has_price=true")
        self.assertEqual({c["handle"] for c in items}, want)

    def test_by_handle_goes_through_sql_with_the_same_answer(self):
        for h in ("ff_000", "ff_150", "ff_other_2"):
            r = next(x for x in self.rows_all if x["handle"] == h)
            platform = r["platform"]
            for max_age, min_conf in CASES:
                q = "platform=%s&handle=%s" % (platform, h)
                if max_age is not None:
                    q += "&max_data_age_days=%d" % max_age
                if min_conf is not None:
                    q += "&min_confidence=" + min_conf
                got = self.request("GET", "/v1/creators?" + q)
                self.assertStatus(got, 200)
                self.assertEqual(len(got.json["data"]), len(keeps([r], max_age, min_conf)), q)

    def test_csv_export_shares_the_filters(self):
        for max_age, min_conf in [(180, None), (None, "high"), (365, "medium")]:
            q = "max_data_age_days=%d" % max_age if max_age is not None else ""
            if min_conf:
                q += ("&" if q else "") + "min_confidence=" + min_conf
            r = self.request("GET", "/v1/creators.csv?" + q)
            self.assertStatus(r, 200)
            handles = {row["handle"] for row in csv.DictReader(io.StringIO(r.text))}
            self.assertEqual(handles, keeps(self.rows_all, max_age, min_conf), q)

    def test_bad_values_are_problems_naming_the_parameter(self):
        for q, param in [("max_data_age_days=-1", "max_data_age_days"),
                         ("max_data_age_days=abc", "max_data_age_days"),
                         ("max_data_age_days=1.5", "max_data_age_days"),
                         ("max_data_age_days=36501", "max_data_age_days"),
                         ("min_confidence=great", "min_confidence"),
                         ("min_confidence=", "min_confidence")]:
            for path in ("/v1/creators?", "/v1/creators.csv?"):
                with self.subTest(path=path + q):
                    r = self.request("GET", path + q)
                    self.assertProblem(r, 400, param)


class SearchFilterSqlTests(SearchFilterTests):
    """The same answers from the SQL path (NICHEMATCH_SEARCH_INDEX=0)."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_INDEX": "0"}
    served = "sql"


class MatchFilterTests(FreshFilterBase):
    def run_match(self, brand, body):
        r = self.request("POST", "/v1/brands/%d/matches" % brand["id"], body)
        self.assertEqual(r.status, 201, body_of(r))
        items, _ = self.collect("/v1/brands/%d/matches?run_id=%d" % (brand["id"], r.json["run"]["id"]),
                                limit=200)
        return r.json["run"], {x["creator"]["handle"]: x for x in items}

    def test_run_filters_and_funnel(self):
        brand = self.make_brand(name="Fresh", niches=["fitness"])
        everyone = {r["handle"] for r in self.rows}
        for max_age, min_conf in CASES:
            body = {"limit": 1000}
            if max_age is not None:
                body["max_data_age_days"] = max_age
            if min_conf is not None:
                body["min_confidence"] = min_conf
            with self.subTest(body=body):
                run, got = self.run_match(brand, body)
                want = keeps(self.rows, max_age, min_conf)
                self.assertEqual(set(got), want)
                rules = {x["rule"]: x["removed"] for x in run["funnel"]["rules"]}
                too_old = everyone - keeps(self.rows, max_age)
                self.assertEqual(rules["data_too_old"], len(too_old))
                self.assertEqual(rules["confidence_below_minimum"],
                                 len(everyone - too_old - want))
                self.assertEqual([x["rule"] for x in run["funnel"]["rules"]][-2:],
                                 ["data_too_old", "confidence_below_minimum"])
                self.assertEqual(run["funnel"]["candidates"], len(want))
                for k in ("max_data_age_days", "min_confidence"):
                    self.assertEqual(run["query"].get(k), body.get(k))

    def test_brand_fields_apply_and_a_run_overrides_them(self):
        brand = self.make_brand(name="Fresh brand", niches=["fitness"], max_data_age_days=180,
                                min_confidence="medium")
        got = self.request("GET", "/v1/brands/%d" % brand["id"]).json
        self.assertEqual((got["max_data_age_days"], got["min_confidence"]), (180, "medium"))
        _, res = self.run_match(brand, {"limit": 1000})
        self.assertEqual(set(res), keeps(self.rows, 180, "medium"))
        _, res = self.run_match(brand, {"limit": 1000, "max_data_age_days": None,
                                        "min_confidence": "low"})
        self.assertEqual(set(res), {r["handle"] for r in self.rows})

    def test_bad_values_are_validation_problems(self):
        brand = self.make_brand(name="Fresh bad", niches=["fitness"])
        for body, field in [({"max_data_age_days": -1}, "max_data_age_days"),
                            ({"max_data_age_days": "30"}, "max_data_age_days"),
                            ({"max_data_age_days": 2.5}, "max_data_age_days"),
                            ({"min_confidence": "great"}, "min_confidence"),
                            ({"min_confidence": 1}, "min_confidence")]:
            with self.subTest(body=body):
                r = self.request("POST", "/v1/brands/%d/matches" % brand["id"], body)
                self.assertProblem(r, 422, field)
                r = self.request("POST", "/v1/brands/%d/plans" % brand["id"],
                                 dict(body, budget_cents=100000))
                self.assertProblem(r, 422, field)
                r = self.request("POST", "/v1/brands", dict(body, name="x", niches=["fitness"]))
                self.assertProblem(r, 422, field)

    def test_old_data_is_explained_and_scores_the_same(self):
        brand = self.make_brand(name="Fresh scores", niches=["fitness"])
        _, res = self.run_match(brand, {"limit": 1000})
        for h, x in res.items():
            r = self.by_handle[h]
            stale = [e for e in x["explanations"] if e["code"] == "data_stale"]
            if r["_age"] > 180:
                self.assertEqual(len(stale), 1, x)
                self.assertEqual(stale[0]["text"], "Data %d days old" % r["_age"])
                self.assertEqual((stale[0]["value"], stale[0]["benchmark"], stale[0]["component"]),
                                 (r["_age"], 180, None))
                self.assertIn("Data %d days old" % r["_age"], x["reasons"])
            else:
                self.assertEqual(stale, [], x)
        # the run's CSV export carries the sentence among the reasons
        r = self.request("GET", "/v1/brands/%d/matches.csv" % brand["id"])
        self.assertStatus(r, 200)
        rows = {row["handle"]: row for row in csv.DictReader(io.StringIO(r.text))}
        self.assertEqual(set(rows), set(res))
        for h, row in rows.items():
            age = self.by_handle[h]["_age"]
            self.assertEqual("Data %d days old" % age in row["reasons"], age > 180, row)

    def test_identical_creators_old_and_new_score_identically(self):
        rows = [{"platform": "youtube", "handle": "ff_twin_%s" % n, "followers": 33333,
                 "categories": ["yoga"], "engagement_rate": 0.04, "sample_posts": 12,
                 "price_per_post_cents": 20000, "data_as_of": ts(age), "last_post_at": ts(3)}
                for n, age in (("new", 1), ("old", 700))]
        self.import_rows(rows)
        brand = self.make_brand(name="Twins", niches=["yoga"])
        _, res = self.run_match(brand, {"limit": 10})
        new, old = res["ff_twin_new"], res["ff_twin_old"]
        self.assertEqual(new["score"], old["score"])
        self.assertEqual(new["components"], old["components"])
        self.assertEqual(new["points"], old["points"])
        self.assertEqual([e for e in old["explanations"] if e["code"] != "data_stale"],
                         new["explanations"])


class PlanFilterTests(FreshFilterBase):
    def plan(self, brand, **body):
        body.setdefault("budget_cents", 100000000)
        body.setdefault("max_creators", 100)
        body.setdefault("max_share_per_creator", 1)
        r = self.request("POST", "/v1/brands/%d/plans" % brand["id"], body)
        self.assertEqual(r.status, 201, body_of(r))
        return r.json

    def test_plan_entries_carry_confidence(self):
        brand = self.make_brand(name="Plan conf", niches=["fitness"])
        p = self.plan(brand)
        self.assertEqual((p["request"]["max_data_age_days"], p["request"]["min_confidence"]),
                         (None, None))
        self.assertGreater(len(p["portfolio"]), 10)
        replies = {c["handle"]: c for c in self.search("category=fitness")}
        for e in p["portfolio"]:
            c = replies[e["creator"]["handle"]]
            self.assertEqual(e["confidence"], c["confidence"], e)
            self.assertEqual(e["confidence_codes"], c["confidence_codes"], e)
        self.assertGreaterEqual(len({e["confidence"] for e in p["portfolio"]}), 2)

    def test_plan_filters(self):
        brand = self.make_brand(name="Plan fresh", niches=["fitness"])
        for max_age, min_conf in [(180, None), (None, "high"), (365, "medium")]:
            body = {}
            if max_age is not None:
                body["max_data_age_days"] = max_age
            if min_conf is not None:
                body["min_confidence"] = min_conf
            with self.subTest(body=body):
                p = self.plan(brand, **body)
                got = {e["creator"]["handle"] for e in p["portfolio"]}
                self.assertTrue(got)
                self.assertLessEqual(got, keeps(self.rows, max_age, min_conf))
                self.assertEqual(p["request"]["max_data_age_days"], max_age)
                self.assertEqual(p["request"]["min_confidence"], min_conf)
                if min_conf:
                    self.assertTrue(all(LEVELS.index(e["confidence"]) <= LEVELS.index(min_conf)
                                        for e in p["portfolio"]))

    def test_must_include_outside_the_filter_is_refused(self):
        brand = self.make_brand(name="Plan must", niches=["fitness"])
        old = next(r for r in self.rows if r["_age"] == 400)
        cid = self.request("GET", "/v1/creators?platform=instagram&handle=" + old["handle"]).json["data"][0]["id"]
        r = self.request("POST", "/v1/brands/%d/plans" % brand["id"],
                         {"budget_cents": 1000000, "max_data_age_days": 180, "must_include": [cid]})
        self.assertProblem(r, 422, "must_include[0]")


class GaugeTests(FreshFilterBase):
    def test_gauges_equal_stats(self):
        stats = self.request("GET", "/v1/stats").json
        text = self.request("GET", "/metrics").text
        self.assertIn("# TYPE nichematch_creators_by_data_age gauge", text)
        self.assertIn("# TYPE nichematch_creators_by_confidence gauge", text)
        for bucket, n in stats["data_age"].items():
            self.assertEqual(metric(text, "nichematch_creators_by_data_age", 'bucket="%s"' % bucket), n)
        for level, n in stats["confidence"].items():
            self.assertEqual(metric(text, "nichematch_creators_by_confidence", 'level="%s"' % level), n)
        self.assertEqual(sum(stats["confidence"].values()), len(self.rows_all))
        want = {l: sum(1 for r in self.rows_all if expected_level(r) == l) for l in LEVELS}
        self.assertEqual(stats["confidence"], want)


if __name__ == "__main__":
    unittest.main()
