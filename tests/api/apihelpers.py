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
                if not out:
                    raise  # no answer and no close: a hang is not an empty reply
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


# --- a synthetic creator export of the same shape as the real file -------------------------
# The real export (REAL_CSV, ../shared/data/real) is not in the repository nor on CI machines.
# This generator writes a file with its columns, its quoting (RFC 4180, UTF-8, LF, quoted
# commas and quotes, emoji) and roughly its distributions (the tiers of the README there,
# engagement falling with size, one category label per account, |-separated hashtags, a few
# rows whose engagement_rate is above 1). Every value is made up here; nothing is copied.

EXPORT_COLUMNS = ["platform", "handle", "display_name", "categories", "followers", "following",
                  "posts_count", "is_verified", "sampled_posts", "avg_likes", "avg_comments",
                  "engagement_rate", "video_posts", "sponsored_posts", "sponsor_accounts",
                  "geotag_country", "geotagged_posts", "geotag_city", "first_sampled_post_at",
                  "last_sampled_post_at", "top_hashtags", "sample_caption"]
_CATEGORIES = [("fashion", 20), ("other", 12), ("travel", 12), ("family", 10), ("food", 12),
               ("beauty", 10), ("interior", 6), ("fitness", 10), ("pet", 8)]
_TAGS = {
    "fashion": ["ootd", "style", "fashion", "streetstyle", "outfit"],
    "other": ["music", "art", "photography", "instagood", "sunset"],
    "travel": ["travel", "wanderlust", "travelgram", "beach", "mountains"],
    "family": ["family", "momlife", "kids", "parenting", "babyboy"],
    "food": ["food", "foodie", "recipe", "brunch", "homecooking"],
    "beauty": ["beauty", "makeup", "skincare", "nails", "mua"],
    "interior": ["interior", "homedecor", "interiordesign", "scandi", "plants"],
    "fitness": ["fitness", "gym", "workout", "fitfam", "running"],
    "pet": ["pet", "dogsofinstagram", "catsofinstagram", "puppy", "petlover"],
}
_NAMES = ["Ana Lima", "J\u00fcrgen M.", "\u674e\u96f7", "Zo\u00eb \u2728", "Marta, the maker",
          "O'Neil \"Neo\"", "Ayse Y\u0131lmaz", "\u0410\u043d\u043d\u0430", "Kofi", "\U0001F33F Mia", ""]
_WORDS = ["today", "with", "friends", "morning", "blue", "happy", "weekend", "new", "thanks",
          "moment", "light", "again", "soon", "little", "story", "\u2764\ufe0f", "\U0001F60D", "caf\u00e9",
          "\u00bfqu\u00e9", "tal?", "\u3042\u308a\u304c\u3068\u3046"]
_PLACES = [("US", "New York"), ("GB", "London"), ("BR", "S\u00e3o Paulo"), ("DE", "Berlin"),
           ("IT", "Milano"), ("ID", "Jakarta"), ("FR", "Paris")]


