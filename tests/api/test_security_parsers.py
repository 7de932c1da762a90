"""Issue 10, acceptance 1: hostile CSV/TSV bodies that overflowed the CSV reader's heap block.

The reader stored each cell's NUL and advanced its length without growing the buffer (only
cell bytes grew it), so a record of many empty cells wrote past the 4,096-byte first block:
200,000 delimiters did it before any column cap applied, and a 4,095-byte cell followed by two
delimiters overflowed by one byte. A Release server aborted (dropping every tenant's requests);
an ASan server reported a heap-buffer-overflow in end_cell.

Each body below goes to POST /v1/creators/import as text/csv (',' and ';', which the importer
sniffs) and as text/tab-separated-values. What the code answers, and what is asserted exactly:
a 201 import report (a header of only empty or unknown names imports nothing; a header of
known names and a wide row imports or rejects that row), never a 5xx, and the server keeps
serving (GET /healthz, a list) afterwards. Run against the Release and the ASan binary (NM_BIN);
the harness fails the class if the server's log holds a sanitizer report.
"""
import json

from harness import ServerTestCase
from apihelpers import Api, body_of

IMPORT = "/v1/creators/import"

# (content type, delimiter, format named in the report)
DIALECTS = (
    ("text/csv", b",", "csv"),
    ("text/tab-separated-values", b"\t", "tsv"),
    ("text/csv", b";", "csv"),  # sniffed from the first line, as European Excel exports are
)


def chunks(data, size):
    """data as an iterable of size-byte pieces: the harness sends it chunked."""
    return (data[i:i + size] for i in range(0, len(data), size))


class HostileCsvTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def revive(self):
        # A server an earlier case crashed is started again, so that each case shows its own
        # outcome; the crash itself is not forgotten: tearDownClass still reads the whole log
        # for sanitizer reports.
        if not self.server.running():
            self.server.restart(sanitizers=False)

    def post(self, data, ct):
        r = self.request("POST", IMPORT, raw=data, content_type=ct, timeout=60)
        self.assertLess(r.status, 500, body_of(r))
        return r

    def assertServing(self):
        self.assertTrue(self.server.running(), "the server died:\n" + self.server.log_text()[-6000:])
        h = self.request("GET", "/healthz", key=None)
        self.assertEqual(h.status, 200, body_of(h))
        r = self.request("GET", "/v1/creators?limit=1")
        self.assertEqual(r.status, 200, body_of(r))

    def assertReport(self, r, fmt, received, inserted, rejected, ignored=None):
        self.assertEqual(r.status, 201, body_of(r))
        rep = r.json
        self.assertEqual(rep["status"], "completed", body_of(r))
        self.assertEqual(rep["format"], fmt, body_of(r))
        self.assertEqual((rep["received"], rep["inserted"], rep["updated"], rep["rejected"]),
                         (received, inserted, 0, rejected), json.dumps(rep)[:2000])
        if ignored is not None:
            self.assertEqual(rep["ignored_columns"], ignored, json.dumps(rep)[:2000])

    def each_dialect(self, check):
        for ct, d, fmt in DIALECTS:
            with self.subTest(content_type=ct, delimiter=d):
                self.revive()
                check(ct, d, fmt)
                self.assertServing()

    # --- the reproductions of the issue ----------------------------------------------------
    def test_200000_delimiters(self):
        # One record of 200,001 empty cells: a header of no names, so nothing to import.
        self.each_dialect(lambda ct, d, fmt: self.assertReport(
            self.post(d * 200000, ct), fmt, 0, 0, 0, []))

    def test_200000_delimiters_sent_in_odd_chunks(self):
        # The same body in 4,093-byte pieces: growth must also hold across feed calls.
        self.each_dialect(lambda ct, d, fmt: self.assertReport(
            self.post(chunks(d * 200000, 4093), ct), fmt, 0, 0, 0, []))

    def test_cell_of_4094_bytes_then_20000_delimiters(self):
        # The fuzzer's input (its two control bytes choose the dialect and are not sent), and
        # the same with two leading bytes kept, which makes the first cell 4,096 bytes long.
        def check(ct, d, fmt):
            for lead in (b"", b"\x01\x02"):
                name = (lead + b"a" * 4094).decode()
                self.assertReport(self.post(lead + b"a" * 4094 + d * 20000, ct), fmt, 0, 0, 0,
                                  [name])
        self.each_dialect(check)

    def test_cell_of_4095_bytes_then_two_empty_cells(self):
        # The NUL of the third cell is byte 4,097 of a 4,096-byte block.
        self.each_dialect(lambda ct, d, fmt: self.assertReport(
            self.post(b"a" * 4095 + d * 2, ct), fmt, 0, 0, 0, ["a" * 4095]))

    def test_cells_around_the_buffer_size_then_empty_cells(self):
        # Header cells of 4,094-4,097 and 8,191 bytes, each followed by 2 and by 20,000
        # empty cells, one body per case.
        def check(ct, d, fmt):
            for n in (4094, 4095, 4096, 4097, 8191):
                for k in (2, 20000):
                    self.assertReport(self.post(b"a" * n + d * k + b"\n", ct), fmt, 0, 0, 0,
                                      ["a" * n])
        self.each_dialect(check)

    # --- the same records as data rows -----------------------------------------------------
    def test_data_row_of_4095_byte_cell_then_empty_cells(self):
        # Under a real header the row is read and validated: 'aaa...' is no platform, the
        # handle and followers cells are empty, so the row is rejected with those errors.
        def check(ct, d, fmt):
            body = b"platform" + d + b"handle" + d + b"followers\n" + b"a" * 4095 + d * 2 + b"\n"
            r = self.post(body, ct)
            self.assertReport(r, fmt, 1, 0, 1, [])
            self.assertEqual(sorted((e["line"], e["field"]) for e in r.json["errors"]),
                             [(2, "followers"), (2, "handle"), (2, "platform")], body_of(r))
        self.each_dialect(check)

    def test_wide_data_row_is_imported(self):
        # A row of 200,003 cells whose first three are filled: read whole and imported.
        def check(ct, d, fmt):
            handle = "wide_%s" % fmt + ("_semi" if d == b";" else "")
            body = (b"platform" + d + b"handle" + d + b"followers\n" + b"twitch" + d
                    + handle.encode() + d + b"1200" + d * 200000)
            self.assertReport(self.post(body, ct), fmt, 1, 1, 0, [])
            r = self.request("GET", "/v1/creators?platform=twitch&handle=" + handle)
            self.assertEqual(r.status, 200, body_of(r))
            self.assertEqual([c["followers"] for c in r.json["data"]], [1200], body_of(r))
        self.each_dialect(check)
