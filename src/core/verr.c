#include "nm/verr.h"

#include <stdarg.h>
#include <stdio.h>

void nm_verr_add(json_t *errors, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *e = json_object();
	if (field)
		json_object_set_new(e, "field", json_string(field));
	json_object_set_new(e, "message", json_string(msg));
	json_array_append_new(errors, e);
}

const char *nm_verr_path(char *buf, size_t n, const char *prefix, long index, const char *member)
{
	if (index >= 0)
		snprintf(buf, n, "%s[%ld]", prefix, index);
	else if (member)
		snprintf(buf, n, "%s.%s", prefix, member);
	else
		snprintf(buf, n, "%s", prefix);
	return buf;
}
