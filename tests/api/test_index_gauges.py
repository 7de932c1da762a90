"""/metrics shows this instance's ranking index (creators, bytes, terms, postings): the
figures that set an instance's memory and its ceiling of creators (docs/scaling.md)."""
import re

from harness import ServerTestCase
from apihelpers import Api, poll


def gauge(text, name):
    m = re.search(r"^%s (\d+)$" % name, text, re.M)
    return int(m.group(1)) if m else None


class IndexGaugeTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_index_gauges_follow_the_pool(self):
        for i in range(3):
            self.make_creator(handle="ig_%d" % i, categories=["igniche", "fitness"], bio="lifting daily")
        brand = self.make_brand(niches=["igniche"])["id"]
        self.assertStatus(self.request("POST", "/v1/brands/%d/matches" % brand), 201)  # synced now
        text = self.request("GET", "/metrics", key=None).text
        for name in ("nichematch_index_creators", "nichematch_index_bytes", "nichematch_index_terms",
                     "nichematch_index_postings"):
            self.assertRegex(text, r"(?m)^# TYPE %s gauge$" % name)
        self.assertEqual(gauge(text, "nichematch_index_creators"), 3)
        self.assertGreater(gauge(text, "nichematch_index_bytes"), 0)
        self.assertGreaterEqual(gauge(text, "nichematch_index_terms"), 2)
        self.assertGreaterEqual(gauge(text, "nichematch_index_postings"), 6)
        self.request("DELETE", "/v1/creators/%d" % self.request("GET", "/v1/creators?handle=ig_0").json["data"][0]["id"])
        self.assertStatus(self.request("POST", "/v1/brands/%d/matches" % brand), 201)
        self.assertTrue(poll(lambda: gauge(self.request("GET", "/metrics", key=None).text,
                                           "nichematch_index_creators") == 2, 10, 0.1))
