/* NDJSON and JSON-array splitters and nm_json_depth: element boundaries, errors that
 * do not stop the stream, limits, and independence from how the input is chunked. */
#include "check.h"
#include "nm/json_depth.h"
#include "nm/ndjson.h"

#include <stdint.h>
#include <stdlib.h>

/* Elements rendered as "pos:compact-json\n" or "pos:ERR(message)\n". */
struct sink {
	char *s;
	size_t len, cap;
	int stop_at;
	int elems;
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->len + n + 1 > k->cap) {
		k->cap = (k->len + n + 1) * 2;
		k->s = realloc(k->s, k->cap);
	}
	memcpy(k->s + k->len, s, n);
	k->len += n;
	k->s[k->len] = '\0';
}

static void puts_(struct sink *k, const char *s)
{
	put(k, s, strlen(s));
}

static int on_elem(void *cls, size_t pos, json_t *value, const char *err)
{
	struct sink *k = cls;
	char num[32];
	snprintf(num, sizeof num, "%zu:", pos);
	puts_(k, num);
	if (value) {
		CHECK(err == NULL);
		char *d = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		puts_(k, d);
		free(d);
	} else {
		CHECK(err != NULL && *err);
		puts_(k, "ERR(");
		puts_(k, err ? err : "");
		puts_(k, ")");
	}
	puts_(k, "\n");
	return ++k->elems == k->stop_at ? 9 : 0;
}

static uint32_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

enum { WHOLE, BYTES, RANDOM };
enum kind { ND, ARR };

struct opts {
	size_t max;
	int depth;
	int stop_at;
};

/* Runs one splitter in one chunking; returns the rendering, plus rc and (for arrays)
 * the failure message appended as "!message". Caller frees. */
static char *run(enum kind kind, const char *in, size_t len, struct opts o, int mode, uint32_t seed,
		 int *rc)
{
	struct sink k = {0};
	k.stop_at = o.stop_at;
	puts_(&k, "");
	struct nm_ndjson *nd = kind == ND ? nm_ndjson_new(o.max, o.depth, on_elem, &k) : NULL;
	struct nm_jsonarr *ja = kind == ARR ? nm_jsonarr_new(o.max, o.depth, on_elem, &k) : NULL;
	*rc = 0;
	rng_state = seed;
	size_t i = 0;
	while (i < len && !*rc) {
		size_t n = mode == WHOLE ? len : mode == BYTES ? 1 : 1 + rnd() % 23;
		if (n > len - i)
			n = len - i;
		*rc = nd ? nm_ndjson_feed(nd, in + i, n) : nm_jsonarr_feed(ja, in + i, n);
		i += n;
	}
	int f = nd ? nm_ndjson_finish(nd) : nm_jsonarr_finish(ja);
	if (!*rc)
		*rc = f;
	else
		CHECK(f == *rc);
	if (ja) {
		if (*nm_jsonarr_error(ja)) {
			puts_(&k, "!");
			puts_(&k, nm_jsonarr_error(ja));
		}
		nm_jsonarr_free(ja);
	}
	nm_ndjson_free(nd);
	return k.s;
}

static void expect_o(enum kind kind, const char *in, struct opts o, const char *want, int want_rc)
{
	size_t len = strlen(in);
	for (int mode = WHOLE; mode <= RANDOM; mode++) {
		for (uint32_t seed = 1; seed <= (mode == RANDOM ? 20u : 1u); seed++) {
			int rc;
			char *got = run(kind, in, len, o, mode, seed, &rc);
			CHECK_STR(got, want);
			CHECK(rc == want_rc);
			if (strcmp(got, want) != 0 || rc != want_rc)
				fprintf(stderr, "  mode %d seed %u rc %d input '%s'\n", mode, seed,
					rc, in);
			free(got);
		}
	}
}

static const struct opts defaults = {0, 0, 0};

