/* snapshot.c - reading, hashing and parsing a snapshot directory on worker threads. */
#include "snapshot/snapshot.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/hash.h"
#include "snapshot/csvdoc.h"
#include "snapshot/scuba.h"

#define SNAPSHOT_FILE_MAX ((size_t)2 << 30)
#define MAX_WORKERS	  8

static const char *const subdirs[] = {"graph",	 "exchange", "sharepoint", "teams",
				      "purview", "defender", "dns",	   "msol"};

/* Work shared by the loader threads: each takes the next document index. */
struct load_job {
	struct ss_snapshot *s;
	atomic_size_t next;
	pthread_mutex_t lock;
	int rc;		     /* first error */
	struct ss_error err; /* its details */
};

/*
 * A snapshot document is an object, an array, or a Graph collection whose
 * "value" is an array; anything else is a wrong type, named with its place.
 */
static int check_shape(const struct ss_snapdoc *d, const char *path, struct ss_error *err)
{
	ss_jv root = ss_json_root(&d->json), value;
	enum ss_jtype t = ss_json_type(&d->json, root);
	long line, col;

	if (t != SS_JOBJECT && t != SS_JARRAY) {
		ss_json_position(&d->json, root, &line, &col);
		ss_error_set(err, SS_EINVAL, "expected an object or an array of objects");
		ss_error_at(err, path, line, col);
		return SS_EINVAL;
	}
	value = ss_json_get(&d->json, root, "value");
	if (t == SS_JOBJECT && value != SS_JNONE && ss_json_type(&d->json, value) != SS_JARRAY) {
		ss_json_position(&d->json, value, &line, &col);
		ss_error_set(err, SS_EINVAL, "a Graph collection's value must be an array");
		ss_error_at(err, path, line, col);
		ss_error_field(err, "value");
		return SS_EINVAL;
	}
	return 0;
}

/* CSV exports are read only where the layout has them: msol/Get-MsolUser.csv. */
static bool is_csv(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".csv") == 0;
}

/* Parses a CSV document: its rows become JSON (d->conv) that the tape parser reads like any file. */
static int load_csv(struct ss_snapdoc *d, struct ss_error *err)
{
	struct ss_buf b;
	size_t len;
	int rc;

	/*
	 * Member names repeat on every row, so a sparse export (Get-MsolUser has
	 * ~60 columns, most cells empty) grows several times over; 16 times the
	 * CSV leaves room for real files while a hostile header still hits it.
	 */
	ss_buf_init(&b, ss_add_sz(ss_mul_sz(d->len, 16), (size_t)1 << 20));
	rc = ss_csvdoc_to_json(d->data, d->len, &b, err);
	if (rc) {
		ss_buf_release(&b);
		return rc;
	}
	d->conv = ss_buf_detach(&b, &len);
	/* Well-formed by construction; only the parser's own limits can refuse it. */
	return ss_json_parse(&d->json, d->conv, len, err);
}

static void load_one(struct load_job *job, struct ss_snapdoc *d)
{
	struct ss_error err;
	struct ss_buf path;
	struct ss_sha256 *h;
	int rc;

	ss_error_clear(&err);
	ss_buf_init(&path, 8192);
	ss_buf_printf(&path, "%s/%s", job->s->dir, d->name);
	rc = ss_file_read(path.ptr, SNAPSHOT_FILE_MAX, &d->data, &d->len, &err);
	if (!rc) {
		h = ss_sha256_new();
		ss_sha256_update(h, d->data, d->len);
		ss_sha256_final(h, d->hash);
		if (is_csv(d->name))
			rc = load_csv(d, &err);
		else
			rc = ss_json_parse(&d->json, d->data, d->len, &err);
		if (rc)
			ss_error_at(&err, path.ptr, 0, 0);
		else
			rc = check_shape(d, path.ptr, &err);
	}
	if (rc) {
		pthread_mutex_lock(&job->lock);
		if (!job->rc) {
			job->rc = rc;
			job->err = err;
		}
		pthread_mutex_unlock(&job->lock);
	}
	ss_buf_release(&path);
}

static void *load_worker(void *arg)
{
	struct load_job *job = arg;
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->s->n_docs)
		load_one(job, &job->s->docs[i]);
	return NULL;
}

