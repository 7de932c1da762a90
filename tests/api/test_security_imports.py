"""Import memory stays flat whatever the body carries (issue 10, item 3).

Two ways a body used to grow the server without bound:
- every distinct unknown member name of an NDJSON/JSON import, even in rejected rows, was kept
  for the whole import and copied into the reply, the import record and the event;
- the COPY text buffered while a merge runs was bounded by rows only (25,000 rows), so rows of
  ~50 KB could buffer over a gigabyte.

Each test streams its body from a generator (chunked transfer) and reads the server's peak RSS
(VmHWM in /proc/<pid>/status) before and after. Both builds get 200 MB of fresh member names
(about 8 s, ASan included: jansson is not instrumented and most rows are rejected early); under
the sanitizer build (NM_BIN path containing "asan", or NM_SANITIZE=1) the server runs with a
small ASan quarantine (see server_env). NM_TEST_IMPORT_MEMORY_MB changes the size.
"""
import json
import os
import sys
import unittest

from apihelpers import body_of
from harness import ServerTestCase, nm_bin

MIB = 1024 * 1024
GROWTH_LIMIT = 64 * MIB
NAMES_CAP = 256  # docs/api-decisions.md: ignored_columns lists at most 256 names


def sanitized():
    return "asan" in nm_bin().lower() or os.environ.get("NM_SANITIZE") == "1"


def body_megabytes():
    env = os.environ.get("NM_TEST_IMPORT_MEMORY_MB")
    if env:
        return int(env)
    return 200


def server_env():
    """Under ASan, freed blocks wait in a quarantine (256 MiB by default) before reuse, so peak
    RSS would measure the quarantine, not the server: keep it small for these tests."""
    env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_BODY_TIMEOUT_S": "600"}
    if sanitized():
        opts = os.environ.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + \
            "quarantine_size_mb=4:thread_local_quarantine_size_kb=256"
    return env


