/* finding_store.c - findings in SQLite: idempotent upsert, listing with history, acknowledgement, delivery ledger. */
#include "store/finding_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static const char *const severities[] = {"informational", "low", "medium", "high", "critical"};

int ss_severity_rank(const char *name)
{
	size_t i;

	for (i = 0; name && i < SS_ARRAY_LEN(severities); i++)
		if (strcmp(name, severities[i]) == 0)
			return (int)i;
	return -1;
}

static int prep(struct ss_store *st, const char *sql, sqlite3_stmt **s, struct ss_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot use the findings table");
	return 0;
}

static ss_time_ms time_of(json_t *f, const char *key)
{
	const char *s = json_string_value(json_object_get(f, key));
	ss_time_ms t = 0;

	if (!s || ss_time_parse(s, strlen(s), &t))
		return 0;
	return t;
}

static const char *str_or(json_t *f, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(f, key));

	return s ? s : dflt;
}

int ss_store_put_findings(struct ss_store *st, int64_t tenant, json_t *findings, size_t *added,
			  struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	json_t *f;
	size_t i, n = 0;
	int rc;

	if (added)
		*added = 0;
	json_array_foreach (findings, i, f) {
		if (!json_is_string(json_object_get(f, "id")) ||
		    !json_is_string(json_object_get(f, "rule")) ||
		    ss_severity_rank(json_string_value(json_object_get(f, "severity"))) < 0 ||
		    !time_of(f, "first"))
			return ss_error_set(err, SS_EINVAL,
					    "finding %zu has no id, rule, first time or a valid severity", i);
	}
	ss_time_format(ss_time_now(), now);
	rc = ss_store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	rc = prep(st,
		  "INSERT INTO findings (tenant, id, rule, title, severity, severity_rank, user, first, "
		  "last, count, "
		  "summary, evidence, status, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		  "?10, ?11, "
		  "?12, 'open', ?13, ?13) ON CONFLICT (tenant, id) DO UPDATE SET first = min(first, "
		  "excluded.first), "
		  "last = max(last, excluded.last), count = max(count, excluded.count), summary = "
		  "excluded.summary, "
		  "evidence = excluded.evidence, updated = excluded.updated "
		  "WHERE excluded.last > last OR excluded.count > count OR excluded.first < first "
		  "RETURNING (created = updated)",
		  &s, err);
	json_array_foreach (findings, i, f) {
		char *ev;
		const char *sev = json_string_value(json_object_get(f, "severity"));
		int step;
		if (rc)
			break;
		ev = json_dumps(json_object_get(f, "evidence") ? json_object_get(f, "evidence")
							       : json_array(),
				JSON_COMPACT);
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, tenant);
		sqlite3_bind_text(s, 2, str_or(f, "id", ""), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, str_or(f, "rule", ""), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, str_or(f, "title", str_or(f, "rule", "")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, sev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 6, ss_severity_rank(sev));
		if (json_is_string(json_object_get(f, "user")))
			sqlite3_bind_text(s, 7, str_or(f, "user", ""), -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(s, 7);
		sqlite3_bind_int64(s, 8, time_of(f, "first"));
		sqlite3_bind_int64(s, 9, time_of(f, "last") ? time_of(f, "last") : time_of(f, "first"));
		sqlite3_bind_int64(s, 10, json_integer_value(json_object_get(f, "count")));
		sqlite3_bind_text(s, 11, str_or(f, "summary", ""), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 12, ev ? ev : "[]", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 13, now, -1, SQLITE_TRANSIENT);
		free(ev);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW) {
			/* a new row has created = updated = now; an updated older one has not */
			int fresh = sqlite3_column_int(s, 0);
			while (sqlite3_step(s) == SQLITE_ROW)
				;
			if (fresh)
				n++;
		} else if (step != SQLITE_DONE) {
			rc = ss_store_db_error(st, err, "cannot record a finding");
		}
	}
	sqlite3_finalize(s);
	if (!rc)
		rc = ss_store_exec(st, "COMMIT", err);
	if (rc) {
		ss_store_exec(st, "ROLLBACK", NULL);
		return rc;
	}
	if (added)
		*added = n;
	return 0;
}

static json_t *iso(int64_t t)
{
	char buf[32];

	ss_time_format(t, buf);
	return json_string(buf);
}

