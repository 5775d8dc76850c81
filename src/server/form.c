/* form.c - application/x-www-form-urlencoded decoding, and the session cookie out of a Cookie header. */
#include "server/form.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/text.h"

/*
 * Decodes s[0..len) to out (which has room: decoding never grows) and
 * NUL-terminates it. Returns the decoded length, or -1 for a bad escape, a
 * NUL or invalid UTF-8.
 */
static long decode(const char *s, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -1;
			hi = ss_hex_digit((unsigned char)s[i + 1]);
			lo = ss_hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return ss_utf8_valid((const unsigned char *)out, o) ? (long)o : -1;
}

int ss_form_parse(struct ss_form *f, const char *body, size_t len, struct ss_error *err)
{
	size_t pos = 0, o = 0, i;
	char *text;

	memset(f, 0, sizeof(*f));
	/* Every decoded field and its NUL fit in len + 2 per field (name and value terminators). */
	text = ss_xmalloc(len + 2 * SS_FORM_MAX + 2);
	while (pos < len) {
		const char *field = body + pos, *amp = memchr(field, '&', len - pos), *eq;
		size_t flen = amp ? (size_t)(amp - field) : len - pos;
		long n;

		pos += flen + (amp ? 1 : 0);
		if (flen == 0)
			continue;
		if (f->n == SS_FORM_MAX) {
			free(text);
			memset(f, 0, sizeof(*f));
			return ss_error_set(err, SS_EINVAL, "the form has more than %d fields", SS_FORM_MAX);
		}
		eq = memchr(field, '=', flen);
		n = decode(field, eq ? (size_t)(eq - field) : flen, text + o);
		if (n < 0)
			goto bad;
		f->name[f->n] = text + o;
		o += (size_t)n + 1;
		n = eq ? decode(eq + 1, flen - (size_t)(eq - field) - 1, text + o) : decode("", 0, text + o);
		if (n < 0)
			goto bad;
		f->value[f->n] = text + o;
		o += (size_t)n + 1;
		for (i = 0; i < f->n; i++)
			if (strcmp(f->name[i], f->name[f->n]) == 0) {
				ss_error_set(err, SS_EINVAL, "the form field '%.40s' is given twice",
					     f->name[f->n]);
				free(text);
				memset(f, 0, sizeof(*f));
				return SS_EINVAL;
			}
		f->n++;
	}
	f->text = text;
	return 0;
bad:
	ss_error_set(err, SS_EINVAL, "form field %zu is not valid (a bad %%-escape, a NUL or invalid UTF-8)",
		     f->n + 1);
	free(text);
	memset(f, 0, sizeof(*f));
	return SS_EINVAL;
}

const char *ss_form_get(const struct ss_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

void ss_form_release(struct ss_form *f)
{
	free(f->text);
	memset(f, 0, sizeof(*f));
}

bool ss_form_id_shaped(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool ss_form_cookie(const char *h, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);

	while (h && *h) {
		const char *end;
		size_t len;
		while (*h == ' ' || *h == ';')
			h++;
		end = strchr(h, ';');
		len = end ? (size_t)(end - h) : strlen(h);
		if (len > nl && strncmp(h, name, nl) == 0 && h[nl] == '=') {
			const char *v = h + nl + 1;
			size_t vl = len - nl - 1;
			if (vl >= n || !ss_form_id_shaped(v, vl))
				return false;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return true;
		}
		h = end;
	}
	return false;
}
