/* run_store.c - schedule_runs: one row per scheduled run of a tenant, its outcome, step and message. */
#include "store/run_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/time.h"

#define COLUMNS "id, tenant, started, finished, status, step, message"

static int prep(struct ss_store *st, const char *sql, sqlite3_stmt **s, struct ss_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot use the schedule_runs table");
	return 0;
}

/* A TEXT column as a JSON string, or null. */
static json_t *text_or_null(sqlite3_stmt *s, int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);
	json_t *j;

	if (!v)
		return json_null();
	j = json_string((const char *)v);
	return j ? j : json_string("?"); /* not UTF-8: the writer cleans messages, so only a foreign row */
}

/* The JSON of the current row of a statement selecting COLUMNS. */
static json_t *row_json(sqlite3_stmt *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(o, "tenant", text_or_null(s, 1));
	json_object_set_new(o, "startedDateTime", text_or_null(s, 2));
	json_object_set_new(o, "finishedDateTime", text_or_null(s, 3));
	json_object_set_new(o, "status", text_or_null(s, 4));
	json_object_set_new(o, "step", text_or_null(s, 5));
	json_object_set_new(o, "message", text_or_null(s, 6));
	return o;
}

/* Steps s to its end, collecting each row's JSON into *out (a new array). */
static int collect_rows(struct ss_store *st, sqlite3_stmt *s, json_t **out, struct ss_error *err)
{
	json_t *arr = json_array();
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(arr, row_json(s));
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return ss_store_db_error(st, err, "cannot read the schedule runs");
	}
	*out = arr;
	return 0;
}

int ss_run_store_start(struct ss_store *st, const char *tenant, int64_t *id, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	ss_time_format(ss_time_now(), now);
	if ((rc = prep(st, "INSERT INTO schedule_runs (tenant, started, status) VALUES (?1, ?2, 'running')",
		       &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot record the start of a scheduled run");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	return rc;
}

int ss_run_store_finish(struct ss_store *st, int64_t id, const char *status, const char *step,
			const char *message, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	if (strcmp(status, "ok") != 0 && strcmp(status, "failed") != 0 && strcmp(status, "interrupted") != 0)
		return ss_error_set(err, SS_EINVAL, "a run ends ok, failed or interrupted, not '%.32s'",
				    status);
	ss_time_format(ss_time_now(), now);
	if ((rc = prep(st,
		       "UPDATE schedule_runs SET finished = ?2, status = ?3, step = ?4, message = ?5 "
		       "WHERE id = ?1",
		       &s, err)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
	if (step)
		sqlite3_bind_text(s, 4, step, -1, SQLITE_STATIC);
	if (message)
		sqlite3_bind_text(s, 5, message, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot record the end of a scheduled run");
	else if (sqlite3_changes(st->db) != 1)
		rc = ss_error_set(err, SS_ENOENT, "no scheduled run %lld", (long long)id);
	sqlite3_finalize(s);
	return rc;
}

int ss_run_store_interrupt_stale(struct ss_store *st, long long *n, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	if (n)
		*n = 0;
	ss_time_format(ss_time_now(), now);
	if ((rc = prep(st,
		       "UPDATE schedule_runs SET status = 'interrupted', finished = ?1, "
		       "message = coalesce(message, 'the server stopped before the run finished') "
		       "WHERE status = 'running'",
		       &s, err)))
		return rc;
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot mark unfinished scheduled runs");
	else if (n)
		*n = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	return rc;
}

int ss_run_store_list(struct ss_store *st, const char *tenant, long long top, json_t **out,
		      struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = prep(st,
		       "SELECT " COLUMNS " FROM schedule_runs WHERE ?1 IS NULL OR tenant = ?1 "
		       "ORDER BY id DESC LIMIT ?2",
		       &s, err)))
		return rc;
	if (tenant)
		sqlite3_bind_text(s, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, top > 0 ? top : -1);
	rc = collect_rows(st, s, out, err);
	sqlite3_finalize(s);
	return rc;
}

int ss_run_store_latest(struct ss_store *st, json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = prep(st,
		       "SELECT " COLUMNS " FROM schedule_runs WHERE id IN "
		       "(SELECT max(id) FROM schedule_runs GROUP BY tenant) ORDER BY tenant, id",
		       &s, err)))
		return rc;
	rc = collect_rows(st, s, out, err);
	sqlite3_finalize(s);
	return rc;
}

static bool same(const char *a, json_t *t, const char *key)
{
	const char *b = json_string_value(json_object_get(t, key));

	return b && strcasecmp(a, b) == 0;
}

bool ss_run_is_of(const char *run_tenant, json_t *t)
{
	return run_tenant && (same(run_tenant, t, "azureTenantId") || same(run_tenant, t, "name") ||
			      same(run_tenant, t, "displayName"));
}
