/* csv.c - an RFC 4180 row reader: fields are slices of the input, unescaped only when they must be. */

/*
 * A row is read in two passes. The first splits it into fields, each a slice
 * of the input (an unquoted field's bytes, or the bytes between a quoted
 * field's quotes), checks it, and adds up what unescaping will need. Only
 * when a quoted field holds doubled quotes does the second pass run: the
 * scratch buffer grows once to the row's total, then those fields (the only
 * slices that still contain a '"') are unescaped into it. Scratch therefore
 * never moves while slices into it are handed out.
 *
 * Row boundaries depend on quote parity alone: a LF ends a row when the row
 * so far holds an even number of quotes. Valid rows end there by
 * construction, ss_csv_whole_rows cuts there, and a malformed row is skipped
 * up to there, so reading a buffer in chunks and reading it whole give the
 * same rows, malformed ones included.
 */
#include "base/csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define CSV_SCRATCH_MAX ((size_t)64 << 20) /* ceiling on one row's unescaped bytes */
#define CSV_MAX_FIELDS	4096		   /* default max_fields */
#define CSV_FIELDS_MIN	16		   /* first allocation of the field array */

/* Number of LFs in s[0..len). */
static long count_lf(const char *s, size_t len)
{
	const char *e = s + len;
	long n = 0;

	if (!len)
		return 0;
	for (;;) {
		s = memchr(s, '\n', (size_t)(e - s));
		if (!s)
			return n;
		n++;
		s++;
	}
}

/* Parity (0 or 1) of the number of '"' in s[0..len), eight bytes at a time. */
static unsigned quote_parity(const char *s, size_t len)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL, quotes = 0x2222222222222222ULL;
	uint64_t marks = 0;
	unsigned parity = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		v ^= quotes;
		/* Bit 7 of each byte that was '"', nothing else (exact, no carries across bytes). */
		marks ^= ~(((v & low7) + low7) | v | low7);
	}
	for (; i < len; i++)
		parity ^= s[i] == '"';
	return parity ^ (unsigned)__builtin_parityll(marks);
}

/*
 * Scans rows by quote parity from s (a row start) to e. Returns the end (just
 * past its LF) of the first row when first is true, else of the last row a
 * LF ends; NULL when no LF ends a row. *lines gets the LFs before that end.
 */
static const char *scan_rows(const char *s, const char *e, bool first, long *lines)
{
	const char *cut = NULL, *nl;
	unsigned odd = 0;
	long n = 0;

	*lines = 0;
	while (s < e) {
		nl = memchr(s, '\n', (size_t)(e - s));
		if (!nl)
			break;
		odd ^= quote_parity(s, (size_t)(nl - s));
		n++;
		s = nl + 1;
		if (!odd) {
			cut = s;
			*lines = n;
			if (first)
				break;
		}
	}
	return cut;
}

void ss_csv_init(struct ss_csv *c, const char *buf, size_t len, long first_line)
{
	if (!buf)
		buf = "";
	c->p = buf;
	c->end = buf + len;
	c->start = buf;
	c->line = first_line;
	c->row_line = first_line;
	c->fields = NULL;
	c->n = 0;
	c->cap = 0;
	c->max_fields = CSV_MAX_FIELDS;
	ss_buf_init(&c->scratch, CSV_SCRATCH_MAX);
}

void ss_csv_release(struct ss_csv *c)
{
	free(c->fields);
	c->fields = NULL;
	c->n = 0;
	c->cap = 0;
	ss_buf_release(&c->scratch);
}

/* Makes room for one more field (the caller has checked max_fields). */
static void grow_fields(struct ss_csv *c)
{
	size_t cap = c->cap ? ss_mul_sz(c->cap, 2) : CSV_FIELDS_MIN;

	if (cap > c->max_fields)
		cap = c->max_fields;
	c->fields = ss_xrealloc(c->fields, ss_mul_sz(cap, sizeof(*c->fields)));
	c->cap = cap;
}

/*
 * Reports a malformed row starting at row, the fault being at byte at, and
 * moves the reader to the start of the next row by quote parity.
 */
static int fail(struct ss_csv *c, const char *row, const char *at, int code, const char *msg,
		struct ss_error *err)
{
	const char *line_start = row, *s = row, *nl, *next;
	long line = c->row_line, lines;

