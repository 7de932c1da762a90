/* The brand field alerts (issue 15, docs/api.md §3): {"top_n": 1..200} or null (off). */
#include "check.h"
#include "model_util.h"

#include "nm/brand.h"

#define BASE "\"name\":\"Acme\",\"niches\":[\"fitness\"]"

/* The canonical alerts member of a brand body, as compact JSON ("" when absent, NULL when
 * the body was refused); *errors receives the errors (caller frees). */
static char *alerts_of(const char *text, json_t **errors)
{
	json_t *in = J(text);
	*errors = json_array();
	json_t *out = nm_brand_normalize(in, *errors);
	json_decref(in);
	if (!out)
		return NULL;
	json_t *a = json_object_get(out, "alerts");
	char *s = a ? json_dumps(a, JSON_COMPACT) : strdup("");
	json_decref(out);
	return s;
}

static void expect(const char *text, const char *want, int line)
{
	json_t *errors;
	char *got = alerts_of(text, &errors);
	nm_check_count++;
	if (!got || strcmp(got, want) != 0) {
		nm_check_failures++;
		fprintf(stderr, "line %d: %s: alerts %s, want %s\n", line, text,
			got ? got : "(refused)", want);
		dump_errors(errors);
	}
	free(got);
	json_decref(errors);
}
#define EXPECT(text, want) expect(text, want, __LINE__)

static void refused(const char *text, const char *field, const char *sub, int line)
{
	json_t *errors;
	char *got = alerts_of(text, &errors);
	nm_check_count++;
	if (got || !has_error(errors, field, sub)) {
		nm_check_failures++;
		fprintf(stderr, "line %d: %s: expected error %s: %s\n", line, text, field, sub);
		dump_errors(errors);
	}
	free(got);
	json_decref(errors);
}
#define REFUSED(text, field, sub) refused(text, field, sub, __LINE__)

int main(void)
{
	EXPECT("{" BASE "}", "");
	EXPECT("{" BASE ",\"alerts\":null}", "");
	EXPECT("{" BASE ",\"alerts\":{\"top_n\":20}}", "{\"top_n\":20}");
	EXPECT("{" BASE ",\"alerts\":{\"top_n\":1}}", "{\"top_n\":1}");
	EXPECT("{" BASE ",\"alerts\":{\"top_n\":200}}", "{\"top_n\":200}");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":0}}", "alerts.top_n", "from 1 to 200");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":201}}", "alerts.top_n", "from 1 to 200");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":-5}}", "alerts.top_n", "from 1 to 200");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":2.5}}", "alerts.top_n", "integer");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":\"20\"}}", "alerts.top_n", "integer");
	REFUSED("{" BASE ",\"alerts\":{}}", "alerts.top_n", "is required");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":null}}", "alerts.top_n", "is required");
	REFUSED("{" BASE ",\"alerts\":{\"top_n\":5,\"daily\":true}}", "alerts.daily",
		"unknown field");
	REFUSED("{" BASE ",\"alerts\":20}", "alerts", "object");
	REFUSED("{" BASE ",\"alerts\":[20]}", "alerts", "object");
	REFUSED("{" BASE ",\"alerts\":true}", "alerts", "object");
	CHECK_DONE();
}
