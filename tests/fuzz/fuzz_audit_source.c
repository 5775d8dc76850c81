/*
 * fuzz_audit_source.c - the audit input reader (decompression, BOM / UTF-16LE, format detection,
 * chunking of NDJSON, content blobs and CSV) on arbitrary bytes. Besides memory safety it checks
 * that chunking does not change what is read: the input is read twice, with tiny chunks and
 * with the default ones, and both must yield the same sequence of records (with their lines).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/record.h"
#include "audit/source.h"
#include "base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXREC 4096

struct seen {
	uint64_t h;    /* running hash of the record sequence */
	size_t n;      /* records */
	bool oversize; /* a record over the limit was met: chunking may legitimately differ */
	int end;       /* the reader's last result */
};

static uint64_t mixin(uint64_t h, const char *p, size_t n, long line)
{
	size_t i;

	h ^= (uint64_t)line * 0x9e3779b97f4a7c15ull;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h * 31 + n;
}

static void record(struct seen *s, struct ss_audit_rec *rec, const char *p, size_t n, long line)
{
	if (n > MAXREC) {
		s->oversize = true;
		return;
	}
	s->h = mixin(s->h, p, n, line);
	s->n++;
	(void)ss_audit_rec_parse(rec, p, n, NULL);
}

static void read_all(const uint8_t *data, size_t size, size_t chunk, struct seen *s, struct ss_audit_rec *rec)
{
	struct ss_audit_reader_opts o = {.max_record = MAXREC, .chunk = chunk};
	struct ss_audit_reader *r;
	struct ss_audit_chunk c;
	struct ss_csv csv;
	int got;

	memset(s, 0, sizeof(*s));
	ss_audit_reader_open_mem(data, size, "fuzz", &o, &r);
	while ((got = ss_audit_reader_next(r, &c, NULL)) > 0) {
		if (c.kind == SS_CHUNK_OVERSIZE) {
			s->oversize = true;
		} else if (c.format == SS_FMT_NDJSON) {
			const char *p = c.data, *end = c.data + c.len;
			long line = c.line;
			if (c.len == 0)
				abort();
			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
				if (n)
					record(s, rec, p, n, line);
				line++;
				p = nl ? nl + 1 : end;
			}
		} else if (c.format == SS_FMT_ARRAY) {
			size_t i;
			for (i = 0; i < c.nspans; i++) {
				if ((size_t)c.spans[i].off + c.spans[i].len > c.len)
					abort();
				record(s, rec, c.data + c.spans[i].off, c.spans[i].len,
				       c.line + (long)c.spans[i].line);
			}
		} else if (c.format == SS_FMT_CSV) {
			int rc;
			ss_csv_init(&csv, c.data, c.len, c.line);
			while ((rc = ss_csv_next(&csv, NULL)) != 0) {
				if (rc < 0) {
					s->h = mixin(s->h, "bad", 3, csv.row_line);
					continue;
				}
				if ((size_t)c.csv_col < csv.n)
					record(s, rec, csv.fields[c.csv_col].ptr, csv.fields[c.csv_col].len,
					       csv.row_line);
			}
			ss_csv_release(&csv);
		}
		ss_audit_chunk_release(&c);
	}
	s->end = got;
	ss_audit_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_audit_rec rec;
	struct seen a, b;

	ss_audit_rec_init(&rec);
	read_all(data, size, 7, &a, &rec);
	read_all(data, size, 0, &b, &rec);
	ss_audit_rec_release(&rec);
	if (a.oversize || b.oversize || a.end < 0 || b.end < 0)
		return 0; /* where a limit or a break cut the input, the chunk size may move the cut */
	if (a.h != b.h || a.n != b.n)
		abort();
	return 0;
}
