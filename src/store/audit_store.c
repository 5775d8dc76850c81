/* audit_store.c - SQLite tables of the audit log: batches, ids, volumes, users, runs, coverage report. */
#include "store/audit_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/time.h"

int ss_store_audit_begin(struct ss_store *st, struct ss_error *err)
{
	return ss_store_exec(st, "BEGIN IMMEDIATE", err);
}

int ss_store_audit_commit(struct ss_store *st, struct ss_error *err)
{
	return ss_store_exec(st, "COMMIT", err);
}

void ss_store_audit_rollback(struct ss_store *st)
{
	ss_store_exec(st, "ROLLBACK", NULL);
}

static int prep(struct ss_store *st, const char *sql, sqlite3_stmt **s, struct ss_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot use the audit tables");
	return 0;
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

int ss_store_audit_get_input(struct ss_store *st, int64_t tenant, const char *path,
			     struct ss_audit_input_row *out, bool *found, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	*found = false;
	rc = prep(st,
		  "SELECT size, mtime, head_hash, tail_hash, consumed, lines, format, codec, encoding, rows, "
		  "records, duplicates, rejected FROM audit_inputs WHERE tenant = ?1 AND path = ?2",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*found = true;
		snprintf(out->path, sizeof(out->path), "%s", path);
		out->size = sqlite3_column_int64(s, 0);
		out->mtime = sqlite3_column_int64(s, 1);
		copy_col(s, 2, out->head, sizeof(out->head));
		copy_col(s, 3, out->tail, sizeof(out->tail));
		out->consumed = sqlite3_column_int64(s, 4);
		out->lines = sqlite3_column_int64(s, 5);
		copy_col(s, 6, out->format, sizeof(out->format));
		copy_col(s, 7, out->codec, sizeof(out->codec));
		copy_col(s, 8, out->encoding, sizeof(out->encoding));
		out->rows = sqlite3_column_int64(s, 9);
		out->records = sqlite3_column_int64(s, 10);
		out->duplicates = sqlite3_column_int64(s, 11);
		out->rejected = sqlite3_column_int64(s, 12);
	} else if (step != SQLITE_DONE) {
		rc = ss_store_db_error(st, err, "cannot read audit inputs");
	}
	sqlite3_finalize(s);
	return rc;
}

int ss_store_audit_put_input(struct ss_store *st, int64_t tenant, const struct ss_audit_input_row *in,
			     struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	ss_time_format(ss_time_now(), now);
	rc = prep(st,
		  "INSERT OR REPLACE INTO audit_inputs (tenant, path, size, mtime, head_hash, tail_hash, "
		  "consumed, "
		  "lines, format, codec, encoding, rows, records, duplicates, rejected, ingested) VALUES "
		  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, in->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, in->size);
	sqlite3_bind_int64(s, 4, in->mtime);
	sqlite3_bind_text(s, 5, in->head, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, in->tail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 7, in->consumed);
	sqlite3_bind_int64(s, 8, in->lines);
	sqlite3_bind_text(s, 9, in->format, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 10, in->codec, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 11, in->encoding, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 12, in->rows);
	sqlite3_bind_int64(s, 13, in->records);
	sqlite3_bind_int64(s, 14, in->duplicates);
	sqlite3_bind_int64(s, 15, in->rejected);
	sqlite3_bind_text(s, 16, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot record an audit input");
	sqlite3_finalize(s);
	return rc;
}

int ss_store_audit_put_ids(struct ss_store *st, int64_t tenant, int32_t day, const unsigned char *keys,
			   size_t n, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = prep(st,
		  "INSERT INTO audit_ids (tenant, day, seq, n, ids) VALUES (?1, ?2, "
		  "(SELECT coalesce(max(seq), 0) + 1 FROM audit_ids WHERE tenant = ?1 AND day = ?2), ?3, ?4)",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int64(s, 3, (int64_t)n);
	sqlite3_bind_blob64(s, 4, keys, (sqlite3_uint64)n * 16, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot record audit record ids");
	sqlite3_finalize(s);
	return rc;
}

int ss_store_audit_load_ids(struct ss_store *st, int64_t tenant, int32_t day, struct ss_dedup_day *d,
			    struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	rc = prep(st, "SELECT ids FROM audit_ids WHERE tenant = ?1 AND day = ?2 ORDER BY seq", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_int(s, 2, day);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0), i;
		for (i = 0; p && i + 16 <= len; i += 16)
			ss_dedup_day_add_old(d, p + i);
	}
	if (step != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot read audit record ids");
	sqlite3_finalize(s);
	return rc;
}

struct vol_ctx {
	struct ss_store *st;
	sqlite3_stmt *s;
	int64_t tenant;
	int rc;
};

static void put_volume(void *ctx, int32_t day, struct ss_slice workload, struct ss_slice op, uint64_t n)
{
	struct vol_ctx *v = ctx;

	if (v->rc)
		return;
	sqlite3_reset(v->s);
	sqlite3_bind_int64(v->s, 1, v->tenant);
	sqlite3_bind_int(v->s, 2, day);
	sqlite3_bind_text(v->s, 3, workload.ptr, (int)workload.len, SQLITE_TRANSIENT);
	sqlite3_bind_text(v->s, 4, op.ptr, (int)op.len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(v->s, 5, (int64_t)n);
	if (sqlite3_step(v->s) != SQLITE_DONE)
		v->rc = SS_ESTORE;
}

int ss_store_audit_put_acc(struct ss_store *st, int64_t tenant, const struct ss_acc *a, struct ss_error *err)
{
	struct vol_ctx v = {st, NULL, tenant, 0};
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc;

	rc = prep(st,
		  "INSERT INTO audit_volume (tenant, day, workload, operation, records) VALUES (?1, ?2, ?3, "
		  "?4, ?5) "
		  "ON CONFLICT (tenant, day, workload, operation) DO UPDATE SET records = records + "
		  "excluded.records",
		  &v.s, err);
	if (rc)
		return rc;
	ss_acc_volumes(a, put_volume, &v);
	sqlite3_finalize(v.s);
	if (v.rc)
		return ss_store_db_error(st, err, "cannot record audit volumes");
	rc = prep(st,
		  "INSERT INTO audit_users (tenant, upn, service, first_seen, last_seen, last_signin_ok, "
		  "last_signin_fail, records, signins_ok, signins_fail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		  "?8, ?9, "
		  "?10) ON CONFLICT (tenant, upn) DO UPDATE SET service = max(service, excluded.service), "
		  "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, "
		  "excluded.last_seen), "
		  "last_signin_ok = max(last_signin_ok, excluded.last_signin_ok), "
		  "last_signin_fail = max(last_signin_fail, excluded.last_signin_fail), "
		  "records = records + excluded.records, signins_ok = signins_ok + excluded.signins_ok, "
		  "signins_fail = signins_fail + excluded.signins_fail",
		  &s, err);
	if (rc)
		return rc;
	for (i = 0; i < a->nusers && !rc; i++) {
		const struct ss_acc_user *u = &a->users[i];
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, tenant);
		sqlite3_bind_text(s, 2, u->upn, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, u->service);
		sqlite3_bind_int64(s, 4, u->first);
		sqlite3_bind_int64(s, 5, u->last);
		sqlite3_bind_int64(s, 6, u->last_ok);
		sqlite3_bind_int64(s, 7, u->last_fail);
		sqlite3_bind_int64(s, 8, (int64_t)u->records);
		sqlite3_bind_int64(s, 9, (int64_t)u->signins_ok);
		sqlite3_bind_int64(s, 10, (int64_t)u->signins_fail);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = ss_store_db_error(st, err, "cannot record audit user activity");
	}
	sqlite3_finalize(s);
	return rc;
}

int ss_store_audit_put_run(struct ss_store *st, int64_t tenant, json_t *summary, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32], *doc;
	int rc;

	ss_time_format(ss_time_now(), now);
	rc = prep(st,
		  "INSERT INTO audit_runs (tenant, finished, records, duplicates, rejected, summary) "
		  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		  &s, err);
	if (rc)
		return rc;
	doc = json_dumps(summary, JSON_COMPACT);
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, json_integer_value(json_object_get(summary, "records")));
	sqlite3_bind_int64(s, 4, json_integer_value(json_object_get(summary, "duplicates")));
	sqlite3_bind_int64(s, 5, json_integer_value(json_object_get(summary, "rejected")));
	sqlite3_bind_text(s, 6, doc ? doc : "{}", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot record the audit run");
	sqlite3_finalize(s);
	free(doc);
	return rc;
}

static json_t *day_text(int64_t day)
{
	char buf[32];

	ss_time_format_date(day * SS_DAY_MS, buf);
	return json_string(buf);
}

/* Days in [lo, hi] missing from the sorted list days[0..n). */
static json_t *gaps(const int64_t *days, size_t n, int64_t lo, int64_t hi)
{
	json_t *out = json_array();
	size_t i = 0;
	int64_t d;

	for (d = lo; d <= hi && json_array_size(out) < 1000; d++) {
		while (i < n && days[i] < d)
			i++;
		if (i >= n || days[i] != d)
			json_array_append_new(out, day_text(d));
	}
	return out;
}

int ss_store_audit_stats(struct ss_store *st, int64_t tenant, json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	json_t *doc = json_object(), *per_day = json_array(), *wls = json_array(), *inputs = json_array(),
	       *warnings = json_array(), *rejects = json_array();
	int64_t *days = NULL, lo = 0, hi = -1, total = 0;
	size_t ndays = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	/* per day */
	rc = prep(st,
		  "SELECT day, sum(records) FROM audit_volume WHERE tenant = ?1 GROUP BY day ORDER BY day",
		  &s, err);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, tenant);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t d = sqlite3_column_int64(s, 0), n = sqlite3_column_int64(s, 1);
		if (ndays == cap) {
			cap = cap ? cap * 2 : 64;
			days = ss_xrealloc(days, ss_mul_sz(cap, sizeof(*days)));
		}
		days[ndays++] = d;
		total += n;
		json_array_append_new(per_day,
				      json_pack("{s:o, s:I}", "date", day_text(d), "records", (json_int_t)n));
	}
	sqlite3_finalize(s);
	s = NULL;
	if (ndays) {
		lo = days[0];
		hi = days[ndays - 1];
	}
	json_object_set_new(doc, "records", json_integer(total));
	json_object_set_new(doc, "first", ndays ? day_text(lo) : json_null());
	json_object_set_new(doc, "last", ndays ? day_text(hi) : json_null());
	json_object_set_new(doc, "days_covered", json_integer(ndays ? hi - lo + 1 : 0));
	json_object_set_new(doc, "days_with_records", json_integer((json_int_t)ndays));
	json_object_set_new(doc, "gaps", gaps(days, ndays, lo, hi));

	/* per workload, with its own gaps inside the overall span */
	rc = prep(
		st,
		"SELECT workload, sum(records), count(DISTINCT day), json_group_array(day) FROM "
		"(SELECT workload, day, sum(records) AS records FROM audit_volume WHERE tenant = ?1 "
		"GROUP BY workload, day ORDER BY workload, day) GROUP BY workload ORDER BY sum(records) DESC",
		&s, err);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, tenant);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *list = json_loads((const char *)sqlite3_column_text(s, 3), 0, NULL);
		size_t k, n = json_array_size(list);
		int64_t *wd = ss_xcalloc(n ? n : 1, sizeof(*wd));
		for (k = 0; k < n; k++)
			wd[k] = json_integer_value(json_array_get(list, k));
		json_array_append_new(wls, json_pack("{s:s, s:I, s:I, s:o}", "workload",
						     (const char *)sqlite3_column_text(s, 0), "records",
						     (json_int_t)sqlite3_column_int64(s, 1), "days",
						     (json_int_t)sqlite3_column_int64(s, 2), "gaps",
						     gaps(wd, n, lo, hi)));
		free(wd);
		json_decref(list);
	}
	sqlite3_finalize(s);
	s = NULL;

	rc = prep(st,
		  "SELECT path, format, codec, encoding, rows, records, duplicates, rejected, ingested FROM "
		  "audit_inputs WHERE tenant = ?1 ORDER BY path",
		  &s, err);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, tenant);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 0);
		int64_t rows = sqlite3_column_int64(s, 4);
		json_array_append_new(
			inputs, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "path", path,
					  "format", (const char *)sqlite3_column_text(s, 1), "codec",
					  (const char *)sqlite3_column_text(s, 2), "encoding",
					  (const char *)sqlite3_column_text(s, 3), "rows", (json_int_t)rows,
					  "records", (json_int_t)sqlite3_column_int64(s, 5), "duplicates",
					  (json_int_t)sqlite3_column_int64(s, 6), "rejected",
					  (json_int_t)sqlite3_column_int64(s, 7), "ingested",
					  (const char *)sqlite3_column_text(s, 8)));
		if (rows == 5000 || rows == 10000 || rows == 50000) {
			char msg[4300];
			snprintf(msg, sizeof(msg),
				 "%s has exactly %lld rows: the export was probably truncated at the tool's "
				 "limit",
				 path, (long long)rows);
			json_array_append_new(warnings, json_string(msg));
		}
	}
	sqlite3_finalize(s);
	s = NULL;

	rc = prep(st,
		  "SELECT count(*), coalesce(sum(duplicates), 0), coalesce(sum(rejected), 0) FROM audit_runs "
		  "WHERE tenant = ?1",
		  &s, err);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, tenant);
	if (sqlite3_step(s) == SQLITE_ROW) {
		json_object_set_new(doc, "runs", json_integer(sqlite3_column_int64(s, 0)));
		json_object_set_new(doc, "duplicates", json_integer(sqlite3_column_int64(s, 1)));
		json_object_set_new(doc, "rejected", json_integer(sqlite3_column_int64(s, 2)));
	}
	sqlite3_finalize(s);
	s = NULL;

	/* the rejects of the recent runs, as their summaries kept them */
	rc = prep(
		st,
		"SELECT summary FROM audit_runs WHERE tenant = ?1 AND rejected > 0 ORDER BY id DESC LIMIT 10",
		&s, err);
	if (rc)
		goto out;
	sqlite3_bind_int64(s, 1, tenant);
	while (sqlite3_step(s) == SQLITE_ROW && json_array_size(rejects) < 100) {
		json_t *sum = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
		json_t *list = json_object_get(sum, "rejects"), *e;
		size_t k;
		json_array_foreach (list, k, e) {
			if (json_array_size(rejects) >= 100)
				break;
			json_array_append(rejects, e);
		}
		json_decref(sum);
	}
	sqlite3_finalize(s);
	s = NULL;

	json_object_set_new(doc, "workloads", wls);
	json_object_set_new(doc, "per_day", per_day);
	json_object_set_new(doc, "inputs", inputs);
	json_object_set_new(doc, "recent_rejects", rejects);
	json_object_set_new(doc, "warnings", warnings);
	wls = per_day = inputs = rejects = warnings = NULL;
	*out = doc;
	doc = NULL;
out:
	sqlite3_finalize(s);
	json_decref(doc);
	json_decref(wls);
	json_decref(per_day);
	json_decref(inputs);
	json_decref(rejects);
	json_decref(warnings);
	free(days);
	return rc;
}
