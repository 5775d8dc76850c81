/* ingest.c - the audit pipeline: reader, worker pool, dedup, batch commits, incremental inputs, progress. */
#include "ingest/ingest.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/acc.h"
#include "audit/dedup.h"
#include "audit/source.h"
#include "base/alloc.h"
#include "base/csv.h"
#include "base/hash.h"
#include "base/strv.h"
#include "base/text.h"
#include "store/audit_store.h"
#include "store/finding_store.h"

#define QUEUE_MAX   8
#define BATCH_BYTES ((uint64_t)256 << 20)
#define HASH_SPAN   ((size_t)64 << 10)

struct job {
	struct ss_audit_chunk chunk; /* owned */
	uint32_t input;		     /* input index */
	uint64_t seq;		     /* order of the chunk in the whole pass */
};

struct input {
	char *path;			/* as given (for messages), owned */
	char *key;			/* absolute path (store key), owned; NULL for stdin */
	struct ss_audit_input_row row;	/* what we will store */
	struct ss_audit_input_row prev; /* what the store had */
	bool had_prev;			/* prev is valid */
	const char *skipped;		/* "unchanged" when not read */
	uint64_t offset;		/* read from this byte (appended) */
	uint64_t bytes;			/* raw bytes read */
	char *error;			/* the input broke: message, owned */
	bool finished;			/* read to its end, waiting for the commit */
};

struct outbuf {
	uint64_t seq;	 /* chunk sequence */
	struct ss_buf b; /* output */
	bool used;	 /* slot holds output */
};

struct pass {
	const struct ss_ingest_opts *o;
	struct ss_dedup *dedup;
	struct ss_store loader; /* connection used by the dedup loader */
	bool loader_open;
	pthread_mutex_t lock;	 /* guards queue, active, outputs */
	pthread_cond_t has_job;	 /* a job was queued, or stop */
	pthread_cond_t has_room; /* a job was taken */
	pthread_cond_t idle;	 /* a worker finished a job */
	struct job queue[QUEUE_MAX];
	size_t qhead, qlen;
	unsigned active; /* jobs being processed */
	bool stop;
	struct ss_acc *accs;	     /* one per worker */
	struct ss_detect **dets;     /* one per worker, when detections are on */
	struct ss_rules_state **rst; /* one per worker, when rules are on */
	unsigned nworkers;
	struct ss_error worker_err; /* the first fatal worker error (dedup loader) */
	int worker_rc;
	uint64_t records_done; /* records parsed (progress), atomic */
	/* grep output, written in chunk order */
	struct outbuf outs[QUEUE_MAX * 4 + 8];
	uint64_t next_out; /* next sequence to write */
	pthread_cond_t out_room;
};

static int loader(void *ctx, int32_t day, struct ss_dedup_day *d, struct ss_error *err)
{
	struct pass *p = ctx;

	if (!p->loader_open)
		return 0;
	return ss_store_audit_load_ids(&p->loader, p->o->tenant, day, d, err);
}

static void reject(struct ss_acc *acc, uint32_t input, long line, long column, const struct ss_error *e)
{
	char reason[900];

	if (e->field[0])
		snprintf(reason, sizeof(reason), "field '%s': %s", e->field, e->msg);
	else
		snprintf(reason, sizeof(reason), "%s", e->msg[0] ? e->msg : ss_strerror(e->code));
	ss_acc_reject(acc, input, line, column, reason);
}

/*
 * Appends a valid JSON text on one line: line breaks (and the blanks of a
 * pretty-printed record) outside strings are dropped; strings cannot hold
 * raw line breaks, so NDJSON output stays one record per line.
 */
static void add_compact(struct ss_buf *out, const char *s, size_t len)
{
	size_t i, from = 0;
	bool in_str = false, esc = false;

	if (!memchr(s, '\n', len) && !memchr(s, '\r', len)) {
		ss_buf_add(out, s, len);
		return;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			ss_buf_add(out, s + from, i - from);
			from = i + 1;
		}
	}
	ss_buf_add(out, s + from, len - from);
}

/* The index of the worker that owns acc (each worker has its own accumulator). */
static size_t worker_ix(const struct pass *p, const struct ss_acc *acc)
{
	return (size_t)(acc - p->accs);
}

