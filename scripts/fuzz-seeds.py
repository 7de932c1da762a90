#!/usr/bin/env python3
"""Writes big seed inputs for the libFuzzer targets (called by scripts/fuzz.sh).

    scripts/fuzz-seeds.py OUTDIR [TARGET...]     default: every target below

For each target, OUTDIR/<target>/seed-<name> gets long records, wide records (thousands
of delimiters or members) and long cells (> 4 KiB, > 64 KiB), laid out the way that
target reads its input (header bytes first). They are generated, not committed: a few
megabytes of commas in git help nobody. The content is deterministic, so the files are
rewritten only when they differ.

Why: libFuzzer grows inputs slowly from small seeds, and the CSV reader's first buffer is
4,096 bytes; a heap overflow on records of many empty cells (issue 10) needed a record
past that size and was never reached. Each seed stays at or under 1 MiB (fuzz.sh's
default -max_len), so libFuzzer does not truncate it.
"""
import os
import sys

KIB = 1024
MIB = 1024 * KIB

# Lengths at and around the buffers' first capacities and doublings, and past 64 KiB.
EDGES = (4094, 4095, 4096, 4097, 8191, 8192, 65535, 65536, 70000)


def csv_bodies(d):
    """CSV/TSV bodies with delimiter d (a one-byte bytes)."""
    out = {
        "delims-200000": d * 200000,
        "repro-4094a-20000": b"a" * 4094 + d * 20000,
        "delims-5000-lines": (d * 5000 + b"\n") * 8,
        "wide-5000": d.join(b"c%d" % i for i in range(5000)) + b"\n"
                     + d.join(b"%d" % i for i in range(5000)) + b"\n",
        "long-record": b"\n".join(d.join([b"x" * 40] * 1500) for _ in range(3)) + b"\n",
        "quoted-70000": b'"' + (b"ab" + d + b'""\n') * 14000 + b'"' + d + d + b"\n",
        "crlf-wide": (d * 3000 + b"\r\n") * 4,
    }
    for n in EDGES:
        out["cell-%d-then-2" % n] = b"a" * n + d * 2
        out["cell-%d-then-2-lf" % n] = b"h" + d + b"h2\n" + b"a" * n + d * 2 + b"\n"
    return out


def csv_target():
    # byte 0: chunk seed (bit 7: big chunks); byte 1: bits 0-1 delimiter (0 ',', 1 TAB,
    # 2 ';'), bits 2-4 record limit (index into fuzz_csv.c's limits; 0 = 1 MiB, 4 = 4,097,
    # 5 = 8,192). Small chunks are the seed 0x00, big ones 0x8F.
    seeds = {}
    for dname, dbits, d in (("comma", 0, b","), ("tab", 1, b"\t"), ("semi", 2, b";")):
        for name, body in csv_bodies(d).items():
            edge = name.startswith("cell-")
            for lim, chunk in ((0, 0x00), (0, 0x8F)) if edge else ((0, 0x00), (0, 0x8F), (4, 0x00), (5, 0x00)):
                hdr = bytes((chunk, dbits | lim << 2))
                seeds["%s-%s-l%d-c%02x" % (dname, name, lim, chunk)] = hdr + body
    return seeds


def colmap_target():
    # byte 0: chunk seed; the rest a ',' CSV whose first record is the header.
    names = [b"platform", b"handle", b"followers", b"E-mail", b"Avg. Likes", b"ER (%)",
             b"\xef\xbb\xbfNiche", b"Bio"]
    header = b",".join(names[i % len(names)] + b"%d" % (i // len(names)) if i >= len(names)
                       else names[i] for i in range(3000))
    row = b",".join(b"v%d" % i for i in range(3000))
    seeds = {
        "wide-3000": b"\x00" + header + b"\n" + row + b"\n",
        "delims-200000": b"\x00" + b"," * 200000,
        "repro-4094a-20000": b"\x8f" + b"a" * 4094 + b"," * 20000,
        "long-header-name": b"\x00" + b" " * 70000 + b"followers,handle\n1,x\n",
        "latin1-70000": b"\x00platform,handle,bio\ninstagram,x," + b"caf\xe9 \x80\x9d" * 10000 + b"\n",
    }
    for n in EDGES:
        seeds["cell-%d" % n] = b"\x8f" + b"handle,bio,x\n" + b"h," + b"b" * n + b",,\n"
    return seeds


def ndjson_target():
    # byte 0: chunk seed; byte 1: bit 1 depth 3, bits 2-4 element limit (0 = 1 MiB).
    def hdr(chunk=0x00, lim=0):
        return bytes((chunk, lim << 2))

    wide_obj = b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(5000)) + b"}"
    seeds = {
        "ndjson-wide-obj": hdr() + wide_obj + b"\n" + wide_obj + b"\n",
        "array-wide": hdr(0x8F) + b"[" + b",".join([b"1"] * 100000) + b"]",
        "array-objs": hdr() + b"[" + b",".join([wide_obj] * 3) + b"]",
        "newlines-200000": hdr() + b"\n" * 200000,
        "commas-200000": hdr() + b"[" + b"," * 200000 + b"]",
        "long-string-70000": hdr() + b'{"bio":"' + b"x\\\"" * 23334 + b'"}\n',
        "many-lines": hdr(0x8F) + b'{"handle":"a","followers":1}\n' * 20000,
    }
    for n in EDGES:
        s = b'"' + b"y" * (n - 2) + b'"'  # an element of exactly n bytes
        for lim in (0, 2, 3, 4):
            seeds["elem-%d-l%d" % (n, lim)] = hdr(0x00, lim) + s + b"\n" + s + b"\n"
            seeds["arr-elem-%d-l%d" % (n, lim)] = hdr(0x8F, lim) + b"[" + s + b"," + s + b"]"
    return seeds


