/* RFC 7396 appendix A examples. */
#include "check.h"
#include "nm/merge_patch.h"

static void case_(const char *target, const char *patch, const char *want)
{
	json_t *t = json_loads(target, JSON_DECODE_ANY, NULL);
	json_t *p = json_loads(patch, JSON_DECODE_ANY, NULL);
	json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
	json_t *got = nm_merge_patch(t, p);
	CHECK(json_equal(got, w));
	if (!json_equal(got, w)) {
		char *s = json_dumps(got, JSON_ENCODE_ANY);
		fprintf(stderr, "  %s + %s = %s, want %s\n", target, patch, s, want);
		free(s);
	}
	json_decref(t);
	json_decref(p);
	json_decref(w);
	json_decref(got);
}

int main(void)
{
	case_("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	case_("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
	case_("{\"a\":\"b\"}", "{\"a\":null}", "{}");
	case_("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
	case_("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	case_("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
	case_("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
	case_("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
	case_("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
	case_("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
	case_("{\"a\":\"foo\"}", "null", "null");
	case_("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"");
	case_("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
	case_("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
	case_("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
	CHECK_DONE();
}
