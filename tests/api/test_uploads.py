"""Browser uploads (issue 13; docs/api.md §4 "Browser uploads", docs/api-decisions.md "Uploads"):
bodies labelled application/vnd.ms-excel, text/plain or application/octet-stream are sniffed,
multipart/form-data with one file part is read (streamed), and POST /v1/imports gives a client
the import's id before it sends the body to PUT /v1/imports/{id}/body, so that a progress bar
can poll GET /v1/imports/{id} while `received` grows."""
import json
import os
import threading
import time

from harness import Server, ServerTestCase
from apihelpers import Api, body_of, ndjson, poll

IMPORT = "/v1/creators/import"
BOUNDARY = "----nmUploadBoundary7MA4YWxkTrZu0gW"

CSV = ("platform,handle,followers,engagement_rate,display_name\n"
       "instagram,{p}_one,12000,2.5%,One\n"
       "tiktok,{p}_two,\"34,000\",0.031,Two Ünïcode\n"
       "youtube,{p}_three,1.2k,1%,Three\n")


def multipart(parts, boundary=BOUNDARY):
    """parts: (name, filename or None, content type or None, bytes)."""
    out = b""
    for name, filename, ctype, data in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        disp = 'form-data; name="%s"' % name
        if filename is not None:
            disp += '; filename="%s"' % filename
        out += ("Content-Disposition: %s\r\n" % disp).encode()
        if ctype is not None:
            out += ("Content-Type: %s\r\n" % ctype).encode()
        out += b"\r\n" + data + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n"


MP = "multipart/form-data; boundary=" + BOUNDARY


class UploadTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def imp(self, data, ct, query="", expect=201, path=IMPORT, method="POST"):
        if isinstance(data, str):
            data = data.encode()
        r = self.request(method, path + query, raw=data, content_type=ct)
        self.assertEqual(r.status, expect, body_of(r))
        return r

    def creators(self, prefix):
        return [tuple(r) for r in self.server.psql(
            "SELECT platform, handle, followers, display_name, engagement_rate FROM creators "
            "WHERE handle LIKE :'p' ORDER BY platform, handle", p=prefix + "%")]

    def assertSameAsCsv(self, prefix_csv, prefix_other):
        a = [(p, h.replace(prefix_csv, "X"), f, d, e) for p, h, f, d, e in self.creators(prefix_csv)]
        b = [(p, h.replace(prefix_other, "X"), f, d, e) for p, h, f, d, e in self.creators(prefix_other)]
        self.assertEqual(len(a), 3, a)
        self.assertEqual(a, b)

    # --- sniffed bodies ------------------------------------------------------------------
    def test_vnd_ms_excel_csv_imports_like_text_csv(self):
        r1 = self.imp(CSV.format(p="xlref"), "text/csv")
        r2 = self.imp(CSV.format(p="xlsniff"), "application/vnd.ms-excel")
        self.assertEqual(r2.json["format"], "csv", body_of(r2))
        for k in ("received", "inserted", "updated", "rejected"):
            self.assertEqual(r1.json[k], r2.json[k], k)
        self.assertEqual(r2.json["inserted"], 3, body_of(r2))
        self.assertSameAsCsv("xlref", "xlsniff")
        got = self.request("GET", "/v1/imports/%d" % r2.json["id"]).json
        self.assertEqual((got["status"], got["format"]), ("completed", "csv"), got)

    def test_excel_bom_and_semicolons(self):
        body = ("\ufeffplatform;handle;followers\ninstagram;xlbom_one;1000\n"
                "instagram;xlbom_two;2000\n").encode()
        r = self.imp(body, "application/vnd.ms-excel; charset=utf-8")
        self.assertEqual((r.json["format"], r.json["inserted"], r.json["rejected"]), ("csv", 2, 0),
                         body_of(r))

    def test_text_plain_ndjson_and_json_and_tsv(self):
        rows = [{"platform": "instagram", "handle": "plainnd_%d" % i, "followers": 1000 + i}
                for i in range(5)]
        r = self.imp(ndjson(rows), "text/plain")
        self.assertEqual((r.json["format"], r.json["inserted"]), ("ndjson", 5), body_of(r))
        rows = [{"platform": "tiktok", "handle": "plainjs_%d" % i, "followers": 2000 + i}
                for i in range(4)]
        body = b"\xef\xbb\xbf\r\n  " + json.dumps(rows).encode()
        r = self.imp(body, "text/plain; charset=utf-8")
        self.assertEqual((r.json["format"], r.json["inserted"]), ("json", 4), body_of(r))
        body = "platform\thandle\tfollowers\tdisplay_name\ninstagram\tplaintsv_1\t3000\tA, B\n"
        r = self.imp(body, "application/octet-stream")
        self.assertEqual((r.json["format"], r.json["inserted"]), ("tsv", 1), body_of(r))
        self.assertEqual(self.creators("plaintsv_1")[0][3], "A, B")

    def test_sniff_waits_for_enough_bytes(self):
        # A first chunk of one byte must not decide the format: chunked, tiny pieces.
        rows = [{"platform": "instagram", "handle": "tiny_%d" % i, "followers": 1000} for i in range(50)]
        data = ndjson(rows)
        pieces = [data[:1], data[1:3]] + [data[i:i + 100] for i in range(3, len(data), 100)]
        r = self.request("POST", IMPORT, raw=iter(pieces), content_type="text/plain")
        self.assertEqual(r.status, 201, body_of(r))
        self.assertEqual((r.json["format"], r.json["inserted"]), ("ndjson", 50), body_of(r))

    def test_csv_delimiter_from_the_first_line_not_the_first_chunk(self):
        # text/csv with ';': the first chunk holds a few bytes of the header only. The
        # delimiter used to be counted on that chunk alone (no ';' in "plat": ',').
        body = b"platform;handle;followers\ninstagram;semi_one;1000\ninstagram;semi_two;2000\n"
        for ct in ("text/csv", "application/vnd.ms-excel"):
            r = self.request("POST", IMPORT, raw=iter([body[:4], body[4:9], body[9:]]), content_type=ct)
            self.assertEqual(r.status, 201, body_of(r))
            self.assertEqual((r.json["received"], r.json["rejected"]), (2, 0), body_of(r))
        self.assertEqual(len(self.creators("semi_")), 2)

    def test_empty_sniffed_body(self):
        r = self.imp(b"", "text/plain")
        self.assertEqual((r.json["received"], r.json["inserted"]), (0, 0), body_of(r))

    def test_content_type_stays_authoritative(self):
        # An NDJSON body labelled text/csv is read as CSV: its "header" maps no column.
        rows = [{"platform": "instagram", "handle": "authct_1", "followers": 1000}]
        r = self.imp(ndjson(rows), "text/csv")
        self.assertEqual(r.json["format"], "csv", body_of(r))
        self.assertEqual(r.json["inserted"], 0, body_of(r))
        # A CSV body labelled NDJSON is refused as NDJSON would be.
        r = self.imp(CSV.format(p="authct2"), "application/x-ndjson", expect=201)
        self.assertEqual((r.json["format"], r.json["inserted"]), ("ndjson", 0), body_of(r))
        self.assertEqual(self.creators("authct"), [])

    def test_unknown_media_type_still_refused(self):
        r = self.imp(CSV.format(p="refused"), "image/png", expect=415)
        self.assertEqual(r.json["status"], 415)

    # --- multipart -----------------------------------------------------------------------
    def test_multipart_csv_file_part_imports_like_text_csv(self):
        self.imp(CSV.format(p="mpref"), "text/csv")
        body = multipart([("note", None, None, b"hello"),
                          ("file", "creators.csv", "application/vnd.ms-excel",
                           CSV.format(p="mpcsv").encode()),
                          ("other", None, None, b"ignored field")])
        r = self.imp(body, MP)
        self.assertEqual((r.json["format"], r.json["inserted"], r.json["rejected"]), ("csv", 3, 0),
                         body_of(r))
        self.assertEqual(r.headers.get("Location"), "/v1/imports/%d" % r.json["id"])
        self.assertSameAsCsv("mpref", "mpcsv")

    def test_multipart_picks_format_by_part_type_extension_or_sniff(self):
        rows = [{"platform": "instagram", "handle": "mpnd_%d" % i, "followers": 1000} for i in range(3)]
        # The part's own type names the format.
        r = self.imp(multipart([("f", "data.bin", "application/x-ndjson", ndjson(rows))]), MP)
        self.assertEqual((r.json["format"], r.json["inserted"]), ("ndjson", 3), body_of(r))
        # The extension does when the type is generic.
        rows = [{"platform": "instagram", "handle": "mpext_%d" % i, "followers": 1000} for i in range(3)]
        r = self.imp(multipart([("f", "data.JSONL", "application/octet-stream", ndjson(rows))]), MP)
        self.assertEqual((r.json["format"], r.json["inserted"]), ("ndjson", 3), body_of(r))
        # Neither: sniffed.
        rows = [{"platform": "instagram", "handle": "mpsn_%d" % i, "followers": 1000} for i in range(3)]
        r = self.imp(multipart([("f", "export", None, json.dumps(rows).encode())]), MP)
        self.assertEqual((r.json["format"], r.json["inserted"]), ("json", 3), body_of(r))

    def test_multipart_two_file_parts_is_a_problem(self):
        body = multipart([("a", "a.csv", "text/csv", CSV.format(p="mptwo_a").encode()),
                          ("b", "b.csv", "text/csv", CSV.format(p="mptwo_b").encode())])
        r = self.imp(body, MP, expect=400)
        self.assertIn("more than one file", r.json["detail"], body_of(r))
        self.assertEqual(self.creators("mptwo"), [])
        imports, _ = self.collect("/v1/imports")
        last = imports[-1]
        self.assertEqual(last["status"], "failed", last)
        self.assertIn("more than one file", last["failure"], last)

    def test_multipart_without_file_part_or_boundary(self):
        r = self.imp(multipart([("note", None, None, b"no file here")]), MP, expect=400)
        self.assertIn("no file part", r.json["detail"], body_of(r))
        r = self.imp(b"--x\r\n", "multipart/form-data", expect=400)
        self.assertEqual(r.json["status"], 400)
        # Cut before its closing boundary: the import fails, nothing is written.
        body = multipart([("f", "cut.csv", "text/csv", CSV.format(p="mpcut").encode())])
        r = self.imp(body[:-len(BOUNDARY) - 8], MP, expect=400)
        self.assertEqual(self.creators("mpcut"), [])

    def test_multipart_keeps_the_import_guards(self):
        # on_error=abort and platform apply to the file part as to a plain body.
        body = ("handle,followers\nguard_ok,1000\nguard_bad,notanumber\n").encode()
        r = self.imp(multipart([("f", "g.csv", "text/csv", body)]), MP,
                     query="?on_error=abort&platform=instagram", expect=422)
        self.assertEqual(self.creators("guard_"), [])
        r = self.imp(multipart([("f", "g.csv", "text/csv", body)]), MP,
                     query="?platform=instagram")
        self.assertEqual((r.json["inserted"], r.json["rejected"]), (1, 1), body_of(r))
        # A brand-bound key cannot import, whatever the body.
        brand = self.make_brand()
        key = self.server.key("write", brand=brand["id"])
        r = self.request("POST", IMPORT, raw=multipart([("f", "g.csv", "text/csv", body)]),
                         content_type=MP, key=key)
        self.assertEqual(r.status, 403, body_of(r))

    # --- the id first: POST /v1/imports, PUT its body ----------------------------------------
    def test_pending_import_then_body(self):
        r = self.request("POST", "/v1/imports?platform=instagram")
        self.assertEqual(r.status, 201, body_of(r))
        imp = r.json
        self.assertEqual((imp["status"], imp["format"], imp["received"]), ("pending", None, 0), imp)
        self.assertEqual(imp["upload_url"], "/v1/imports/%d/body" % imp["id"])
        self.assertEqual(r.headers.get("Location"), "/v1/imports/%d" % imp["id"])
        got = self.request("GET", "/v1/imports/%d" % imp["id"]).json
        self.assertEqual((got["status"], got["upload_url"]), ("pending", imp["upload_url"]), got)
        body = "handle,followers\npend_one,1000\npend_two,2000\n"
        r = self.imp(body, "application/vnd.ms-excel", path=imp["upload_url"], method="PUT",
                     expect=200)
        self.assertEqual((r.json["id"], r.json["status"], r.json["inserted"]),
                         (imp["id"], "completed", 2), body_of(r))
        got = self.request("GET", "/v1/imports/%d" % imp["id"]).json
        self.assertEqual((got["status"], got["format"], got["received"], got["bytes"]),
                         ("completed", "csv", 2, len(body)), got)
        self.assertNotIn("upload_url", got)
        self.assertEqual(len(self.creators("pend_")), 2)
        # The body is sent once.
        r = self.imp(body, "text/csv", path=imp["upload_url"], method="PUT", expect=409)
        r = self.imp(body, "text/csv", path="/v1/imports/999999/body", method="PUT", expect=404)

    def test_pending_import_options_and_multipart_body(self):
        r = self.request("POST", "/v1/imports?on_error=abort")
        self.assertEqual(r.status, 201, body_of(r))
        url = r.json["upload_url"]
        body = b"platform,handle,followers\ninstagram,pendab_1,1000\ninstagram,pendab_2,xx\n"
        r = self.imp(multipart([("file", "x.csv", "text/csv", body)]), MP, path=url, method="PUT",
                     expect=422)
        self.assertEqual(self.creators("pendab_"), [])
        r = self.request("POST", "/v1/imports?on_error=bogus")
        self.assertEqual(r.status, 400, body_of(r))
        # Given with the body, the options override those of the pending import.
        r = self.request("POST", "/v1/imports")
        url = r.json["upload_url"]
        r = self.imp(body, "text/csv", query="?on_error=abort", path=url, method="PUT", expect=422)
        got = self.request("GET", "/v1/imports/%d" % int(url.split("/")[3])).json
        self.assertEqual((got["status"], got["on_error"]), ("failed", "abort"), got)
        self.assertEqual(self.creators("pendab_"), [])

    def test_progress_grows_while_the_body_streams(self):
        r = self.request("POST", "/v1/imports")
        self.assertEqual(r.status, 201, body_of(r))
        iid, url = r.json["id"], r.json["upload_url"]
        # 240,000 rows by default; NM_UPLOAD_PROGRESS_CHUNKS=500 makes it the 1M-row
        # import (run by hand: docs/operations.md "Tests")
        chunks, per_chunk = int(os.environ.get("NM_UPLOAD_PROGRESS_CHUNKS", "120")), 2000

        def body():
            for c in range(chunks):
                rows = [{"platform": "instagram", "handle": "prog_%d_%d" % (c, i),
                         "followers": 1000 + i} for i in range(per_chunk)]
                yield ndjson(rows)
                time.sleep(0.04)

        result = {}

        def upload():
            result["r"] = self.request("PUT", url, raw=body(), content_type="application/x-ndjson",
                                       timeout=120)

        t = threading.Thread(target=upload)
        t.start()
        seen = []
        try:
            while t.is_alive():
                got = self.request("GET", "/v1/imports/%d" % iid).json
                if got["status"] == "running":
                    seen.append((got["received"], got["bytes"]))
                time.sleep(0.2)
        finally:
            t.join(120)
        r = result["r"]
        self.assertEqual(r.status, 200, body_of(r))
        self.assertEqual(r.json["inserted"], chunks * per_chunk, body_of(r))
        grew = sorted(set(x for x, _ in seen))
        self.assertGreaterEqual(len(grew), 2, "received never grew while running: %r" % seen)
        self.assertTrue(all(a <= b for a, b in zip(seen, seen[1:])), seen)
        self.assertLess(grew[0], chunks * per_chunk)


class UploadCapTests(ServerTestCase):
    """The import byte cap counts the whole multipart body."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_IMPORT_MAX_BYTES": "4096"}

    def test_multipart_over_the_cap(self):
        big = ("handle,followers\n" + "".join("cap_%d,1000\n" % i for i in range(1000))).encode()
        body = multipart([("f", "big.csv", "text/csv", big)])
        r = self.request("POST", IMPORT + "?platform=instagram", raw=iter([body[i:i + 1024] for i in range(0, len(body), 1024)]),
                         content_type=MP)
        self.assertEqual(r.status, 413, body_of(r))
        n = int(self.server.psql("SELECT count(*) FROM creators WHERE handle LIKE 'cap_%'")[0][0])
        self.assertEqual(n, 0)
