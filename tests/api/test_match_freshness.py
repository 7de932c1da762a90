"""Match results say how old and how solid each creator's numbers are (issue 16): the
result's creator carries data_age_days, confidence and confidence_codes, equal to what the
creator's own reply says at the same moment; the score does not depend on them."""
import datetime

from harness import ServerTestCase
from apihelpers import Api


def days_ago(n):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=n, hours=1)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class MatchFreshnessTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_MATCH_RUNS_PER_MINUTE": "0"}

    def test_results_carry_age_and_confidence(self):
        base = {"platform": "instagram", "followers": 30000, "engagement_rate": 0.04,
                "categories": ["mfniche"], "last_post_at": days_ago(2)}
        self.make_creator(handle="mf_old", data_as_of=days_ago(210), sample_posts=3, **base)
        self.make_creator(handle="mf_new", data_as_of=days_ago(5), sample_posts=40,
                          price_per_post_cents=20000, audience_female_share=0.5, **base)
        brand = self.make_brand(niches=["mfniche"])["id"]
        run = self.request("POST", "/v1/brands/%d/matches" % brand)
        self.assertStatus(run, 201)
        got = {m["creator"]["handle"]: m for m in run.json["data"]}
        self.assertEqual(set(got), {"mf_old", "mf_new"})
        for handle, age in (("mf_old", 210), ("mf_new", 5)):
            c = got[handle]["creator"]
            self.assertEqual(c["data_age_days"], age, c)
            mine = self.request("GET", "/v1/creators/%d" % c["id"]).json
            self.assertEqual((c["confidence"], c["confidence_codes"]),
                             (mine["confidence"], mine["confidence_codes"]), handle)
        self.assertEqual(got["mf_old"]["creator"]["confidence"], "low")
        self.assertIn("stale", got["mf_old"]["creator"]["confidence_codes"])
        self.assertEqual(got["mf_new"]["creator"]["confidence"], "high")
        # the stored page says the same
        page = self.request("GET", "/v1/brands/%d/matches" % brand).json["data"]
        self.assertEqual({m["creator"]["handle"]: m["creator"]["data_age_days"] for m in page},
                         {"mf_old": 210, "mf_new": 5})