/* One record: parse, dedup, account; grep writes it when it matches. */
static void one(struct pass *p, struct ss_acc *acc, struct ss_detect *det, struct ss_audit_rec *rec,
		uint32_t input, const char *text, size_t len, long line, long col_base, struct ss_buf *out)
{
	struct ss_error e;
	unsigned char key[16];
	int32_t day;
	uint8_t verdict = SS_DEDUP_NEW;
	int rc;

	ss_error_clear(&e);
	if (len > (p->o->max_record ? p->o->max_record : ((size_t)16 << 20))) {
		/* the reader cuts at record ends, so a long record can reach us whole: same verdict */
		ss_error_set(&e, SS_ETOOBIG, "record longer than the limit (%zu bytes skipped)", len);
		reject(acc, input, line, 0, &e);
		return;
	}
	rc = ss_audit_rec_parse(rec, text, len, &e);
	if (rc) {
		long l = e.line > 0 ? line + e.line - 1 : line;
		long c = e.column > 0 ? (e.line <= 1 ? col_base + e.column - 1 : e.column) : 0;
		reject(acc, input, l, c, &e);
		return;
	}
	if (p->o->dedup) {
		ss_audit_key(rec->id, text, len, key);
		day = ss_acc_day(rec->time);
		rc = ss_dedup_check(p->dedup, 1, &day, (const unsigned char(*)[16])key, &verdict, &e);
		if (rc) {
			pthread_mutex_lock(&p->lock);
			if (!p->worker_rc) {
				p->worker_rc = rc;
				p->worker_err = e;
			}
			pthread_mutex_unlock(&p->lock);
			return;
		}
	}
	if (verdict == SS_DEDUP_DUP) {
		acc->duplicates++;
		ss_acc_input(acc, input)->duplicates++;
		return;
	}
	if (verdict == SS_DEDUP_OLD) {
		acc->old++;
		ss_acc_input(acc, input)->old++;
		return;
	}
	ss_acc_record(acc, input, rec);
	if (det)
		ss_detect_record(det, rec);
	if (p->rst)
		ss_rules_feed(p->o->rules, p->rst[worker_ix(p, acc)], rec);
	if (p->o->match && out && p->o->match(p->o->match_ctx, rec)) {
		add_compact(out, text, len);
		ss_buf_addc(out, '\n');
	}
}

