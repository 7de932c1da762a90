"""The layers hold (issue 11): SQL text and libpq live in src/store/ and src/db/ only, and the
headers handlers and the HTTP layer see do not mention libpq types. A grep over the tree, so a
new handler that writes SQL fails here."""
import os
import re
import unittest

from harness import REPO

SRC = os.path.join(REPO, "src")
INCLUDE = os.path.join(REPO, "include", "nm")
ALLOWED = ("store", "db")
# SQL statements as C string literals: a keyword at the start of a literal, followed by SQL.
SQL = re.compile(r'"\s*(SELECT\s+[\w\*\(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|'
                 r'WITH\s+\w+\s+AS\s*\(|COPY\s+\w+|BEGIN\b|COMMIT\b|ROLLBACK\b|SET\s+(LOCAL\s+)?\w+\s*(=|TO)|'
                 r'LISTEN\s|CREATE\s+(TEMP\s+)?TABLE|DECLARE\s+\w+|FETCH\s)')
LIBPQ = re.compile(r'#include\s*[<"]libpq-fe\.h[>"]|#include\s*"nm/db\.h"|\bPGresult\b|\bPGconn\b|'
                   r'\bPQ[a-z]\w*\(')


def c_files(root):
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


class LayerTests(unittest.TestCase):
    def offenders(self, pattern, allowed_layers):
        out = []
        for path in c_files(SRC):
            rel = os.path.relpath(path, SRC)
            if rel.split(os.sep)[0] in allowed_layers:
                continue
            text = strip_comments(open(path, encoding="utf-8").read())
            for n, line in enumerate(text.splitlines(), 1):
                if pattern.search(line):
                    out.append("src/%s:%d: %s" % (rel, n, line.strip()[:100]))
        return out

    def test_no_sql_outside_store_and_db(self):
        self.assertEqual(self.offenders(SQL, ALLOWED), [])

    def test_no_libpq_outside_store_and_db(self):
        self.assertEqual(self.offenders(LIBPQ, ALLOWED), [])

    def test_handler_and_http_headers_are_libpq_free(self):
        for h in ("handlers.h", "http.h"):
            text = strip_comments(open(os.path.join(INCLUDE, h)).read())
            self.assertIsNone(LIBPQ.search(text), "%s mentions libpq" % h)
            for inc in re.findall(r'#include\s+"(nm/[\w.]+)"', text):
                inner = strip_comments(open(os.path.join(REPO, "include", inc)).read())
                self.assertNotRegex(inner, r"#include\s*<libpq-fe\.h>", "%s includes %s, which includes libpq" % (h, inc))

    def test_the_checks_can_fail(self):
        self.assertRegex('"SELECT id FROM brands WHERE id = $1"', SQL)
        self.assertRegex('"WITH prev AS (SELECT', SQL)
        self.assertRegex("PGresult *res = PQexec(conn, q);", LIBPQ)
        self.assertIsNone(SQL.search('nm_reply_problem(r, NM_P_CONFLICT, NULL, "Select a brand first.");'))


if __name__ == "__main__":
    unittest.main()