static void expect(enum kind kind, const char *in, const char *want, int want_rc)
{
	expect_o(kind, in, defaults, want, want_rc);
}

/* The rendering must start with prefix (for messages that embed jansson's text). */
static void expect_prefix(enum kind kind, const char *in, const char *prefix, int want_rc)
{
	int rc;
	char *got = run(kind, in, strlen(in), defaults, BYTES, 0, &rc);
	CHECK(strncmp(got, prefix, strlen(prefix)) == 0);
	if (strncmp(got, prefix, strlen(prefix)) != 0)
		fprintf(stderr, "  got '%s'\n", got);
	CHECK(rc == want_rc);
	free(got);
}

static void test_ndjson(void)
{
	expect(ND, "{\"a\":1}\n{\"b\":2}\n", "1:{\"a\":1}\n2:{\"b\":2}\n", 0);
	expect(ND, "{\"a\":1}\n\n  \t\n{\"b\":2}\r\n", "1:{\"a\":1}\n4:{\"b\":2}\n", 0);
	expect(ND, "\xEF\xBB\xBF{\"a\":1}", "1:{\"a\":1}\n", 0);
	expect(ND, "\r\n\r\n{\"a\":[1,2]}\r\n\r\n", "3:{\"a\":[1,2]}\n", 0);
	expect(ND, "", "", 0);
	expect(ND, "3\n\"x\"\nnull\n", "1:3\n2:\"x\"\n3:null\n", 0);
	/* A bad line in the middle costs one error and the rest goes on. */
	expect_prefix(ND, "{\"a\":1}\n{bad\n{\"c\":3}", "1:{\"a\":1}\n2:ERR(invalid JSON: ", 0);
	int rc;
	char *got = run(ND, "{\"a\":1}\n{bad\n{\"c\":3}", 20, defaults, RANDOM, 5, &rc);
	CHECK(strstr(got, "\n3:{\"c\":3}\n") != NULL);
	free(got);
	expect_prefix(ND, "{\"a\":1,\"a\":2}\n", "1:ERR(invalid JSON: duplicate object key", 0);
	expect_prefix(ND, "{\"a\":1} {\"b\":2}\n", "1:ERR(invalid JSON: ", 0);
	expect_prefix(ND, "\xEF\xBB{}\n", "1:ERR(invalid JSON: ", 0);
	/* Messages stay printable ASCII even when jansson quotes bad bytes. */
	got = run(ND, "{\"a\":\xff\xfe}\n\"\x01\"\n", 13, defaults, WHOLE, 0, &rc);
	int clean = 1;
	for (const char *c = got; *c; c++)
		if ((unsigned char)*c > 0x7E || ((unsigned char)*c < 0x20 && *c != '\n'))
			clean = 0;
	CHECK(clean);
	CHECK(strncmp(got, "1:ERR(invalid JSON: ", 20) == 0 && strstr(got, "\n2:ERR(") != NULL);
	free(got);
	/* Strings may hold brackets and escaped quotes; NDJSON lines never hold raw LF. */
	expect(ND, "{\"s\":\"a\\\"]}\\n\"}\n", "1:{\"s\":\"a\\\"]}\\n\"}\n", 0);

	struct opts o = {0, 3, 0};
	expect_o(ND, "[[[1]]]\n[[[[1]]]]\n{\"a\":{\"b\":{}}}\n", o,
		 "1:[[[1]]]\n2:ERR(nested deeper than 3 levels)\n3:{\"a\":{\"b\":{}}}\n", 0);
	struct opts small = {10, 0, 0};
	expect_o(ND, "{\"a\":\"0123456789\"}\n{\"b\":1}\n\n{\"c\":\"0123456789abcdef\"}", small,
		 "1:ERR(line longer than 10 bytes)\n2:{\"b\":1}\n"
		 "4:ERR(line longer than 10 bytes)\n",
		 0);
	struct opts stop = {0, 0, 2};
	expect_o(ND, "1\n2\n3\n", stop, "1:1\n2:2\n", 9);
	expect_o(ND, "1\n2", stop, "1:1\n2:2\n", 9);
}