static int cmp_docs(const void *a, const void *b)
{
	const struct ss_snapdoc *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static int list_docs(struct ss_snapshot *s, struct ss_error *err)
{
	struct ss_buf path;
	size_t i, cap = 0;
	int rc = 0;

	ss_buf_init(&path, 8192);
	for (i = 0; i < SS_ARRAY_LEN(subdirs) && !rc; i++) {
		DIR *d;
		struct dirent *e;
		ss_buf_clear(&path);
		ss_buf_printf(&path, "%s/%s", s->dir, subdirs[i]);
		d = opendir(path.ptr);
		if (!d)
			continue;
		while ((e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			bool json = len >= 6 && strcmp(e->d_name + len - 5, ".json") == 0;
			bool csv = strcmp(subdirs[i], "msol") == 0 && len >= 5 &&
				   strcmp(e->d_name + len - 4, ".csv") == 0;
			if ((!json && !csv) || e->d_name[0] == '.')
				continue;
			if (s->n_docs == cap) {
				cap = cap ? cap * 2 : 32;
				s->docs = ss_xrealloc(s->docs, ss_mul_sz(cap, sizeof(*s->docs)));
			}
			memset(&s->docs[s->n_docs], 0, sizeof(s->docs[0]));
			ss_json_init(&s->docs[s->n_docs].json);
			ss_buf_clear(&path);
			ss_buf_printf(&path, "%s/%s", subdirs[i], e->d_name);
			s->docs[s->n_docs].name = ss_xstrdup(path.ptr);
			s->n_docs++;
		}
		closedir(d);
	}
	ss_buf_release(&path);
	if (s->n_docs)
		qsort(s->docs, s->n_docs, sizeof(*s->docs), cmp_docs);
	(void)err;
	return rc;
}

static int read_manifest(struct ss_snapshot *s, struct ss_error *err)
{
	struct ss_buf path, scratch;
	struct ss_json doc;
	char *data = NULL;
	size_t len;
	ss_jv root, v;
	struct ss_slice str;
	bool ok;
	int rc;

	ss_buf_init(&path, 8192);
	ss_buf_init(&scratch, 1 << 16);
	ss_json_init(&doc);
	ss_buf_printf(&path, "%s/manifest.json", s->dir);
	rc = ss_file_read(path.ptr, 1 << 20, &data, &len, err);
	if (rc)
		goto out;
	rc = ss_json_parse(&doc, data, len, err);
	if (rc) {
		ss_error_at(err, path.ptr, 0, 0);
		goto out;
	}
	root = ss_json_root(&doc);
	v = ss_json_geti(&doc, root, "tenantId");
	str = ss_json_str(&doc, v, &scratch, &ok);
	if (!ok || !str.len) {
		rc = ss_error_set(err, SS_EINVAL, "missing required string");
		ss_error_at(err, path.ptr, 0, 0);
		ss_error_field(err, "tenantId");
		goto out;
	}
	s->tenant_id = ss_xstrndup(str.ptr, str.len);
	v = ss_json_geti(&doc, root, "displayName");
	str = ss_json_str(&doc, v, &scratch, &ok);
	s->display_name = ok && str.len ? ss_xstrndup(str.ptr, str.len) : ss_xstrdup(s->tenant_id);
	v = ss_json_geti(&doc, root, "takenDateTime");
	if (!ss_json_is_none(v)) {
		str = ss_json_str(&doc, v, &scratch, &ok);
		if (!ok || ss_time_parse(str.ptr, str.len, &s->taken) != 0) {
			rc = ss_error_set(err, SS_EINVAL, "not a timestamp");
			ss_error_at(err, path.ptr, 0, 0);
			ss_error_field(err, "takenDateTime");
			goto out;
		}
	} else {
		struct stat st;
		s->taken = stat(path.ptr, &st) == 0 ? (ss_time_ms)st.st_mtime * 1000 : ss_time_now();
	}
out:
	ss_json_release(&doc);
	free(data);
	ss_buf_release(&path);
	ss_buf_release(&scratch);
	return rc;
}

/* A single file: a ScubaGear ProviderSettingsExport.json is a whole snapshot. */
static int open_file(struct ss_snapshot *s, const char *path, struct ss_error *err)
{
	char *data = NULL;
	size_t len;
	int rc = ss_file_read(path, SNAPSHOT_FILE_MAX, &data, &len, err);

	if (rc)
		return rc;
	if (!ss_scuba_detect(data, len)) {
		rc = ss_error_set(
			err, SS_EINVAL,
			"not a snapshot: give a snapshot directory (docs/snapshot.md) or a ScubaGear "
			"ProviderSettingsExport.json");
		ss_error_at(err, path, 0, 0);
	} else {
		rc = ss_scuba_load(s, data, len, err);
		if (!rc && s->n_docs)
			qsort(s->docs, s->n_docs, sizeof(*s->docs), cmp_docs);
	}
	free(data);
	return rc;
}

int ss_snapshot_open(struct ss_snapshot *s, const char *dir, struct ss_error *err)
{
	struct load_job job;
	pthread_t threads[MAX_WORKERS];
	size_t nthreads, i, started = 0;
	struct ss_sha256 *h;
	long cores;
	int rc;

	memset(s, 0, sizeof(*s));
	s->dir = ss_xstrdup(dir);
	if (ss_file_exists(dir)) {
		rc = open_file(s, dir, err);
		goto out;
	}
	if (!ss_dir_exists(dir)) {
		rc = ss_error_set(err, SS_ENOENT, "not a snapshot directory (see docs/snapshot.md)");
		ss_error_at(err, dir, 0, 0);
		goto out;
	}
	rc = read_manifest(s, err);
	if (rc)
		goto out;
	rc = list_docs(s, err);
	if (rc)
		goto out;

	memset(&job, 0, sizeof(job));
	job.s = s;
	atomic_init(&job.next, 0);
	pthread_mutex_init(&job.lock, NULL);
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = cores > 1 ? (size_t)cores : 1;
	if (nthreads > MAX_WORKERS)
		nthreads = MAX_WORKERS;
	if (nthreads > s->n_docs)
		nthreads = s->n_docs;
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&threads[started], NULL, load_worker, &job) != 0)
			break;
		started++;
	}
	load_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&job.lock);
	if (job.rc) {
		rc = job.rc;
		if (err && !err->code)
			*err = job.err;
		goto out;
	}

	h = ss_sha256_new();
	for (i = 0; i < s->n_docs; i++) {
		ss_sha256_update(h, s->docs[i].name, strlen(s->docs[i].name) + 1);
		ss_sha256_update(h, s->docs[i].hash, 64);
	}
	ss_sha256_final(h, s->hash);