def vmhwm(pid):
    """Peak resident set size of pid, in bytes."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/%d/status" % pid)


def chunked(lines, chunk=256 * 1024):
    """Groups an iterator of bytes lines into chunks of about `chunk` bytes."""
    buf, n = [], 0
    for line in lines:
        buf.append(line)
        n += len(line)
        if n >= chunk:
            yield b"".join(buf)
            buf, n = [], 0
    if buf:
        yield b"".join(buf)


def fresh_name_rows(total_bytes, names_per_row=40, valid_every=10):
    """NDJSON rows of ~2 KB, each with names_per_row member names never seen before. One row in
    valid_every is a valid creator; the others lack followers and are rejected (their unknown
    names were kept too)."""
    sent, i = 0, 0
    pad = "_" + "p" * 24
    while sent < total_bytes:
        members = ['"m%x_%d%s":1' % (i, j, pad) for j in range(names_per_row)]
        head = '{"platform":"instagram","handle":"fresh%d"' % i
        if i % valid_every == 0:
            head += ',"followers":1000'
        line = (head + "," + ",".join(members) + "}\n").encode()
        sent += len(line)
        i += 1
        yield line


class ImportMemoryTests(ServerTestCase):
    server_env = server_env()

    def import_stream(self, lines):
        return self.request("POST", "/v1/creators/import", raw=chunked(lines),
                            content_type="application/x-ndjson", timeout=900)

    def test_fresh_member_names_keep_memory_flat(self):
        """200 MB of rows made of fresh member names: peak RSS grows < 64 MiB, and the
        reply, the import record and the import.completed event list at most 256 names and
        say that more were ignored."""
        size = body_megabytes() * 1000 * 1000
        pid = self.server.proc.pid
        before = vmhwm(pid)
        r = self.import_stream(fresh_name_rows(size))
        after = vmhwm(pid)
        sys.stderr.write("[%d MB of fresh member names: peak RSS %.1f -> %.1f MiB] "
                         % (size // 1000000, before / MIB, after / MIB))
        self.assertEqual(r.status, 201, body_of(r)[:3000])
        self.assertLess(after - before, GROWTH_LIMIT,
                        "peak RSS grew by %.1f MiB during a %d MB import (limit %d MiB)"
                        % ((after - before) / MIB, size // 1000000, GROWTH_LIMIT // MIB))
        rep = r.json
        self.assertGreater(rep["received"], size // 2500, body_of(r))
        self.assertEqual(rep["received"], rep["inserted"] + rep["updated"] + rep["rejected"])
        self.assertGreater(rep["inserted"], 0)
        self.assertEqual(len(rep["ignored_columns"]), NAMES_CAP)
        self.assertIs(rep.get("ignored_columns_truncated"), True, body_of(r))
        # The record and the event carry the same bounded list.
        g = self.request("GET", "/v1/imports/%d" % rep["id"])
        self.assertEqual(g.status, 200, body_of(g))
        self.assertEqual(g.json["ignored_columns"], rep["ignored_columns"])
        self.assertIs(g.json.get("ignored_columns_truncated"), True, body_of(g))
        ev = self.server.psql(
            "SELECT jsonb_array_length(data->'ignored_columns'), data->>'ignored_columns_truncated' "
            "FROM events WHERE type = 'import.completed' AND (data->>'id')::bigint = %d" % rep["id"])
        self.assertEqual(ev, [(str(NAMES_CAP), "true")])

    def test_repeated_names_are_listed_once_and_not_truncated(self):
        """The cap counts distinct names: a name met in every row is listed once, and a body
        with fewer distinct names than the cap is not marked truncated."""
        rows = [{"platform": "instagram", "handle": "rep%d" % i, "followers": 10,
                 "is_verified": True, "extra_%d" % (i % 5): 1} for i in range(300)]
        body = "".join(json.dumps(x) + "\n" for x in rows).encode()
        r = self.request("POST", "/v1/creators/import", raw=body,
                         content_type="application/x-ndjson")
        self.assertEqual(r.status, 201, body_of(r))
        self.assertEqual(sorted(r.json["ignored_columns"]),
                         sorted(["is_verified"] + ["extra_%d" % k for k in range(5)]))
        self.assertIs(r.json.get("ignored_columns_truncated"), False, body_of(r))

    def test_long_member_names_are_bounded_by_bytes(self):
        """256 names of 4 KB each would list 1 MB: the list is also capped in bytes (64 KiB of
        names), and the rest is reported as truncated."""
        rows = ({"platform": "instagram", "handle": "long%d" % i, "followers": 10,
                 ("n%d_" % i) + "x" * 4000: 1} for i in range(300))
        body = "".join(json.dumps(x) + "\n" for x in rows).encode()
        r = self.request("POST", "/v1/creators/import", raw=body,
                         content_type="application/x-ndjson")
        self.assertEqual(r.status, 201, body_of(r))
        names = r.json["ignored_columns"]
        self.assertLessEqual(sum(len(n.encode()) for n in names), 64 * 1024)
        self.assertGreater(len(names), 0)
        self.assertIs(r.json.get("ignored_columns_truncated"), True)

    def test_csv_columns_past_the_cap_are_reported_truncated(self):
        """CSV reads the first 256 columns; a wider header says that more were ignored."""
        header = ["platform", "handle", "followers"] + ["col%d" % k for k in range(400)]
        row = ["instagram", "wide", "10"] + ["" for _ in range(400)]
        body = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
        r = self.request("POST", "/v1/creators/import", raw=body, content_type="text/csv")
        self.assertEqual(r.status, 201, body_of(r))
        self.assertEqual(len(r.json["ignored_columns"]), 253, body_of(r))
        self.assertIs(r.json.get("ignored_columns_truncated"), True, body_of(r))
        narrow = b"platform,handle,followers,extra\ninstagram,narrow,10,x\n"
        r = self.request("POST", "/v1/creators/import", raw=narrow, content_type="text/csv")
        self.assertEqual(r.status, 201, body_of(r))
        self.assertEqual(r.json["ignored_columns"], ["extra"])
        self.assertIs(r.json.get("ignored_columns_truncated"), False, body_of(r))


def big_row(i):
    """A valid creator whose COPY line is ~45 KB: every text field near its limit in 3- or
    4-byte characters."""
    return {
        "platform": "instagram",
        "handle": "big%d" % i,
        "followers": 1000 + i,
        "display_name": "\U0001F600" * 200,
        "bio": "\U0001F600" * 2000,
        "external_id": "\u4e2d" * 200,
        "profile_url": "https://example.com/" + "a" * 2000,
        "hashtags": [("%d" % k) + "\u4e2d" * 95 for k in range(50)],
        "categories": [("c%d " % k) + "\u4e2d" * 90 for k in range(20)],
    }


class ImportBatchBytesTests(ServerTestCase):
    server_env = server_env()

    def test_large_rows_while_a_merge_runs_keep_memory_flat(self):
        """25,000 small rows end the first batch and start its merge; 2,400 rows of ~45 KB
        follow at once. The COPY text buffered while the merge runs is bounded by bytes
        (16 MiB per batch), not only by rows, so peak RSS grows < 64 MiB."""
        n_big = 2400
        template = [json.dumps(big_row(i)).encode() + b"\n" for i in range(4)]

        def lines():
            for i in range(25000):
                yield b'{"platform":"tiktok","handle":"small%d","followers":%d}\n' % (i, i + 1)
            for i in range(n_big):
                # a fresh handle each time; the rest of the row is a template
                yield template[i % 4].replace(b'"big%d"' % (i % 4), b'"big%d"' % i, 1)

        pid = self.server.proc.pid
        before = vmhwm(pid)
        r = self.request("POST", "/v1/creators/import", raw=chunked(lines(), 1024 * 1024),
                         content_type="application/x-ndjson", timeout=900)
        after = vmhwm(pid)
        sys.stderr.write("[25,000 small + %d large rows: peak RSS %.1f -> %.1f MiB] "
                         % (n_big, before / MIB, after / MIB))
        self.assertEqual(r.status, 201, body_of(r)[:3000])
        self.assertEqual(r.json["rejected"], 0, body_of(r))
        self.assertEqual(r.json["inserted"], 25000 + n_big, body_of(r))
        self.assertLess(after - before, GROWTH_LIMIT,
                        "peak RSS grew by %.1f MiB (limit %d MiB)"
                        % ((after - before) / MIB, GROWTH_LIMIT // MIB))


if __name__ == "__main__":
    unittest.main()