static void test_array(void)
{
	expect(ARR, "  [ {\"a\":1} , {\"b\":[1,2,{\"c\":\"]\"}]} ,\n{\"s\":\"x\\\"],[{\"}  ]  \n",
	       "1:{\"a\":1}\n2:{\"b\":[1,2,{\"c\":\"]\"}]}\n3:{\"s\":\"x\\\"],[{\"}\n", 0);
	expect(ARR, "[]", "", 0);
	expect(ARR, "\xEF\xBB\xBF \r\n[ \n ]\n", "", 0);
	expect(ARR, "[1,\"a\\\\\",\"b\\\\\\\"\",[\"]\"]]",
	       "1:1\n2:\"a\\\\\"\n3:\"b\\\\\\\"\"\n4:[\"]\"]\n", 0);
	expect(ARR, "[{\"a\":{\"b\":{\"c\":[]}}}]", "1:{\"a\":{\"b\":{\"c\":[]}}}\n", 0);

	/* Not an array, or broken structure: the whole body fails. */
	expect(ARR, "{\"a\":1}",
	       "!body is a JSON object, expected an array of objects (at byte 0 of the body)",
	       NM_JSONARR_NOT_ARRAY);
	expect(ARR, "  \"x\"", "!body is not a JSON array (expected '[') (at byte 2 of the body)",
	       NM_JSONARR_NOT_ARRAY);
	expect(ARR, "", "!empty body, expected a JSON array (at byte 0 of the body)",
	       NM_JSONARR_NOT_ARRAY);
	expect(ARR, " \n ", "!empty body, expected a JSON array (at byte 3 of the body)",
	       NM_JSONARR_NOT_ARRAY);
	expect(ARR, "\xEF\xBB\xBF{}",
	       "!body is a JSON object, expected an array of objects (at byte 3 of the body)",
	       NM_JSONARR_NOT_ARRAY);
	expect(ARR, "[1,2", "1:1\n!unterminated array (missing ']') (at byte 4 of the body)",
	       NM_JSONARR_SYNTAX);
	expect(ARR, "[{\"a\":\"]", "!unterminated array (missing ']') (at byte 8 of the body)",
	       NM_JSONARR_SYNTAX);
	expect(ARR, "[1] x",
	       "1:1\n!unexpected data after the array's closing ']' (at byte 4 of the body)",
	       NM_JSONARR_SYNTAX);
	expect(ARR, "[1][2]",
	       "1:1\n!unexpected data after the array's closing ']' (at byte 3 of the body)",
	       NM_JSONARR_SYNTAX);

	/* Bad elements are reported one by one and the rest goes on. */
	expect_prefix(ARR, "[{\"a\":1,}, {\"b\":2}]", "1:ERR(invalid JSON: ", 0);
	int rc;
	char *got = run(ARR, "[{\"a\":1,}, {\"b\":2}, {\"a\":1,\"a\":2}, 3]", 37, defaults, RANDOM,
			3, &rc);
	CHECK(strstr(got, "\n2:{\"b\":2}\n3:ERR(invalid JSON: duplicate object key") != NULL);
	CHECK(strstr(got, "\n4:3\n") != NULL);
	CHECK(rc == 0);
	free(got);
	expect(ARR, "[1,,2]", "1:1\n2:ERR(empty element (stray ','))\n3:2\n", 0);
	expect(ARR, "[1, ]", "1:1\n2:ERR(empty element (stray ','))\n", 0);
	expect(ARR, "[,]", "1:ERR(empty element (stray ','))\n2:ERR(empty element (stray ','))\n",
	       0);

	struct opts o = {0, 2, 0};
	expect_o(ARR, "[{\"a\":{\"b\":1}}, {\"a\":{\"b\":{\"c\":1}}}, [\"[[[[\"], 5]", o,
		 "1:{\"a\":{\"b\":1}}\n2:ERR(nested deeper than 2 levels)\n3:[\"[[[[\"]\n4:5\n", 0);
	struct opts small = {8, 0, 0};
	expect_o(ARR, "[{\"a\":\"long string here\"},5,\"12345678\"]", small,
		 "1:ERR(element longer than 8 bytes)\n2:5\n3:ERR(element longer than 8 bytes)\n",
		 0);
	struct opts stop = {0, 0, 2};
	expect_o(ARR, "[1,2,3]", stop, "1:1\n2:2\n", 9);
}

