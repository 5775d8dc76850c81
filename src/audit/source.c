/* source.c - audit inputs: directory walk, decompression, BOM / UTF-16LE, format detection, chunking. */
#include "audit/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/text.h"

#define RAW_BLOCK	   ((size_t)1 << 20)
#define DEFAULT_CHUNK	   ((size_t)4 << 20)
#define DEFAULT_MAX_RECORD ((size_t)16 << 20)

enum codec {
	CODEC_PLAIN,
	CODEC_GZIP,
	CODEC_ZSTD
};

struct ss_audit_reader {
	char *path;		  /* for messages, owned */
	int fd;			  /* input, -1 when reading memory */
	const unsigned char *mem; /* memory input (ss_audit_reader_open_mem), borrowed */
	size_t memlen, mempos;	  /* its length and how much was read */
	bool close_fd;		  /* fd is ours */
	bool stream;		  /* a pipe or terminal: chunks are cut from what has arrived */
	enum codec codec;	  /* from the magic number */
	z_stream z;		  /* gzip state */
	bool z_live;		  /* z initialised */
	bool z_end;		  /* the last gzip member ended cleanly */
	ZSTD_DStream *zs;	  /* zstd state */
	size_t zs_last;		  /* last ZSTD_decompressStream result (0: frame complete) */
	unsigned char *raw;	  /* raw (compressed) bytes */
	size_t raw_len;		  /* valid bytes in raw */
	size_t raw_pos;		  /* consumed bytes of raw */
	bool raw_eof;		  /* the file is read to its end */
	unsigned char *dec;	  /* decompressed block */
	bool enc_known;		  /* BOM looked at */
	bool utf16;		  /* UTF-16LE input */
	unsigned char u16[4];	  /* UTF-16 bytes carried to the next block */
	size_t u16n;		  /* how many */
	struct ss_buf text;	  /* decoded text not yet handed out; starts on a record boundary */
	bool eof;		  /* no more text will come */
	enum ss_audit_format fmt;
	long line;		  /* line number of text[0] */
	bool csv_header;	  /* CSV header consumed */
	int csv_col;		  /* AuditData column */
	size_t csv_ncols;	  /* header columns */
	int top;		  /* ARRAY: 0 between arrays, 1 inside the top-level array */
	bool broken;		  /* a fatal error was returned */
	struct ss_error deferred; /* a break found while text was still to be handed out */
	int deferred_rc;	  /* its code, 0 when none */
	struct ss_audit_reader_opts o;
	uint64_t raw_bytes; /* bytes read from the file */
};

void ss_audit_chunk_release(struct ss_audit_chunk *c)
{
	free(c->data);
	free(c->spans);
	memset(c, 0, sizeof(*c));
}

