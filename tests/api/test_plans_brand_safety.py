"""Budget plans honour the brand's safety rules (docs/api-decisions.md, "Budget plans and the
match pages' brand rules"): a creator left out of match runs by exclude_handles,
exclude_keywords or target_countries_mode require is never planned, not in the portfolio, not
as the single-account alternative, not through must_include."""
import unittest
from datetime import datetime, timedelta, timezone

from harness import ServerTestCase
from apihelpers import Api, body_of

NICHE = "pbsniche"


def recent(days=2):
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def row(handle, **fields):
    r = {"platform": "instagram", "handle": handle, "followers": 30000, "engagement_rate": 0.04,
         "posts_count": 200, "last_post_at": recent(), "following": 500, "categories": [NICHE],
         "country": "US", "price_per_post_cents": 30000}
    r.update(fields)
    return r


class PlanBrandSafetyTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    # The excluded creators are the most attractive ones (high engagement, cheap), so an
    # unguarded planner would pick them first.
    ROWS = ([row("pbs_ok%02d" % i, engagement_rate=0.03 + 0.001 * i) for i in range(8)] + [
        row("pbs_rival", engagement_rate=0.09, price_per_post_cents=10000),
        row("pbs_casino", engagement_rate=0.09, price_per_post_cents=10000,
            hashtags=["gambling", "cards"]),
        row("pbs_biobet", engagement_rate=0.09, price_per_post_cents=10000,
            bio="I love gambling and long walks"),
        row("pbs_abroad", engagement_rate=0.09, price_per_post_cents=10000, country="FR",
            audience_countries={"FR": 0.9, "US": 0.1}),
        # big accounts: candidates for the single-account alternative only
        row("pbs_bigrival", followers=900000, engagement_rate=0.05, price_per_post_cents=200000),
        row("pbs_bigok", followers=400000, engagement_rate=0.01, price_per_post_cents=300000),
    ])
    EXCLUDED = ("pbs_rival", "pbs_casino", "pbs_biobet", "pbs_abroad", "pbs_bigrival")
    SAFE = dict(exclude_handles=["@PBS_Rival", "pbs_bigrival"], exclude_keywords=["Gambling"],
                target_countries=["US"], target_countries_mode="require")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import json
        r = cls.server.request("POST", "/v1/creators/import",
                               raw="".join(json.dumps(x) + "\n" for x in cls.ROWS).encode(),
                               content_type="application/x-ndjson")
        assert r.status == 201, r
        cls.ids = dict((h, int(i)) for i, h in cls.server.psql(
            "SELECT id, handle FROM creators WHERE handle LIKE 'pbs_%'"))

    def plan(self, brand_id, body, expect=201):
        r = self.request("POST", "/v1/brands/%d/plans" % brand_id, body)
        self.assertEqual(r.status, expect, body_of(r))
        return r.json

    @staticmethod
    def handles(p):
        out = [x["creator"]["handle"] for x in p["portfolio"]]
        if p.get("alternative"):
            out.append(p["alternative"]["creator"]["handle"])
        return out

    def test_excluded_creators_are_never_planned(self):
        body = {"budget_cents": 10000000, "max_creators": 20, "max_share_per_creator": 1}
        # Control: without the rules, the excluded creators are what the planner picks.
        open_brand = self.make_brand(name="Open", niches=[NICHE])["id"]
        got = self.handles(self.plan(open_brand, body))
        for h in ("pbs_rival", "pbs_casino", "pbs_biobet", "pbs_abroad"):
            self.assertIn(h, got, got)
        self.assertIn("pbs_bigrival", got, got)  # the best big account is the alternative

        safe = self.make_brand(name="Safe", niches=[NICHE], **self.SAFE)["id"]
        p = self.plan(safe, body)
        got = self.handles(p)
        for h in self.EXCLUDED:
            self.assertNotIn(h, got, body_of_plan(p))
        # the rest is still planned, and a big account that is not excluded is the alternative
        self.assertEqual(sorted(x for x in got if x.startswith("pbs_ok")),
                         ["pbs_ok%02d" % i for i in range(8)])
        self.assertIsNotNone(p["alternative"], p.get("alternative_reason"))
        self.assertEqual(p["alternative"]["creator"]["handle"], "pbs_bigok")
        # entries keep their reasons (the explanations' sentences since the match pages)
        for x in p["portfolio"] + [p["alternative"]]:
            self.assertTrue(x["reasons"] and all(isinstance(t, str) and t for t in x["reasons"]), x)
        # the stored plan says the same
        g = self.request("GET", "/v1/brands/%d/plans/%d" % (safe, p["id"]))
        self.assertEqual(g.status, 200, body_of(g))
        self.assertEqual(self.handles(g.json), got)

    def test_plan_overrides_do_not_lift_the_exclusions(self):
        safe = self.make_brand(name="Safe overrides", niches=[NICHE], **self.SAFE)["id"]
        # goal and platforms are the plan's only brand overrides; with both set the rules stay
        p = self.plan(safe, {"budget_cents": 10000000, "goal": "awareness",
                             "platforms": ["instagram"], "max_share_per_creator": 1})
        for h in self.EXCLUDED:
            self.assertNotIn(h, self.handles(p), body_of_plan(p))
        # the run's override fields are not plan fields
        r = self.request("POST", "/v1/brands/%d/plans" % safe,
                         {"budget_cents": 1000000, "exclude_handles": []})
        self.assertProblem(r, 422, "exclude_handles")

    def test_must_include_cannot_bring_an_excluded_creator_back(self):
        safe = self.make_brand(name="Safe musts", niches=[NICHE], **self.SAFE)["id"]
        for h in ("pbs_rival", "pbs_casino", "pbs_abroad"):
            r = self.request("POST", "/v1/brands/%d/plans" % safe,
                             {"budget_cents": 10000000, "must_include": [self.ids[h]]})
            self.assertProblem(r, 422, "must_include[0]")
            msg = r.json["errors"][0]["message"]
            if h == "pbs_rival":
                self.assertIn("exclude_handles", msg, msg)
            else:
                self.assertIn("does not match the brand", msg, msg)


def body_of_plan(p):
    return {"portfolio": [x["creator"]["handle"] for x in p["portfolio"]],
            "alternative": (p.get("alternative") or {}).get("creator", {}).get("handle")}


if __name__ == "__main__":
    unittest.main()
