/*
 * fuzz_csv.c - libFuzzer target: the CSV reader never crashes, its slices stay in bounds, its line
 * numbers add up, and reading in chunks cut by ss_csv_whole_rows gives the same rows (and the same
 * errors) as reading the whole buffer. The first input byte picks the chunk window size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 64 /* low, so the too-many-fields path is reached */

static struct ss_buf whole_log, chunk_log;

static long count_lf(const char *s, size_t len)
{
	long n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static bool inside(struct ss_slice f, const char *s, size_t len)
{
	return f.len == 0 ? f.ptr != NULL
			  : (s && f.ptr >= s && f.len <= len && f.ptr - s <= (ptrdiff_t)(len - f.len));
}

static void put(struct ss_buf *log, const void *p, size_t n)
{
	if (ss_buf_add(log, p, n))
		abort();
}

static void put_long(struct ss_buf *log, long v)
{
	put(log, &v, sizeof(v));
}

/*
 * Reads every row of buf[0..len) (at offset base of the input, first line
 * first_line) into log, checking the per-row invariants. Returns the line
 * number after the last row.
 */
static long read_all(const char *buf, size_t len, size_t base, long first_line, struct ss_buf *log)
{
	struct ss_csv c;
	struct ss_error err;
	long line;
	int rc;

	ss_csv_init(&c, buf, len, first_line);
	c.max_fields = MAX_FIELDS;
	for (;;) {
		const char *row = c.p;
		long before = c.line;
		size_t i;

		ss_error_clear(&err);
		rc = ss_csv_next(&c, &err);
		if (c.row_line != before)
			abort();
		if (rc == 0) {
			if (c.p != c.end)
				abort();
			break;
		}
		/* Progress, within bounds, with the LFs of the row counted. */
		if (c.p <= row || c.p > c.end)
			abort();
		if (c.line - c.row_line != count_lf(row, (size_t)(c.p - row)))
			abort();
		if (c.p != c.end && c.p[-1] != '\n')
			abort();
		put_long(log, rc);
		put_long(log, c.row_line);
		put_long(log, c.line);
		put_long(log, (long)(base + (size_t)(c.p - buf)));
		if (rc < 0) {
			if (rc != SS_EPARSE || err.code != rc || err.line < c.row_line || err.line > c.line ||
			    err.column < 1 || !err.msg[0])
				abort();
			put_long(log, err.line);
			put_long(log, err.column);
			put(log, err.msg, strlen(err.msg));
			continue;
		}
		if (c.n == 0 || c.n > MAX_FIELDS)
			abort();
		put_long(log, (long)c.n);
		for (i = 0; i < c.n; i++) {
			struct ss_slice f = c.fields[i];
			if (!inside(f, buf, len) && !inside(f, c.scratch.ptr, c.scratch.len))
				abort();
			put_long(log, (long)f.len);
			if (f.len)
				put(log, f.ptr, f.len);
		}
	}
	line = c.line;
	ss_csv_release(&c);
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cut, off, window;
	long lines, line, total = count_lf(s, size);

	if (!whole_log.max) {
		ss_buf_init(&whole_log, (size_t)256 << 20);
		ss_buf_init(&chunk_log, (size_t)256 << 20);
	}
	ss_buf_clear(&whole_log);
	ss_buf_clear(&chunk_log);

	/* The whole buffer, read at once: every LF is counted once. */
	if (read_all(s, size, 0, 1, &whole_log) != 1 + total)
		abort();
	if (ss_csv_whole_rows(s, size, true, &lines) != size || lines != total)
		abort();

	/* The longest whole prefix ends in a LF; it and the rest read like the whole. */
	cut = ss_csv_whole_rows(s, size, false, &lines);
	if (cut > size || (cut && s[cut - 1] != '\n') || lines != count_lf(s, cut))
		abort();
	line = read_all(s, cut, 0, 1, &chunk_log);
	if (line != 1 + lines)
		abort();
	if (read_all(s + cut, size - cut, cut, line, &chunk_log) != 1 + total)
		abort();
	if (chunk_log.len != whole_log.len ||
	    (whole_log.len && memcmp(chunk_log.ptr, whole_log.ptr, whole_log.len)))
		abort();

	/* Small windows that grow until they hold a whole row, as a streaming source reads. */
	ss_buf_clear(&chunk_log);
	window = size ? (size_t)(data[0] % 16) + 1 : 1;
	off = 0;
	line = 1;
	while (off < size) {
		size_t avail = window < size - off ? window : size - off;
		while ((cut = ss_csv_whole_rows(s + off, avail, off + avail == size, &lines)) == 0)
			avail = avail < size - off - avail ? avail * 2 : size - off;
		if (cut > avail || (off + avail < size && s[off + cut - 1] != '\n'))
			abort();
		if (read_all(s + off, cut, off, line, &chunk_log) != line + lines)
			abort();
		line += lines;
		off += cut;
	}
	if (line != 1 + total || chunk_log.len != whole_log.len ||
	    (whole_log.len && memcmp(chunk_log.ptr, whole_log.ptr, whole_log.len)))
		abort();
	return 0;
}
