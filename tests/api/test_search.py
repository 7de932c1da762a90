"""Creator search, GET /v1/creators (issue 12; docs/api.md §4): every filter alone and
combined, total and facet counts against counts computed here from the seed, every sort
both ways with keyset cursors that stay stable while rows change between pages,
type-ahead, stemming, GET /v1/creators/{id}'s benchmark and flags, and /openapi.json."""
import datetime
import json
import random
import unittest
from collections import Counter
from urllib.parse import quote

from harness import ServerTestCase
from apihelpers import Api, body_of

PLATFORMS = ["instagram", "tiktok", "youtube", "pinterest"]
FOLLOWERS = [500, 3000, 9999, 10000, 25000, 99999, 100000, 150000, 499999, 600000, 2000000]
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "JP"]
LANGUAGES = ["en", "de", "fr", "pt", "ja"]
CATEGORIES = ["fitness", "food", "travel", "beauty", "gaming", "music", "tech"]
BIO_WORDS = ["morning", "yoga", "coffee", "city", "walks", "bakery", "recipes", "gadgets",
             "reviews", "sunsets", "vinyl", "coding"]
NOW = datetime.datetime.now(datetime.timezone.utc)


def tier_of(f):
    return ("nano" if f < 10000 else "micro" if f < 100000 else "mid" if f < 500000
            else "macro" if f < 1000000 else "mega")