const char *ss_audit_format_name(enum ss_audit_format f)
{
	switch (f) {
	case SS_FMT_NDJSON: return "ndjson";
	case SS_FMT_ARRAY: return "json-array";
	case SS_FMT_CSV: return "csv";
	default: return "unknown";
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *dir, struct ss_strv *out, int depth, struct ss_error *err)
{
	DIR *d;
	struct dirent *e;
	struct ss_strv names;
	size_t i;
	int rc = 0;

	if (depth > 64)
		return ss_error_set(err, SS_EINVAL, "directories nested too deeply under '%s'", dir);
	d = opendir(dir);
	if (!d) {
		rc = ss_error_set(err, SS_EIO, "cannot open directory: %s", strerror(errno));
		ss_error_at(err, dir, 0, 0);
		return rc;
	}
	ss_strv_init(&names);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		ss_strv_pushf(&names, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (i = 0; i < names.n && !rc; i++) {
		struct stat stt;
		if (stat(names.v[i], &stt) != 0)
			continue; /* vanished or a dangling link: nothing to read */
		if (S_ISDIR(stt.st_mode))
			rc = walk(names.v[i], out, depth + 1, err);
		else if (S_ISREG(stt.st_mode))
			ss_strv_push(out, names.v[i]);
	}
	ss_strv_release(&names);
	return rc;
}

int ss_audit_expand(char *const *paths, size_t n, struct ss_strv *out, struct ss_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		struct stat stt;
		if (strcmp(paths[i], "-") == 0) {
			ss_strv_push(out, "-");
			continue;
		}
		if (stat(paths[i], &stt) != 0) {
			rc = ss_error_set(err, SS_ENOENT, "cannot read: %s", strerror(errno));
			ss_error_at(err, paths[i], 0, 0);
			return rc;
		}
		if (S_ISDIR(stt.st_mode)) {
			size_t len = strlen(paths[i]);
			char *p = ss_xstrdup(paths[i]);
			while (len > 1 && p[len - 1] == '/')
				p[--len] = '\0';
			rc = walk(p, out, 0, err);
			free(p);
			if (rc)
				return rc;
		} else {
			ss_strv_push(out, paths[i]);
		}
	}
	return 0;
}

static int fail(struct ss_audit_reader *r, struct ss_error *err, int code, long line, const char *fmt,
		const char *detail)
{
	int rc = ss_error_set(err, code, fmt, detail);

	ss_error_at(err, r->path, line, 0);
	r->broken = true;
	return rc;
}

/* A break at the end of the input: what came before is handed out first, then the error. */
static int defer(struct ss_audit_reader *r, const char *msg)
{
	ss_error_clear(&r->deferred);
	r->deferred_rc = ss_error_set(&r->deferred, SS_EPARSE, "%s", msg);
	ss_error_at(&r->deferred, r->path, 0, 0);
	r->eof = true;
	return 0;
}

/* The end of the input: 0, or the deferred break (with its line) once everything is handed out. */
static int at_end(struct ss_audit_reader *r, struct ss_error *err)
{
	if (!r->deferred_rc)
		return 0;
	if (err) {
		*err = r->deferred;
		err->line = r->line;
	}
	r->broken = true;
	return r->deferred_rc;
}

int ss_audit_reader_open(const char *path, const struct ss_audit_reader_opts *opts,
			 struct ss_audit_reader **out, struct ss_error *err)
{
	struct ss_audit_reader *r = ss_xcalloc(1, sizeof(*r));

	*out = NULL;
	if (opts)
		r->o = *opts;
	if (!r->o.max_record)
		r->o.max_record = DEFAULT_MAX_RECORD;
	if (!r->o.chunk)
		r->o.chunk = DEFAULT_CHUNK;
	if (r->o.line < 1)
		r->o.line = 1;
	r->path = ss_xstrdup(strcmp(path, "-") == 0 ? "(stdin)" : path);
	if (strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			int rc = ss_error_set(err, SS_EIO, "cannot open: %s", strerror(errno));
			ss_error_at(err, path, 0, 0);
			free(r->path);
			free(r);
			return rc;
		}
		r->close_fd = true;
		if (r->o.offset && lseek(r->fd, (off_t)r->o.offset, SEEK_SET) < 0) {
			int rc = ss_error_set(err, SS_EIO, "cannot seek: %s", strerror(errno));
			ss_error_at(err, path, 0, 0);
			close(r->fd);
			free(r->path);
			free(r);
			return rc;
		}
		posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	{
		struct stat stt;
		r->stream = fstat(r->fd, &stt) == 0 && !S_ISREG(stt.st_mode);
	}
	r->line = r->o.line;
	r->raw = ss_xmalloc(RAW_BLOCK);
	ss_buf_init(&r->text, ss_add_sz(ss_add_sz(r->o.chunk, r->o.max_record), RAW_BLOCK * 4));
	*out = r;
	return 0;
}

int ss_audit_reader_open_mem(const void *data, size_t len, const char *name,
			     const struct ss_audit_reader_opts *opts, struct ss_audit_reader **out)
{
	struct ss_audit_reader *r = ss_xcalloc(1, sizeof(*r));

	if (opts)
		r->o = *opts;
	if (!r->o.max_record)
		r->o.max_record = DEFAULT_MAX_RECORD;
	if (!r->o.chunk)
		r->o.chunk = DEFAULT_CHUNK;
	r->o.offset = 0;
	r->o.line = 1;
	r->line = 1;
	r->fd = -1;
	r->mem = data;
	r->memlen = len;
	r->path = ss_xstrdup(name);
	r->raw = ss_xmalloc(RAW_BLOCK);
	ss_buf_init(&r->text, ss_add_sz(ss_add_sz(r->o.chunk, r->o.max_record), RAW_BLOCK * 4));
	*out = r;
	return 0;
}

void ss_audit_reader_close(struct ss_audit_reader *r)
{
	if (!r)
		return;
	if (r->close_fd)
		close(r->fd);
	if (r->z_live)
		inflateEnd(&r->z);
	if (r->zs)
		ZSTD_freeDStream(r->zs);
	free(r->raw);
	free(r->dec);
	ss_buf_release(&r->text);
	free(r->path);
	free(r);
}

/* Reads more raw bytes (keeping unconsumed ones); sets raw_eof at the end of the file. */
static int read_raw(struct ss_audit_reader *r, struct ss_error *err)
{
	ssize_t k;

	if (r->raw_pos > 0) {
		memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
		r->raw_len -= r->raw_pos;
		r->raw_pos = 0;
	}
	while (r->raw_len < RAW_BLOCK) {
		if (r->mem) {
			size_t take = r->memlen - r->mempos;
			if (take > RAW_BLOCK - r->raw_len)
				take = RAW_BLOCK - r->raw_len;
			memcpy(r->raw + r->raw_len, r->mem + r->mempos, take);
			r->mempos += take;
			k = (ssize_t)take;
		} else {
			k = read(r->fd, r->raw + r->raw_len, RAW_BLOCK - r->raw_len);
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return fail(r, err, SS_EIO, 0, "read error: %s", strerror(errno));
		if (k == 0) {
			r->raw_eof = true;
			break;
		}
		r->raw_len += (size_t)k;
		r->raw_bytes += (uint64_t)k;
		if (r->codec != CODEC_PLAIN || r->raw_len >= 4)
			break;
	}
	return 0;
}

/* Appends decoded text: BOM handling and UTF-16LE transcoding happen here. */
static int put_text(struct ss_audit_reader *r, const unsigned char *p, size_t n, struct ss_error *err)
{
	if (!r->enc_known) {
		if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
			p += 3;
			n -= 3;
		} else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
			r->utf16 = true;
			p += 2;
			n -= 2;
		}
		r->enc_known = true;
	}
	if (!r->utf16) {
		if (ss_buf_add(&r->text, p, n))
			return fail(r, err, SS_ETOOBIG, r->line, "%s", "text buffer over its limit");
		return 0;
	}
	/* UTF-16LE: transcode whole code units; carry an odd byte or a high surrogate. */
	while (n > 0) {
		unsigned char tmp[4096 + 4];
		size_t take = n > 4096 ? 4096 : n, m = r->u16n;
		memcpy(tmp, r->u16, m);
		memcpy(tmp + m, p, take);
		m += take;
		p += take;
		n -= take;
		r->u16n = m % 2;
		m -= r->u16n;
		if (m >= 2) {
			unsigned u = (unsigned)tmp[m - 2] | ((unsigned)tmp[m - 1] << 8);
			if (u >= 0xD800 && u <= 0xDBFF) {
				m -= 2;
				r->u16n += 2;
			}
		}
		memcpy(r->u16, tmp + m, r->u16n);
		if (ss_utf16le_to_utf8(&r->text, tmp, m))
			return fail(r, err, SS_EPARSE, r->line, "%s", "invalid UTF-16LE text");
	}
	return 0;
}

