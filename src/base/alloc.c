/* alloc.c - allocation wrappers that abort on out-of-memory. */
#include "base/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void oom(size_t n)
{
	fprintf(stderr, "secscore: fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *ss_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *ss_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(ss_mul_sz(count, size));
	return p;
}

void *ss_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *ss_xstrdup(const char *s)
{
	return ss_xstrndup(s, strlen(s));
}

char *ss_xstrndup(const char *s, size_t n)
{
	char *p = ss_xmalloc(ss_add_sz(n, 1));
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t ss_add_sz(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		SS_BUG("size overflow in addition");
	return a + b;
}

size_t ss_mul_sz(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		SS_BUG("size overflow in multiplication");
	return a * b;
}

void ss_die(const char *fmt, ...)
{
	va_list ap;
	fputs("secscore: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void ss_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "secscore: BUG at %s:%d: %s\n", file, line, msg);
	abort();
}