def seed_pool(n, seed=1212):
    """n creators with every filterable field spread over its values and some unknown."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        r = {"platform": rnd.choice(PLATFORMS), "handle": "s%04d" % i,
             "followers": rnd.choice(FOLLOWERS) + rnd.randint(0, 1) * (i % 3 == 0),
             "categories": rnd.sample(CATEGORIES, rnd.randint(0, 3)),
             "bio": " ".join(rnd.sample(BIO_WORDS, 3))}
        if rnd.random() < 0.85:
            r["engagement_rate"] = round(rnd.uniform(0.001, 0.12), 5)
        if rnd.random() < 0.7:
            r["price_per_post_cents"] = rnd.randint(1, 500) * 100
        if rnd.random() < 0.4:
            r["email"] = "s%04d@example.com" % i
        if rnd.random() < 0.9:
            r["country"] = rnd.choice(COUNTRIES)
        if rnd.random() < 0.9:
            r["language"] = rnd.choice(LANGUAGES)
        if rnd.random() < 0.8:
            r["follower_growth_30d"] = round(rnd.uniform(-0.1, 0.5), 3)
        if rnd.random() < 0.85:
            # half a day past a whole number of days: no row sits on a filter's boundary
            t = NOW - datetime.timedelta(days=rnd.randint(0, 120), hours=12)
            r["last_post_at"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(r)
    return rows


def days_ago(r):
    if "last_post_at" not in r:
        return None
    t = datetime.datetime.strptime(r["last_post_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    return (NOW - t).total_seconds() / 86400.0


# Each filter as a query string and the same rule over a seed row.
FILTERS = {
    "platform=tiktok": lambda r: r["platform"] == "tiktok",
    "platform=tiktok,youtube": lambda r: r["platform"] in ("tiktok", "youtube"),
    "platform=tiktok&platform=pinterest": lambda r: r["platform"] in ("tiktok", "pinterest"),
    "tier=micro": lambda r: tier_of(r["followers"]) == "micro",
    "tier=nano,mega": lambda r: tier_of(r["followers"]) in ("nano", "mega"),
    # a run of tiers is searched as a range of followers: its ends meet min/max_followers
    "tier=micro,mid": lambda r: tier_of(r["followers"]) in ("micro", "mid"),
    "tier=mid,macro,mega": lambda r: tier_of(r["followers"]) in ("mid", "macro", "mega"),
    "category=food": lambda r: "food" in r["categories"],
    "category=food,Gaming&category=tech": lambda r: bool({"food", "gaming", "tech"} & set(r["categories"])),
    "country=US": lambda r: r.get("country") == "US",
    "country=de,FR": lambda r: r.get("country") in ("DE", "FR"),
    "language=pt": lambda r: r.get("language") == "pt",
    "language=en&language=ja": lambda r: r.get("language") in ("en", "ja"),
    "min_followers=100000": lambda r: r["followers"] >= 100000,
    "max_followers=9999": lambda r: r["followers"] <= 9999,
    "min_followers=25000": lambda r: r["followers"] >= 25000,
    "max_followers=150000": lambda r: r["followers"] <= 150000,
    "min_engagement_rate=0.05": lambda r: r.get("engagement_rate") is not None and r["engagement_rate"] >= 0.05,
    "max_engagement_rate=0.02": lambda r: r.get("engagement_rate") is not None and r["engagement_rate"] <= 0.02,
    "max_price_per_post_cents=10000": lambda r: r.get("price_per_post_cents") is not None and r["price_per_post_cents"] <= 10000,
    "has_email=true": lambda r: "email" in r,
    "has_email=false": lambda r: "email" not in r,
    "has_price=true": lambda r: "price_per_post_cents" in r,
    "has_price=0": lambda r: "price_per_post_cents" not in r,
    "active_within_days=30": lambda r: days_ago(r) is not None and days_ago(r) <= 30,
    "min_follower_growth_30d=0.25": lambda r: r.get("follower_growth_30d") is not None and r["follower_growth_30d"] >= 0.25,
    "q=vinyl": lambda r: "vinyl" in r["bio"].split(),
    "q=coffee%20sunse": lambda r: "coffee" in r["bio"].split() and any(w.startswith("sunse") for w in r["bio"].split()),
    "q=fitn": lambda r: "fitness" in r["categories"],
}


def matches(query, r):
    return all(FILTERS[part](r) for part in query.split("|"))


class SearchFilterTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    N = 1200

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = seed_pool(cls.N)
        data = "".join(json.dumps(r) + "\n" for r in cls.rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data,
                               content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == cls.N, r
        cls.by_handle = {r["handle"]: r for r in cls.rows}

    def search(self, query):
        items, pages = self.collect("/v1/creators?" + query, limit=200)
        first = self.request("GET", "/v1/creators?" + query + "&limit=1")
        self.assertStatus(first, 200)
        return {c["handle"] for c in items}, first.json["total"]

    def expect(self, query):
        parts = query.split("|")
        return {h for h, r in self.by_handle.items() if all(FILTERS[p](r) for p in parts)}

    def test_each_filter_alone(self):
        for q in FILTERS:
            with self.subTest(q=q):
                want = self.expect(q)
                got, total = self.search(q)
                self.assertEqual(got, want)
                self.assertEqual(total, len(want))
                self.assertTrue(0 < len(want) < self.N, "the seed must make %s selective" % q)

    def test_filters_combined(self):
        combos = ["platform=tiktok,youtube|tier=micro", "country=US|language=en&language=ja|has_price=true",
                  "category=food|min_engagement_rate=0.05|max_price_per_post_cents=10000",
                  "active_within_days=30|has_email=true|min_follower_growth_30d=0.25",
                  "q=fitn|platform=tiktok&platform=pinterest|max_followers=9999",
                  "tier=nano,mega|country=de,FR|q=coffee%20sunse",
                  "tier=micro,mid|min_followers=25000|max_followers=150000",
                  "tier=micro,mid|max_followers=9999", "tier=mid,macro,mega|min_followers=25000",
                  "tier=micro,mid|min_followers=100000|platform=tiktok,youtube|min_engagement_rate=0.05"]
        for c in combos:
            with self.subTest(q=c):
                want = self.expect(c)
                got, total = self.search(c.replace("|", "&"))
                self.assertEqual(got, want)
                self.assertEqual(total, len(want))

    def test_engagement_bounds_are_exact(self):
        """The index filters rates on a float copy: a bound equal to a stored rate, or a
        hair past it (the same float), is decided on the exact value."""
        rates = sorted({r["engagement_rate"] for r in self.rows if "engagement_rate" in r})
        for v in rates[len(rates) // 5::len(rates) // 4][:4]:
            for bound in (v, v + 1e-12, v - 1e-12):
                for name, keep in (("min_engagement_rate", lambda r: r["engagement_rate"] >= bound),
                                   ("max_engagement_rate", lambda r: r["engagement_rate"] <= bound)):
                    with self.subTest(name=name, bound=repr(bound)):
                        want = {h for h, r in self.by_handle.items()
                                if "engagement_rate" in r and keep(r)}
                        got, total = self.search("%s=%r" % (name, bound))
                        self.assertEqual(got, want)
                        self.assertEqual(total, len(want))

    def test_total_and_facets_match_the_seed(self):
        for c in ["", "platform=tiktok,youtube|tier=micro", "country=US|has_price=true", "q=fitn"]:
            with self.subTest(q=c):
                sel = [r for h, r in self.by_handle.items() if h in self.expect(c)] if c else self.rows
                r = self.request("GET", "/v1/creators?limit=5&facets=platform,tier,country,language,category"
                                 + ("&" + c.replace("|", "&") if c else ""))
                self.assertStatus(r, 200)
                self.assertEqual(r.json["total"], len(sel))
                f = r.json["facets"]
                want = {"platform": Counter(x["platform"] for x in sel),
                        "tier": Counter(tier_of(x["followers"]) for x in sel),
                        "country": Counter(x["country"] for x in sel if "country" in x),
                        "language": Counter(x["language"] for x in sel if "language" in x),
                        "category": Counter(cat for x in sel for cat in x["categories"])}
                for name, counts in want.items():
                    got = f[name]
                    self.assertEqual({e["value"]: e["count"] for e in got}, dict(counts), name)
                    # most frequent first, ties by value
                    self.assertEqual([(e["count"], e["value"]) for e in got],
                                     sorted(((n, v) for v, n in counts.items()), key=lambda t: (-t[0], t[1])))

    def test_facets_only_when_asked(self):
        r = self.request("GET", "/v1/creators?limit=1")
        self.assertNotIn("facets", r.json)
        self.assertEqual(r.json["total"], self.N)
        r = self.request("GET", "/v1/creators?limit=1&facets=tier")
        self.assertEqual(set(r.json["facets"]), {"tier"})
        self.assertProblem(self.request("GET", "/v1/creators?facets=handle"), 400, "facets")

    def test_bad_values_400(self):
        for q, field in (("sort=popularity", "sort"), ("sort=-bio", "sort"), ("tier=huge", "tier"),
                         ("platform=tiktok,myspace", "platform"), ("country=USA", "country"),
                         ("language=english", "language"), ("min_engagement_rate=2", "min_engagement_rate"),
                         ("has_email=maybe", "has_email"), ("active_within_days=-1", "active_within_days"),
                         ("category=,", "category"), ("max_price_per_post_cents=x", "max_price_per_post_cents")):
            with self.subTest(q=q):
                self.assertProblem(self.request("GET", "/v1/creators?" + q), 400, field)

    def test_cursor_belongs_to_its_sort(self):
        r = self.request("GET", "/v1/creators?limit=2&sort=followers")
        cur = r.json["next_cursor"]
        self.assertProblem(self.request("GET", "/v1/creators?limit=2&sort=-followers&cursor=" + cur), 400, "cursor")
        self.assertProblem(self.request("GET", "/v1/creators?limit=2&sort=engagement_rate&cursor=" + cur), 400, "cursor")
        self.assertStatus(self.request("GET", "/v1/creators?limit=2&sort=followers&cursor=" + cur), 200)
        for bad in ("garbage!", "MS5hLnZ4LjE", "OTkuYS52MS4x"):
            self.assertProblem(self.request("GET", "/v1/creators?sort=followers&cursor=" + bad), 400, "cursor")


class SearchTextTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rows = [
            {"platform": "instagram", "handle": "t_run", "followers": 2000, "language": "en",
             "bio": "I run the hills before work"},
            {"platform": "instagram", "handle": "t_skate", "followers": 2000, "language": "en",
             "bio": "A new skateboard every week", "categories": ["Fitness"]},
            {"platform": "instagram", "handle": "t_laufen", "followers": 2000, "language": "de",
             "bio": "Ich laufe jeden Morgen"},
            {"platform": "instagram", "handle": "t_quix", "followers": 2000, "language": "ja",
             "bio": "Quixotic adventures", "hashtags": ["#wanderlust"]},
            {"platform": "instagram", "handle": "t_none", "followers": 2000, "bio": "Nothing to see"},
        ]
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201, r

    def q(self, words):
        r = self.request("GET", "/v1/creators?limit=200&q=" + quote(words))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["total"], len(r.json["data"]))
        return sorted(c["handle"] for c in r.json["data"])

    def test_stemming_in_the_creators_language(self):
        self.assertEqual(self.q("running"), ["t_run"])          # english: running → run
        self.assertEqual(self.q("runs"), ["t_run"])
        self.assertEqual(self.q("skateboarding"), ["t_skate"])
        self.assertEqual(self.q("laufen"), ["t_laufen"])        # german: laufen/laufe → lauf
        self.assertEqual(self.q("hill"), ["t_run"])

    def test_type_ahead_prefix_on_the_last_word(self):
        self.assertEqual(self.q("quix"), ["t_quix"])
        self.assertEqual(self.q("fitn"), ["t_skate"])           # a category, as a prefix
        self.assertEqual(self.q("wanderl"), ["t_quix"])         # a hashtag
        self.assertEqual(self.q("skateboard ever"), ["t_skate"])
        # only the last word is a prefix
        self.assertEqual(self.q("quix adventures"), [])
        self.assertEqual(self.q("zebra"), [])

    def test_every_word_must_match_and_syntax_is_text(self):
        self.assertEqual(self.q("run hills"), ["t_run"])
        self.assertEqual(self.q("run skateboard"), [])
        # web-search style, as before: a quoted phrase, and -word / -"phrase" to exclude
        self.assertEqual(self.q('"the hills before"'), ["t_run"])
        self.assertEqual(self.q('"hills the"'), [])
        self.assertEqual(self.q('new -skateboard'), [])
        self.assertEqual(self.q('-"every week" new'), [])
        self.assertEqual(self.q('-nothing see'), [])
        self.assertEqual(self.q('every -hills'), ["t_skate"])
        # tsquery operators are plain characters, never syntax (no 500, no injection)
        for w in ("a & b", "!run", "run:*", "(", "'", "\\", "<->", "run | skate"):
            with self.subTest(q=w):
                r = self.request("GET", "/v1/creators?q=" + quote(w))
                self.assertStatus(r, 200)
        # a q without a word does not filter
        r = self.request("GET", "/v1/creators?q=" + quote("!!"))
        self.assertEqual(r.json["total"], 5)


SORT_KEYS = {"id": "id", "followers": "followers", "engagement_rate": "engagement_rate",
             "price_per_post_cents": "price_per_post_cents", "last_post_at": "last_post_at",
             "updated_at": "updated_at"}


class SearchSortWalkTests(Api, ServerTestCase):
    """Every sort, both ways, walked with a cursor over 1,000+ rows while other rows change
    between pages: every row that did not change appears exactly once, in order."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}
    N = 1050

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = seed_pool(cls.N, seed=77)
        data = "".join(json.dumps(r) + "\n" for r in cls.rows).encode()
        r = cls.server.request("POST", "/v1/creators/import", raw=data, content_type="application/x-ndjson")
        assert r.status == 201 and r.json["inserted"] == cls.N, r
        cls.rnd = random.Random(5)

    def mutate(self, changed):
        """Changes two random creators' sort keys (an upsert also moves updated_at)."""
        for _ in range(2):
            row = dict(self.rnd.choice(self.rows))
            row["followers"] = self.rnd.choice(FOLLOWERS) + self.rnd.randint(0, 50)
            row["engagement_rate"] = round(self.rnd.uniform(0.001, 0.12), 5)
            row["price_per_post_cents"] = self.rnd.randint(1, 500) * 100
            row["last_post_at"] = (NOW - datetime.timedelta(days=self.rnd.randint(0, 400))).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            r = self.request("POST", "/v1/creators", row)
            self.assertStatus(r, 200)
            changed.add(row["handle"])

    def walk(self, sort, limit=47):
        changed, seen, cursor = set(), [], None
        for _ in range(200):
            p = "/v1/creators?limit=%d&sort=%s" % (limit, sort) + ("&cursor=" + cursor if cursor else "")
            r = self.request("GET", p)
            self.assertStatus(r, 200)
            seen.extend(r.json["data"])
            cursor = r.json["next_cursor"]
            if not cursor:
                return seen, changed
            self.mutate(changed)
        self.fail("the walk did not end")

    def test_every_sort_both_ways(self):
        for name, field in SORT_KEYS.items():
            for desc in (False, True):
                sort = ("-" if desc else "") + name
                with self.subTest(sort=sort):
                    seen, changed = self.walk(sort)
                    self.assertTrue(changed)
                    handles = [c["handle"] for c in seen]
                    unchanged = [c for c in seen if c["handle"] not in changed]
                    counts = Counter(c["handle"] for c in unchanged)
                    all_handles = {c["handle"] for c in self.rows}
                    self.assertEqual(set(counts), all_handles - changed, "an unchanged row is missing")
                    self.assertEqual(max(counts.values()), 1, "an unchanged row came twice")
                    self.assertGreaterEqual(len(handles), 1000)
                    self.check_order(unchanged, field, desc)

    def check_order(self, items, field, desc):
        """Rows with the key in key order (ties by id in the same direction), then those
        without it. Times are compared at the reply's millisecond precision, where the
        stored microseconds may break ties the test cannot see."""
        timed = field in ("last_post_at", "updated_at")
        with_key = [c for c in items if c[field] is not None]
        nulls = [c for c in items if c[field] is None]
        self.assertEqual(items, with_key + nulls, "rows without %s must come last" % field)
        for a, b in zip(with_key, with_key[1:]):
            ka, kb = a[field], b[field]
            if ka == kb and timed:
                continue
            ordered = (ka, a["id"]) < (kb, b["id"]) if not desc else (ka, a["id"]) > (kb, b["id"])
            self.assertTrue(ordered, "%s: %r then %r" % (field, (ka, a["id"]), (kb, b["id"])))
        ids = [c["id"] for c in nulls]
        self.assertEqual(ids, sorted(ids, reverse=desc))


