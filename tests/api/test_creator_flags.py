"""A creator's own flags (GET /v1/creators/{id}, lists, search) say what a match run's flags
say about its activity: `inactive` after 60 days without a post, `no_last_post` without a
date (docs/scoring.md). Creator replies used to score every creator as if it had posted
today, so neither flag ever appeared there while match runs showed them."""
import datetime

from harness import ServerTestCase


def days_ago(n):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=n)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class CreatorActivityFlagTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def creator(self, handle, **extra):
        body = {"platform": "instagram", "handle": handle, "followers": 30000,
                "engagement_rate": 0.04, "categories": ["fitness"], "price_per_post_cents": 20000}
        body.update(extra)
        r = self.request("POST", "/v1/creators", body)
        self.assertStatus(r, 201)
        return r.json

    def test_activity_flags_in_creator_replies(self):
        cases = {"flag_old": (days_ago(95), {"inactive"}),
                 "flag_recent": (days_ago(3), set()),
                 "flag_edge": (days_ago(59), set()),
                 "flag_none": (None, {"no_last_post"})}
        ids = {}
        for handle, (when, want) in cases.items():
            extra = {"last_post_at": when} if when else {}
            c = self.creator(handle, **extra)
            ids[handle] = c["id"]
            got = set(c["flags"]) & {"inactive", "no_last_post"}
            self.assertEqual(got, want, "%s in the POST reply: %r" % (handle, c["flags"]))
            g = self.request("GET", "/v1/creators/%d" % c["id"]).json
            self.assertEqual(set(g["flags"]) & {"inactive", "no_last_post"}, want, handle)
        lst = self.request("GET", "/v1/creators?limit=100").json["data"]
        by = {c["handle"]: set(c["flags"]) & {"inactive", "no_last_post"} for c in lst}
        for handle, (_, want) in cases.items():
            self.assertEqual(by[handle], want, "%s in the list" % handle)

    def test_match_results_agree(self):
        self.creator("agree_old", last_post_at=days_ago(200))
        self.creator("agree_new", last_post_at=days_ago(1))
        b = self.request("POST", "/v1/brands", {"name": "Agree Co", "niches": ["fitness"]}).json
        run = self.request("POST", "/v1/brands/%d/matches" % b["id"])
        self.assertStatus(run, 201)
        results = {m["creator"]["handle"]: m for m in run.json["data"]
                   if m["creator"]["handle"].startswith("agree_")}
        self.assertEqual(set(results), {"agree_old", "agree_new"})
        for handle, m in results.items():
            mine = self.request("GET", "/v1/creators/%d" % m["creator"]["id"]).json["flags"]
            self.assertEqual(set(m["flags"]) & {"inactive", "no_last_post"},
                             set(mine) & {"inactive", "no_last_post"}, handle)