static void trim_cr(const char *s, size_t *len)
{
	while (*len && (s[*len - 1] == '\r' || s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
}

static void run_job(struct pass *p, struct ss_acc *acc, struct ss_detect *det, struct ss_audit_rec *rec,
		    struct ss_csv *csvp, struct job *j, struct ss_buf *out)
{
	struct ss_audit_chunk *c = &j->chunk;
	uint64_t n0 = acc->records + acc->duplicates + acc->old + acc->rejected;

	if (c->kind == SS_CHUNK_OVERSIZE) {
		struct ss_error e;
		ss_error_clear(&e);
		ss_error_set(&e, SS_ETOOBIG, "record longer than the limit (%zu bytes skipped)", c->skipped);
		reject(acc, j->input, c->line, 0, &e);
		return;
	}
	if (c->format == SS_FMT_NDJSON) {
		const char *s = c->data, *end = c->data + c->len;
		long line = c->line;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
			size_t k = 0;
			trim_cr(s, &len);
			while (k < len && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k < len)
				one(p, acc, det, rec, j->input, s + k, len - k, line, (long)k + 1, out);
			line++;
			s = nl ? nl + 1 : end;
		}
	} else if (c->format == SS_FMT_ARRAY) {
		size_t i;
		for (i = 0; i < c->nspans; i++) {
			const struct ss_span *sp = &c->spans[i];
			one(p, acc, det, rec, j->input, c->data + sp->off, sp->len, c->line + (long)sp->line,
			    0, out);
		}
	} else if (c->format == SS_FMT_CSV) {
		struct ss_error e;
		int rc;
		ss_csv_init(csvp, c->data, c->len, c->line);
		for (;;) {
			ss_error_clear(&e);
			rc = ss_csv_next(csvp, &e);
			if (rc == 0)
				break;
			if (rc < 0) {
				ss_acc_input(acc, j->input)->rows++;
				reject(acc, j->input, e.line, e.column, &e);
				continue;
			}
			if (csvp->n == 1 && csvp->fields[0].len == 0)
				continue; /* a blank line */
			ss_acc_input(acc, j->input)->rows++;
			if ((size_t)c->csv_col >= csvp->n) {
				ss_error_set(&e, SS_EPARSE,
					     "row has %zu columns; AuditData is column %d of %zu", csvp->n,
					     c->csv_col + 1, c->csv_ncols);
				ss_error_field(&e, "AuditData");
				reject(acc, j->input, csvp->row_line, 0, &e);
				continue;
			}
			{
				struct ss_slice f = csvp->fields[c->csv_col];
				/* jansson-like errors inside the cell are reported at the row's line */
				one(p, acc, det, rec, j->input, f.ptr ? f.ptr : "", f.len, csvp->row_line, 0,
				    out);
			}
		}
		ss_csv_release(csvp);
	}
	__atomic_add_fetch(&p->records_done, acc->records + acc->duplicates + acc->old + acc->rejected - n0,
			   __ATOMIC_RELAXED);
}

struct worker_arg {
	struct pass *p;
	unsigned ix;
};

/* Writes finished grep outputs in chunk order (lock held). */
static void flush_outputs(struct pass *p)
{
	bool progress = true;

	while (progress) {
		size_t k;
		progress = false;
		for (k = 0; k < SS_ARRAY_LEN(p->outs); k++) {
			if (p->outs[k].used && p->outs[k].seq == p->next_out) {
				if (p->outs[k].b.len)
					fwrite(p->outs[k].b.ptr, 1, p->outs[k].b.len, p->o->out);
				ss_buf_release(&p->outs[k].b);
				p->outs[k].used = false;
				p->next_out++;
				progress = true;
			}
		}
	}
	pthread_cond_broadcast(&p->out_room);
}

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct pass *p = wa->p;
	struct ss_acc *acc = &p->accs[wa->ix];
	struct ss_detect *det = p->dets ? p->dets[wa->ix] : NULL;
	struct ss_audit_rec rec;
	struct ss_csv csv;
	struct ss_buf out;

	ss_audit_rec_init(&rec);
	for (;;) {
		struct job j;
		pthread_mutex_lock(&p->lock);
		while (!p->qlen && !p->stop)
			pthread_cond_wait(&p->has_job, &p->lock);
		if (!p->qlen && p->stop) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		j = p->queue[p->qhead];
		p->qhead = (p->qhead + 1) % QUEUE_MAX;
		p->qlen--;
		p->active++;
		pthread_cond_signal(&p->has_room);
		pthread_mutex_unlock(&p->lock);

		ss_buf_init(&out, (size_t)1 << 34);
		run_job(p, acc, det, &rec, &csv, &j, p->o->match ? &out : NULL);
		ss_audit_chunk_release(&j.chunk);

		pthread_mutex_lock(&p->lock);
		if (p->o->match) {
			size_t k;
			for (;;) {
				/* the chunk whose turn it is never waits for a slot */
				if (j.seq == p->next_out)
					break;
				for (k = 0; k < SS_ARRAY_LEN(p->outs) && p->outs[k].used; k++)
					;
				if (k < SS_ARRAY_LEN(p->outs))
					break;
				pthread_cond_wait(&p->out_room, &p->lock);
			}
			if (j.seq == p->next_out) {
				if (out.len)
					fwrite(out.ptr, 1, out.len, p->o->out);
				ss_buf_release(&out);
				p->next_out++;
			} else {
				p->outs[k].seq = j.seq;
				p->outs[k].b = out;
				p->outs[k].used = true;
			}
			flush_outputs(p);
		} else {
			ss_buf_release(&out);
		}
		p->active--;
		pthread_cond_broadcast(&p->idle);
		pthread_mutex_unlock(&p->lock);
	}
	ss_audit_rec_release(&rec);
	return NULL;
}

static void push(struct pass *p, struct job *j)
{
	pthread_mutex_lock(&p->lock);
	while (p->qlen == QUEUE_MAX)
		pthread_cond_wait(&p->has_room, &p->lock);
	p->queue[(p->qhead + p->qlen) % QUEUE_MAX] = *j;
	p->qlen++;
	pthread_cond_signal(&p->has_job);
	pthread_mutex_unlock(&p->lock);
}