/* Plain UTF-8 past its first block: read straight into the text buffer, saving a copy. */
static int read_direct(struct ss_audit_reader *r, struct ss_error *err)
{
	ssize_t k;

	if (ss_buf_grow(&r->text, RAW_BLOCK + 1))
		return fail(r, err, SS_ETOOBIG, r->line, "%s", "text buffer over its limit");
	do {
		k = read(r->fd, r->text.ptr + r->text.len, RAW_BLOCK);
	} while (k < 0 && errno == EINTR);
	if (k < 0)
		return fail(r, err, SS_EIO, 0, "read error: %s", strerror(errno));
	if (k == 0) {
		r->raw_eof = true;
		r->eof = true;
		return 0;
	}
	r->text.len += (size_t)k;
	r->text.ptr[r->text.len] = '\0';
	r->raw_bytes += (uint64_t)k;
	return 0;
}

static int decode_more(struct ss_audit_reader *r, struct ss_error *err)
{
	int rc;

	if (r->codec == CODEC_PLAIN && r->enc_known && !r->utf16 && !r->mem && r->raw_pos >= r->raw_len &&
	    !r->raw_eof)
		return read_direct(r, err);

	if (r->raw_pos >= r->raw_len && !r->raw_eof) {
		rc = read_raw(r, err);
		if (rc)
			return rc;
	}
	if (r->codec == CODEC_PLAIN) {
		rc = put_text(r, r->raw + r->raw_pos, r->raw_len - r->raw_pos, err);
		r->raw_pos = r->raw_len;
		if (!rc && r->raw_eof) {
			if (r->utf16 && r->u16n)
				return fail(r, err, SS_EPARSE, r->line, "%s",
					    "UTF-16LE text ends mid-character");
			r->eof = true;
		}
		return rc;
	}
	if (!r->dec)
		r->dec = ss_xmalloc(RAW_BLOCK);
	if (r->codec == CODEC_GZIP) {
		int zr;
		if (r->raw_pos >= r->raw_len && r->raw_eof) {
			r->eof = true;
			if (!r->z_end)
				return defer(
					r,
					"truncated gzip stream (unexpected end of file): the records before "
					"this line were read");
			return 0;
		}
		if (r->z_end) {
			/* Another gzip member follows (concatenated .gz files). */
			inflateReset(&r->z);
			r->z_end = false;
		}
		r->z.next_in = r->raw + r->raw_pos;
		r->z.avail_in = (uInt)(r->raw_len - r->raw_pos);
		r->z.next_out = r->dec;
		r->z.avail_out = (uInt)RAW_BLOCK;
		zr = inflate(&r->z, Z_NO_FLUSH);
		r->raw_pos = r->raw_len - r->z.avail_in;
		if (zr == Z_STREAM_END)
			r->z_end = true;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return fail(r, err, SS_EPARSE, r->line, "corrupt gzip stream: %s",
				    r->z.msg ? r->z.msg : "data error");
		return put_text(r, r->dec, RAW_BLOCK - r->z.avail_out, err);
	}
	/* zstd */
	{
		ZSTD_inBuffer in = {r->raw + r->raw_pos, r->raw_len - r->raw_pos, 0};
		ZSTD_outBuffer outb = {r->dec, RAW_BLOCK, 0};
		size_t zr;
		if (in.size == 0 && r->raw_eof) {
			r->eof = true;
			if (r->zs_last != 0)
				return defer(
					r,
					"truncated zstd stream (unexpected end of file): the records before "
					"this line were read");
			return 0;
		}
		zr = ZSTD_decompressStream(r->zs, &outb, &in);
		r->raw_pos += in.pos;
		if (ZSTD_isError(zr))
			return fail(r, err, SS_EPARSE, r->line, "corrupt zstd stream: %s",
				    ZSTD_getErrorName(zr));
		r->zs_last = zr;
		return put_text(r, r->dec, outb.pos, err);
	}
}

