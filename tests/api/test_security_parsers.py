"""Issue 10, item 1 (critical): the CSV/TSV reader wrote each cell's NUL past its buffer on
records of many empty cells. The reproductions from the review, sent to a running server (the
Release and the ASan build both run this suite), must get a clear reply and leave the server
serving. On the previous csv.c the ASan server aborted on the first of them and the Release
server corrupted its heap."""
import json

from harness import ServerTestCase

CTYPES = (("text/csv", ","), ("text/tab-separated-values", "\t"), ("text/csv", ";"))


def reproductions(delim):
    d = delim
    return {
        "200,000 delimiters": d * 200000,
        "2 bytes + 4,094 a + 20,000 delimiters": "xx" + "a" * 4094 + d * 20000,
        "a 4,095-byte cell then two empty cells": "a" * 4095 + d + d,
        "a header then a row of 50,000 empty cells": "handle%sfollowers\n" % d + d * 50000 + "\n",
        "a 4,095-byte handle then empty cells": "handle%sfollowers%sbio\n" % (d, d) + "h" * 4095 + d + d + "\n",
    }


class CsvOverflowTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_reproductions_get_a_clear_reply_and_the_server_keeps_serving(self):
        seen = 0
        for ctype, delim in CTYPES:
            for name, body in reproductions(delim).items():
                r = self.request("POST", "/v1/creators/import?platform=instagram", body.encode(),
                                 content_type=ctype)
                what = "%s (%s, %r)" % (name, ctype, delim)
                self.assertTrue(r.status == 201 or 400 <= r.status < 500,
                                "%s: want an import report or a 4xx, got %r" % (what, r))
                if r.status == 201:
                    rep = r.json
                    self.assertEqual(rep["received"], rep["inserted"] + rep["updated"] + rep["rejected"], what)
                else:
                    self.assertEqual(r.content_type, "application/problem+json", what)
                    self.assertIn("detail", r.json, what)
                self.assertEqual(self.request("GET", "/healthz", key=None).status, 200,
                                 "the server stopped serving after %s" % what)
                seen += 1
        self.assertEqual(seen, 15)
        # Nothing of these bodies became a creator with an empty or giant handle.
        rows = self.server.psql("SELECT count(*) FROM creators WHERE handle = '' OR length(handle) > 100")
        self.assertEqual(rows, [("0",)])
        # And the reader still reads a normal file afterwards.
        r = self.request("POST", "/v1/creators/import?platform=instagram",
                         b"handle,followers\nafter_the_storm,12400\n", content_type="text/csv")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["inserted"] + r.json["updated"], 1)