static void test_depth(void)
{
	CHECK(nm_json_depth("{\"a\":[1,{\"b\":\"[[[\"}]}", 21, 32) == 3);
	CHECK(nm_json_depth("\"\\\"[\"", 5, 32) == 0);
	CHECK(nm_json_depth("42", 2, 32) == 0);
	CHECK(nm_json_depth("[][][]", 6, 32) == 1);
	CHECK(nm_json_depth("]]]][", 5, 32) == 1);
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	CHECK(nm_json_depth(deep, 200, 32) == 33);
	CHECK(nm_json_depth(deep, 200, 100) == 100);
	CHECK(nm_json_depth(deep, 64, 32) == 33);
	CHECK(nm_json_depth(deep, 32, 32) == 32);
}

/* Random arrays of random values: every chunking agrees, and when jansson accepts the
 * whole body, the splitter yields exactly its elements. */
static void gen_value(struct sink *k, int depth)
{
	static const char *atoms[] = {"1",	 "-2.5e3", "true",	 "null",     "\"\"",
				      "\"a,b\"", "\"]}\"", "\"q\\\"[\"", "\"\\\\\"", "\"\\u00e9\""};
	uint32_t r = rnd() % 10;
	if (depth > 4 || r < 5) {
		puts_(k, atoms[rnd() % 10]);
	} else if (r < 8) {
		puts_(k, "{");
		int n = (int)(rnd() % 4);
		for (int i = 0; i < n; i++) {
			char key[16];
			snprintf(key, sizeof key, "%s\"k%d\":", i ? ", " : "", i);
			puts_(k, key);
			gen_value(k, depth + 1);
		}
		puts_(k, "}");
	} else {
		puts_(k, "[ ");
		int n = (int)(rnd() % 4);
		for (int i = 0; i < n; i++) {
			if (i)
				puts_(k, ",\n");
			gen_value(k, depth + 1);
		}
		puts_(k, "]");
	}
}

static int collect(void *cls, size_t pos, json_t *value, const char *err)
{
	json_array_append(cls, value ? value : json_null());
	return 0;
}

static void test_random_arrays(void)
{
	int mismatches = 0, jansson_mismatch = 0, accepted = 0;
	for (uint32_t t = 0; t < 1500; t++) {
		struct sink body = {0};
		rng_state = t + 1;
		puts_(&body, t % 4 == 0 ? "\xEF\xBB\xBF [" : "[");
		int n = (int)(rnd() % 6);
		for (int i = 0; i < n; i++) {
			if (i)
				puts_(&body, " , ");
			gen_value(&body, 0);
		}
		puts_(&body, "]\n");
		/* Now and then damage it. */
		size_t off = t % 4 == 0 ? 3 : 0;
		if (t % 3 == 1 && body.len > off + 2)
			body.s[off + 1 + rnd() % (body.len - off - 2)] = "\"{}[],\\x"[rnd() % 8];

		int rc0, rc1, rc2;
		struct opts o = {t % 7 == 0 ? 12 : 0, 3, 0};
		char *a = run(ARR, body.s, body.len, o, WHOLE, 0, &rc0);
		char *b = run(ARR, body.s, body.len, o, BYTES, 0, &rc1);
		char *c = run(ARR, body.s, body.len, o, RANDOM, t, &rc2);
		if (strcmp(a, b) || strcmp(a, c) || rc0 != rc1 || rc0 != rc2)
			mismatches++;
		free(a);
		free(b);
		free(c);

		json_t *whole =
			json_loadb(body.s + off, body.len - off, JSON_REJECT_DUPLICATES, NULL);
		if (whole && json_is_array(whole)) {
			json_t *got = json_array();
			accepted++;
			struct nm_jsonarr *p = nm_jsonarr_new(0, 0, collect, got);
			int r = nm_jsonarr_feed(p, body.s, body.len);
			if (!r)
				r = nm_jsonarr_finish(p);
			if (r || !json_equal(whole, got)) {
				jansson_mismatch++;
				fprintf(stderr, "  jansson disagrees (rc %d) on '%s'\n", r, body.s);
			}
			nm_jsonarr_free(p);
			json_decref(got);
		}
		json_decref(whole);
		free(body.s);
	}
	CHECK(mismatches == 0);
	CHECK(jansson_mismatch == 0);
	CHECK(accepted > 900); /* the comparison above really ran */
}

