#!/usr/bin/env python3
"""Writes long and wide seed inputs for the fuzz targets into DIR/<target>/ (run by
scripts/fuzz.sh before each run; the files are made, not committed).

  scripts/fuzz-seeds.py DIR

A fuzzer whose inputs stay below a parser's first buffer capacity cannot find what goes wrong
when the buffer grows: a 4 KiB-capped run never found the CSV reader's heap overflow that a
line of 200,000 commas triggers. So every target gets, besides its small committed seeds,
records far past 4 KiB and 64 KiB: long cells, wide records (thousands of delimiters or
members), and cells of exactly a power of two minus one byte followed by empty cells."""
import json
import os
import sys

SIZES = (4095, 4096, 65535, 65536, 300000)


def csv_like(delim):
    d = delim.encode()
    out = {}
    for n in SIZES:
        out["cell-%d" % n] = b"a" * (n - 1) + d + d + b"\n"
        out["wide-%d" % n] = d * n + b"\n"
    out["quoted-long"] = b'h1' + d + b'h2\n"' + b"x" * 200000 + b'"' + d + b"y\n"
    out["many-records"] = (b"a" + d + b"b\n") * 40000
    out["header-wide"] = d.join(b"col%d" % i for i in range(5000)) + b"\n" + d * 5000 + b"\n"
    return out


def ndjson_like():
    out = {}
    for n in SIZES:
        out["member-%d" % n] = json.dumps({"k" * n: 1}).encode() + b"\n"
        out["string-%d" % n] = json.dumps({"bio": "b" * n}).encode() + b"\n"
    out["wide-object"] = json.dumps({"f%d" % i: i for i in range(20000)}).encode() + b"\n"
    out["array-wide"] = b"[" + b",".join(b"{}" for _ in range(50000)) + b"]"
    out["deep"] = b"[" * 5000 + b"]" * 5000 + b"\n"
    out["many-lines"] = b'{"handle":"a","followers":1}\n' * 30000
    return out


def write(dirname, files, prefixes=(b"",)):
    os.makedirs(dirname, exist_ok=True)
    for name, body in files.items():
        for i, p in enumerate(prefixes):
            with open(os.path.join(dirname, "seed-%s-%d" % (name, i)), "wb") as f:
                f.write(p + body)


def main(root):
    # fuzz_csv: byte 0 seeds the chunk sizes, byte 1 picks delimiter (bit 0 TAB, bit 1 ';')
    # and the record limit; then the body.
    for delim, flag in ((",", 0), ("\t", 1), (";", 2)):
        write(os.path.join(root, "fuzz_csv"), {"%s-%s" % ("comma tab semi".split()[flag], k): v
                                              for k, v in csv_like(delim).items()},
              prefixes=(bytes([1, flag]), bytes([7, flag | 8]), bytes([0x55, flag | 16])))
    # fuzz_ndjson: byte 0 chunk seed, byte 1 limits.
    write(os.path.join(root, "fuzz_ndjson"), ndjson_like(), prefixes=(b"\x01\x00", b"\x33\x07"))
    # fuzz_colmap: byte 0 chunk seed, then a CSV body whose first record is the header.
    write(os.path.join(root, "fuzz_colmap"), csv_like(","), prefixes=(b"\x01", b"\x2b"))
    # fuzz_numparse: any bytes.
    write(os.path.join(root, "fuzz_numparse"),
          {"digits": b"1" * 100000, "commas": b"1," * 50000, "dots": b"1." * 50000,
           "k": b"9" * 4095 + b"k", "pct": b"4" * 65535 + b"%"})
    # fuzz_router: method, NUL, path.
    write(os.path.join(root, "fuzz_router"),
          {"long-segment": b"GET\0/v1/brands/" + b"1" * 100000,
           "many-segments": b"GET\0" + b"/a" * 50000,
           "long-token": b"POST\0/v1/inbound/" + b"s" * 70000})
    # fuzz_models: JSON bodies.
    write(os.path.join(root, "fuzz_models"),
          {"niches": json.dumps({"name": "x", "niches": ["n" * 100] * 5000}).encode(),
           "bio": json.dumps({"platform": "instagram", "handle": "h", "followers": 1,
                              "bio": "b" * 300000}).encode(),
           "audience": json.dumps({"platform": "x", "handle": "h", "followers": 1,
                                   "audience_countries": {"c%d" % i: 0.0001 for i in range(20000)}}).encode()})
    # fuzz_sign: timestamp header, newline, signature header.
    write(os.path.join(root, "fuzz_sign"),
          {"long-sig": b"1700000000\n" + b"v1," * 60000,
           "many-entries": b"1700000000\n" + b"v1,AAAA " * 30000,
           "long-ts": b"1" * 100000 + b"\nv1,x"})


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: fuzz-seeds.py DIR")
    main(sys.argv[1])
