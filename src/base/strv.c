/* strv.c - string vectors and a string -> index map. */
#include "base/strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"

void ss_strv_init(struct ss_strv *sv)
{
	memset(sv, 0, sizeof(*sv));
}

void ss_strv_release(struct ss_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

static void strv_add(struct ss_strv *sv, char *owned)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = ss_xrealloc(sv->v, ss_mul_sz(sv->cap, sizeof(char *)));
	}
	sv->v[sv->n++] = owned;
}

void ss_strv_push(struct ss_strv *sv, const char *s)
{
	strv_add(sv, ss_xstrdup(s));
}

void ss_strv_pushn(struct ss_strv *sv, const char *s, size_t len)
{
	strv_add(sv, ss_xstrndup(s, len));
}

void ss_strv_pushf(struct ss_strv *sv, const char *fmt, ...)
{
	struct ss_buf b;
	va_list ap;

	ss_buf_init(&b, (size_t)1 << 20);
	va_start(ap, fmt);
	ss_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	strv_add(sv, ss_buf_detach(&b, NULL));
}

bool ss_strv_has(const struct ss_strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ss_strv_sort(struct ss_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(char *), cmp_str);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

void ss_strmap_init(struct ss_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void ss_strmap_release(struct ss_strmap *m)
{
	free(m->keys);
	free(m->lens);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static void strmap_grow(struct ss_strmap *m)
{
	struct ss_strmap big;
	size_t i;

	big.cap = m->cap ? m->cap * 2 : 64;
	big.n = 0;
	big.keys = ss_xcalloc(big.cap, sizeof(char *));
	big.lens = ss_xcalloc(big.cap, sizeof(size_t));
	big.vals = ss_xcalloc(big.cap, sizeof(uint32_t));
	for (i = 0; i < m->cap; i++)
		if (m->keys[i])
			ss_strmap_put(&big, m->keys[i], m->lens[i], m->vals[i]);
	ss_strmap_release(m);
	*m = big;
}

void ss_strmap_put(struct ss_strmap *m, const char *key, size_t len, uint32_t val)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3)
		strmap_grow(m);
	i = hash_bytes(key, len) & (m->cap - 1);
	while (m->keys[i]) {
		if (m->lens[i] == len && memcmp(m->keys[i], key, len) == 0) {
			m->vals[i] = val;
			return;
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->lens[i] = len;
	m->vals[i] = val;
	m->n++;
}

bool ss_strmap_get(const struct ss_strmap *m, const char *key, size_t len, uint32_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	i = hash_bytes(key, len) & (m->cap - 1);
	while (m->keys[i]) {
		if (m->lens[i] == len && memcmp(m->keys[i], key, len) == 0) {
			*val = m->vals[i];
			return true;
		}
		i = (i + 1) & (m->cap - 1);
	}
	return false;
}