static json_t *history(struct ss_store *st, int64_t tenant, const char *id)
{
	sqlite3_stmt *s = NULL;
	json_t *out = json_array();

	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT status, author, note, at FROM finding_events WHERE tenant = ?1 AND finding = ?2 "
		    "ORDER BY id",
		    -1, &s, NULL) != SQLITE_OK)
		return out;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "status",
						     (const char *)sqlite3_column_text(s, 0), "by",
						     (const char *)sqlite3_column_text(s, 1), "note",
						     (const char *)sqlite3_column_text(s, 2), "at",
						     (const char *)sqlite3_column_text(s, 3)));
	sqlite3_finalize(s);
	return out;
}

int ss_store_findings(struct ss_store *st, int64_t tenant, ss_time_ms since, int min_rank, json_t **out,
		      struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	rc = prep(st,
		  "SELECT id, rule, title, severity, user, first, last, count, summary, evidence, status, "
		  "created "
		  "FROM findings WHERE tenant = ?1 AND last >= ?2 AND severity_rank >= ?3 "
		  "ORDER BY last DESC, severity_rank DESC, id",
		  &s, err);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int(s, 3, min_rank < 0 ? 0 : min_rank);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		json_t *ev = json_loads((const char *)sqlite3_column_text(s, 9), 0, NULL);
		json_t *f = json_object();
		json_object_set_new(f, "id", json_string(id));
		json_object_set_new(f, "rule", json_string((const char *)sqlite3_column_text(s, 1)));
		json_object_set_new(f, "title", json_string((const char *)sqlite3_column_text(s, 2)));
		json_object_set_new(f, "severity", json_string((const char *)sqlite3_column_text(s, 3)));
		json_object_set_new(f, "user",
				    sqlite3_column_type(s, 4) == SQLITE_NULL
					    ? json_null()
					    : json_string((const char *)sqlite3_column_text(s, 4)));
		json_object_set_new(f, "first", iso(sqlite3_column_int64(s, 5)));
		json_object_set_new(f, "last", iso(sqlite3_column_int64(s, 6)));
		json_object_set_new(f, "count", json_integer(sqlite3_column_int64(s, 7)));
		json_object_set_new(f, "summary", json_string((const char *)sqlite3_column_text(s, 8)));
		json_object_set_new(f, "evidence", ev ? ev : json_array());
		json_object_set_new(f, "status", json_string((const char *)sqlite3_column_text(s, 10)));
		json_object_set_new(f, "created", json_string((const char *)sqlite3_column_text(s, 11)));
		json_object_set_new(f, "history", history(st, tenant, id));
		json_array_append_new(arr, f);
	}
	sqlite3_finalize(s);
	*out = arr;
	return 0;
}

