"""/openapi.json tells the truth about replies: real replies of the running server are
validated against the document's success schemas (types, `required`, enums, nested objects),
so a `required` list or a type the server does not honour fails here."""
import json
import unittest

from harness import ServerTestCase


class SchemaError(AssertionError):
    pass


class Validator:
    """Enough of JSON Schema 2020-12 for this document: $ref, allOf, type (incl. lists with
    null), enum, required, properties, additionalProperties (schema), items, minimum/maximum."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def check(self, value, schema, path="$"):
        if "$ref" in schema:
            return self.check(value, self.resolve(schema["$ref"]), path)
        for sub in schema.get("allOf", []):
            self.check(value, sub, path)
        t = schema.get("type")
        if t is not None:
            types = t if isinstance(t, list) else [t]
            if not any(self._is(value, x) for x in types):
                raise SchemaError("%s: %r is not of type %s" % (path, value, t))
        if value is None:
            return
        if "enum" in schema and value not in schema["enum"]:
            raise SchemaError("%s: %r not in %r" % (path, value, schema["enum"]))
        if isinstance(value, dict):
            for name in schema.get("required", []):
                if name not in value:
                    raise SchemaError("%s: required member %r missing in %s"
                                      % (path, name, sorted(value)))
            props = schema.get("properties", {})
            for k, v in value.items():
                if k in props:
                    self.check(v, props[k], "%s.%s" % (path, k))
                elif isinstance(schema.get("additionalProperties"), dict):
                    self.check(v, schema["additionalProperties"], "%s.%s" % (path, k))
        if isinstance(value, list) and "items" in schema:
            for i, v in enumerate(value):
                self.check(v, schema["items"], "%s[%d]" % (path, i))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                raise SchemaError("%s: %r below minimum %r" % (path, value, schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                raise SchemaError("%s: %r above maximum %r" % (path, value, schema["maximum"]))

    @staticmethod
    def _is(v, t):
        return {"object": isinstance(v, dict), "array": isinstance(v, list),
                "string": isinstance(v, str), "boolean": isinstance(v, bool),
                "integer": isinstance(v, int) and not isinstance(v, bool),
                "number": isinstance(v, (int, float)) and not isinstance(v, bool),
                "null": v is None}[t]


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
        try:
            Validator(doc).check(resp.json, schema)
        except SchemaError as e:
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
        c("POST", "/v1/brands/{id}/matches", "/v1/brands/%d/matches" % b)
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
        wh = c("POST", "/v1/webhooks", "/v1/webhooks",
               {"url": "http://127.0.0.1:9/hook", "events": ["brand.created"]})
        c("GET", "/v1/webhooks", "/v1/webhooks")
        c("GET", "/v1/webhooks/{id}", "/v1/webhooks/%d" % wh["id"])
        c("PATCH", "/v1/webhooks/{id}", "/v1/webhooks/%d" % wh["id"], {"description": "d"})
        c("GET", "/v1/webhooks/{id}/deliveries", "/v1/webhooks/%d/deliveries" % wh["id"])
        src = c("POST", "/v1/inbound-sources", "/v1/inbound-sources", {"name": "truthcrm"})
        c("GET", "/v1/inbound-sources", "/v1/inbound-sources")
        c("GET", "/v1/inbound-sources/{id}", "/v1/inbound-sources/%d" % src["id"])
        self.assertEqual(self.errors, [], "\n".join(self.errors))
        self.assertGreaterEqual(len(self.checked), 28, sorted(self.checked))
        self.assertTrue(k["key"])

    def test_the_validator_can_fail(self):
        doc = {"components": {"schemas": {"A": {"type": "object", "required": ["x"],
                                                "properties": {"x": {"type": "integer"}}}}}}
        v = Validator(doc)
        v.check({"x": 1}, {"$ref": "#/components/schemas/A"})
        with self.assertRaises(SchemaError):
            v.check({}, {"$ref": "#/components/schemas/A"})
        with self.assertRaises(SchemaError):
            v.check({"x": "1"}, {"$ref": "#/components/schemas/A"})


if __name__ == "__main__":
    unittest.main()
