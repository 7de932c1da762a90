"""Every creator search first asks PostgreSQL whether creators changed since the index's
last sync. That question must cost one index descent whatever the planner's statistics say:
asked as EXISTS (... WHERE txid >= $mark) it was planned as a sequential scan of creators
while the table had no statistics (after a bulk import, until autoanalyze), 35 ms of
PostgreSQL per search at 100,000 creators. The test removes the statistics, turns
autoanalyze off for the table, and counts creators' sequential scans during searches."""
import json
import time

from harness import ServerTestCase
from apihelpers import Api


class SyncCheckCostTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_CACHE": "0"}

    def seq_scans(self):
        time.sleep(11)  # an idle backend flushes its statistics within 10 s
        return int(self.server.psql("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'creators'")[0][0])

    def test_searches_do_not_scan_creators(self):
        rows = [{"platform": "instagram", "handle": "sync%05d" % i, "followers": 10000 + i,
                 "categories": ["fitness"]} for i in range(3000)]
        r = self.server.request("POST", "/v1/creators/import",
                                raw="".join(json.dumps(x) + "\n" for x in rows).encode(),
                                content_type="application/x-ndjson")
        self.assertStatus(r, 201)
        self.assertStatus(self.request("GET", "/v1/creators?limit=5"), 200)  # the index is loaded
        self.server.psql("ALTER TABLE creators SET (autovacuum_enabled = false)")
        try:
            self.server.psql("DELETE FROM pg_statistic WHERE starelid = 'creators'::regclass")
            before = self.seq_scans()
            for i in range(20):
                self.assertStatus(self.request("GET", "/v1/creators?limit=5&min_followers=%d" % (10000 + i)), 200)
            after = self.seq_scans()
            self.assertLess(after - before, 5, "searches scanned the creators table: %d -> %d" % (before, after))
        finally:
            self.server.psql("ALTER TABLE creators RESET (autovacuum_enabled)")
            self.server.psql("ANALYZE creators")