int ss_store_finding_ack(struct ss_store *st, int64_t tenant, const char *id, const char *status,
			 const char *author, const char *note, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32], *full = NULL;
	int rc, matches = 0;

	if (strcmp(status, "open") != 0 && strcmp(status, "acknowledged") != 0 &&
	    strcmp(status, "resolved") != 0 && strcmp(status, "false_positive") != 0)
		return ss_error_set(err, SS_EINVAL, "unknown status '%s'", status);
	rc = prep(st,
		  "SELECT id FROM findings WHERE tenant = ?1 AND (id = ?2 OR (length(?2) >= 6 AND id LIKE ?2 "
		  "|| '%'))",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(s) == SQLITE_ROW) {
		matches++;
		free(full);
		full = ss_xstrdup((const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	if (matches != 1) {
		free(full);
		if (matches)
			return ss_error_set(err, SS_ENOENT, "'%s' names %d findings: give more of the id", id,
					    matches);
		return ss_error_set(err, SS_ENOENT, "no finding '%s'", id);
	}
	ss_time_format(ss_time_now(), now);
	rc = ss_store_exec(st, "BEGIN IMMEDIATE", err);
	if (!rc)
		rc = prep(st, "UPDATE findings SET status = ?3, updated = ?4 WHERE tenant = ?1 AND id = ?2",
			  &s, err);
	if (!rc) {
		sqlite3_bind_int64(s, 1, tenant);
		sqlite3_bind_text(s, 2, full, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, status, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = ss_store_db_error(st, err, "cannot update the finding");
		sqlite3_finalize(s);
	}
	if (!rc)
		rc = prep(st,
			  "INSERT INTO finding_events (tenant, finding, status, author, note, at) VALUES "
			  "(?1, ?2, ?3, "
			  "?4, ?5, ?6)",
			  &s, err);
	if (!rc) {
		sqlite3_bind_int64(s, 1, tenant);
		sqlite3_bind_text(s, 2, full, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, status, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, author, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, note ? note : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 6, now, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = ss_store_db_error(st, err, "cannot record the acknowledgement");
		sqlite3_finalize(s);
	}
	if (!rc)
		rc = ss_store_exec(st, "COMMIT", err);
	if (rc)
		ss_store_exec(st, "ROLLBACK", NULL);
	free(full);
	return rc;
}

int ss_store_finding_delivered(struct ss_store *st, int64_t tenant, const char *id, const char *channel,
			       bool *done, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st,
		      "SELECT 1 FROM finding_deliveries WHERE tenant = ?1 AND finding = ?2 AND channel = ?3",
		      &s, err);

	*done = false;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, channel, -1, SQLITE_TRANSIENT);
	*done = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return 0;
}

int ss_store_finding_mark_delivered(struct ss_store *st, int64_t tenant, const char *id, const char *channel,
				    struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc = prep(st,
		      "INSERT OR IGNORE INTO finding_deliveries (tenant, finding, channel, delivered) VALUES "
		      "(?1, ?2, "
		      "?3, ?4)",
		      &s, err);

	if (rc)
		return rc;
	ss_time_format(ss_time_now(), now);
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, channel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot record a delivery");
	sqlite3_finalize(s);
	return rc;
}

int ss_store_evidence(struct ss_store *st, int64_t tenant, ss_time_ms now, struct ss_evidence *ev,
		      struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc;

	rc = prep(st, "SELECT min(day), max(day) FROM audit_volume WHERE tenant = ?1", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		ev->coverage_first = sqlite3_column_int64(s, 0) * SS_DAY_MS;
		ev->coverage_last = (sqlite3_column_int64(s, 1) + 1) * SS_DAY_MS - 1;
	}
	sqlite3_finalize(s);
	rc = prep(st, "SELECT max(finished) FROM audit_runs WHERE tenant = ?1", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (ss_time_parse(t, strlen(t), &ev->last_run))
			ev->last_run = 0;
	}
	sqlite3_finalize(s);
	rc = prep(st,
		  "SELECT f.rule, f.first, f.last, f.status, "
		  "(SELECT e.at FROM finding_events e WHERE e.tenant = f.tenant AND e.finding = f.id AND "
		  " e.status <> 'open' ORDER BY e.id LIMIT 1), "
		  "(SELECT e.author FROM finding_events e WHERE e.tenant = f.tenant AND e.finding = f.id AND "
		  " e.status <> 'open' ORDER BY e.id LIMIT 1), f.user "
		  "FROM findings f WHERE f.tenant = ?1 ORDER BY f.last",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct ss_evidence_finding *f;
		const char *status = (const char *)sqlite3_column_text(s, 3);
		if (ev->n_findings == cap) {
			cap = cap ? cap * 2 : 64;
			ev->findings = ss_xrealloc(ev->findings, ss_mul_sz(cap, sizeof(*ev->findings)));
		}
		f = &ev->findings[ev->n_findings++];
		memset(f, 0, sizeof(*f));
		f->rule = ss_xstrdup((const char *)sqlite3_column_text(s, 0));
		f->first = sqlite3_column_int64(s, 1);
		f->last = sqlite3_column_int64(s, 2);
		f->handled = status && strcmp(status, "open") != 0;
		if (sqlite3_column_type(s, 6) != SQLITE_NULL)
			f->user = ss_xstrdup((const char *)sqlite3_column_text(s, 6));
		if (f->handled && sqlite3_column_type(s, 4) != SQLITE_NULL) {
			const char *t = (const char *)sqlite3_column_text(s, 4);
			if (ss_time_parse(t, strlen(t), &f->handled_at))
				f->handled_at = 0;
			f->handled_by = ss_xstrdup((const char *)sqlite3_column_text(s, 5));
		}
	}
	sqlite3_finalize(s);
	rc = prep(st,
		  "SELECT DISTINCT workload || char(31) || operation FROM audit_volume WHERE tenant = ?1 AND "
		  "day >= ?2",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_int64(s, 2, (now - 30 * SS_DAY_MS) / SS_DAY_MS);
	while (sqlite3_step(s) == SQLITE_ROW)
		ss_strv_push(&ev->ops, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}