static int start(struct ss_audit_reader *r, struct ss_error *err)
{
	int rc = read_raw(r, err);

	if (rc)
		return rc;
	if (r->raw_len >= 2 && r->raw[0] == 0x1f && r->raw[1] == 0x8b) {
		r->codec = CODEC_GZIP;
		if (inflateInit2(&r->z, 15 + 32) != Z_OK)
			ss_die("zlib: cannot initialise");
		r->z_live = true;
	} else if (r->raw_len >= 4 && r->raw[0] == 0x28 && r->raw[1] == 0xb5 && r->raw[2] == 0x2f &&
		   r->raw[3] == 0xfd) {
		r->codec = CODEC_ZSTD;
		r->zs = ZSTD_createDStream();
		if (!r->zs)
			ss_die("zstd: cannot initialise");
		ZSTD_initDStream(r->zs);
		r->zs_last = 1;
	}
	return 0;
}

/* Decodes until text holds at least want bytes or the input ends. */
static int fill(struct ss_audit_reader *r, size_t want, struct ss_error *err)
{
	int rc;

	while (r->text.len < want && !r->eof) {
		size_t before = r->text.len;
		rc = decode_more(r, err);
		if (rc)
			return rc;
		/* a pipe: hand out what has come rather than wait for a whole chunk */
		if (r->stream && r->text.len > before)
			break;
	}
	return 0;
}

