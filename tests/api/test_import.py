"""Bulk import of creators (docs/api.md §4 "Bulk import"): CSV/TSV/NDJSON/JSON, messy cells, reports."""
import csv
import io
import json
import os
import socket
import time
import unittest

from harness import ServerTestCase
from apihelpers import Api, body_of, ndjson, poll, REAL_CSV, synthetic_export_csv

IMPORT = "/v1/creators/import"


class ImportTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def imp(self, data, ct, query="", expect=201, **kw):
        if isinstance(data, str):
            data = data.encode()
        r = self.request("POST", IMPORT + query, raw=data, content_type=ct, **kw)
        self.assertEqual(r.status, expect, body_of(r))
        return r

    def creator(self, platform, handle):
        r = self.request("GET", "/v1/creators?platform=%s&handle=%s" % (platform, handle))
        self.assertStatus(r, 200)
        self.assertEqual(len(r.json["data"]), 1, "%s/%s: %s" % (platform, handle, body_of(r)))
        return r.json["data"][0]

    def assertCounts(self, rep, received, inserted, updated, rejected):
        self.assertEqual((rep["received"], rep["inserted"], rep["updated"], rep["rejected"]),
                         (received, inserted, updated, rejected), json.dumps(rep)[:3000])
        self.assertEqual(rep["received"], rep["inserted"] + rep["updated"] + rep["rejected"])

    # --- CSV cells ------------------------------------------------------------------------
    def test_csv_counts_and_rates(self):
        csv_text = ("platform,handle,followers,following,engagement_rate,avg_likes\n"
                    'instagram,cell_comma,"12,400",1.5k,4.1%,"1,234.5"\n'
                    "instagram,cell_k,3.4k,900,0.041,12\n"
                    "instagram,cell_m,1.2M,2M,1.5%,3.2K\n"
                    "instagram,cell_plain,12400,0,0.5%,0\n")
        r = self.imp(csv_text, "text/csv")
        self.assertCounts(r.json, 4, 4, 0, 0)
        self.assertEqual(r.headers.get("Location"), "/v1/imports/%d" % r.json["id"], dict(r.headers))
        c = self.creator("instagram", "cell_comma")
        self.assertEqual((c["followers"], c["following"]), (12400, 1500), c)
        self.assertAlmostEqual(c["engagement_rate"], 0.041, places=9)
        self.assertAlmostEqual(c["avg_likes"], 1234.5, places=6)
        c = self.creator("instagram", "cell_k")
        self.assertEqual(c["followers"], 3400, c)
        c = self.creator("instagram", "cell_m")
        self.assertEqual((c["followers"], c["following"]), (1200000, 2000000), c)
        self.assertAlmostEqual(c["engagement_rate"], 0.015, places=9)
        self.assertAlmostEqual(c["avg_likes"], 3200, places=6)
        self.assertEqual(c["tier"], "mega")
        c = self.creator("instagram", "cell_plain")
        self.assertAlmostEqual(c["engagement_rate"], 0.005, places=9)

    def test_csv_header_aliases_and_ignored_columns(self):
        csv_text = ("Platform,Username,Name,#Followers,Followees,Posts,ER,Top Hashtags,Niche,Favourite Colour,"
                    "likes,Comments,video_posts\n"
                    "instagram,@Alias_One,Alias One,\"20,000\",300,55,3%,#Gym|#Run,Fitness;Yoga,blue,500,20,1\n")
        r = self.imp(csv_text, "text/csv")
        self.assertCounts(r.json, 1, 1, 0, 0)
        ignored = [x.lower() for x in r.json.get("ignored_columns", [])]
        self.assertIn("favourite colour", ignored, body_of(r))
        self.assertIn("video_posts", ignored, body_of(r))
        self.assertEqual(len(ignored), 2, body_of(r))
        c = self.creator("instagram", "alias_one")
        self.assertEqual(c["display_name"], "Alias One", c)
        self.assertEqual((c["followers"], c["following"], c["posts_count"]), (20000, 300, 55), c)
        self.assertAlmostEqual(c["engagement_rate"], 0.03, places=9)
        self.assertEqual(sorted(c["hashtags"]), ["gym", "run"], c)
        self.assertEqual(sorted(c["categories"]), ["fitness", "yoga"], c)
        self.assertEqual((c["avg_likes"], c["avg_comments"]), (500, 20), c)

    def test_header_spelling_variants(self):
        csv_text = "Platform,Account,FOLLOWERS,engagement_rate,Category,Tags\ntiktok,Variant_Acc,1000,2%,Food,x;y\n"
        r = self.imp(csv_text, "text/csv")
        self.assertCounts(r.json, 1, 1, 0, 0)
        c = self.creator("tiktok", "variant_acc")
        self.assertEqual(c["categories"], ["food"], c)
        self.assertEqual(sorted(c["hashtags"]), ["x", "y"], c)

    def test_platform_query_param(self):
        csv_text = "handle,followers\nqp_one,100\n"
        r = self.imp(csv_text, "text/csv", "?platform=youtube")
        self.assertCounts(r.json, 1, 1, 0, 0)
        self.assertEqual(self.creator("youtube", "qp_one")["followers"], 100)
        # a row's own platform wins
        r = self.imp("platform,handle,followers\ntwitch,qp_two,5\n", "text/csv", "?platform=youtube")
        self.creator("twitch", "qp_two")
        # without ?platform= a row without one is rejected, naming the field
        r = self.imp("handle,followers\nqp_three,5\n", "text/csv")
        self.assertCounts(r.json, 1, 0, 0, 1)
        self.assertEqual(r.json["errors"][0]["field"], "platform", body_of(r))
        self.assertEqual(r.json["errors"][0]["line"], 2, body_of(r))
        self.assertProblem(self.request("POST", IMPORT + "?platform=myspace", raw=b"handle,followers\na,1\n",
                                        content_type="text/csv"), 400)

    def test_bom_crlf_trailing_blank_line(self):
        data = b"\xef\xbb\xbfhandle,followers\r\nbom_one,10\r\nbom_two,20\r\n\r\n"
        r = self.imp(data, "text/csv", "?platform=instagram")
        self.assertCounts(r.json, 2, 2, 0, 0)
        self.assertEqual(r.json.get("ignored_columns"), [], body_of(r))
        self.assertEqual(self.creator("instagram", "bom_two")["followers"], 20)
        # no final newline at all
        r = self.imp(b"handle,followers\r\nbom_three,30", "text/csv", "?platform=instagram")
        self.assertCounts(r.json, 1, 1, 0, 0)

    def test_quoting_and_line_numbers(self):
        data = ('handle,followers,bio,display_name\n'
                'q_multi,1000,"line one\nline ""two"", with, commas\nline three",Multi\n'   # lines 2-4
                'q_bad,-5,plain,Bad\n'                                                     # line 5
                '"q_comma",2000,"a, b",Comma\n'                                            # line 6
                'q_bad2,lots,"x\ny",Bad2\n'                                                # lines 7-8
                'q_after,3000,"",After\n')                                                 # line 9
        r = self.imp(data, "text/csv", "?platform=instagram")
        self.assertCounts(r.json, 5, 3, 0, 2)
        errs = sorted((e["line"], e["field"]) for e in r.json["errors"])
        self.assertEqual(errs, [(5, "followers"), (7, "followers")], body_of(r))
        for e in r.json["errors"]:
            self.assertTrue(len(e["message"]) > 3, e)
        c = self.creator("instagram", "q_multi")
        self.assertEqual(c["bio"], 'line one\nline "two", with, commas\nline three', c)
        self.assertEqual(self.creator("instagram", "q_comma")["bio"], "a, b")
        self.assertEqual(self.creator("instagram", "q_after")["followers"], 3000)

    def test_bad_rows_reported_good_rows_land(self):
        data = ("platform,handle,followers,engagement_rate,country\n"
                "instagram,good_1,1000,0.02,US\n"
                "instagram,,1000,0.02,US\n"            # line 3: handle
                "instagram,good_2,1000,2.5,US\n"       # line 4: engagement_rate
                "myspace,good_3,1000,0.02,US\n"        # line 5: platform
                "instagram,good_4,1000,0.02,XX\n"      # line 6: country
                "instagram,good_5,abc,0.02,US\n"       # line 7: followers
                "instagram,good_6,1000,0.02,DE\n")
        before = self.count_rows("creators")
        r = self.imp(data, "text/csv")
        self.assertCounts(r.json, 7, 2, 0, 5)
        got = sorted((e["line"], e["field"]) for e in r.json["errors"])
        self.assertEqual(got, [(3, "handle"), (4, "engagement_rate"), (5, "platform"), (6, "country"),
                               (7, "followers")], body_of(r))
        self.assertEqual(self.count_rows("creators"), before + 2)

    def test_tsv(self):
        data = "handle\tfollowers\tcategories\tbio\ntsv_one\t12,400\tfood;travel\tcomma, inside\n"
        r = self.imp(data, "text/tab-separated-values", "?platform=youtube")
        self.assertCounts(r.json, 1, 1, 0, 0)
        c = self.creator("youtube", "tsv_one")
        self.assertEqual(c["followers"], 12400)
        self.assertEqual(sorted(c["categories"]), ["food", "travel"])
        self.assertEqual(c["bio"], "comma, inside")

    def test_semicolon_csv_and_empty_rows(self):
        # European Excel writes ';' under text/csv and leaves ';;' rows below the data.
        data = "Username;#Followers;Niche\r\nsemi_one;12400;fitness\r\n;;\r\nsemi_two;3.4k;food\r\n;;\r\n"
        r = self.imp(data, "text/csv", "?platform=instagram")
        self.assertCounts(r.json, 2, 2, 0, 0)
        self.assertEqual(self.creator("instagram", "semi_two")["followers"], 3400)
        self.assertEqual(self.creator("instagram", "semi_one")["categories"], ["fitness"])

    def test_ndjson(self):
        rows = [json.dumps({"platform": "instagram", "handle": "nd_1", "followers": 100, "extra_col": 1}),
                json.dumps({"platform": "instagram", "handle": "nd_2", "followers": -1}),     # line 2
                '{"platform": "instagram", "handle": ',                                       # line 3
                "",                                                                           # blank line 4
                json.dumps({"platform": "instagram", "handle": "nd_3", "followers": "3.4k",
                            "engagement_rate": "4.1%"}),                                      # line 5
                json.dumps([1, 2]),                                                           # line 6
                json.dumps({"platform": "instagram", "handle": "nd_4", "followers": 7})]      # line 7
        r = self.imp("\n".join(rows) + "\n", "application/x-ndjson")
        rep = r.json
        self.assertEqual(rep["inserted"], 3, body_of(r))
        self.assertEqual(rep["rejected"], 3, body_of(r))
        self.assertEqual(rep["received"], rep["inserted"] + rep["updated"] + rep["rejected"], body_of(r))
        lines = sorted(e["line"] for e in rep["errors"])
        self.assertEqual(lines, [2, 3, 6], body_of(r))
        self.assertIn("followers", [e["field"] for e in rep["errors"] if e["line"] == 2], body_of(r))
        self.assertIn("extra_col", rep.get("ignored_columns", []), body_of(r))
        c = self.creator("instagram", "nd_3")
        self.assertEqual(c["followers"], 3400)
        self.assertAlmostEqual(c["engagement_rate"], 0.041, places=9)
        self.creator("instagram", "nd_4")

    def test_json_array(self):
        body = [{"platform": "tiktok", "handle": "ja_1", "followers": 10},
                {"platform": "tiktok", "handle": "ja_2"},                       # position 2
                {"platform": "tiktok", "handle": "ja_3", "followers": 30},
                "not an object",                                              # position 4
                {"platform": "tiktok", "handle": "ja_5", "followers": 50, "engagement_rate": 7}]  # 5
        r = self.imp(json.dumps(body, indent=2), "application/json")
        self.assertCounts(r.json, 5, 2, 0, 3)
        got = sorted({e["line"] for e in r.json["errors"]})
        self.assertEqual(got, [2, 4, 5], body_of(r))
        self.assertIn(("followers"), [e["field"] for e in r.json["errors"] if e["line"] == 2], body_of(r))
        self.assertIn(("engagement_rate"), [e["field"] for e in r.json["errors"] if e["line"] == 5], body_of(r))
        before = self.count_rows("creators")
        for bad in (b'{"platform":"tiktok","handle":"x","followers":1}', b'"x"', b'[{"platform":', b''):
            with self.subTest(body=bad):
                self.assertProblem(self.request("POST", IMPORT, raw=bad, content_type="application/json"), 400)
        self.assertEqual(self.count_rows("creators"), before)
        r = self.imp("[]", "application/json")
        self.assertCounts(r.json, 0, 0, 0, 0)

    def test_reimport_updates_without_duplicates(self):
        data = "platform,handle,followers\n" + "".join("pinterest,re_%03d,%d\n" % (i, 1000 + i) for i in range(40))
        r1 = self.imp(data, "text/csv")
        self.assertCounts(r1.json, 40, 40, 0, 0)
        r2 = self.imp(data.replace("RE_", "re_"), "text/csv")
        self.assertCounts(r2.json, 40, 0, 40, 0)
        self.assertEqual(self.count_rows("creators", "handle LIKE 're\\_%'"), 40)
        # handle case and '@' do not make new rows; changed values are applied
        r3 = self.imp("platform,handle,followers\npinterest,@RE_000,5555\n", "text/csv")
        self.assertCounts(r3.json, 1, 0, 1, 0)
        self.assertEqual(self.count_rows("creators", "handle LIKE 're\\_%'"), 40)
        self.assertEqual(self.creator("pinterest", "re_000")["followers"], 5555)
        # the same (platform, handle) twice in one file
        r4 = self.imp("platform,handle,followers\nfacebook,twice,1\nfacebook,twice,2\n", "text/csv")
        self.assertEqual(r4.json["rejected"] + r4.json["inserted"] + r4.json["updated"], 2, body_of(r4))
        self.assertEqual(self.count_rows("creators", "platform = 'facebook' AND handle = 'twice'"), 1)

    def test_on_error_abort(self):
        before = self.count_rows("creators")
        imports_before = self.count_rows("imports")
        data = "platform,handle,followers\nlinkedin,abort_ok,10\nlinkedin,abort_bad,-1\n"
        r = self.request("POST", IMPORT + "?on_error=abort", raw=data.encode(), content_type="text/csv")
        self.assertProblem(r, 422)
        errs = r.json.get("errors") or []
        self.assertIn((3, "followers"), [(e.get("line"), e.get("field")) for e in errs], body_of(r))
        self.assertEqual(self.count_rows("creators"), before, "on_error=abort wrote rows")
        self.assertEqual(self.count_rows("creators", "handle = 'abort_ok'"), 0)
        # a clean file with abort lands
        r = self.imp("platform,handle,followers\nlinkedin,abort_ok,10\n", "text/csv", "?on_error=abort")
        self.assertCounts(r.json, 1, 1, 0, 0)
        self.assertGreaterEqual(self.count_rows("imports"), imports_before + 1)
        self.assertProblem(self.request("POST", IMPORT + "?on_error=maybe", raw=b"[]",
                                        content_type="application/json"), 400)

    def test_unsupported_content_type_415(self):
        # text/plain and multipart/form-data are read since issue 13 (test_uploads.py).
        for ct in ("application/xml", "image/png", "application/x-www-form-urlencoded"):
            with self.subTest(ct=ct):
                self.assertProblem(self.request("POST", IMPORT, raw=b"handle,followers\n", content_type=ct), 415)
        r = self.request("POST", IMPORT, raw=b"handle,followers\n", headers={"Content-Type": None})
        self.assertProblem(r, 415)

    def _headers_only(self, headers):
        """Send only the headers of a 100 MB import and return (status, reply) read without the body."""
        head = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 100000000\r\n"
                % IMPORT + "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n")
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        try:
            s.sendall(head.encode())
            out = b""
            t0 = time.monotonic()
            while b"\r\n\r\n" not in out and time.monotonic() - t0 < 5:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                out += c
        finally:
            s.close()
        self.assertTrue(out.startswith(b"HTTP/1.1 "), "no reply before the body was sent: %r" % out[:200])
        return int(out.split()[1]), out

    def test_auth_checked_on_headers_alone(self):
        read = self.server.key("read")
        st, out = self._headers_only({})
        self.assertEqual(st, 401, out[:500])
        st, out = self._headers_only({"Authorization": "Bearer nm_wrongwrongwrongwrongwrongwrongwr"})
        self.assertEqual(st, 401, out[:500])
        st, out = self._headers_only({"Authorization": "Bearer " + read})
        self.assertEqual(st, 403, out[:500])

    def test_415_on_headers_alone(self):
        head = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: 100000000\r\n"
                "Authorization: Bearer %s\r\n\r\n" % (IMPORT, self.server.admin_key))
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        try:
            s.sendall(head.encode())
            out = s.recv(65536)
        finally:
            s.close()
        self.assertTrue(out.startswith(b"HTTP/1.1 415"), out[:300])

    def test_import_records(self):
        r = self.imp("platform,handle,followers\ntwitch,rec_1,1\ntwitch,rec_2,x\n", "text/csv")
        rep = r.json
        self.assertEqual(rep["status"], "completed", body_of(r))
        g = self.request("GET", "/v1/imports/%d" % rep["id"])
        self.assertStatus(g, 200)
        for k in ("id", "status", "received", "inserted", "updated", "rejected"):
            self.assertEqual(g.json[k], rep[k], "%s differs: %s vs %s" % (k, body_of(g), body_of(r)))
        self.assertEqual(g.json["errors"], rep["errors"], body_of(g))
        row = self.server.psql("SELECT status FROM imports WHERE id = %d" % rep["id"])
        self.assertEqual(row, [("completed",)])
        items, _ = self.collect("/v1/imports", limit=2)
        ids = [i["id"] for i in items]
        self.assertIn(rep["id"], ids)
        self.assertEqual(len(ids), len(set(ids)))
        self.assertProblem(self.request("GET", "/v1/imports/987654"), 404)
        self.assertProblem(self.request("GET", "/v1/imports/abc"), 404)
        read = self.server.key("read")
        self.assertStatus(self.request("GET", "/v1/imports/%d" % rep["id"], key=read), 200)

    def test_idempotency_key_replays_import(self):
        data = ndjson([{"platform": "instagram", "handle": "idem_import", "followers": 1}])
        h = {"Idempotency-Key": "import-once"}
        r1 = self.request("POST", IMPORT, raw=data, content_type="application/x-ndjson", headers=h)
        r2 = self.request("POST", IMPORT, raw=data, content_type="application/x-ndjson", headers=h)
        self.assertStatus(r1, 201)
        self.assertEqual((r2.status, r2.json), (r1.status, r1.json))
        self.assertEqual((r2.headers.get("Idempotent-Replayed") or "").lower(), "true")
        other = ndjson([{"platform": "instagram", "handle": "idem_other", "followers": 2}])
        r3 = self.request("POST", IMPORT, raw=other, content_type="application/x-ndjson", headers=h)
        self.assertProblem(r3, 422)
        self.assertEqual(self.count_rows("creators", "handle = 'idem_other'"), 0)

    def test_error_list_capped_at_100(self):
        data = "platform,handle,followers\n" + "".join("instagram,cap_%d,-1\n" % i for i in range(150))
        r = self.imp(data, "text/csv")
        self.assertCounts(r.json, 150, 0, 0, 150)
        self.assertEqual(len(r.json["errors"]), 100, "first 100 errors: got %d" % len(r.json["errors"]))
        self.assertEqual(r.json["errors"][0]["line"], 2)


class ImportDisconnectTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_client_disconnect_writes_nothing(self):
        self.import_rows([{"platform": "instagram", "handle": "pre_existing", "followers": 1}])
        before = self.count_rows("creators")
        imports_before = {i["id"] for i in self.collect("/v1/imports")[0]}
        rows = ndjson({"platform": "instagram", "handle": "drop_%06d" % i, "followers": i,
                       "bio": "x" * 200} for i in range(20000))
        sent = rows[: len(rows) // 2]
        head = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n"
                "Authorization: Bearer %s\r\n\r\n" % (IMPORT, len(rows), self.server.admin_key))
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(head.encode())
        s.sendall(sent)
        # wait until the server has started the import (and so holds rows in its transaction)
        started = poll(lambda: [i for i in self.collect("/v1/imports")[0] if i["id"] not in imports_before],
                       timeout=10)
        self.assertTrue(started, "the import was never recorded")
        imp = started[0]
        s.close()
        done = poll(lambda: (lambda g: g if g.json.get("status") != "running" else None)(
            self.request("GET", "/v1/imports/%d" % imp["id"])), timeout=15)
        self.assertIsNotNone(done, "the import is still running 15 s after the client left")
        self.assertEqual(done.json["status"], "failed", body_of(done))
        self.assertEqual(self.count_rows("creators"), before, "a dropped import wrote rows")
        self.assertEqual(self.count_rows("creators", "handle LIKE 'drop\\_%'"), 0)
        # and the server is fine
        self.assertStatus(self.request("GET", "/v1/creators?limit=1"), 200)


class ImportProgressTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def slow_import(self, chunks, pause, on_pause=None):
        """POST an NDJSON import in `chunks` (list of bytes) sent `pause` s apart, chunked; calls
        on_pause(i) during each pause. Returns the reply."""
        import http.client
        import threading
        result = {}

        def body():
            for i, c in enumerate(chunks):
                yield c
                if i + 1 < len(chunks):
                    t0 = time.monotonic()
                    if on_pause:
                        on_pause(i)
                    rest = pause - (time.monotonic() - t0)
                    if rest > 0:
                        time.sleep(rest)
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        c.request("POST", IMPORT, body=body(), encode_chunked=True,
                  headers={"Authorization": "Bearer " + self.server.admin_key,
                           "Content-Type": "application/x-ndjson"})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, json.loads(data)

    def running_import(self):
        rows = self.server.psql("SELECT id FROM imports WHERE status = 'running' ORDER BY id DESC LIMIT 1")
        return int(rows[0][0]) if rows else None

    def test_progress_visible_while_running(self):
        chunks = [ndjson({"platform": "instagram", "handle": "prog_%d_%d" % (k, i), "followers": i}
                         for i in range(2000)) for k in range(6)]
        seen = []

        def look(i):
            iid = self.running_import()
            if iid is not None:
                g = self.request("GET", "/v1/imports/%d" % iid)
                seen.append((g.json.get("status"), g.json.get("received")))
        status, rep = self.slow_import(chunks, 0.4, look)
        self.assertEqual(status, 201, rep)
        self.assertEqual(rep["inserted"], 12000, rep)
        running = [s for s in seen if s[0] == "running"]
        self.assertTrue(running, "never saw the import running: %s" % seen)
        self.assertTrue(any(rc and rc > 0 for _, rc in running), "no progress while running: %s" % seen)

    def test_finished_at_is_when_it_finished(self):
        from datetime import datetime
        chunks = [ndjson([{"platform": "tiktok", "handle": "ts_%d" % k, "followers": 1}]) for k in range(2)]
        status, rep = self.slow_import(chunks, 1.5)
        self.assertEqual(status, 201, rep)

        def ts(s):
            return datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
        took = (ts(rep["finished_at"]) - ts(rep["created_at"])).total_seconds()
        self.assertGreaterEqual(took, 1.2, rep)


