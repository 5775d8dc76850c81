/* inactive.c - users without a successful sign-in in a window, joined with the snapshot, with coverage. */
#include "analytics/inactive.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/facts.h"
#include "snapshot/snapshot.h"

static json_t *user_json(const char *upn, ss_time_ms ok, int64_t fails)
{
	json_t *e = json_pack("{s:s, s:I}", "upn", upn ? upn : "", "failed_signins", (json_int_t)fails);
	char buf[32];

	if (ok) {
		ss_time_format(ok, buf);
		json_object_set_new(e, "last_signin", json_string(buf));
	} else {
		json_object_set_new(e, "last_signin", json_null());
	}
	return e;
}

/* The snapshot's users without a successful sign-in since start; *licensed counts the licensed ones. */
static int from_facts(struct ss_store *st, int64_t tenant, const struct ss_facts *f, ss_time_ms start,
		      json_t *users, long *licensed, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char buf[32];
	size_t i;

	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT last_signin_ok, signins_fail FROM audit_users WHERE tenant = ?1 AND upn = ?2", -1,
		    &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read audit users");
	for (i = 0; i < f->n_users; i++) {
		const struct ss_user *u = &f->users[i];
		ss_time_ms ok = 0;
		int64_t fails = 0;
		json_t *e;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, tenant);
		sqlite3_bind_text(s, 2, u->upn, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			ok = sqlite3_column_int64(s, 0);
			fails = sqlite3_column_int64(s, 1);
		}
		if (ok >= start)
			continue;
		e = user_json(u->upn, ok, fails);
		json_object_set_new(e, "enabled", json_boolean(u->enabled));
		json_object_set_new(e, "licensed", json_boolean(u->licensed));
		json_object_set_new(e, "guest", json_boolean(u->guest));
		if (u->last_signin) {
			ss_time_format(u->last_signin, buf);
			json_object_set_new(e, "graph_last_signin", json_string(buf));
		} else {
			json_object_set_new(e, "graph_last_signin", json_null());
		}
		*licensed += u->licensed;
		json_array_append_new(users, e);
	}
	sqlite3_finalize(s);
	return 0;
}

/* Without a snapshot: the human users the audit log knows. */
static int from_audit(struct ss_store *st, int64_t tenant, ss_time_ms start, json_t *users,
		      struct ss_error *err)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT upn, last_signin_ok, signins_fail FROM audit_users WHERE tenant = ?1 AND "
		    "service = 0 AND last_signin_ok < ?2 ORDER BY upn",
		    -1, &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read audit users");
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_int64(s, 2, start);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(users,
				      user_json((const char *)sqlite3_column_text(s, 0),
						sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)));
	sqlite3_finalize(s);
	return 0;
}

int ss_inactive_users(struct ss_store *st, int64_t tenant, const char *tenant_id,
		      const struct ss_catalog *cat, long days, ss_time_ms now, json_t **out,
		      struct ss_error *err)
{
	struct ss_snapshot snap;
	struct ss_facts facts;
	sqlite3_stmt *s = NULL;
	json_t *doc, *users = json_array();
	int64_t first_day = -1, last_day = -1;
	ss_time_ms start = now - (ss_time_ms)days * SS_DAY_MS, covered_ms;
	char *dir = NULL, buf[32], statement[300];
	bool complete, have_snap = false, from_snapshot = false;
	long licensed = 0;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT min(day), max(day) FROM audit_volume WHERE tenant = ?1", -1,
			       &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, tenant);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
			first_day = sqlite3_column_int64(s, 0);
			last_day = sqlite3_column_int64(s, 1);
		}
		sqlite3_finalize(s);
	}
	covered_ms = first_day >= 0 ? now - first_day * SS_DAY_MS : 0;
	complete = first_day >= 0 && first_day * SS_DAY_MS <= start;
	dir = ss_store_latest_snapshot(st, tenant);
	if (dir && cat && ss_snapshot_open(&snap, dir, NULL) == 0) {
		have_snap = true;
		ss_facts_build(&facts, &snap, cat);
		from_snapshot = facts.have_users;
	}
	rc = from_snapshot ? from_facts(st, tenant, &facts, start, users, &licensed, err)
			   : from_audit(st, tenant, start, users, err);
	if (have_snap) {
		ss_facts_release(&facts);
		ss_snapshot_release(&snap);
	}
	free(dir);
	if (rc) {
		json_decref(users);
		return rc;
	}
	if (first_day < 0)
		snprintf(statement, sizeof(statement),
			 "no audit data: nothing can be said about sign-ins (run 'secscore audit ingest')");
	else if (complete)
		snprintf(statement, sizeof(statement), "inactive for at least %ld days", days);
	else
		snprintf(statement, sizeof(statement),
			 "no sign-in within the covered %lld days (the audit data does not reach back %ld "
			 "days)",
			 (long long)(covered_ms / SS_DAY_MS), days);
	doc = json_object();
	json_object_set_new(doc, "tenant", json_string(tenant_id ? tenant_id : ""));
	json_object_set_new(doc, "days", json_integer(days));
	ss_time_format(start, buf);
	json_object_set_new(doc, "since", json_string(buf));
	if (first_day >= 0) {
		ss_time_format_date(first_day * SS_DAY_MS, buf);
		json_object_set_new(doc, "coverage_first", json_string(buf));
		ss_time_format_date(last_day * SS_DAY_MS, buf);
		json_object_set_new(doc, "coverage_last", json_string(buf));
	} else {
		json_object_set_new(doc, "coverage_first", json_null());
		json_object_set_new(doc, "coverage_last", json_null());
	}
	json_object_set_new(doc, "covered_days", json_integer(covered_ms / SS_DAY_MS));
	json_object_set_new(doc, "complete", json_boolean(complete));
	json_object_set_new(doc, "statement", json_string(statement));
	json_object_set_new(doc, "source", json_string(from_snapshot ? "snapshot" : "audit"));
	json_object_set_new(doc, "count", json_integer((json_int_t)json_array_size(users)));
	if (from_snapshot)
		json_object_set_new(doc, "licensed", json_integer(licensed));
	json_object_set_new(doc, "users", users);
	*out = doc;
	return 0;
}
