"""Creator full-text search (`q`, docs/api.md §4) served from memory and from SQL gives the
same creators (include/nm/textsearch.h, migrations/0030): Snowball stems in every
language (libstemmer in the server, PostgreSQL's snowball dictionaries in SQL), type-ahead
prefixes, phrases (the index's candidates checked in SQL), exclusions, non-ASCII words and
odd query syntax. Every query runs through the API (the in-memory index) and through
nm_search_hit in SQL over the same rows; the two answers must be equal, and some have a
known answer besides."""
import json
import unittest
from urllib.parse import quote

from harness import ServerTestCase
from apihelpers import Api

# Inflected forms whose stems differ by language; the same bio for every language, so a
# stem that libstemmer and PostgreSQL computed differently shows as a creator one side
# finds and the other does not.
BIO = ("Running runs ran runner connections connected generously happily studies studying "
       "laufen läuft laufe Häuser mangé manger mangeons été corriendo corremos hablamos "
       "lopen gelopen parlando parlare correndo springa springer koşuyor juoksen trčanje "
       "Über café naïve 東京 Москва бегать kitchen_sink e-mail 3D 2024")
LANGS = ["en", "de", "fr", "es", "nl", "it", "pt", "sv", "tr", "fi", "sr", "ru", "hu", "da",
         "no", "ro", "ca", "eu", "ga", "lt", "id", "ja", None]

ALL = set(LANGS)
# q → (the languages it must find, the languages it must not find); None: only that the
# two paths agree. A bare last word is also a prefix: '"word"' asks for the word alone.
KNOWN = {
    "running": (ALL, set()),                 # the word itself is in every bio
    '"run"': ({"en"}, {None, "ja"}),         # english: running/runs → run (unstemmed: no)
    '"connect"': ({"en"}, {None, "ja"}),
    '"generous"': ({"en"}, {None, "ja"}),    # english: generously → generous
    '"lauf"': ({"de"}, {None, "ja"}),        # german: laufen/laufe → lauf
    "lauf": (ALL, set()),                    # ... and a prefix of laufen everywhere
    '"mang"': ({"fr"}, {"en", None}),        # french: mangé/manger/mangeons → mang
    "über": (set(), ALL),                    # non-ASCII letters are not folded: Über ≠ über
    "Über": (ALL, set()),
    "caf": (ALL, set()),                     # type-ahead over a non-ASCII word
    "東京": (ALL, set()),
    "москва": (set(), ALL),                  # no Unicode folding
    "Москва": (ALL, set()),
    "kitchen sink": (ALL, set()),            # _ and - separate words
    "mail": (ALL, set()),
    "3d": (ALL, set()),
    '"connections connected"': (ALL, set()),
    '"connected connections"': ({"en"}, {None, "ja"}),  # as stems: connect connect
    '"running runs"': (ALL, set()),
    '"runs running"': (set(), {None, "ja"}),
    '"run run"': ({"en"}, {None, "ja"}),     # a phrase of stems: running runs → run run
    '-"run"': (set(), {"en"}),
    '-"run run" 2024': ({None, "ja"}, {"en"}),
    "runn": (ALL, set()),                    # prefix
    "runn x": (set(), ALL),                  # only the last word is a prefix
    "x runn": (set(), ALL),
    "runn -": (set(), {None, "ja"}),         # "-" is a token: runn is no longer the last
    "stud": (ALL, set()),
    '"studi"': ({"en"}, {None, "ja"}),       # english stem of studies, studying
    "a & b": (set(), ALL),
    "'": (ALL, set()),                       # no word: no filter
    '"': (ALL, set()),
    '""': (ALL, set()),
    "-": (ALL, set()),
    '-"': (ALL, set()),
    "--run": None,
    "!run": None, "run:*": None, 'run"ning': None, '"RUN"': ({"en"}, {None}), "ran": (ALL, set()),
    "springa": None, "springer": None, "spring": None, "lopen": None, "loop": None,
    "parl": None, "habl": None, "koş": None, "juoks": None, "trčanj": None, "bega": None,
    "happi": None, "corr": None, "laufst": None, "home decor": (ALL, set()), "run2024": (ALL, set()),
}