	while (s < at) {
		nl = memchr(s, '\n', (size_t)(at - s));
		if (!nl)
			break;
		line++;
		line_start = nl + 1;
		s = nl + 1;
	}
	ss_error_set(err, code, "%s", msg);
	ss_error_at(err, NULL, line, (long)(at - line_start) + 1);
	next = scan_rows(row, c->end, true, &lines);
	if (next) {
		c->p = next;
		c->line = c->row_line + lines;
	} else {
		c->line = c->row_line + count_lf(row, (size_t)(c->end - row));
		c->p = c->end;
	}
	c->n = 0;
	return code;
}

/* Unescapes the fields that hold doubled quotes into scratch; total is their unescaped size. */
static int unescape(struct ss_csv *c, size_t esc, size_t total)
{
	char *d;
	size_t i;
	int rc;

	ss_buf_clear(&c->scratch);
	rc = ss_buf_grow(&c->scratch, total);
	if (rc)
		return rc;
	d = c->scratch.ptr;
	for (i = 0; esc > 0 && i < c->n; i++) {
		struct ss_slice *f = &c->fields[i];
		const char *s = f->ptr, *e = f->ptr + f->len, *q;
		char *start = d;

		if (!f->len || !memchr(s, '"', f->len))
			continue;
		while (s < e) {
			q = memchr(s, '"', (size_t)(e - s));
			if (!q) {
				memcpy(d, s, (size_t)(e - s));
				d += e - s;
				break;
			}
			memcpy(d, s, (size_t)(q - s) + 1);
			d += q - s + 1;
			s = q + 2; /* past the doubled quote */
		}
		f->ptr = start;
		f->len = (size_t)(d - start);
		esc--;
	}
	c->scratch.len = (size_t)(d - c->scratch.ptr);
	c->scratch.ptr[c->scratch.len] = '\0';
	return 0;
}

int ss_csv_next(struct ss_csv *c, struct ss_error *err)
{
	const char *row = c->p, *s = c->p, *e = c->end;
	size_t esc = 0, total = 0;
	long lf = 0;
	char msg[64];

	c->n = 0;
	c->row_line = c->line;
	if (s >= e)
		return 0;
	for (;;) {
		struct ss_slice f;

		if (c->n >= c->max_fields) {
			snprintf(msg, sizeof(msg), "more than %zu fields in a row", c->max_fields);
			return fail(c, row, s, SS_EPARSE, msg, err);
		}
		if (c->n == c->cap)
			grow_fields(c);
		if (s < e && *s == '"') {
			const char *open = s, *q;
			size_t doubled = 0;

			s++;
			for (;;) {
				q = s < e ? memchr(s, '"', (size_t)(e - s)) : NULL;
				if (!q)
					return fail(c, row, open, SS_EPARSE, "unterminated quoted field",
						    err);
				if (q + 1 < e && q[1] == '"') {
					doubled++;
					s = q + 2;
					continue;
				}
				break;
			}
			f.ptr = open + 1;
			f.len = (size_t)(q - f.ptr);
			lf += count_lf(f.ptr, f.len);
			if (doubled) {
				esc++;
				total += f.len - doubled;
			}
			s = q + 1;
			if (s < e && *s == '\r' && (s + 1 == e || s[1] == '\n'))
				s++;
			else if (s < e && *s != ',' && *s != '\n')
				return fail(c, row, s, SS_EPARSE, "text after a closing quote", err);
		} else {
			const char *b = s;

			while (s < e && *s != ',' && *s != '\n' && *s != '"')
				s++;
			if (s < e && *s == '"')
				return fail(c, row, s, SS_EPARSE, "quote inside an unquoted field", err);
			f.ptr = b;
			f.len = (size_t)(s - b);
			if ((s == e || *s == '\n') && f.len && s[-1] == '\r')
				f.len--;
		}
		c->fields[c->n++] = f;
		if (s == e)
			break;
		if (*s == '\n') {
			s++;
			lf++;
			break;
		}
		s++; /* the comma */
	}
	if (esc && unescape(c, esc, total))
		return fail(c, row, row, SS_ETOOBIG, "quoted fields too large to unescape", err);
	c->p = s;
	c->line += lf;
	return 1;
}

size_t ss_csv_whole_rows(const char *p, size_t len, bool at_eof, long *lines)
{
	const char *cut;
	long n;

	if (!len) {
		if (lines)
			*lines = 0;
		return 0;
	}
	if (at_eof) {
		if (lines)
			*lines = count_lf(p, len);
		return len;
	}
	cut = scan_rows(p, p + len, false, &n);
	if (lines)
		*lines = n;
	return cut ? (size_t)(cut - p) : 0;
}

long ss_csv_find(const struct ss_csv *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (ss_slice_eqi(c->fields[i], name))
			return (long)i;
	return -1;
}
