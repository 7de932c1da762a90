"""The pipeline in bulk (issue 13): bulk status in one transaction, the history of every change
with who made it, clearing a status, and the per-status counts. Oracles are the test's own
bookkeeping and the events table."""
import json
import time

from harness import ServerTestCase


class PipelineTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_WORKERS": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = "".join(json.dumps({"platform": "instagram", "handle": "pipe_%04d" % i,
                                   "followers": 20000 + i, "categories": ["fitness"]}) + "\n"
                       for i in range(600))
        r = cls.server.request("POST", "/v1/creators/import", rows, content_type="application/x-ndjson")
        assert r.status == 201, r
        ids = cls.server.psql("SELECT id FROM creators WHERE handle LIKE 'pipe_%' ORDER BY handle")
        cls.ids = [int(x[0]) for x in ids]
        assert len(cls.ids) == 600

    def brand(self):
        r = self.request("POST", "/v1/brands", {"name": "Pipe %f" % time.time(), "niches": ["fitness"]})
        self.assertStatus(r, 201)
        return r.json["id"]

    def events(self, brand):
        return self.server.psql(
            "SELECT (data->>'creator_id')::bigint, data->>'previous_status', data->>'status' FROM events "
            "WHERE type = 'creator.status_changed' AND (data->>'brand_id')::bigint = %d ORDER BY id" % brand)

    def test_bulk_500_in_one_transaction(self):
        b = self.brand()
        ids = self.ids[:500]
        r = self.request("POST", "/v1/brands/%d/statuses" % b,
                         {"creator_ids": ids, "status": "shortlisted", "note": "batch"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["count"], 500)
        self.assertEqual(r.json["changed"], 500)
        self.assertEqual(sorted(x["creator_id"] for x in r.json["data"]), sorted(ids))
        self.assertTrue(all(x["previous_status"] is None for x in r.json["data"]))
        self.assertEqual(len(self.events(b)), 500)
        # A second call: 250 of them move on, 250 stay; only the 250 emit.
        r = self.request("POST", "/v1/brands/%d/statuses" % b,
                         {"creator_ids": ids[:250], "status": "contacted"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["changed"], 250)
        r = self.request("POST", "/v1/brands/%d/statuses" % b,
                         {"creator_ids": ids[:250], "status": "contacted"})
        self.assertEqual(r.json["changed"], 0)
        self.assertEqual(len(self.events(b)), 750)

    def test_bulk_with_an_unknown_id_changes_nothing(self):
        b = self.brand()
        ids = self.ids[:10] + [999999999] + self.ids[10:20]
        r = self.request("POST", "/v1/brands/%d/statuses" % b, {"creator_ids": ids, "status": "contacted"})
        self.assertProblem(r, 422, field="creator_ids[10]")
        self.assertIn("999999999", json.dumps(r.json))
        self.assertEqual(self.server.psql("SELECT count(*) FROM creator_statuses WHERE brand_id = %d" % b),
                         [("0",)])
        self.assertEqual(self.events(b), [])
        self.assertEqual(self.server.psql("SELECT count(*) FROM status_history WHERE brand_id = %d" % b),
                         [("0",)])

    def test_bulk_validation(self):
        b = self.brand()
        for body, field in (({"status": "contacted"}, "creator_ids"),
                            ({"creator_ids": [], "status": "contacted"}, "creator_ids"),
                            ({"creator_ids": self.ids[:501] + [1], "status": "contacted"}, "creator_ids"),
                            ({"creator_ids": [1, "x"], "status": "contacted"}, "creator_ids[1]"),
                            ({"creator_ids": [1], "status": "maybe"}, "status"),
                            ({"creator_ids": [1], "status": "contacted", "extra": 1}, "extra")):
            self.assertProblem(self.request("POST", "/v1/brands/%d/statuses" % b, body), 422, field=field)

    def test_bulk_is_idempotent_with_a_key(self):
        b = self.brand()
        body = {"creator_ids": self.ids[:5], "status": "accepted"}
        h = {"Idempotency-Key": "bulk-%f" % time.time()}
        r1 = self.request("POST", "/v1/brands/%d/statuses" % b, body, headers=h)
        r2 = self.request("POST", "/v1/brands/%d/statuses" % b, body, headers=h)
        self.assertStatus(r1, 200)
        self.assertEqual(r1.json, r2.json)
        self.assertEqual(len(self.events(b)), 5)

    def test_history_in_order_with_who(self):
        b = self.brand()
        c = self.ids[550]
        key = self.server.key("write", name="alice")
        path = "/v1/brands/%d/creators/%d/status" % (b, c)
        steps = [("shortlisted", "first look", None), ("contacted", "emailed", key),
                 ("contacted", "emailed again", key), ("accepted", None, None)]
        for status, note, k in steps:
            kw = {"key": k} if k else {}
            self.assertStatus(self.request("PUT", path, {"status": status, "note": note}, **kw), 200)
        self.assertStatus(self.request("DELETE", path), 204)
        self.assertProblem(self.request("DELETE", path), 404)
        r = self.request("GET", "/v1/brands/%d/creators/%d/history?limit=2" % (b, c))
        self.assertStatus(r, 200)
        entries = r.json["data"]
        while r.json["next_cursor"]:
            r = self.request("GET", "/v1/brands/%d/creators/%d/history?limit=2&cursor=%s"
                             % (b, c, r.json["next_cursor"]))
            entries += r.json["data"]
        got = [(e["from"], e["to"], e["note"], e["key_name"]) for e in entries]
        self.assertEqual(got, [(None, "shortlisted", "first look", "harness"),
                               ("shortlisted", "contacted", "emailed", "alice"),
                               ("contacted", "contacted", "emailed again", "alice"),
                               ("contacted", "accepted", None, "harness"),
                               ("accepted", None, None, "harness")])
        self.assertTrue(all(e["source"] == "api" for e in entries))
        # Events: one per status change, the clear included (status null).
        self.assertEqual([(e[1], e[2]) for e in self.events(b)],
                         [(None, "shortlisted"), ("shortlisted", "contacted"), ("contacted", "accepted"),
                          ("accepted", None)])

    def test_pipeline_counts(self):
        b = self.brand()
        want = {"shortlisted": 7, "contacted": 4, "accepted": 2, "declined": 1, "excluded": 3}
        at = 0
        for status, n in want.items():
            ids = self.ids[at:at + n]
            at += n
            self.assertStatus(self.request("POST", "/v1/brands/%d/statuses" % b,
                                           {"creator_ids": ids, "status": status}), 200)
        r = self.request("GET", "/v1/brands/%d/pipeline" % b)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["counts"], want)
        self.assertEqual(r.json["total"], sum(want.values()))
        self.assertIsNone(r.json["latest_run"])
        run = self.request("POST", "/v1/brands/%d/matches" % b)
        self.assertStatus(run, 201)
        r = self.request("GET", "/v1/brands/%d/pipeline" % b)
        self.assertEqual(r.json["latest_run"]["id"], run.json["run"]["id"])
        self.assertEqual(r.json["latest_run"]["stored"], run.json["run"]["stored"])

    def test_brand_scoped_key_sees_only_its_brand(self):
        b, other = self.brand(), self.brand()
        key = self.server.key("write", brand=b)
        self.assertProblem(self.request("GET", "/v1/brands/%d/pipeline" % other, key=key), 404)
        self.assertProblem(self.request("POST", "/v1/brands/%d/statuses" % other,
                                        {"creator_ids": [self.ids[0]], "status": "contacted"}, key=key), 404)
        self.assertStatus(self.request("GET", "/v1/brands/%d/pipeline" % b, key=key), 200)
