/* source.h - audit inputs: paths expanded, decompressed, decoded, detected and cut into chunks of whole records. */
#ifndef SS_AUDIT_SOURCE_H
#define SS_AUDIT_SOURCE_H

/*
 * An input is a file, or "-" for standard input. Its bytes go through three
 * layers: decompression chosen by magic number (gzip via zlib, zstd via
 * libzstd, else plain), text decoding (a UTF-8 BOM is dropped, a UTF-16LE
 * BOM makes the rest transcoded to UTF-8), and format detection on the
 * first non-blank byte: '[' a Management Activity API content blob (a JSON
 * array of records; several arrays one after another are accepted), '{'
 * newline-delimited JSON, anything else a CSV export whose AuditData column
 * holds the record (a leading "#TYPE ..." line is skipped).
 *
 * The reader hands out chunks of about 4 MiB that end on a record boundary,
 * so workers can parse chunks independently. Records longer than the limit
 * (default 16 MiB) are not buffered: the reader skips them and hands out a
 * chunk of kind SS_CHUNK_OVERSIZE naming the line, so the caller can report
 * it and go on.
 *
 * A reader is used from one thread; chunks it hands out are owned by the
 * caller and may be processed on any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strv.h"

enum ss_audit_format {
	SS_FMT_UNKNOWN = 0,
	SS_FMT_NDJSON, /* one record per line */
	SS_FMT_ARRAY,  /* content blob: [ {...}, {...} ] */
	SS_FMT_CSV,    /* an export with an AuditData column */
};

enum ss_chunk_kind {
	SS_CHUNK_RECORDS = 0, /* data holds whole records */
	SS_CHUNK_OVERSIZE,    /* a record over the limit was skipped at `line` */
};

/* A span of one record inside a chunk (JSON array elements). */
struct ss_span {
	uint32_t off;  /* offset in the chunk */
	uint32_t len;  /* length */
	uint32_t line; /* line of its first byte, relative to the chunk's line (0 = same line) */
};

struct ss_audit_chunk {
	enum ss_chunk_kind kind;     /* what this chunk is */
	enum ss_audit_format format; /* how to read data */
	char *data;		     /* decoded UTF-8 text, owned (free()) */
	size_t len;		     /* its length */
	long line;		     /* 1-based line of data[0] in the input (after decoding) */
	int csv_col;		     /* CSV: index of the AuditData column */
	size_t csv_ncols;	     /* CSV: columns in the header */
	struct ss_span *spans;	     /* ARRAY: the records, owned (free()) */
	size_t nspans;		     /* ARRAY: how many */
	size_t skipped;		     /* OVERSIZE: bytes of the record skipped */
};

/* Frees a chunk's data and spans (not the struct itself). */
void ss_audit_chunk_release(struct ss_audit_chunk *c);

/*
 * Expands paths into input files: a directory contributes every regular file
 * below it (recursively, hidden files skipped, sorted by path), "-" is kept.
 * Fails with SS_ENOENT naming a path that does not exist.
 */
int ss_audit_expand(char *const *paths, size_t n, struct ss_strv *out, struct ss_error *err);

struct ss_audit_reader;

struct ss_audit_reader_opts {
	size_t max_record; /* longest record accepted (0: 16 MiB) */
	size_t chunk;	   /* target chunk size (0: 4 MiB) */
	uint64_t offset;   /* start reading at this byte of a plain file (incremental append) */
	long line;	   /* the line number at offset (1 when offset is 0) */
};

/* Opens path ("-" = stdin). Errors name the file. *out is owned; close with ss_audit_reader_close. */
int ss_audit_reader_open(const char *path, const struct ss_audit_reader_opts *opts,
			 struct ss_audit_reader **out, struct ss_error *err);
void ss_audit_reader_close(struct ss_audit_reader *r);

/*
 * The same over data[0..len) (borrowed until the reader is closed), named
 * name in messages: a downloaded content blob, or a fuzzer's input.
 */
int ss_audit_reader_open_mem(const void *data, size_t len, const char *name,
			     const struct ss_audit_reader_opts *opts, struct ss_audit_reader **out);

/*
 * Fills *c with the next chunk. Returns 1 for a chunk, 0 at the end of the
 * input, or a negative code when the input breaks (a truncated or corrupt
 * .gz/.zst, a read error, bad UTF-16, a CSV without an AuditData column):
 * err names the file and where; every whole record before the break has
 * been handed out already, and the reader must not be read again.
 */
int ss_audit_reader_next(struct ss_audit_reader *r, struct ss_audit_chunk *c, struct ss_error *err);

/* What the reader found: format, codec ("plain", "gzip", "zstd"), encoding ("utf-8", "utf-16le"). */
enum ss_audit_format ss_audit_reader_format(const struct ss_audit_reader *r);
const char *ss_audit_reader_codec(const struct ss_audit_reader *r);
const char *ss_audit_reader_encoding(const struct ss_audit_reader *r);
/* Raw bytes read from the file so far (compressed size for .gz/.zst). */
uint64_t ss_audit_reader_raw_bytes(const struct ss_audit_reader *r);
/* The line number after the last byte handed out. */
long ss_audit_reader_line(const struct ss_audit_reader *r);

const char *ss_audit_format_name(enum ss_audit_format f);

#endif
