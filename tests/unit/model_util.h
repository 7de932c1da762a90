/* Helpers for the model tests: parse a JSON literal, look for an error by field. */
#ifndef NM_TEST_MODEL_UTIL_H
#define NM_TEST_MODEL_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (!v)
		fprintf(stderr, "bad test JSON %s: %s\n", text, e.text);
	return v;
}

/* True when errors has an entry for field (NULL: no field) whose message contains sub. */
static bool has_error(const json_t *errors, const char *field, const char *sub)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *m = json_string_value(json_object_get(e, "message"));
		bool fm = field ? (f && strcmp(f, field) == 0) : f == NULL;
		if (fm && m && (!sub || strstr(m, sub)))
			return true;
	}
	return false;
}

static void dump_errors(const json_t *errors)
{
	char *s = json_dumps(errors, JSON_COMPACT);
	fprintf(stderr, "  errors: %s\n", s);
	free(s);
}

#endif