/* A JSON string element of exactly n bytes ("yyy...y"). Caller frees. */
static char *string_elem(size_t n)
{
	char *e = malloc(n + 1);
	e[0] = '"';
	memset(e + 1, 'y', n - 2);
	e[n - 1] = '"';
	e[n] = '\0';
	return e;
}

/* Runs kind over in in every chunking and checks the rendering and rc. */
static void expect_big(enum kind kind, const char *in, size_t len, struct opts o, const char *want)
{
	for (int mode = WHOLE; mode <= RANDOM; mode++) {
		int rc;
		char *got = run(kind, in, len, o, mode, 7, &rc);
		CHECK(rc == 0);
		CHECK(strcmp(got, want) == 0);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "  mode %d len %zu max %zu: got '%.200s'\n", mode, len,
				o.max, got);
		free(got);
	}
}

/* Issue 10 audit: the line/element buffer starts at 4,096 bytes and doubles. Elements of
 * exactly the limit, one byte over it, and lengths around each capacity, split across
 * chunks in every way, are kept or refused whole; runs of separators cost nothing. */
static void test_buffer_edges(void)
{
	static const size_t sizes[] = {4094, 4095, 4096, 4097, 8191, 8192, 65536, 70000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		char *e = string_elem(n);
		size_t len = 2 * n + 2, alen = 2 * n + 3; /* "e\ne\n", "[e,e]" */
		char *nd = malloc(len + 1), *arr = malloc(alen + 1), *want = malloc(2 * n + 16);
		snprintf(nd, len + 1, "%s\n%s\n", e, e);
		snprintf(arr, alen + 1, "[%s,%s]", e, e);
		snprintf(want, 2 * n + 16, "1:%s\n2:%s\n", e, e);
		struct opts exact = {n, 0, 0}, under = {n - 1, 0, 0};
		expect_big(ND, nd, len, exact, want);
		expect_big(ARR, arr, alen, exact, want);
		char msg[160];
		snprintf(msg, sizeof msg,
			 "1:ERR(line longer than %zu bytes)\n2:ERR(line longer than %zu bytes)\n",
			 n - 1, n - 1);
		expect_big(ND, nd, len, under, msg);
		snprintf(msg, sizeof msg,
			 "1:ERR(element longer than %zu bytes)\n2:ERR(element longer than %zu "
			 "bytes)\n",
			 n - 1, n - 1);
		expect_big(ARR, arr, alen, under, msg);
		free(want);
		free(arr);
		free(nd);
		free(e);
	}

	/* 200,000 line ends: no element. */
	size_t n = 200000;
	char *lf = malloc(n);
	memset(lf, '\n', n);
	expect_big(ND, lf, n, defaults, "");
	free(lf);
}

int main(void)
{
	test_ndjson();
	test_array();
	test_depth();
	test_random_arrays();
	test_buffer_edges();
	CHECK_DONE();
}