def synthetic_export_csv(n=4000, seed=20240606, invalid_rates=3):
    """The bytes of a CSV export like REAL_CSV with n accounts (see above); invalid_rates of
    them carry an engagement_rate above 1 (more likes than followers), which an import
    rejects."""
    import csv as _csv
    import io as _io
    import math
    import random as _random
    rng = _random.Random(seed)
    cats = [c for c, w in _CATEGORIES for _ in range(w)]
    out = _io.StringIO(newline="")
    w = _csv.writer(out, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    bad = set(rng.sample(range(n), invalid_rates))
    for i in range(n):
        cat = rng.choice(cats)
        u = rng.random()  # tiers as in the real file: 37% nano, 46.5% micro, 14% mid/macro, 2.5% mega
        if u < 0.37:
            followers = int(10 ** rng.uniform(3, 4))
        elif u < 0.835:
            followers = int(10 ** rng.uniform(4, 5))
        elif u < 0.975:
            followers = int(10 ** rng.uniform(5, 6))
        else:
            followers = int(10 ** rng.uniform(6, 7.5))
        # engagement falls with size (about 6% at 1k to about 1% at 10M), spread log-normally
        er = 0.06 * (followers / 1000) ** -0.2 * math.exp(rng.gauss(0, 0.5))
        er = min(er, 0.9)
        if i in bad:
            er = rng.uniform(1.2, 3.0)
        sampled = rng.randint(1, 8)
        likes = er * followers * 0.97
        comments = er * followers - likes
        tags = rng.sample(_TAGS[cat], rng.randint(1, 5))
        if rng.random() < 0.1:  # a hashtag of another niche: on-niche by hashtag only
            tags.append(_TAGS[rng.choice([c for c, _ in _CATEGORIES if c != cat])][0])
        place = rng.choice(_PLACES) if rng.random() < 0.55 else ("", "")
        first = "201%d-%02d-%02dT%02d:%02d:%02dZ" % (rng.randint(6, 8), rng.randint(1, 12), rng.randint(1, 28),
                                                     rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        last = "2019-%02d-%02dT%02d:%02d:%02dZ" % (rng.randint(1, 5), rng.randint(1, 28), rng.randint(0, 23),
                                                    rng.randint(0, 59), rng.randint(0, 59))
        sponsored = 1 if rng.random() < 0.01 else 0
        caption = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 25)))
        if rng.random() < 0.2:
            caption += ', "quoted", and more'
        w.writerow(["instagram", "syn_%05d_%s" % (i, "".join(rng.choice("qxzjkv") for _ in range(4))),
                    rng.choice(_NAMES), cat, followers, rng.randint(50, 7500), rng.randint(10, 5000),
                    1 if rng.random() < 0.1 else 0, sampled, "%.1f" % likes, "%.1f" % comments,
                    "%.5f" % er, rng.randint(0, sampled), sponsored,
                    "brandco|otherco" if sponsored else "", place[0],
                    rng.randint(1, sampled) if place[0] else 0, place[1], first, last,
                    "|".join(dict.fromkeys(tags)), caption[:300]])
    return out.getvalue().encode("utf-8")


# --- the route table, read from the source ----------------------------------------------------
# Table-driven tests take their routes from src/http/routes.c (the server's route table), not
# from the server's /openapi.json, and check the document against it: a route missing from the
# document is then still tested, and its absence from the document is a failure of its own.
ROUTES_C = os.path.join(REPO, "src", "http", "routes.c")
_ROLE = {"NONE": "none", "READ": "read", "WRITE": "write", "ADMIN": "admin",
         "NM_ROLE_NONE": "none", "NM_ROLE_READ": "read", "NM_ROLE_WRITE": "write", "NM_ROLE_ADMIN": "admin"}


def route_table():
    """[(METHOD, path template, role, body kind)] of every entry of nm_routes[] in routes.c,
    in table order. role is none|read|write|admin; body kind is the C name (NM_BODY_NONE,
    NM_BODY_JSON, NM_BODY_JSON_OPTIONAL, NM_BODY_STREAM, NM_BODY_RAW). Rows are designated
    initializers; a member left out is zero (no role, no body)."""
    import re
    with open(ROUTES_C, encoding="utf-8") as f:
        text = f.read()
    start = text.index("nm_routes[] = {")
    end = text.index("\n};", start)
    out = []
    for block in text[start:end].split("{.method = ")[1:]:
        block = ".method = " + block
        method = re.search(r'\.method = "([A-Z]+)"', block).group(1)
        path = re.search(r'\.pattern = "([^"]+)"', block).group(1)
        role = re.search(r"\.min_role = (\w+)", block)
        body = re.search(r"\.body = (\w+)", block)
        role = role.group(1) if role else "NM_ROLE_NONE"
        if role not in _ROLE:
            raise AssertionError("routes.c: unknown role %r for %s %s" % (role, method, path))
        out.append((method, path, _ROLE[role], body.group(1) if body else "NM_BODY_NONE"))
    if not out:
        raise AssertionError("no routes parsed from %s" % ROUTES_C)
    return out


def openapi_operations(doc):
    """{(METHOD, path)} of an OpenAPI document."""
    return {(m.upper(), p) for p, item in doc["paths"].items() for m in item
            if m.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")}


def assert_routes_documented(tc, doc):
    """The document lists exactly the routes of the route table."""
    table = {(m, p) for m, p, _, _ in route_table()}
    documented = openapi_operations(doc)
    tc.assertEqual(sorted(table - documented), [], "routes of routes.c missing from /openapi.json")
    tc.assertEqual(sorted(documented - table), [], "routes in /openapi.json that routes.c does not serve")