class ExportFileChecks:
    """Mixin: a whole creator export (the shape of REAL_CSV) imports with every record
    accounted for, and a re-import updates every accepted row and adds nothing."""

    def check_export_file(self, data, max_rejected):
        r = self.request("POST", IMPORT, raw=data, content_type="text/csv", timeout=300)
        self.assertStatus(r, 201)
        rep = r.json
        # every physical record of the file, with the line it starts on
        text = data.decode("utf-8")
        records = {}
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        line = reader.line_num + 1
        for rec in reader:
            records[line] = dict(zip(header, rec))
            line = reader.line_num + 1
        self.assertEqual(rep["received"], len(records), body_of(r))
        self.assertEqual(rep["received"], rep["inserted"] + rep["updated"] + rep["rejected"], body_of(r))
        self.assertLessEqual(rep["rejected"], max_rejected, "more rows rejected than expected: %s" % body_of(r))
        self.assertEqual(len(rep["errors"]), rep["rejected"] if rep["rejected"] <= 100 else 100)
        for e in rep["errors"]:
            self.assertIn(e["line"], records, "error line is not the start of a record: %s" % e)
            field = e["field"]
            self.assertIn(field, header, "error field is not a column: %s" % e)
            self.assertGreater(len(e["message"]), 8, e)
            value = records[e["line"]][field]
            if field == "engagement_rate":
                self.assertTrue(float(value) > 1 or float(value) < 0,
                                "line %d: %s=%s is valid, yet rejected: %s" % (e["line"], field, value, e))
                self.assertIn("1", e["message"], e)
        self.assertEqual(self.count_rows("creators"), rep["inserted"])
        # a re-import of the whole file updates every accepted row and adds nothing
        r2 = self.request("POST", IMPORT, raw=data, content_type="text/csv", timeout=300)
        self.assertStatus(r2, 201)
        self.assertEqual((r2.json["inserted"], r2.json["updated"], r2.json["rejected"]),
                         (0, rep["inserted"], rep["rejected"]), body_of(r2))
        self.assertEqual(self.count_rows("creators"), rep["inserted"])
        return rep


class SyntheticFileImportTests(ExportFileChecks, Api, ServerTestCase):
    """The real-file checks on a generated file of the same shape (apihelpers.
    synthetic_export_csv): runs everywhere, CI included."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_synthetic_export_file(self):
        rep = self.check_export_file(synthetic_export_csv(n=4000, invalid_rates=3), max_rejected=3)
        # exactly the three rows with a rate above 1 are rejected, each for engagement_rate
        self.assertEqual(rep["rejected"], 3, rep)
        self.assertEqual({e["field"] for e in rep["errors"]}, {"engagement_rate"}, rep)
        self.assertEqual(rep["inserted"], 3997, rep)


@unittest.skipUnless(os.path.exists(REAL_CSV), "real data not present: %s" % REAL_CSV)
class RealFileImportTests(ExportFileChecks, Api, ServerTestCase):
    """Optional (on tests/api/run.py's CI allow-list): the same checks on the real export."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_real_file(self):
        with open(REAL_CSV, "rb") as f:
            data = f.read()
        self.check_export_file(data, max_rejected=10)


if __name__ == "__main__":
    unittest.main()
