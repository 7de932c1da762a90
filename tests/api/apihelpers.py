"""Shared helpers for the API tests (not a test module: run.py only loads test_*.py)."""
import json
import os
import socket
import time

from harness import REPO

REAL_DIR = os.environ.get("NM_REAL_DATA_DIR") or os.path.join(REPO, "..", "shared", "data", "real")
REAL_CSV = os.path.join(REAL_DIR, "instagram_influencer_engagement_dev.csv")


def body_of(r):
    return "%d %s" % (r.status, r.text[:3000])


def ndjson(rows):
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


class Api:
    """Mixin for ServerTestCase: small creation helpers that assert success."""

    def make_brand(self, key=None, **fields):
        body = {"name": "Brand", "niches": ["fitness"]}
        body.update(fields)
        kw = {} if key is None else {"key": key}
        r = self.request("POST", "/v1/brands", body, **kw)
        self.assertEqual(r.status, 201, body_of(r))
        return r.json

    def make_creator(self, **fields):
        body = {"platform": "instagram", "followers": 20000}
        body.update(fields)
        r = self.request("POST", "/v1/creators", body)
        self.assertIn(r.status, (200, 201), body_of(r))
        return r.json

    def import_rows(self, rows, query="", expect=201):
        r = self.request("POST", "/v1/creators/import" + query, raw=ndjson(rows),
                         content_type="application/x-ndjson")
        self.assertEqual(r.status, expect, body_of(r))
        if expect == 201:
            self.assertEqual(r.json["rejected"], 0, body_of(r))
        return r.json

    def collect(self, path, limit=None, key=None, max_pages=1000):
        """Every item of a cursor-paginated list; returns (items, pages)."""
        items, pages, cursor = [], [], None
        kw = {} if key is None else {"key": key}
        sep = "&" if "?" in path else "?"
        for _ in range(max_pages):
            q = []
            if limit is not None:
                q.append("limit=%d" % limit)
            if cursor is not None:
                q.append("cursor=" + cursor)
            p = path + (sep + "&".join(q) if q else "")
            r = self.request("GET", p, **kw)
            self.assertEqual(r.status, 200, "%s: %s" % (p, body_of(r)))
            pages.append(r.json["data"])
            items.extend(r.json["data"])
            cursor = r.json.get("next_cursor")
            if cursor is None:
                return items, pages
        self.fail("pagination of %s did not end" % path)

    def count_rows(self, table, where="true"):
        return int(self.server.psql("SELECT count(*) FROM %s WHERE %s" % (table, where))[0][0])


def raw_http(port, data, read=True, timeout=10):
    """Send raw bytes on a new connection; return the raw reply (bytes) when read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def poll(fn, timeout=10.0, interval=0.05):
    """Call fn until it returns a truthy value or timeout passes; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def send_big(port, method, path, headers, body, chunk=65536, timeout=10):
    """Send a request whose body the server may refuse early (413): the body goes in chunks
    and the reply is read as soon as the server sends one. Returns (status, headers_text,
    body_bytes) or raises AssertionError when no reply came."""
    import select
    head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\nConnection: close\r\n" % (
        method, path, len(body))
    head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        s.sendall(head.encode())
        off = 0
        while off < len(body):
            r, _, _ = select.select([s], [], [], 0)
            if r:
                break
            try:
                s.sendall(body[off:off + chunk])
            except (BrokenPipeError, ConnectionResetError):
                break
            off += chunk
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                break
            if not c:
                break
            out += c
            if b"\r\n\r\n" in out:
                hdr, _, rest = out.partition(b"\r\n\r\n")
                cl = [l for l in hdr.decode("latin-1").split("\r\n") if l.lower().startswith("content-length:")]
                if cl and len(rest) >= int(cl[0].split(":")[1]):
                    break
    finally:
        s.close()
    if not out.startswith(b"HTTP/1."):
        raise AssertionError("no HTTP reply to a %d-byte body: %r" % (len(body), out[:200]))
    hdr, _, rest = out.partition(b"\r\n\r\n")
    lines = hdr.decode("latin-1").split("\r\n")
    return int(lines[0].split()[1]), "\r\n".join(lines[1:]), rest