class CreatorAssessmentTests(Api, ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_tier_benchmark_and_flags(self):
        # posted yesterday: no activity flag (test_creator_flags covers those)
        recent = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        # instagram micro: median 2.26 % (migrations/0003)
        c = self.make_creator(handle="flag_all", followers=40000, following=30000, engagement_rate=0.004,
                              follower_growth_30d=0.6, last_post_at=recent)
        g = self.request("GET", "/v1/creators/%d" % c["id"])
        self.assertStatus(g, 200)
        x = g.json
        self.assertEqual(x["tier"], "micro")
        self.assertAlmostEqual(x["engagement_benchmark"]["median_rate"], 0.0226)
        self.assertAlmostEqual(x["engagement_benchmark"]["ratio"], round(0.004 / 0.0226, 3))
        self.assertEqual(x["flags"], ["engagement_far_below_tier", "follow_ratio", "growth_spike", "no_price"])
        ok = self.make_creator(handle="flag_none", platform="tiktok", followers=5000, following=100,
                               engagement_rate=0.2, price_per_post_cents=1000, follower_growth_30d=0.6,
                               last_post_at=recent)
        x = self.request("GET", "/v1/creators/%d" % ok["id"]).json
        self.assertEqual(x["tier"], "nano")
        self.assertAlmostEqual(x["engagement_benchmark"]["median_rate"], 0.103)
        self.assertEqual(x["flags"], [])
        unknown = self.make_creator(handle="flag_unknown", followers=700000, price_per_post_cents=5,
                                    last_post_at=recent)
        x = self.request("GET", "/v1/creators/%d" % unknown["id"]).json
        # no rate: no ratio, and the data flag match results carry too (docs/scoring.md §7.2)
        self.assertEqual((x["tier"], x["engagement_benchmark"]["ratio"], x["flags"]),
                         ("macro", None, ["no_engagement_rate"]))
        # an operator's benchmark row is what the reply compares with
        self.server.psql("UPDATE engagement_benchmarks SET median_rate = 0.5 WHERE platform = 'tiktok' "
                         "AND tier = 'nano'")
        x = self.request("GET", "/v1/creators/%d" % ok["id"]).json
        self.assertEqual((x["engagement_benchmark"]["median_rate"], x["engagement_benchmark"]["ratio"]),
                         (0.5, 0.4))
        self.assertEqual(x["flags"], ["engagement_below_half_tier", "growth_spike"])  # 0.4 of the median; +60 % without matching engagement
        # the list shows the same fields
        r = self.request("GET", "/v1/creators?handle=flag_all")
        self.assertEqual(r.json["data"][0]["flags"], ["engagement_far_below_tier", "follow_ratio",
                                                      "growth_spike", "no_price"])

    def test_openapi_documents_the_search(self):
        doc = self.request("GET", "/openapi.json", key=None).json
        params = {p["name"]: p for p in doc["paths"]["/v1/creators"]["get"]["parameters"]}
        for name in ("platform", "tier", "category", "country", "language", "min_followers", "max_followers",
                     "min_engagement_rate", "max_engagement_rate", "max_price_per_post_cents", "has_email",
                     "has_price", "active_within_days", "min_follower_growth_30d", "q", "sort", "facets",
                     "cursor", "limit", "handle"):
            self.assertIn(name, params)
            self.assertTrue(params[name].get("description"), name)
        sort_schema = json.dumps(params["sort"]["schema"])
        for s in SORT_KEYS:
            self.assertIn('"%s"' % s, sort_schema)
            self.assertIn('"-%s"' % s, sort_schema)
        schemas = doc["components"]["schemas"]
        self.assertIn("total", schemas["CreatorList"]["required"])
        self.assertIn("facets", schemas["CreatorList"]["properties"])
        creator = json.dumps(schemas["Creator"])
        for f in ("engagement_benchmark", "flags", "engagement_far_below_tier", "no_price"):
            self.assertIn(f, creator)


def searches_served(tc, by):
    r = tc.request("GET", "/metrics", key=None)
    for line in r.text.splitlines():
        if line.startswith('nichematch_creator_searches_total{served="%s"}' % by):
            return float(line.split()[-1])
    return 0.0


class SearchServedByTests(Api, ServerTestCase):
    """Searches without handle are served by the in-memory index (with q, after SQL found the
    matching ids), those with a handle by SQL;
    NICHEMATCH_SEARCH_INDEX=0 sends all to SQL (the *SqlTests classes below run every test
    above that way, so both paths give the same answers)."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_which_path_serves(self):
        self.make_creator(handle="served_a", bio="hello")
        before = (searches_served(self, "index"), searches_served(self, "sql"))
        self.assertStatus(self.request("GET", "/v1/creators?tier=micro&sort=-followers&facets=tier"), 200)
        self.assertStatus(self.request("GET", "/v1/creators?q=hello"), 200)
        self.assertStatus(self.request("GET", "/v1/creators?handle=served_a"), 200)
        after = (searches_served(self, "index"), searches_served(self, "sql"))
        # q: PostgreSQL finds the ids, the index counts, facets and sorts them
        self.assertEqual((after[0] - before[0], after[1] - before[1]), (2, 1))


class SearchFilterSqlTests(SearchFilterTests):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_INDEX": "0"}

    def test_all_in_sql(self):
        self.assertStatus(self.request("GET", "/v1/creators?tier=micro"), 200)
        self.assertEqual(searches_served(self, "index"), 0)
        self.assertGreater(searches_served(self, "sql"), 0)


class SearchTextSqlTests(SearchTextTests):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_INDEX": "0"}


class SearchSortWalkSqlTests(SearchSortWalkTests):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_SEARCH_INDEX": "0"}


if __name__ == "__main__":
    unittest.main()
