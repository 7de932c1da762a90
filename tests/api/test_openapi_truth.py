"""/openapi.json tells the truth about replies: real replies of the running server are
validated against the document's success schemas by the jsonschema library (JSON Schema
2020-12 with formats), so a `required` list, a type, an enum, a closed object or a format the
server does not honour fails here."""
import json
import unittest

import jsonschema

from harness import ServerTestCase


def schema_errors(doc, schema, value):
    """Every way `value` breaks `schema` (JSON Schema 2020-12, the dialect of OpenAPI 3.1),
    checked by the jsonschema library; the document's components ride along so that
    "#/components/..." references resolve."""
    root = dict(schema, components=doc.get("components", {}))
    v = jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "$", e.message)
            for e in sorted(v.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))]


class OpenApiTruthTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1",
                  "NICHEMATCH_WEBHOOK_WORKERS": "0"}

    def check_reply(self, method, template, path, resp):
        doc = self.doc
        op = doc["paths"][template][method.lower()]
        self.assertIn(str(resp.status), op["responses"], "%s %s answered %r" % (method, path, resp))
        content = op["responses"][str(resp.status)].get("content", {})
        schema = content.get("application/json", {}).get("schema")
        self.assertIsNotNone(schema, "%s %s: no JSON schema for %d" % (method, template, resp.status))
        for e in schema_errors(doc, schema, resp.json):
            self.errors.append("%s %s: %s\n  reply: %s" % (method, path, e, resp.text[:600]))
        self.checked.add((method, template))

    def call(self, method, template, path, body=None, **kw):
        r = self.request(method, path, body, **kw)
        self.assertLess(r.status, 300, "%s %s: %r" % (method, path, r))
        if r.status != 204:
            self.check_reply(method, template, path, r)
        return r.json if r.status != 204 else None

    def test_replies_match_their_schemas(self):
        self.doc = self.request("GET", "/openapi.json", key=None).json
        self.checked = set()
        self.errors = []
        c = self.call
        c("GET", "/healthz", "/healthz", key=None)
        c("GET", "/readyz", "/readyz", key=None)
        k = c("POST", "/v1/keys", "/v1/keys", {"role": "read", "name": "truth"})
        c("GET", "/v1/keys", "/v1/keys")
        brand = c("POST", "/v1/brands", "/v1/brands",
                  {"name": "Truth Co", "niches": ["fitness"], "keywords": ["protein"],
                   "target_countries": ["US"], "budget_per_post_cents": 50000})
        b = brand["id"]
        c("GET", "/v1/brands", "/v1/brands")
        c("GET", "/v1/brands/{id}", "/v1/brands/%d" % b)
        c("PATCH", "/v1/brands/{id}", "/v1/brands/%d" % b, {"industry": "food"})
        cr = c("POST", "/v1/creators", "/v1/creators",
               {"platform": "instagram", "handle": "truth_fit", "followers": 25000,
                "engagement_rate": 0.05, "categories": ["fitness"], "country": "US",
                "bio": "protein and lifting", "price_per_post_cents": 20000})
        c("GET", "/v1/creators", "/v1/creators")
        c("GET", "/v1/creators/{id}", "/v1/creators/%d" % cr["id"])
        rows = "\n".join(json.dumps({"platform": "tiktok", "handle": "t%d" % i, "followers": 20000 + i,
                                     "categories": ["fitness"], "engagement_rate": 0.04})
                         for i in range(5)) + "\n"
        imp = c("POST", "/v1/creators/import", "/v1/creators/import", rows,
                content_type="application/x-ndjson")
        c("GET", "/v1/imports", "/v1/imports")
        c("GET", "/v1/imports/{id}", "/v1/imports/%d" % imp["id"])
        run = c("POST", "/v1/brands/{id}/matches", "/v1/brands/%d/matches" % b)
        c("GET", "/v1/brands/{id}/match-runs/{run_id}", "/v1/brands/%d/match-runs/%d" % (b, run["run"]["id"]))
        c("GET", "/v1/brands/{id}/matches", "/v1/brands/%d/matches" % b)
        c("GET", "/v1/brands/{id}/match-runs", "/v1/brands/%d/match-runs" % b)
        c("PUT", "/v1/brands/{id}/creators/{creator_id}/status",
          "/v1/brands/%d/creators/%d/status" % (b, cr["id"]), {"status": "shortlisted", "note": "ok"})
        c("GET", "/v1/brands/{id}/creators", "/v1/brands/%d/creators" % b)
        c("POST", "/v1/brands/{id}/statuses", "/v1/brands/%d/statuses" % b,
          {"creator_ids": [cr["id"]], "status": "contacted", "note": "bulk"})
        c("GET", "/v1/brands/{id}/creators/{creator_id}/history",
          "/v1/brands/%d/creators/%d/history" % (b, cr["id"]))
        c("GET", "/v1/brands/{id}/pipeline", "/v1/brands/%d/pipeline" % b)
        c("GET", "/v1/brands/{id}/creators/{creator_id}/status",
          "/v1/brands/%d/creators/%d/status" % (b, cr["id"]))
        plan = c("POST", "/v1/brands/{id}/plans", "/v1/brands/%d/plans" % b, {"budget_cents": 100000})
        c("GET", "/v1/brands/{id}/plans", "/v1/brands/%d/plans" % b)
        c("GET", "/v1/brands/{id}/plans/{plan_id}", "/v1/brands/%d/plans/%d" % (b, plan["id"]))
        c("GET", "/v1/creators", "/v1/creators?q=protein&facets=tier,platform,country&min_followers=1000")
        c("GET", "/v1/creators", "/v1/creators?q=prot&sort=-followers")
        c("GET", "/v1/stats", "/v1/stats")
        c("GET", "/v1/events", "/v1/events")
        c("POST", "/v1/imports", "/v1/imports", {"format": "ndjson"})
        s = c("POST", "/v1/sessions", "/v1/sessions", {"api_key": self.server.admin_key}, key=None)
        self.assertTrue(s["csrf_token"])
        wh = c("POST", "/v1/webhooks", "/v1/webhooks",
               {"url": "http://127.0.0.1:9/hook", "events": ["brand.created"]})
        c("GET", "/v1/webhooks", "/v1/webhooks")
        c("GET", "/v1/webhooks/{id}", "/v1/webhooks/%d" % wh["id"])
        c("PATCH", "/v1/webhooks/{id}", "/v1/webhooks/%d" % wh["id"], {"description": "d"})
        c("GET", "/v1/webhooks/{id}/deliveries", "/v1/webhooks/%d/deliveries" % wh["id"])
        c("POST", "/v1/webhooks/{id}/rotate-secret", "/v1/webhooks/%d/rotate-secret" % wh["id"], {})
        src = c("POST", "/v1/inbound-sources", "/v1/inbound-sources", {"name": "truthcrm"})
        c("GET", "/v1/inbound-sources", "/v1/inbound-sources")
        c("GET", "/v1/inbound-sources/{id}", "/v1/inbound-sources/%d" % src["id"])
        self.assertEqual(self.errors, [], "\n".join(self.errors))
        self.assertGreaterEqual(len(self.checked), 38, sorted(self.checked))
        self.assertTrue(k["key"])

    def test_the_validator_can_fail(self):
        doc = {"components": {"schemas": {"A": {"type": "object", "required": ["x"],
                                                "properties": {"x": {"type": "integer"}},
                                                "additionalProperties": False}}}}
        ref = {"$ref": "#/components/schemas/A"}
        self.assertEqual(schema_errors(doc, ref, {"x": 1}), [])
        self.assertTrue(schema_errors(doc, ref, {}))
        self.assertTrue(schema_errors(doc, ref, {"x": "1"}))
        self.assertTrue(schema_errors(doc, ref, {"x": 1, "y": 2}))
        self.assertTrue(schema_errors(doc, {"type": "string", "format": "date-time"}, "yesterday"))

if __name__ == "__main__":
    unittest.main()