out:
	if (rc)
		ss_snapshot_release(s);
	return rc;
}

void ss_snapshot_release(struct ss_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_docs; i++) {
		free(s->docs[i].name);
		free(s->docs[i].data);
		free(s->docs[i].conv);
		ss_json_release(&s->docs[i].json);
	}
	free(s->docs);
	free(s->dir);
	free(s->tenant_id);
	free(s->display_name);
	memset(s, 0, sizeof(*s));
}

const struct ss_snapdoc *ss_snapshot_doc(const struct ss_snapshot *s, const char *name)
{
	size_t lo = 0, hi = s->n_docs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->docs[mid].name, name);
		if (c == 0)
			return &s->docs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool ss_items_begin(const struct ss_snapshot *s, const char *name, struct ss_items *it)
{
	const struct ss_snapdoc *d = ss_snapshot_doc(s, name);
	ss_jv root, value;

	memset(it, 0, sizeof(*it));
	it->array = SS_JNONE;
	it->single = SS_JNONE;
	it->cur = SS_JNONE;
	if (!d)
		return false;
	it->doc = &d->json;
	root = ss_json_root(&d->json);
	switch (ss_json_type(&d->json, root)) {
	case SS_JARRAY: it->array = root; break;
	case SS_JOBJECT:
		value = ss_json_get(&d->json, root, "value");
		if (ss_json_type(&d->json, value) == SS_JARRAY)
			it->array = value;
		else
			it->single = root;
		break;
	default: break;
	}
	it->n = it->array != SS_JNONE ? ss_json_len(it->doc, it->array) : it->single != SS_JNONE ? 1 : 0;
	return true;
}

ss_jv ss_items_next(struct ss_items *it)
{
	if (it->array != SS_JNONE) {
		it->cur = it->cur == SS_JNONE ? ss_json_first(it->doc, it->array)
					      : ss_json_next(it->doc, it->array, it->cur);
		return it->cur;
	}
	if (it->single != SS_JNONE && it->cur == SS_JNONE) {
		it->cur = it->single;
		return it->cur;
	}
	return SS_JNONE;
}