static size_t count_lf(const char *p, size_t n)
{
	size_t c = 0;
	const char *end = p + n;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

/* The last LF of p[0..n), or NULL (memrchr is not standard C). */
static const char *last_lf(const char *p, size_t n)
{
	while (n > 0) {
		if (p[n - 1] == '\n')
			return p + n - 1;
		n--;
	}
	return NULL;
}

/* Drops the first n bytes of text (they were consumed without being handed out). */
static void drop(struct ss_audit_reader *r, size_t n)
{
	memmove(r->text.ptr, r->text.ptr + n, r->text.len - n);
	r->text.len -= n;
	if (r->text.ptr)
		r->text.ptr[r->text.len] = '\0';
}

/* Hands text[0..cut) out as a chunk: the buffer itself, with the rest copied to a new one. */
static void emit(struct ss_audit_reader *r, struct ss_audit_chunk *c, size_t cut)
{
	size_t rest = r->text.len - cut, len;
	struct ss_buf nb;
	char *data;

	ss_buf_init(&nb, r->text.max);
	if (rest && ss_buf_add(&nb, r->text.ptr + cut, rest))
		SS_BUG("remainder over the buffer ceiling");
	r->text.len = cut;
	data = ss_buf_detach(&r->text, &len);
	ss_buf_release(&r->text);
	r->text = nb;
	c->kind = SS_CHUNK_RECORDS;
	c->format = r->fmt;
	c->data = data;
	c->len = cut;
	c->line = r->line;
	c->csv_col = r->csv_col;
	c->csv_ncols = r->csv_ncols;
	r->line += (long)count_lf(data, cut);
}

static int detect(struct ss_audit_reader *r, struct ss_error *err)
{
	size_t i = 0;
	int rc;

	for (;;) {
		while (i < r->text.len && (r->text.ptr[i] == ' ' || r->text.ptr[i] == '\t' ||
					   r->text.ptr[i] == '\r' || r->text.ptr[i] == '\n'))
			i++;
		if (i < r->text.len || r->eof)
			break;
		rc = fill(r, r->text.len + RAW_BLOCK, err);
		if (rc)
			return rc;
	}
	if (i >= r->text.len) {
		r->fmt = SS_FMT_NDJSON; /* empty input: nothing to read */
		return 0;
	}
	r->fmt = r->text.ptr[i] == '[' ? SS_FMT_ARRAY : r->text.ptr[i] == '{' ? SS_FMT_NDJSON : SS_FMT_CSV;
	return 0;
}

/* CSV: skips "#TYPE ..." and reads the header row. 1 when done, 0 when more text is needed. */
static int csv_header(struct ss_audit_reader *r, struct ss_error *err)
{
	struct ss_csv csv;
	struct ss_error e2;
	size_t whole;
	long lines = 0;
	int rc;

	if (r->text.len >= 1 && r->text.ptr[0] == '#') {
		const char *nl = memchr(r->text.ptr, '\n', r->text.len);
		if (!nl && !r->eof)
			return 0;
		drop(r, nl ? (size_t)(nl - r->text.ptr) + 1 : r->text.len);
		r->line++;
	}
	whole = ss_csv_whole_rows(r->text.ptr ? r->text.ptr : "", r->text.len, r->eof, &lines);
	if (whole == 0 && !r->eof)
		return 0;
	ss_csv_init(&csv, r->text.ptr ? r->text.ptr : "", whole, r->line);
	ss_error_clear(&e2);
	rc = ss_csv_next(&csv, &e2);
	if (rc != 1) {
		ss_csv_release(&csv);
		return fail(r, err, SS_EPARSE, r->line, "%s",
			    "not an audit export: no JSON and no CSV header row");
	}
	r->csv_col = (int)ss_csv_find(&csv, "AuditData");
	r->csv_ncols = csv.n;
	{
		size_t used = (size_t)(csv.p - csv.start);
		long hl = csv.line;
		ss_csv_release(&csv);
		if (r->csv_col < 0)
			return fail(
				r, err, SS_EPARSE, r->line, "%s",
				"not an audit export: no JSON, and no 'AuditData' column in the CSV header");
		drop(r, used);
		r->line = hl;
	}
	r->csv_header = true;
	return 1;
}

/*
 * ARRAY: finds the whole elements of the top-level array(s) in text and
 * records their spans in c. Returns the cut (bytes of text fully handed
 * out). *bad is set when text holds something that is not an array.
 */
static size_t array_scan(struct ss_audit_reader *r, struct ss_audit_chunk *c, bool *bad, size_t *cap)
{
	const char *s = r->text.ptr;
	size_t n = r->text.len, i = 0, cut = 0, es = 0;
	long line = 0, eline = 0;
	int depth = 0;
	bool in_elem = false, in_str = false, esc = false;

	*bad = false;
	while (i < n) {
		char ch = s[i];
		if (!in_elem) {
			if (ch == '\n') {
				line++;
			} else if (ch == ' ' || ch == '\t' || ch == '\r') {
				/* blank */
			} else if (r->top == 0) {
				if (ch != '[') {
					*bad = true;
					return cut;
				}
				r->top = 1;
				cut = i + 1;
			} else if (ch == ',') {
				cut = i + 1;
			} else if (ch == ']') {
				r->top = 0;
				cut = i + 1;
			} else {
				in_elem = true;
				es = i;
				eline = line;
				depth = 0;
				in_str = false;
				esc = false;
				continue; /* the element's first byte is scanned below */
			}
			i++;
			continue;
		}
		if (in_str) {
			if (esc) {
				esc = false;
			} else if (ch == '\\') {
				esc = true;
			} else if (ch == '"') {
				in_str = false;
			} else if (ch == '\n') {
				line++;
			}
			i++;
			if (!in_str && depth == 0)
				goto element_end;
			continue;
		}
		if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0) {
				/* a scalar element ended by the array's close */
				goto element_end_here;
			}
			depth--;
			if (depth == 0) {
				i++;
				goto element_end;
			}
		} else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')) {
			goto element_end_here;
		} else if (ch == '\n') {
			line++;
		}
		i++;
		continue;
	element_end_here:
		/*
		 * The element is s[es..i); the byte at i is looked at again outside it.
		 * A stray '}' where an element should start is an element of its own
		 * (one byte, which the record parser rejects), so the scan always moves.
		 */
		if (i == es)
			i++;
	element_end:
		if (c->nspans == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			c->spans = ss_xrealloc(c->spans, ss_mul_sz(*cap, sizeof(*c->spans)));
		}
		c->spans[c->nspans++] = (struct ss_span){(uint32_t)es, (uint32_t)(i - es), (uint32_t)eline};
		in_elem = false;
		cut = i;
	}
	if (in_elem && r->eof) {
		/* a truncated last element: handed out so its parse error names it */
		if (c->nspans == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			c->spans = ss_xrealloc(c->spans, ss_mul_sz(*cap, sizeof(*c->spans)));
		}
		c->spans[c->nspans++] = (struct ss_span){(uint32_t)es, (uint32_t)(n - es), (uint32_t)eline};
		cut = n;
	}
	return cut;
}

