"""A bulk import's commit notifies every instance (NOTIFY nm_invalidate 'creators'), whose
listener asks the index to sync in the background: the index holds the imported creators
without any search having asked for them, so the first search after a large import does
not wait for the whole delta (10 s at 1M creators). Without it the index stays as it was
until a request syncs it."""
import json
import re
import time

from harness import ServerTestCase
from apihelpers import Api


def gauge(text, name):
    m = re.search(r"^%s ([0-9.e+]+)$" % re.escape(name), text, re.M)
    return float(m.group(1)) if m else None


class BackgroundSyncTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def indexed(self):
        return gauge(self.request("GET", "/metrics", key=None).text, "nichematch_index_creators")

    def test_import_reaches_the_index_without_a_search(self):
        deadline = time.monotonic() + 30
        while self.indexed() is None and time.monotonic() < deadline:  # the warm-up load
            time.sleep(0.1)
        before = self.indexed()
        self.assertIsNotNone(before)
        rows = [{"platform": "tiktok", "handle": "bg%05d" % i, "followers": 20000 + i} for i in range(3000)]
        r = self.server.request("POST", "/v1/creators/import",
                                raw="".join(json.dumps(x) + "\n" for x in rows).encode(),
                                content_type="application/x-ndjson")
        self.assertStatus(r, 201)
        deadline = time.monotonic() + 15
        while self.indexed() != before + 3000 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.indexed(), before + 3000)
        text = self.request("GET", "/metrics", key=None).text
        self.assertIn('nichematch_invalidations_total{cause="creators_imported"}', text)