def numparse_target():
    return {
        "digits-5000": b"1" * 5000,
        "spaces-70000": b" " * 70000 + b"12,400",
        "groups-3000": b"1" + b",234" * 3000,
        "nbsp-groups": b"1" + b"\xc2\xa0234" * 3000 + b"k",
        "fraction-70000": b"0." + b"5" * 70000 + b"%",
        "exponent-long": b"1e" + b"0" * 70000 + b"5",
    }


def router_target():
    # method, NUL, path
    return {
        "long-id": b"GET\x00/v1/creators/" + b"1" * 5000,
        "many-segments": b"GET\x00" + b"/a" * 30000,
        "long-token": b"POST\x00/v1/inbound/" + b"s" * 70000,
        "slashes-200000": b"GET\x00" + b"/" * 200000,
    }


def models_target():
    wide = b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(5000)) + b"}"
    cats = b'{"platform":"instagram","handle":"x","categories":[' + b",".join(
        [b'"fitness"'] * 5000) + b"]}"
    return {
        "wide-obj": wide,
        "categories-5000": cats,
        "long-bio-70000": b'{"platform":"instagram","handle":"x","bio":"' + b"b" * 70000 + b'"}',
        "long-handle": b'{"platform":"instagram","handle":"' + b"h" * 5000 + b'"}',
        "brand-niches": b'{"name":"n","niches":[' + b",".join([b'"food"'] * 5000) + b"]}",
    }


def sign_target():
    return {
        "entries-5000": b"v1,abc " * 5000,
        "long-header-70000": b"v1," + b"A" * 70000,
        "ts-long": b"1" * 5000 + b"\nv1,x",
        "secret-long": b"whsec_" + b"M" * 70000,
    }


def pgarray_target():
    # byte 0: max elements (0-63)
    return {
        "wide-5000": b"\x3f{" + b",".join([b"a"] * 5000) + b"}",
        "commas-200000": b"\x3f{" + b"," * 200000 + b"}",
        "quoted-70000": b"\x3f{\"" + b"x\\\"" * 23334 + b"\",NULL,b}",
        "unterminated": b"\x20{\"" + b"q" * 70000,
    }


def merge_patch_target():
    wide = b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(5000)) + b"}"
    nulls = b"{" + b",".join(b'"k%d":null' % i for i in range(5000)) + b"}"
    deep = b'{"a":' * 32 + b"1" + b"}" * 32  # the server refuses deeper bodies
    return {
        "wide": wide + b"\x00" + nulls,
        "wide-into-wide": wide + b"\x00" + wide,
        "deep": deep + b"\x00" + deep,
        "long-string": b'{"bio":"' + b"b" * 70000 + b'"}\x00{"bio":null,"x":"' + b"y" * 5000 + b'"}',
    }


TARGETS = {
    "fuzz_csv": csv_target,
    "fuzz_colmap": colmap_target,
    "fuzz_ndjson": ndjson_target,
    "fuzz_numparse": numparse_target,
    "fuzz_router": router_target,
    "fuzz_models": models_target,
    "fuzz_sign": sign_target,
    "fuzz_pgarray": pgarray_target,
    "fuzz_merge_patch": merge_patch_target,
}


def write(path, data):
    assert len(data) <= MIB, (path, len(data))
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    outdir, wanted = argv[1], argv[2:] or sorted(TARGETS)
    for t in wanted:
        gen = TARGETS.get(t)
        if gen is None:
            continue  # a target without big seeds of its own
        d = os.path.join(outdir, t)
        os.makedirs(d, exist_ok=True)
        for name, data in gen().items():
            write(os.path.join(d, "seed-" + name), data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
