/* csv.h - an RFC 4180 row reader over a buffer of whole rows (audit CSV exports, Get-MsolUser). */
#ifndef SS_CSV_H
#define SS_CSV_H

/*
 * The reader walks a caller-owned buffer that holds whole rows (the audit
 * source hands it complete rows; a file read whole is complete too). Fields
 * are slices into the buffer when they need no unescaping, otherwise (a
 * quoted field with doubled quotes) into the reader's scratch buffer.
 * Every slice of a row stays valid until the next ss_csv_next or
 * ss_csv_release. Quoted fields may hold CR, LF and commas. Rows end at LF,
 * CRLF, or the end of the buffer. Nothing is allocated per row once the
 * field array and the scratch buffer have grown.
 *
 * Malformed rows (a quote inside an unquoted field, text after a closing
 * quote, an unterminated quote, more than max_fields fields) are reported
 * one by one: ss_csv_next returns SS_EPARSE with the line and column and
 * skips to the start of the next row, so the caller can go on.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"

struct ss_csv {
	const char *p;		 /* next unread byte */
	const char *end;	 /* end of the buffer */
	const char *start;	 /* start of the buffer (for columns) */
	long line;		 /* 1-based line number of the next row */
	long row_line;		 /* line number where the current row started */
	struct ss_slice *fields; /* the current row's fields, owned */
	size_t n;		 /* fields in the current row */
	size_t cap;		 /* fields allocated */
	size_t max_fields;	 /* ceiling on fields per row (default 4096) */
	struct ss_buf scratch;	 /* unescaped field bytes, owned */
};

/* Starts reading buf[0..len); first_line is the line number of its first byte. */
void ss_csv_init(struct ss_csv *c, const char *buf, size_t len, long first_line);
void ss_csv_release(struct ss_csv *c);

/*
 * Reads the next row into c->fields / c->n. Returns 1 when a row was read,
 * 0 at the end of the buffer, SS_EPARSE for a malformed row (err gets the
 * line, column and reason; the reader has moved past that row), SS_ETOOBIG
 * when a row's unescaped fields exceed the scratch ceiling (64 MiB; skipped
 * likewise). A malformed row ends where quote parity ends it: at the first
 * LF after an even number of quotes, or at the end of the buffer. Empty
 * lines are rows with one empty field; callers skip them as they like. A
 * buffer ending just after a LF holds no further (empty) row. A CR before
 * the row's LF, or at the very end of the buffer, is not part of the last
 * field. Column numbers are 1-based bytes within the line.
 */
int ss_csv_next(struct ss_csv *c, struct ss_error *err);

/*
 * Length of the longest prefix of p[0..len) made of whole rows, p being at
 * the start of a row: the prefix ends just after a row's terminating LF.
 * With at_eof, a last row without a final LF counts as whole too (even one
 * with an unterminated quote, which ss_csv_next then reports). Returns 0 when
 * no whole row is there yet. Stores the number of LFs inside the prefix
 * (those inside quoted fields too) in *lines (may be NULL), so callers can
 * keep line numbers across chunks.
 */
size_t ss_csv_whole_rows(const char *p, size_t len, bool at_eof, long *lines);

/* Index of the field equal to name (ASCII case-insensitive) in the current row, or -1. */
long ss_csv_find(const struct ss_csv *c, const char *name);

#endif