static int next_array(struct ss_audit_reader *r, struct ss_audit_chunk *c, struct ss_error *err)
{
	size_t want = r->o.chunk, cap = 0, cut;
	bool bad;
	int rc;

	for (;;) {
		rc = fill(r, want, err);
		if (rc)
			return rc;
		c->nspans = 0;
		cut = array_scan(r, c, &bad, &cap);
		if (bad && cut == 0 && c->nspans == 0) {
			free(c->spans);
			c->spans = NULL;
			return fail(r, err, SS_EPARSE, r->line, "%s",
				    "text after the end of the JSON array (trailing garbage)");
		}
		if (c->nspans > 0) {
			/* on `bad`, the garbage after these is reported by the next call */
			struct ss_span *spans = c->spans;
			size_t ns = c->nspans;
			emit(r, c, cut);
			c->spans = spans;
			c->nspans = ns;
			return 1;
		}
		free(c->spans);
		c->spans = NULL;
		if (cut > 0)
			drop(r, cut);
		if (r->eof) {
			if (r->deferred_rc || r->top == 0)
				return at_end(r, err);
			return fail(r, err, SS_EPARSE, r->line, "%s",
				    "the JSON array is not closed (truncated file?)");
		}
		if (r->text.len >= r->o.max_record)
			return fail(
				r, err, SS_ETOOBIG, r->line,
				"a record of the JSON array is longer than the limit (%s); the rest of the "
				"file is skipped",
				"--max-record");
		want = r->text.len + r->o.chunk;
	}
}