static void wait_idle(struct pass *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->qlen || p->active)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

struct ids_ctx {
	struct ss_store *st;
	int64_t tenant;
	struct ss_error *err;
};

static int put_ids(void *ctx, int32_t day, const unsigned char *keys, size_t n)
{
	struct ids_ctx *c = ctx;

	return ss_store_audit_put_ids(c->st, c->tenant, day, keys, n, c->err);
}

static void hash_range(int fd, uint64_t off, size_t len, char out[65])
{
	struct ss_sha256 *h = ss_sha256_new();
	unsigned char *buf = ss_xmalloc(len ? len : 1);
	ssize_t k = len ? pread(fd, buf, len, (off_t)off) : 0;

	if (k > 0)
		ss_sha256_update(h, buf, (size_t)k);
	ss_sha256_final(h, out);
	free(buf);
}

static int drain_discard(void *ctx, int32_t day, const unsigned char *keys, size_t n)
{
	(void)ctx;
	(void)day;
	(void)keys;
	(void)n;
	return 0;
}

/* Waits for the workers, merges their state and writes the batch in one transaction. */
static int commit(struct pass *p, struct ss_acc *run, struct input *ins, size_t nin, struct ss_error *err)
{
	struct ss_acc batch;
	size_t i;
	int rc = 0;

	wait_idle(p);
	if (p->worker_rc) {
		*err = p->worker_err;
		return p->worker_rc;
	}
	ss_acc_init(&batch);
	for (i = 0; i < p->nworkers; i++) {
		ss_acc_merge(&batch, &p->accs[i]);
		ss_acc_reset(&p->accs[i]);
	}
	ss_acc_merge(run, &batch);
	if (p->o->st) {
		struct ids_ctx ic = {p->o->st, p->o->tenant, err};
		rc = ss_store_audit_begin(p->o->st, err);
		if (!rc)
			rc = ss_dedup_drain(p->dedup, put_ids, &ic);
		if (!rc)
			rc = ss_store_audit_put_acc(p->o->st, p->o->tenant, &batch, err);
		for (i = 0; i < nin && !rc; i++) {
			struct input *in = &ins[i];
			struct ss_acc_input *ai;
			if (!in->finished || !in->key)
				continue;
			ai = ss_acc_input(run, (uint32_t)i);
			in->row.rows = (in->offset && in->had_prev ? in->prev.rows : 0) + (int64_t)ai->rows;
			in->row.records = (in->had_prev ? in->prev.records : 0) + (int64_t)ai->records;
			in->row.duplicates =
				(in->had_prev ? in->prev.duplicates : 0) + (int64_t)ai->duplicates;
			in->row.rejected = (in->had_prev ? in->prev.rejected : 0) + (int64_t)ai->rejected;
			rc = ss_store_audit_put_input(p->o->st, p->o->tenant, &in->row, err);
			in->finished = false;
		}
		if (!rc)
			rc = ss_store_audit_commit(p->o->st, err);
		if (rc)
			ss_store_audit_rollback(p->o->st);
	} else {
		/* without a store the new keys need not be kept apart for writing */
		ss_dedup_drain(p->dedup, drain_discard, NULL);
	}
	ss_acc_release(&batch);
	if (!rc && p->o->st)
		ss_dedup_trim(p->dedup, p->o->memory ? p->o->memory : ((size_t)1 << 30));
	return rc;
}

