"""CSV exports (issue 13; docs/api.md "CSV exports"): GET /v1/creators.csv,
/v1/brands/{id}/creators.csv and /v1/brands/{id}/matches.csv.

Every export is read back with Python's csv module and compared, row by row and field by
field, with what the JSON API answers for the same query (the creator list, the pipeline,
the match pages); the row count with what is stored. Text that would run as a spreadsheet
formula comes out with a leading quote; numbers we format do not. The large export checks
that the reply is streamed (chunked, no Content-Length) and that the server's peak memory
does not grow with the export's size."""
import csv
import http.client
import io
import json
import os
import time

from apihelpers import Api, body_of, poll
from harness import ServerTestCase

BOM = b"\xef\xbb\xbf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_csv(resp):
    """(header, [dict]) of a CSV reply, checking the media type and CRLF line ends."""
    assert resp.content_type == "text/csv", resp
    raw = resp.body[3:] if resp.body.startswith(BOM) else resp.body
    text = raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows, "no header row"
    header = rows[0]
    return header, [dict(zip(header, r)) for r in rows[1:] if len(r) == len(header)], len(rows) - 1


def unguard(cell):
    """The user's text of a text cell: the formula guard's leading quote removed."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def text_of(v):
    return "" if v is None else str(v)


def same_number(tc, cell, value, what):
    if value is None:
        tc.assertEqual(cell, "", what)
    else:
        tc.assertNotEqual(cell, "", what)
        tc.assertAlmostEqual(float(cell), float(value), places=9, msg=what)


def make_creators():
    rows = []
    for i in range(40):
        rows.append({
            "platform": ["instagram", "tiktok", "youtube"][i % 3],
            "handle": "exp%02d" % i,
            "display_name": "Creator %d" % i,
            "profile_url": "https://example.com/exp%02d" % i,
            "email": "exp%02d@example.com" % i,
            "followers": 2000 + i * 9000,
            "following": 100 + i,
            "avg_likes": 300.5 + i,
            "avg_comments": 20 + i,
            "categories": ["fitness", "nutrition"] if i % 2 else ["fitness", "travel"],
            "hashtags": ["protein", "gym%d" % (i % 4)],
            "bio": "Fitness coach %d, meal prep" % i,
            "country": ["US", "GB", "DE", "FR"][i % 4],
            "language": "en",
            "audience_countries": {"US": 0.5, "GB": 0.25},
            "audience_female_share": 0.6,
            "price_per_post_cents": 10000 + 500 * i,
            "follower_growth_30d": -0.05 if i % 5 == 0 else 0.02,
            "last_post_at": "2026-11-%02dT10:00:00Z" % (1 + i % 28),
            "external_id": "crm-%d" % i,
        })
    # Hostile and unusual text: formulas, quotes, separators, line breaks, non-ASCII.
    rows[0]["display_name"] = '=HYPERLINK("x")'
    rows[1]["display_name"] = "Zoë Ångström 東京 😀"
    rows[2]["display_name"] = 'Quote "me", please'
    rows[3]["bio"] = "-2+3+cmd|' /C calc'!A0, fitness"
    rows[4]["bio"] = "line one\nline two, fitness"
    rows[5]["display_name"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[6]["external_id"] = "+44 20 7946 0000"
    rows[7]["categories"] = ["fitness", "café culture"]
    return rows


class ExportTests(ServerTestCase, Api):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.server
        r = srv.request("POST", "/v1/creators/import",
                        raw="".join(json.dumps(c) + "\n" for c in make_creators()).encode(),
                        content_type="application/x-ndjson")
        assert r.status == 201 and r.json["rejected"] == 0, body_of(r)
        r = srv.request("POST", "/v1/brands", {"name": "Export Brand", "niches": ["fitness"],
                                                "external_id": "hs-42", "follower_min": 0, "goal": "awareness",
                                                "follower_max": None})
        assert r.status == 201, body_of(r)
        cls.brand = r.json["id"]
        r = srv.request("POST", "/v1/brands", {"name": "Empty Brand", "niches": ["travel"]})
        assert r.status == 201, body_of(r)
        cls.empty_brand = r.json["id"]
        r = srv.request("GET", "/v1/creators?limit=200")
        cls.ids = {c["handle"]: c["id"] for c in r.json["data"]}
        notes = {"exp00": ("contacted", "=1+1 called"), "exp01": ("contacted", "Zoë: ok"),
                 "exp02": ("accepted", None), "exp03": ("shortlisted", "@mention her"),
                 "exp05": ("accepted", "signed, \"gold\" tier")}
        for handle, (status, note) in notes.items():
            body = {"status": status}
            if note is not None:
                body["note"] = note
            r = srv.request("PUT", "/v1/brands/%d/creators/%d/status" % (cls.brand, cls.ids[handle]),
                            body)
            assert r.status == 200, body_of(r)
        r = srv.request("POST", "/v1/brands/%d/matches" % cls.brand, {"limit": 1000})
        assert r.status == 201, body_of(r)
        cls.run1 = r.json["run"]
        # A second, smaller run: the default export is the latest, ?run_id the first.
        r = srv.request("POST", "/v1/brands/%d/matches" % cls.brand, {"limit": 5})
        assert r.status == 201, body_of(r)
        cls.run2 = r.json["run"]

    def get_csv(self, path, **kw):
        r = self.request("GET", path, **kw)
        self.assertEqual(r.status, 200, body_of(r))
        return r, parse_csv(r)

    # ---- GET /v1/creators.csv ----

    def check_creator_row(self, row, c):
        what = "creator %s" % c["id"]
        for f in ("platform", "handle", "display_name", "profile_url", "email", "bio", "country",
                  "language", "external_id", "last_post_at", "created_at", "updated_at", "tier",
                  "data_as_of", "confidence"):
            self.assertEqual(unguard(row[f]), text_of(c[f]), "%s: %s" % (what, f))
        for f in ("id", "followers", "following", "posts_count", "price_per_post_cents"):
            self.assertEqual(row[f], text_of(c[f]), "%s: %s" % (what, f))
        for f in ("avg_likes", "avg_comments", "avg_shares", "avg_views", "engagement_rate",
                  "audience_female_share", "follower_growth_30d"):
            same_number(self, row[f], c[f], "%s: %s" % (what, f))
        self.assertEqual(row["categories"], "|".join(c["categories"]), what)
        self.assertEqual(row["hashtags"], "|".join(c["hashtags"]), what)
        if c["audience_countries"] is None:
            self.assertEqual(row["audience_countries"], "", what)
        else:
            self.assertEqual(json.loads(row["audience_countries"]), c["audience_countries"], what)

    def test_creators_csv_equals_json_list(self):
        r, (header, rows, n) = self.get_csv("/v1/creators.csv")
        self.assertEqual(header[:8], ["id", "platform", "handle", "display_name", "profile_url",
                                      "email", "followers", "tier"])
        items, _ = self.collect("/v1/creators", limit=7)
        self.assertEqual(n, len(items))
        self.assertEqual(n, self.count_rows("creators"))
        self.assertEqual([int(x["id"]) for x in rows], [c["id"] for c in items])
        for row, c in zip(rows, items):
            self.check_creator_row(row, c)
        self.assertIn("attachment", r.headers.get("Content-Disposition", ""))
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def test_creators_csv_filters_match_json_list(self):
        for q in ("platform=tiktok", "country=gb", "min_followers=100000&max_followers=250000",
                  "category=Nutrition", "q=meal%20prep", "handle=%40EXP03", "q=-travel",
                  "platform=youtube&country=US", "handle=nobody",
                  # q through the index's text postings: a prefix, a phrase (SQL checks
                  # the index's candidates), a word with a filter, a word nobody has
                  "q=mea", "q=%22meal%20prep%22", "q=fitness&platform=tiktok", "q=zzzqqq"):
            _, (_, rows, n) = self.get_csv("/v1/creators.csv?" + q)
            items, _ = self.collect("/v1/creators?" + q, limit=200)
            self.assertEqual([int(x["id"]) for x in rows], [c["id"] for c in items], q)
            for row, c in zip(rows, items):
                self.check_creator_row(row, c)

    def test_formula_cells_are_neutralised(self):
        r, (_, rows, _) = self.get_csv("/v1/creators.csv")
        by = {x["handle"]: x for x in rows}
        self.assertEqual(by["exp00"]["display_name"], "'=HYPERLINK(\"x\")")
        self.assertIn(b'"\'=HYPERLINK(""x"")"', r.body)
        self.assertNotIn(b',=HYPERLINK', r.body)
        self.assertEqual(by["exp05"]["display_name"], "'@SUM(1+1)*cmd|' /C calc'!A0")
        self.assertEqual(by["exp03"]["bio"], "'-2+3+cmd|' /C calc'!A0, fitness")
        self.assertEqual(by["exp06"]["external_id"], "'+44 20 7946 0000")
        # Numbers we write are not text: a negative growth stays a number.
        self.assertEqual(float(by["exp00"]["follower_growth_30d"]), -0.05)
        self.assertFalse(by["exp00"]["follower_growth_30d"].startswith("'"))
        # No cell of the file reaches a spreadsheet as a formula.
        for row in rows:
            for k, v in row.items():
                if v[:1] in FORMULA_STARTS:
                    self.assertIn(k, ("follower_growth_30d",), (k, v))
        # Quotes, separators and line breaks survive the round trip.
        self.assertEqual(by["exp02"]["display_name"], 'Quote "me", please')
        self.assertEqual(by["exp04"]["bio"], "line one\nline two, fitness")

    def test_non_ascii_round_trips(self):
        r, (_, rows, _) = self.get_csv("/v1/creators.csv")
        by = {x["handle"]: x for x in rows}
        self.assertEqual(by["exp01"]["display_name"], "Zoë Ångström 東京 😀")
        self.assertEqual(by["exp07"]["categories"], "fitness|café culture")
        self.assertIn("Zoë Ångström 東京 😀".encode(), r.body)
        self.assertIn("utf-8", r.headers.get("Content-Type", "").lower())

    def test_bom_only_when_asked(self):
        for q, bom in (("", False), ("?bom=0", False), ("?bom=false", False), ("?bom=1", True),
                       ("?bom=true", True)):
            for path in ("/v1/creators.csv", "/v1/brands/%d/creators.csv" % self.brand,
                         "/v1/brands/%d/matches.csv" % self.brand):
                r = self.request("GET", path + q)
                self.assertEqual(r.status, 200, body_of(r))
                self.assertEqual(r.body.startswith(BOM), bom, (path, q))
                start = r.body[3:] if bom else r.body
                self.assertFalse(start.startswith(BOM), (path, q))
                self.assertTrue(start[:1].isalpha(), (path, q, start[:20]))
        # With the BOM, the file still parses as the same rows.
        _, (_, with_bom, _) = self.get_csv("/v1/creators.csv?bom=1")
        _, (_, without, _) = self.get_csv("/v1/creators.csv")
        self.assertEqual(with_bom, without)

    def test_crlf_rfc4180(self):
        r = self.request("GET", "/v1/creators.csv?handle=exp01")
        self.assertEqual(r.status, 200, body_of(r))
        lines = r.body.split(b"\r\n")
        self.assertEqual(len(lines), 3, r.body)  # header, one row, "" after the last CRLF
        self.assertEqual(lines[2], b"")

    # ---- GET /v1/brands/{id}/creators.csv ----

    def check_pipeline(self, q):
        _, (header, rows, n) = self.get_csv("/v1/brands/%d/creators.csv%s" % (self.brand, q))
        items, _ = self.collect("/v1/brands/%d/creators%s" % (self.brand, q), limit=2)
        self.assertEqual(n, len(items), q)
        for row, s in zip(rows, items):
            self.assertEqual(int(row["creator_id"]), s["creator_id"])
            for f in ("status", "note", "created_at", "updated_at"):
                self.assertEqual(unguard(row[f]), text_of(s[f]), (q, f))
            for f in ("platform", "handle", "display_name"):
                self.assertEqual(unguard(row[f]), text_of(s["creator"][f]), (q, f))
            self.assertEqual(row["followers"], str(s["creator"]["followers"]))
            c = self.request("GET", "/v1/creators/%d" % s["creator_id"]).json
            for f in ("profile_url", "email", "country", "external_id", "tier"):
                self.assertEqual(unguard(row[f]), text_of(c[f]), (q, f))
        return rows

    def test_pipeline_csv_equals_json(self):
        rows = self.check_pipeline("")
        self.assertEqual(len(rows), self.count_rows("creator_statuses",
                                                    "brand_id = %d" % self.brand))
        self.assertEqual(len(rows), 5)
        by = {x["handle"]: x for x in rows}
        self.assertEqual(by["exp00"]["note"], "'=1+1 called")
        self.assertEqual(by["exp05"]["note"], 'signed, "gold" tier')
        self.assertEqual(by["exp02"]["note"], "")
        self.check_pipeline("?status=contacted")

    def test_pipeline_status_filter_repeatable(self):
        _, (_, rows, _) = self.get_csv("/v1/brands/%d/creators.csv?status=contacted&status=accepted"
                                       % self.brand)
        self.assertEqual(sorted(x["status"] for x in rows),
                         ["accepted", "accepted", "contacted", "contacted"])
        _, (_, rows2, _) = self.get_csv("/v1/brands/%d/creators.csv?status=contacted,ACCEPTED"
                                        % self.brand)
        self.assertEqual(rows, rows2)
        _, (_, none, n) = self.get_csv("/v1/brands/%d/creators.csv?status=declined" % self.brand)
        self.assertEqual(n, 0)
        _, (_, empty, n) = self.get_csv("/v1/brands/%d/creators.csv" % self.empty_brand)
        self.assertEqual(n, 0)

    # ---- GET /v1/brands/{id}/matches.csv ----

    def match_pages(self, run_id):
        items, _ = self.collect("/v1/brands/%d/matches?run_id=%d" % (self.brand, run_id), limit=9)
        return items

    def check_match_rows(self, rows, items):
        self.assertEqual(len(rows), len(items))
        creators = {c["id"]: c for c in self.collect("/v1/creators", limit=200)[0]}
        statuses = {s["creator_id"]: s for s in
                    self.collect("/v1/brands/%d/creators" % self.brand, limit=200)[0]}
        for row, m in zip(rows, items):
            what = "rank %s" % m["rank"]
            self.assertEqual(int(row["rank"]), m["rank"], what)
            same_number(self, row["score"], m["score"], what)
            for comp, v in m["components"].items():
                same_number(self, row[comp], v, "%s %s" % (what, comp))
            cr = m["creator"]
            self.assertEqual(int(row["creator_id"]), cr["id"], what)
            for f in ("platform", "handle", "display_name", "tier", "country"):
                self.assertEqual(unguard(row[f]), text_of(cr[f]), "%s %s" % (what, f))
            for f in ("followers", "engagement_rate", "price_per_post_cents"):
                same_number(self, row[f], cr[f], "%s %s" % (what, f))
            self.assertEqual(row["categories"], "|".join(cr["categories"]), what)
            same_number(self, row["cost_per_engagement_cents"],
                        m["estimates"]["cost_per_engagement_cents"], what)
            self.assertEqual(row["status"], text_of(m["status"]), what)
            st = statuses.get(cr["id"])
            self.assertEqual(unguard(row["note"]), text_of(st["note"] if st else None), what)
            self.assertEqual(unguard(row["reasons"]), "|".join(m["reasons"]), what)
            c = creators[cr["id"]]
            self.assertEqual(row["profile_url"], text_of(c["profile_url"]), what)
            self.assertEqual(row["email"], text_of(c["email"]), what)
            self.assertEqual(row["brand_external_id"], "hs-42", what)

    def test_matches_csv_equals_match_pages(self):
        r, (header, rows, n) = self.get_csv("/v1/brands/%d/matches.csv" % self.brand)
        self.assertEqual(header[:9], ["rank", "score", "niche", "engagement", "tier_fit",
                                      "audience", "cost_efficiency", "authenticity", "activity"])
        self.assertEqual(r.headers.get("X-Match-Run-Id"), str(self.run2["id"]))
        self.assertEqual(n, self.run2["stored"])
        self.check_match_rows(rows, self.match_pages(self.run2["id"]))
        r, (_, rows, n) = self.get_csv("/v1/brands/%d/matches.csv?run_id=%d"
                                       % (self.brand, self.run1["id"]))
        self.assertEqual(n, self.run1["stored"])
        self.assertEqual(n, self.count_rows("match_results", "run_id = %d" % self.run1["id"]))
        self.assertGreater(n, 20)
        self.check_match_rows(rows, self.match_pages(self.run1["id"]))
        self.assertIn("'=HYPERLINK(\"x\")", [x["display_name"] for x in rows])

    def test_matches_csv_filters(self):
        items = self.match_pages(self.run1["id"])
        cases = [
            ("status=contacted", lambda m: m["status"] == "contacted"),
            ("status=contacted&status=accepted", lambda m: m["status"] in ("contacted", "accepted")),
            ("tier=nano,micro", lambda m: m["creator"]["tier"] in ("nano", "micro")),
            ("platform=tiktok", lambda m: m["creator"]["platform"] == "tiktok"),
            ("platform=tiktok&platform=youtube",
             lambda m: m["creator"]["platform"] in ("tiktok", "youtube")),
            ("country=de", lambda m: m["creator"]["country"] == "DE"),
            ("country=de,gb&country=fr", lambda m: m["creator"]["country"] in ("DE", "GB", "FR")),
            ("status=none", lambda m: m["status"] is None),
            ("status=none,accepted", lambda m: m["status"] in (None, "accepted")),
            ("min_score=%s" % items[len(items) // 2]["score"],
             lambda m: m["score"] >= items[len(items) // 2]["score"]),
            ("tier=mid&country=US", lambda m: m["creator"]["tier"] == "mid"
             and m["creator"]["country"] == "US"),
        ]
        for q, keep in cases:
            _, (_, rows, _) = self.get_csv("/v1/brands/%d/matches.csv?run_id=%d&%s"
                                           % (self.brand, self.run1["id"], q))
            want = [m for m in items if keep(m)]
            self.assertTrue(0 < len(want) < len(items), q)
            self.check_match_rows(rows, want)

    # ---- errors ----

    def test_unknown_brand_and_run_are_404(self):
        for path in ("/v1/brands/999999/matches.csv", "/v1/brands/999999/creators.csv",
                     "/v1/brands/%d/matches.csv" % self.empty_brand,
                     "/v1/brands/%d/matches.csv?run_id=999999" % self.brand,
                     "/v1/brands/%d/matches.csv?run_id=%d" % (self.empty_brand, self.run1["id"])):
            self.assertProblem(self.request("GET", path), 404)
        other = self.server.key("read", brand=self.empty_brand)
        for path in ("/v1/brands/%d/matches.csv" % self.brand,
                     "/v1/brands/%d/creators.csv" % self.brand):
            self.assertProblem(self.request("GET", path, key=other), 404)

    def test_bad_filters_are_400(self):
        b = self.brand
        for path, field in (("/v1/creators.csv?platform=myspace", "platform"),
                            ("/v1/creators.csv?country=XX", "country"),
                            ("/v1/creators.csv?min_followers=-1", "min_followers"),
                            ("/v1/creators.csv?limit=5", "limit"),
                            ("/v1/creators.csv?bom=maybe", "bom"),
                            ("/v1/brands/%d/creators.csv?status=married" % b, "status"),
                            ("/v1/brands/%d/creators.csv?status=contacted,nope" % b, "status"),
                            ("/v1/brands/%d/matches.csv?tier=giant" % b, "tier"),
                            ("/v1/brands/%d/matches.csv?min_score=101" % b, "min_score"),
                            ("/v1/brands/%d/matches.csv?min_score=abc" % b, "min_score"),
                            ("/v1/brands/%d/matches.csv?run_id=0" % b, "run_id"),
                            ("/v1/brands/%d/matches.csv?country=ZZ" % b, "country"),
                            ("/v1/brands/%d/matches.csv?country=de,ZZ" % b, "country"),
                            ("/v1/brands/%d/creators.csv?status=none" % b, "status"),
                            ("/v1/brands/%d/matches.csv?cursor=abc" % b, "cursor")):
            self.assertProblem(self.request("GET", path), 400, field)

    def test_auth_required(self):
        self.assertProblem(self.request("GET", "/v1/creators.csv", key=None), 401)

    def test_openapi_documents_csv(self):
        doc = self.request("GET", "/openapi.json").json
        for path, op in (("/v1/creators.csv", "exportCreatorsCsv"),
                         ("/v1/brands/{id}/creators.csv", "exportPipelineCsv"),
                         ("/v1/brands/{id}/matches.csv", "exportMatchesCsv")):
            get = doc["paths"][path]["get"]
            self.assertEqual(get["operationId"], op)
            self.assertIn("text/csv", get["responses"]["200"]["content"])
            self.assertIn("404" if "{id}" in path else "401", get["responses"])
            names = {p["name"] for p in get["parameters"]}
            self.assertIn("bom", names)


def _vm(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(field + " not found")


def _sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


class LargeExportTests(ServerTestCase, Api):
    """20,000 creators with 1 KB bios (a ~22 MB file): streamed, memory flat."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    N = 20000

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bio = ("fitness and food " * 64)[:1000]
        body = "".join(json.dumps({"platform": "instagram", "handle": "big%05d" % i,
                                   "followers": 1000 + i, "display_name": "Big %d" % i,
                                   "bio": bio, "categories": ["fitness"]}) + "\n"
                       for i in range(cls.N)).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=body,
                               content_type="application/x-ndjson", timeout=300)
        assert r.status == 201 and r.json["rejected"] == 0, body_of(r)

    def test_large_export_streams_with_flat_memory(self):
        pid = self.server.proc.pid
        # Warm up (prepared statements, the first batch's allocations) on a small export.
        self.request("GET", "/v1/creators.csv?max_followers=2000")
        hwm0 = _vm(pid, "VmHWM")
        c = http.client.HTTPConnection(self.server.host, self.server.port, timeout=120)
        c.request("GET", "/v1/creators.csv", headers={"Authorization": "Bearer " + self.server.admin_key})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual((r.getheader("Transfer-Encoding") or "").lower(), "chunked")
        self.assertIsNone(r.getheader("Content-Length"))
        body = r.read()
        c.close()
        growth = _vm(pid, "VmHWM") - hwm0
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        self.assertEqual(len(rows) - 1, self.N)
        self.assertEqual(len(rows) - 1, self.count_rows("creators"))
        self.assertGreater(len(body), 20_000_000)
        if not _sanitized(pid):  # ASan's quarantine keeps freed memory: no figure there
            self.assertLess(growth, 12 << 20, "peak RSS grew by %d bytes for a %d-byte export"
                            % (growth, len(body)))

    def test_client_leaving_mid_export_frees_the_connection(self):
        for _ in range(3):
            c = http.client.HTTPConnection(self.server.host, self.server.port, timeout=60)
            c.request("GET", "/v1/creators.csv",
                      headers={"Authorization": "Bearer " + self.server.admin_key})
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            self.assertGreater(len(r.read(200_000)), 0)
            c.close()

        def no_export_left():
            busy = self.server.psql(
                "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' "
                "AND (query LIKE 'FETCH%' OR query LIKE 'DECLARE%')")
            return int(busy[0][0]) == 0
        self.assertTrue(poll(no_export_left, timeout=30), "an export's transaction stayed open")
        # The server still serves, and the pool was not drained by the abandoned exports.
        for _ in range(12):
            r = self.request("GET", "/v1/creators.csv?max_followers=1005")
            self.assertEqual(r.status, 200, body_of(r))
            self.assertEqual(len(parse_csv(r)[1]), 6)
