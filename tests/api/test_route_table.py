"""The route table describes the whole API and the dispatcher enforces it (issue 11).

Oracles: the route list comes from the table compiled into the binary (`nichematch routes`),
and is checked against /openapi.json, never taken from it; the query parameters handlers
read come from the handler sources themselves (a scan of src/handlers/*.c)."""
import json
import os
import re
import subprocess
import unittest

from harness import REPO, ServerTestCase, nm_bin

HANDLERS = os.path.join(REPO, "src", "handlers")
ROUTES_C = os.path.join(REPO, "src", "http", "routes.c")


def route_table():
    out = subprocess.run([nm_bin(), "routes"], check=True, capture_output=True, timeout=30)
    return json.loads(out.stdout)


def concrete(path):
    """A request path for a pattern: ids 1, names 'x'."""
    return re.sub(r"\{[^}]+\}", lambda m: "1" if m.group(0) == "{id}" or m.group(0).endswith("_id}") else "x",
                  path)


def handler_query_reads():
    """{handler function: set of query parameter names it reads}, from the sources: direct
    nm_req_query(r, "name") calls, helpers taking (r, "name"), and the pagination helpers
    (nm_req_page / nm_list_begin / nm_reply_store_list read limit and cursor)."""
    reads = {}
    calls = {}  # function -> functions it calls with the request (f(r, ...) or f(r))
    helpers = {}  # static helper -> names it reads via a parameter (resolved per call)
    for fn in sorted(os.listdir(HANDLERS)):
        if not fn.endswith(".c"):
            continue
        src = open(os.path.join(HANDLERS, fn)).read()
        # Split into top-level function bodies: "name(...)\n{ ... \n}".
        for m in re.finditer(r"^(?:static\s+)?[\w\s\*]+?\b(\w+)\([^;{]*\)\s*\n\{(.*?)^\}", src,
                             re.S | re.M):
            name, body = m.group(1), m.group(2)
            names = set(re.findall(r'nm_req_query\(\s*r\s*,\s*"([^"]+)"', body))
            # helpers called as helper(r, "literal", ...) that themselves call nm_req_query(r, name)
            for call, lit in re.findall(r'\b(\w+)\(\s*r\s*,\s*"([a-z_]+)"', body):
                if call != "nm_req_query" and call != "nm_reply_problem":
                    names.add(("?" + call, lit))
            if re.search(r"\bnm_req_page\(|\bnm_list_begin\(|\bnm_reply_store_list\(", body):
                names |= {"limit", "cursor"}
            if re.search(r"nm_req_query\(\s*r\s*,\s*name\s*\)", body):
                helpers[name] = True
            reads[name] = names
            calls[name] = set(re.findall(r"\b(\w+)\(\s*r\s*[,)]", body))
    resolved = {}
    for fn, names in reads.items():
        out = set()
        for n in names:
            if isinstance(n, tuple):
                if n[0][1:] in helpers:
                    out.add(n[1])
            else:
                out.add(n)
        resolved[fn] = out
    # a function reads what the handler-file functions it passes the request to read (a
    # filter parser shared by two routes, e.g. nm_creator_filters_parse)
    changed = True
    while changed:
        changed = False
        for fn, callees in calls.items():
            for c in callees:
                if c != fn and c in resolved and not resolved[c] <= resolved[fn]:
                    resolved[fn] |= resolved[c]
                    changed = True
    return resolved


def handler_names_by_route():
    """{(method, path): handler function name} read from src/http/routes.c."""
    src = open(ROUTES_C).read()
    out = {}
    table = src[src.index("nm_routes[] = {"):]
    table = table[:table.index("\n};")]
    for block in table.split("{.method = ")[1:]:
        block = ".method = " + block
        method = re.search(r'\.method = "([A-Z]+)"', block).group(1)
        path = re.search(r'\.pattern = "([^"]+)"', block).group(1)
        h = re.search(r"\.handler = (\w+)", block)
        s = re.search(r"\.stream = &(\w+)", block)
        out[(method, path)] = h.group(1) if h else s.group(1)
    return out


class RouteTableDocumentTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = route_table()
        cls.doc = cls.server.request("GET", "/openapi.json", key=None).json

    def test_every_route_is_documented_with_its_parameters(self):
        seen = set()
        for rt in self.table:
            op = self.doc["paths"].get(rt["path"], {}).get(rt["method"].lower())
            self.assertIsNotNone(op, "%s %s missing from /openapi.json" % (rt["method"], rt["path"]))
            seen.add((rt["method"].lower(), rt["path"]))
            self.assertEqual(op["operationId"], rt["operation_id"])
            self.assertRegex(op["operationId"], r"^[a-z][A-Za-z]+$", "operationId not readable")
            self.assertEqual(op["tags"], [rt["tag"]])
            documented = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            declared = {q["name"] for q in rt["query"]}
            self.assertEqual(documented, declared, "%s %s" % (rt["method"], rt["path"]))
            # every route answers a bad query parameter with 400
            self.assertIn("400", op["responses"])
        documented_ops = {(m, p) for p, item in self.doc["paths"].items() for m in item}
        self.assertEqual(documented_ops, seen, "the document lists routes the table lacks")
        ids = [rt["operation_id"] for rt in self.table]
        self.assertEqual(len(ids), len(set(ids)), "operationIds must be unique")

    def test_tags_and_webhooks_are_declared(self):
        tag_names = {t["name"] for t in self.doc["tags"]}
        for rt in self.table:
            self.assertIn(rt["tag"], tag_names)
        for event in ("brand.created", "brand.updated", "brand.deleted", "import.completed",
                      "match_run.completed", "creator.status_changed"):
            self.assertIn(event, self.doc["webhooks"])

    def test_handlers_read_only_declared_parameters(self):
        """Every name a handler reads is declared for its route (else the dispatcher would
        refuse it and the handler could never see it) and every declared name is read."""
        reads = handler_query_reads()
        routes = handler_names_by_route()
        table = {(rt["method"], rt["path"]): rt for rt in self.table}
        self.assertEqual(set(routes), set(table), "routes.c and `nichematch routes` disagree")
        for key, handler in routes.items():
            declared = {q["name"] for q in table[key]["query"]}
            if handler == "nm_import_stream":
                read = reads.get("import_begin", set())
            else:
                self.assertIn(handler, reads, "handler %s not found in src/handlers" % handler)
                read = reads[handler]
            self.assertEqual(read, declared, "%s %s (%s): handler reads %s, table declares %s"
                             % (key[0], key[1], handler, sorted(read), sorted(declared)))

    def test_the_scan_sees_reads(self):
        """The source scan itself must find the reads it claims to check."""
        reads = handler_query_reads()
        self.assertIn("min_followers", reads["nm_h_creators_list"])
        self.assertIn("run_id", reads["nm_h_matches_page"])
        self.assertEqual(reads["nm_h_brands_list"], {"limit", "cursor"})


class QueryEnforcementTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = route_table()

    def test_unknown_parameter_on_every_get_route(self):
        for rt in self.table:
            if rt["method"] != "GET":
                continue
            path = concrete(rt["path"]) + "?min_follower=5"
            r = self.request("GET", path)
            p = self.assertProblem(r, 400, field="min_follower")
            self.assertTrue(p["type"].endswith("/bad-query"), p)
            self.assertIn("min_follower", p["detail"])

    def test_unknown_parameter_on_other_methods(self):
        r = self.request("POST", "/v1/brands?dry_run=1", {"name": "A", "niches": ["fitness"]})
        self.assertProblem(r, 400, field="dry_run")
        r = self.request("DELETE", "/v1/brands/1?force=true")
        self.assertProblem(r, 400, field="force")

    def test_malformed_values_name_the_field(self):
        bad = {"integer": ["abc", "1.5", "", "99999999999999999999999"], "enum": ["nope"],
               "number": ["x"], "boolean": ["maybe"]}
        checked = 0
        for rt in self.table:
            if rt["method"] != "GET":
                continue
            for q in rt["query"]:
                for value in bad.get(q["type"], []):
                    r = self.request("GET", "%s?%s=%s" % (concrete(rt["path"]), q["name"], value))
                    self.assertProblem(r, 400, field=q["name"])
                    checked += 1
                if q["type"] == "integer" and "min" in q:
                    r = self.request("GET", "%s?%s=%d" % (concrete(rt["path"]), q["name"],
                                                          int(q["min"]) - 1))
                    self.assertProblem(r, 400, field=q["name"])
                    checked += 1
        self.assertGreater(checked, 20)

    def test_repeated_parameter_is_refused(self):
        r = self.request("GET", "/v1/brands?limit=5&limit=6")
        self.assertProblem(r, 400, field="limit")

    def test_declared_parameters_still_work(self):
        r = self.request("GET", "/v1/creators?limit=5&min_followers=10&platform=Instagram")
        self.assertStatus(r, 200)
        r = self.request("GET", "/v1/brands?limit=1")
        self.assertStatus(r, 200)

    def test_auth_comes_before_parameter_checks(self):
        r = self.request("GET", "/v1/brands?bogus=1", key=None)
        self.assertProblem(r, 401)

    def test_scope_enforced_by_the_table(self):
        b = self.request("POST", "/v1/brands", {"name": "Scope", "niches": ["fitness"]}).json
        key = self.server.key("admin", brand=b["id"])
        for rt in self.table:
            if rt["scope"] != "unscoped" or rt["method"] != "GET":
                continue
            r = self.request("GET", concrete(rt["path"]), key=key)
            self.assertProblem(r, 403)


if __name__ == "__main__":
    unittest.main()