static void progress_draw(struct pass *p, double t0, uint64_t done, uint64_t total, bool last)
{
	double el = ss_time_monotonic() - t0, rate = el > 0 ? (double)done / el : 0;
	uint64_t recs = __atomic_load_n(&p->records_done, __ATOMIC_RELAXED);
	int pct = total ? (int)(done * 100 / (total ? total : 1)) : 0;
	char bar[31];
	int k, fill = pct > 100 ? 30 : pct * 30 / 100;

	for (k = 0; k < 30; k++)
		bar[k] = k < fill ? '=' : ' ';
	bar[30] = '\0';
	if (total && rate > 0 && done < total) {
		double eta = (double)(total - done) / rate;
		fprintf(stderr, "\r[%s] %3d%% %.1f/%.1f MB  %.0f records/s  ETA %d:%02d ", bar, pct,
			done / 1e6, total / 1e6, el > 0 ? recs / el : 0, (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "\r[%s] %3d%% %.1f MB  %.0f records/s          ", bar, pct, done / 1e6,
			el > 0 ? recs / el : 0);
	}
	if (last)
		fputs("\n", stderr);
	fflush(stderr);
}

/* Decides how to read an input with the store's memory of it: skip, append, or read whole. */
static int plan_input(struct pass *p, struct input *in, struct ss_error *err)
{
	struct stat stt;
	char real[PATH_MAX];
	int fd, rc;
	bool found = false;

	if (strcmp(in->path, "-") == 0)
		return 0;
	if (stat(in->path, &stt) != 0 || !realpath(in->path, real))
		return 0; /* the reader reports it */
	in->key = ss_xstrdup(real);
	snprintf(in->row.path, sizeof(in->row.path), "%s", real);
	in->row.size = (int64_t)stt.st_size;
	in->row.mtime = (int64_t)stt.st_mtim.tv_sec * 1000000000 + stt.st_mtim.tv_nsec;
	fd = open(in->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (p->o->st) {
		rc = ss_store_audit_get_input(p->o->st, p->o->tenant, real, &in->prev, &found, err);
		if (rc) {
			close(fd);
			return rc;
		}
	}
	in->had_prev = found;
	if (found) {
		/* the head as the last run saw it: at most the bytes it had read */
		char head[65];
		uint64_t c = (uint64_t)(in->prev.consumed > 0 ? in->prev.consumed : 0);
		hash_range(fd, 0, c < HASH_SPAN ? (size_t)c : HASH_SPAN, head);
		found = strcmp(in->prev.head, head) == 0;
	}
	if (found) {
		if (in->prev.size == in->row.size && in->prev.mtime == in->row.mtime &&
		    in->prev.consumed == in->row.size) {
			in->skipped = "unchanged";
		} else if (strcmp(in->prev.codec, "plain") == 0 && strcmp(in->prev.format, "ndjson") == 0 &&
			   strcmp(in->prev.encoding, "utf-8") == 0 && in->row.size > in->prev.consumed &&
			   in->prev.consumed > 0) {
			char tail[65];
			uint64_t c = (uint64_t)in->prev.consumed;
			uint64_t from = c > HASH_SPAN ? c - HASH_SPAN : 0;
			hash_range(fd, from, (size_t)(c - from), tail);
			if (strcmp(tail, in->prev.tail) == 0)
				in->offset = c;
		}
	}
	close(fd);
	return 0;
}

static void finish_input(struct input *in, struct ss_audit_reader *r)
{
	int fd;
	uint64_t c;

	in->bytes = ss_audit_reader_raw_bytes(r);
	snprintf(in->row.format, sizeof(in->row.format), "%s",
		 ss_audit_format_name(ss_audit_reader_format(r)));
	snprintf(in->row.codec, sizeof(in->row.codec), "%s", ss_audit_reader_codec(r));
	snprintf(in->row.encoding, sizeof(in->row.encoding), "%s", ss_audit_reader_encoding(r));
	c = in->offset + in->bytes;
	in->row.consumed = (int64_t)c;
	in->row.lines = ss_audit_reader_line(r);
	if (!in->key)
		return;
	fd = open(in->key, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		uint64_t from = c > HASH_SPAN ? c - HASH_SPAN : 0;
		hash_range(fd, 0, c < HASH_SPAN ? (size_t)c : HASH_SPAN, in->row.head);
		hash_range(fd, from, (size_t)(c - from), in->row.tail);
		close(fd);
	}
	in->finished = !in->error;
}

static json_t *time_json(ss_time_ms t)
{
	char buf[32];

	if (!t)
		return json_null();
	ss_time_format(t, buf);
	return json_string(buf);
}

/* A JSON string of a file name: bytes that are not UTF-8 (names are bytes on Linux) become \xNN. */
static json_t *name_json(const char *s)
{
	struct ss_buf b;
	json_t *j;

	if (ss_utf8_valid((const unsigned char *)s, strlen(s)))
		return json_string(s);
	ss_buf_init(&b, (size_t)1 << 20);
	ss_text_terminal(&b, s, strlen(s));
	j = json_string(ss_buf_cstr(&b));
	ss_buf_release(&b);
	return j ? j : json_string("?");
}

static json_t *summary_doc(struct ss_acc *run, struct input *ins, size_t nin, uint64_t bytes, double secs)
{
	json_t *doc = json_object(), *inputs = json_array(), *rejects = json_array(),
	       *warnings = json_array();
	size_t i;

	json_object_set_new(doc, "records", json_integer((json_int_t)run->records));
	json_object_set_new(doc, "duplicates", json_integer((json_int_t)run->duplicates));
	json_object_set_new(doc, "already_ingested", json_integer((json_int_t)run->old));
	json_object_set_new(doc, "rejected", json_integer((json_int_t)run->rejected));
	json_object_set_new(doc, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(doc, "seconds", json_real(secs));
	json_object_set_new(doc, "first", time_json(run->first));
	json_object_set_new(doc, "last", time_json(run->last));
	json_object_set_new(doc, "users", json_integer((json_int_t)run->nusers));
	for (i = 0; i < nin; i++) {
		struct input *in = &ins[i];
		struct ss_acc_input *ai = ss_acc_input(run, (uint32_t)i);
		json_t *o = json_pack(
			"{s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", name_json(in->path),
			"format", in->row.format[0] ? in->row.format : "unknown", "codec",
			in->row.codec[0] ? in->row.codec : "plain", "encoding",
			in->row.encoding[0] ? in->row.encoding : "utf-8", "bytes", (json_int_t)in->bytes,
			"records", (json_int_t)ai->records, "duplicates", (json_int_t)ai->duplicates,
			"already_ingested", (json_int_t)ai->old, "rejected", (json_int_t)ai->rejected);
		if (strcmp(in->row.format, "csv") == 0)
			json_object_set_new(o, "rows", json_integer((json_int_t)ai->rows));
		if (in->skipped)
			json_object_set_new(o, "skipped", json_string(in->skipped));
		if (in->offset)
			json_object_set_new(o, "resumed_at_byte", json_integer((json_int_t)in->offset));
		if (in->error)
			json_object_set_new(o, "error", json_string(in->error));
		json_array_append_new(inputs, o);
		if (strcmp(in->row.format, "csv") == 0 && !in->offset &&
		    (ai->rows == 5000 || ai->rows == 10000 || ai->rows == 50000)) {
			char msg[4300];
			snprintf(msg, sizeof(msg),
				 "%s has exactly %llu rows: the export was probably truncated at the tool's "
				 "limit "
				 "(Search-UnifiedAuditLog returns at most 5,000 per call, 50,000 per "
				 "session; the "
				 "portal exports at most 50,000)",
				 in->path, (unsigned long long)ai->rows);
			json_array_append_new(warnings, name_json(msg));
		}
		if (in->error) {
			char msg[5000];
			snprintf(msg, sizeof(msg), "%s: %s", in->path, in->error);
			json_array_append_new(warnings, name_json(msg));
		}
	}
	for (i = 0; i < run->nrejects; i++) {
		const struct ss_acc_reject *rj = &run->rejects[i];
		json_array_append_new(rejects,
				      json_pack("{s:o, s:I, s:I, s:s}", "file",
						name_json(ins[rj->input].path), "line", (json_int_t)rj->line,
						"column", (json_int_t)rj->column, "reason", rj->reason));
	}
	json_object_set_new(doc, "inputs", inputs);
	json_object_set_new(doc, "rejects", rejects);
	json_object_set_new(doc, "warnings", warnings);
	return doc;
}

int ss_ingest_run(char *const *paths, size_t n, const struct ss_ingest_opts *o, json_t **summary,
		  struct ss_error *err)
{
	struct pass p;
	struct ss_strv files;
	struct input *ins = NULL;
	struct worker_arg *args = NULL;
	pthread_t *tids = NULL;
	struct ss_acc run;
	uint64_t seq = 0, batch_bytes = 0, total = 0, batch_max = BATCH_BYTES, raw_done = 0;
	double t0 = ss_time_monotonic(), last_draw = 0;
	const char *env;
	size_t i;
	unsigned k;
	int rc = 0;

	*summary = NULL;
	memset(&p, 0, sizeof(p));
	p.o = o;
	ss_strv_init(&files);
	ss_acc_init(&run);
	rc = ss_audit_expand(paths, n, &files, err);
	if (rc)
		goto out_early;
	env = getenv("SECSCORE_BATCH_BYTES"); /* test knob: small batches for the kill test */
	if (env && *env) {
		char *end;
		unsigned long long v = strtoull(env, &end, 10);
		if (!*end && v > 0)
			batch_max = v;
	}
	if (o->st) {
		rc = ss_store_open(&p.loader, o->st->path, false, err);
		if (rc)
			goto out_early;
		p.loader_open = true;
	}
	p.dedup = ss_dedup_new(loader, &p);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.has_job, NULL);
	pthread_cond_init(&p.has_room, NULL);
	pthread_cond_init(&p.idle, NULL);
	pthread_cond_init(&p.out_room, NULL);
	p.nworkers = o->threads;
	if (!p.nworkers) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		p.nworkers = nc > 0 ? (unsigned)nc : 1;
	}
	if (p.nworkers > 256)
		p.nworkers = 256;
	p.accs = ss_xcalloc(p.nworkers, sizeof(*p.accs));
	for (k = 0; k < p.nworkers; k++)
		ss_acc_init(&p.accs[k]);
	if (o->detect) {
		p.dets = ss_xcalloc(p.nworkers, sizeof(*p.dets));
		for (k = 0; k < p.nworkers; k++)
			p.dets[k] = ss_detect_new(o->detect);
	}
	if (o->rules) {
		p.rst = ss_xcalloc(p.nworkers, sizeof(*p.rst));
		for (k = 0; k < p.nworkers; k++)
			p.rst[k] = ss_rules_state_new(o->rules);
	}
	ins = ss_xcalloc(files.n ? files.n : 1, sizeof(*ins));
	for (i = 0; i < files.n; i++) {
		struct stat stt;
		ins[i].path = ss_xstrdup(files.v[i]);
		if (strcmp(files.v[i], "-") != 0 && stat(files.v[i], &stt) == 0)
			total += (uint64_t)stt.st_size;
	}
	args = ss_xcalloc(p.nworkers, sizeof(*args));
	tids = ss_xcalloc(p.nworkers, sizeof(*tids));
	for (k = 0; k < p.nworkers; k++) {
		args[k] = (struct worker_arg){&p, k};
		if (pthread_create(&tids[k], NULL, worker, &args[k]) != 0)
			ss_die("cannot start a worker thread");
	}

	for (i = 0; i < files.n && !rc; i++) {
		struct input *in = &ins[i];
		struct ss_audit_reader *r = NULL;
		struct ss_audit_reader_opts ro = {0};
		struct ss_error e;
		int got;

		rc = plan_input(&p, in, err);
		if (rc)
			break;
		if (in->skipped) {
			if (in->had_prev) {
				snprintf(in->row.format, sizeof(in->row.format), "%s", in->prev.format);
				snprintf(in->row.codec, sizeof(in->row.codec), "%s", in->prev.codec);
				snprintf(in->row.encoding, sizeof(in->row.encoding), "%s", in->prev.encoding);
			}
			continue;
		}
		ro.max_record = o->max_record;
		ro.offset = in->offset;
		ro.line = in->offset ? (long)in->prev.lines : 1;
		ss_error_clear(&e);
		if (ss_audit_reader_open(in->path, &ro, &r, &e)) {
			in->error = ss_xstrdup(e.msg);
			continue;
		}
		for (;;) {
			struct job j = {0};
			ss_error_clear(&e);
			got = ss_audit_reader_next(r, &j.chunk, &e);
			if (got <= 0)
				break;
			j.input = (uint32_t)i;
			j.seq = seq++;
			batch_bytes += j.chunk.len;
			push(&p, &j);
			if (o->progress && ss_time_monotonic() - last_draw > 0.2) {
				last_draw = ss_time_monotonic();
				progress_draw(&p, t0, raw_done + in->offset + ss_audit_reader_raw_bytes(r),
					      total, false);
			}
			if (batch_bytes >= batch_max ||
			    ss_dedup_bytes(p.dedup) > (o->memory ? o->memory : ((size_t)1 << 30))) {
				rc = commit(&p, &run, ins, i, err);
				batch_bytes = 0;
				if (rc)
					break;
			}
		}
		if (got < 0) {
			char msg[2048];
			if (e.line)
				snprintf(msg, sizeof(msg), "line %ld: %s", e.line, e.msg);
			else
				snprintf(msg, sizeof(msg), "%s", e.msg);
			in->error = ss_xstrdup(msg);
		}
		finish_input(in, r);
		raw_done += in->offset + in->bytes;
		ss_audit_reader_close(r);
	}
	if (!rc)
		rc = commit(&p, &run, ins, files.n, err);
	if (o->progress)
		progress_draw(&p, t0, total, total, true);

	pthread_mutex_lock(&p.lock);
	p.stop = true;
	pthread_cond_broadcast(&p.has_job);
	pthread_mutex_unlock(&p.lock);
	for (k = 0; k < p.nworkers; k++)
		pthread_join(tids[k], NULL);
	if (o->match)
		fflush(o->out);

	{
		uint64_t raw = 0;
		for (i = 0; i < files.n; i++)
			raw += ins[i].bytes;
		*summary = summary_doc(&run, ins, files.n, raw, ss_time_monotonic() - t0);
		/* the dedup set as it ends the pass: what a distinct record costs in memory */
		json_object_set_new(*summary, "dedup_keys",
				    json_integer((json_int_t)ss_dedup_count(p.dedup)));
		json_object_set_new(*summary, "dedup_bytes",
				    json_integer((json_int_t)ss_dedup_bytes(p.dedup)));
	}
	if (!rc && p.dets) {
		/* the detections see the whole pass: merged once, judged once the batches are in the store */
		json_t *found;
		for (k = 1; k < p.nworkers; k++)
			ss_detect_merge(p.dets[0], p.dets[k]);
		found = ss_detect_findings(p.dets[0], o->st, o->tenant);
		if (p.rst) {
			/* the Sigma rules' findings join the C detections' */
			json_t *more;
			for (k = 1; k < p.nworkers; k++)
				ss_rules_merge(o->rules, p.rst[0], p.rst[k]);
			more = ss_rules_findings(o->rules, p.rst[0]);
			json_array_extend(found, more);
			json_decref(more);
		}
		if (o->st) {
			size_t added = 0;
			rc = ss_store_put_findings(o->st, o->tenant, found, &added, err);
			json_object_set_new(*summary, "new_findings", json_integer((json_int_t)added));
		}
		json_object_set_new(*summary, "findings", found);
	}
	if (!rc && o->st) {
		json_t *stored = json_deep_copy(*summary);
		size_t cap = 100;
		/* the run row keeps the first rejects only */
		while (json_array_size(json_object_get(stored, "rejects")) > cap)
			json_array_remove(json_object_get(stored, "rejects"), cap);
		rc = ss_store_audit_put_run(o->st, o->tenant, stored, err);
		json_decref(stored);
	}

	for (k = 0; k < p.nworkers; k++) {
		ss_acc_release(&p.accs[k]);
		if (p.dets)
			ss_detect_free(p.dets[k]);
		if (p.rst)
			ss_rules_state_free(p.rst[k]);
	}
	free(p.accs);
	free(p.dets);
	free(p.rst);
	free(args);
	free(tids);
	for (i = 0; i < files.n; i++) {
		free(ins[i].path);
		free(ins[i].key);
		free(ins[i].error);
	}
	free(ins);
	ss_dedup_free(p.dedup);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.has_job);
	pthread_cond_destroy(&p.has_room);
	pthread_cond_destroy(&p.idle);
	pthread_cond_destroy(&p.out_room);
	for (i = 0; i < SS_ARRAY_LEN(p.outs); i++)
		if (p.outs[i].used)
			ss_buf_release(&p.outs[i].b);
out_early:
	if (p.loader_open)
		ss_store_close(&p.loader);
	ss_acc_release(&run);
	ss_strv_release(&files);
	return rc;
}