def handle(lang):
    return "txt_" + (lang or "none")


class SearchTextBothPathsTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = []
        for lang in LANGS:
            r = {"platform": "instagram", "handle": handle(lang), "followers": 5000,
                 "bio": BIO, "categories": ["Home Decor"], "hashtags": ["#run2024"]}
            if lang:
                r["language"] = lang
            rows.append(r)
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == len(rows), r

    def api(self, q):
        r = self.request("GET", "/v1/creators?limit=200&q=" + quote(q))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["total"], len(r.json["data"]))
        return {c["handle"] for c in r.json["data"]}

    def sql(self, q):
        rows = self.server.psql(
            "SELECT handle FROM creators c WHERE nm_search_hit(c.language, concat_ws(' ', "
            "array_to_string(c.categories, ' '), array_to_string(c.hashtags, ' '), c.bio, c.caption), "
            ":'q')", q=q)
        return {r[0] for r in rows}

    def test_index_and_sql_agree(self):
        for q, want in KNOWN.items():
            with self.subTest(q=q):
                got = self.api(q)
                self.assertEqual(got, self.sql(q))
                if want is not None:
                    must, never = want
                    self.assertLessEqual({handle(l) for l in must}, got)
                    self.assertFalse({handle(l) for l in never} & got)

    def test_every_stem_postgresql_computes(self):
        """Every stem PostgreSQL's dictionaries give for the bio's words, in every language,
        queried as a word: the index (libstemmer) must find exactly the creators SQL finds."""
        langs = ["arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
                 "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian",
                 "irish", "italian", "lithuanian", "nepali", "norwegian", "portuguese",
                 "romanian", "russian", "serbian", "spanish", "swedish", "tamil", "turkish",
                 "yiddish"]
        rows = self.server.psql(
            "SELECT DISTINCT nm_stem(('nm_stem_' || l)::regdictionary, w) FROM "
            "unnest(nm_search_words(:'bio')) w, unnest(string_to_array(:'langs', ',')) l",
            bio=BIO, langs=",".join(langs))
        stems = sorted({r[0] for r in rows} - set(w.lower() for w in BIO.split()))
        self.assertGreater(len(stems), 20)
        # "x" after the stem: the stem is not the last word, so no prefix match hides a
        # difference; then the stem alone as a phrase (no prefix either).
        for s in stems:
            with self.subTest(stem=s):
                q = '"%s"' % s
                self.assertEqual(self.api(q), self.sql(q))

    def test_filters_apply_with_q(self):
        r = self.request("GET", "/v1/creators?limit=200&language=ja,de&q=" + quote('"lauf"'))
        self.assertEqual({c["handle"] for c in r.json["data"]}, {"txt_de"})
        r = self.request("GET", "/v1/creators?limit=1&q=runn&facets=language")
        self.assertEqual(r.json["total"], len(LANGS))
        self.assertEqual(sum(e["count"] for e in r.json["facets"]["language"]), len(LANGS) - 1)

    def test_a_rewritten_bio_is_searched_as_rewritten(self):
        self.make_creator(handle="txt_edit", bio="zebra crossing", language="en")
        self.assertEqual(self.api("zebra"), {"txt_edit"})
        self.make_creator(handle="txt_edit", bio="giraffe walking", language="en")
        self.assertEqual(self.api("zebra"), set())
        self.assertEqual(self.api("walk"), {"txt_edit"})
        self.assertEqual(self.api("gira"), {"txt_edit"})


class SearchTextBothPathsSqlTests(SearchTextBothPathsTests):
    """The same with the index off: the API answers in SQL too."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_INDEX": "0"}

    test_every_stem_postgresql_computes = None  # compares the index with SQL: both are SQL here


if __name__ == "__main__":
    unittest.main()