/* Skips a record over the limit: to the next LF (outside quotes for CSV). */
static int skip_oversize(struct ss_audit_reader *r, struct ss_audit_chunk *c, struct ss_error *err)
{
	long line = r->line;
	size_t skipped = 0;
	bool odd = false; /* CSV: inside quotes */
	int rc;

	for (;;) {
		size_t i;
		for (i = 0; i < r->text.len; i++) {
			char ch = r->text.ptr[i];
			if (r->fmt == SS_FMT_CSV && ch == '"')
				odd = !odd;
			else if (ch == '\n') {
				r->line++;
				if (!odd)
					break;
			}
		}
		if (i < r->text.len) {
			skipped += i + 1;
			drop(r, i + 1);
			break;
		}
		skipped += r->text.len;
		r->text.len = 0;
		if (r->eof)
			break;
		rc = fill(r, r->o.chunk, err);
		if (rc)
			return rc;
	}
	memset(c, 0, sizeof(*c));
	c->kind = SS_CHUNK_OVERSIZE;
	c->format = r->fmt;
	c->line = line;
	c->skipped = skipped;
	return 1;
}

int ss_audit_reader_next(struct ss_audit_reader *r, struct ss_audit_chunk *c, struct ss_error *err)
{
	size_t want = r->o.chunk, cut;
	int rc;

	memset(c, 0, sizeof(*c));
	if (r->broken)
		return SS_EINVAL;
	if (r->fmt == SS_FMT_UNKNOWN) {
		rc = start(r, err);
		if (!rc)
			rc = detect(r, err);
		if (rc)
			return rc;
	}
	if (r->fmt == SS_FMT_ARRAY)
		return next_array(r, c, err);
	if (r->fmt == SS_FMT_CSV && !r->csv_header) {
		for (;;) {
			rc = csv_header(r, err);
			if (rc < 0)
				return rc;
			if (rc == 1)
				break;
			if (r->eof)
				return at_end(r, err);
			if (r->text.len >= r->o.max_record)
				return fail(r, err, SS_ETOOBIG, r->line, "%s",
					    "the CSV header row is too long");
			rc = fill(r, r->text.len + r->o.chunk, err);
			if (rc)
				return rc;
		}
	}
	for (;;) {
		rc = fill(r, want, err);
		if (rc)
			return rc;
		if (r->text.len == 0 && r->eof)
			return at_end(r, err);
		if (r->fmt == SS_FMT_CSV) {
			long rows = 0;
			cut = ss_csv_whole_rows(r->text.ptr, r->text.len, r->eof, &rows);
		} else {
			const char *nl = r->eof ? NULL : last_lf(r->text.ptr, r->text.len);
			cut = r->eof ? r->text.len : nl ? (size_t)(nl - r->text.ptr) + 1 : 0;
		}
		if (cut > 0) {
			emit(r, c, cut);
			return 1;
		}
		if (r->text.len >= r->o.max_record)
			return skip_oversize(r, c, err);
		want = r->text.len + r->o.chunk;
	}
}

enum ss_audit_format ss_audit_reader_format(const struct ss_audit_reader *r)
{
	return r->fmt;
}

const char *ss_audit_reader_codec(const struct ss_audit_reader *r)
{
	return r->codec == CODEC_GZIP ? "gzip" : r->codec == CODEC_ZSTD ? "zstd" : "plain";
}

const char *ss_audit_reader_encoding(const struct ss_audit_reader *r)
{
	return r->utf16 ? "utf-16le" : "utf-8";
}

uint64_t ss_audit_reader_raw_bytes(const struct ss_audit_reader *r)
{
	return r->raw_bytes;
}

long ss_audit_reader_line(const struct ss_audit_reader *r)
{
	return r->line;
}
