/* buf.c - growable buffers with a ceiling. */
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/error.h"

void ss_buf_init(struct ss_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void ss_buf_release(struct ss_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

void ss_buf_clear(struct ss_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

int ss_buf_grow(struct ss_buf *b, size_t n)
{
	size_t need, cap;

	if (n > b->max || b->len > b->max - n)
		return SS_ETOOBIG;
	need = ss_add_sz(ss_add_sz(b->len, n), 1);
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = ss_mul_sz(cap, 2);
	b->ptr = ss_xrealloc(b->ptr, cap);
	b->cap = cap;
	return 0;
}

int ss_buf_add(struct ss_buf *b, const void *p, size_t n)
{
	int rc = ss_buf_grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int ss_buf_adds(struct ss_buf *b, const char *s)
{
	return ss_buf_add(b, s, strlen(s));
}

int ss_buf_addc(struct ss_buf *b, char c)
{
	return ss_buf_add(b, &c, 1);
}

int ss_buf_vprintf(struct ss_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return SS_EINVAL;
	rc = ss_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ss_buf_printf(struct ss_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ss_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *ss_buf_cstr(struct ss_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *ss_buf_detach(struct ss_buf *b, size_t *len)
{
	char *p = b->ptr ? b->ptr : ss_xstrdup("");

	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

bool ss_slice_eq(struct ss_slice a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && (n == 0 || memcmp(a.ptr, s, n) == 0);
}

bool ss_slice_eqi(struct ss_slice a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && (n == 0 || strncasecmp(a.ptr, s, n) == 0);
}

bool ss_slice_eqi_slice(struct ss_slice a, struct ss_slice b)
{
	return a.len == b.len && (a.len == 0 || strncasecmp(a.ptr, b.ptr, a.len) == 0);
}
