/* error.c - recording and printing errors. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"

void ss_error_clear(struct ss_error *err)
{
	/* the strings are NUL-terminated: emptying them is enough (this runs once per audit record) */
	if (!err)
		return;
	err->code = 0;
	err->line = 0;
	err->column = 0;
	err->file[0] = '\0';
	err->field[0] = '\0';
	err->msg[0] = '\0';
}

int ss_error_set(struct ss_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void ss_error_at(struct ss_error *err, const char *file, long line, long column)
{
	if (!err)
		return;
	if (file && !err->file[0])
		snprintf(err->file, sizeof(err->file), "%s", file);
	if (line > 0 && !err->line) {
		err->line = line;
		err->column = column;
	}
}

void ss_error_field(struct ss_error *err, const char *field)
{
	if (err && field && !err->field[0])
		snprintf(err->field, sizeof(err->field), "%s", field);
}

void ss_error_format(const struct ss_error *err, char *out, unsigned long outlen)
{
	size_t n = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	if (err->file[0]) {
		if (err->line > 0 && err->column > 0)
			n = (size_t)snprintf(out, outlen, "%s:%ld:%ld: ", err->file, err->line, err->column);
		else if (err->line > 0)
			n = (size_t)snprintf(out, outlen, "%s:%ld: ", err->file, err->line);
		else
			n = (size_t)snprintf(out, outlen, "%s: ", err->file);
	}
	if (n < outlen && err->field[0])
		n += (size_t)snprintf(out + n, outlen - n, "field '%s': ", err->field);
	if (n < outlen)
		snprintf(out + n, outlen - n, "%s", err->msg[0] ? err->msg : ss_strerror(err->code));
}

void ss_error_print(const struct ss_error *err)
{
	char buf[2048];
	struct ss_buf safe;

	ss_error_format(err, buf, sizeof(buf));
	ss_buf_init(&safe, 8192);
	ss_text_terminal(&safe, buf, strlen(buf));
	fprintf(stderr, "secscore: error: %.*s\n", (int)safe.len, safe.ptr);
	ss_buf_release(&safe);
}

const char *ss_strerror(int code)
{
	switch (code) {
	case SS_OK: return "success";
	case SS_EIO: return "i/o error";
	case SS_EPARSE: return "parse error";
	case SS_EINVAL: return "invalid value";
	case SS_ENOENT: return "not found";
	case SS_ESTORE: return "store error";
	case SS_EUSAGE: return "usage error";
	case SS_ETOOBIG: return "input too large";
	default: return "unknown error";
	}
}
