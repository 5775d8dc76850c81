/* test_store.c - the SQLite store: migrations, foreign files, idempotent saves, state history, assignedTo. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ss_store_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *path_of(const char *name)
{
	char *p = ss_xmalloc(256);
	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static json_t *score_doc(double current)
{
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:i}]}",
		"azureTenantId", "t-1", "tenantDisplayName", "Tenant One", "createdDateTime",
		"2026-11-01T00:00:00Z", "scoredDateTime", "2026-11-02T00:00:00Z", "snapshotHash", "abc",
		"catalogVersion", "1", "currentScore", current, "maxScore", 10.0, "controlScores",
		"controlName", "C1", "controlCategory", "Identity", "service", "AzureAD", "status", "partial",
		"state", "to_address", "score", current, "maxScore", 10.0, "count", 1, "total", 2);
}

static void test_save_is_idempotent(void **state)
{
	struct ss_store st;
	struct ss_error err;
	char *p = path_of("a/b/store.db");
	json_t *s1 = score_doc(5), *s2 = score_doc(5), *s3 = score_doc(7), *hist, *loaded;
	bool existed;
	int64_t tenant;
	char *tid;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, p, true, &err), 0);
	assert_int_equal(ss_store_save_score(&st, s1, &existed, &err), 0);
	assert_false(existed);
	/* The same snapshot, catalog and results scored again later: no new row. */
	json_object_set_new(s2, "scoredDateTime", json_string("2026-11-03T00:00:00Z"));
	assert_int_equal(ss_store_save_score(&st, s2, &existed, &err), 0);
	assert_true(existed);
	assert_string_equal(json_string_value(json_object_get(s1, "id")),
			    json_string_value(json_object_get(s2, "id")));
	/* Different results: a new row. */
	assert_int_equal(ss_store_save_score(&st, s3, &existed, &err), 0);
	assert_false(existed);
	assert_int_equal(ss_store_find_tenant(&st, "tenant one", &tenant, &tid, &err), 0);
	assert_string_equal(tid, "t-1");
	free(tid);
	assert_int_equal(ss_store_history(&st, tenant, &hist, &err), 0);
	assert_int_equal(json_array_size(hist), 2);
	assert_true(json_number_value(json_object_get(json_array_get(hist, 0), "currentScore")) == 7);
	json_decref(hist);
	assert_int_equal(ss_store_load_score(&st, tenant, "previous", &loaded, &err), 0);
	assert_true(json_number_value(json_object_get(loaded, "currentScore")) == 5);
	json_decref(loaded);
	assert_int_equal(ss_store_load_score(&st, tenant, "no-such-id", &loaded, &err), SS_ENOENT);
	ss_store_close(&st);
	json_decref(s1);
	json_decref(s2);
	json_decref(s3);
	free(p);
}

static void test_states_history(void **state)
{
	struct ss_store st;
	struct ss_error err;
	struct ss_state s = {0}, *cur;
	char *p = path_of("states.db");
	int64_t tenant;
	size_t n, i;
	json_t *h;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, p, true, &err), 0);
	assert_int_equal(ss_store_tenant(&st, "t-2", "Two", false, &tenant, &err), 0);
	s.control = "C1";
	s.state = "risk_accepted";
	s.reason = "why";
	s.by = "alice";
	s.at = 1000;
	ss_strv_init(&s.excludes);
	ss_strv_push(&s.excludes, "user:a@b.c");
	assert_int_equal(ss_store_set_state(&st, tenant, &s, &err), 0);
	s.state = "ignored";
	s.expires = 86400000;
	assert_int_equal(ss_store_set_state(&st, tenant, &s, &err), 0);
	ss_strv_release(&s.excludes);
	assert_int_equal(ss_store_states(&st, tenant, &cur, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cur[0].state, "ignored");
	assert_true(cur[0].expires == 86400000);
	assert_int_equal(cur[0].excludes.n, 1);
	for (i = 0; i < n; i++)
		ss_state_release(&cur[i]);
	free(cur);
	assert_int_equal(ss_store_state_history(&st, tenant, "C1", &h, &err), 0);
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "state")),
			    "risk_accepted");
	json_decref(h);
	ss_store_close(&st);
	free(p);
}

/* assignedTo has a column (schema 9); rows of older stores, where the API kept it in the reason, are split. */
static void test_assigned_to(void **state)
{
	static const char *const legacy[][2] = {
		/* reason as stored before schema 9, and what it becomes: reason | assigned_to */
		{"duo covers admins [assignedTo: alice@contoso]", "duo covers admins|alice@contoso"},
		{"see [INC-7] [assignedTo: ops [tier 2]", "see [INC-7]|ops [tier 2"},
		{"no one named", "no one named|"},
		{"bracket at the end [x]", "bracket at the end [x]|"},
	};
	struct ss_store st;
	struct ss_error err;
	struct ss_state s = {0}, *cur = NULL;
	char *p = path_of("assigned.db"), sql[512];
	int64_t tenant;
	size_t n, i;
	sqlite3 *db;
	sqlite3_stmt *q;
	json_t *h;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, p, true, &err), 0);
	assert_int_equal(ss_store_tenant(&st, "t-3", "Three", false, &tenant, &err), 0);
	ss_strv_init(&s.excludes);
	s.control = "C1";
	s.state = "third_party";
	s.reason = "ends with a bracket ]";
	s.by = "alice";
	s.at = 1000;
	s.assigned_to = "bob [ops]";
	assert_int_equal(ss_store_set_state(&st, tenant, &s, &err), 0);
	s.control = "C2";
	s.assigned_to = NULL;
	assert_int_equal(ss_store_set_state(&st, tenant, &s, &err), 0);
	assert_int_equal(ss_store_states(&st, tenant, &cur, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cur[0].assigned_to, "bob [ops]");
	assert_string_equal(cur[0].reason, "ends with a bracket ]");
	assert_null(cur[1].assigned_to);
	for (i = 0; i < n; i++)
		ss_state_release(&cur[i]);
	free(cur);
	assert_int_equal(ss_store_state_history(&st, tenant, "C1", &h, &err), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "assignedTo")),
			    "bob [ops]");
	json_decref(h);
	assert_int_equal(ss_store_state_history(&st, tenant, "C2", &h, &err), 0);
	assert_true(json_is_null(json_object_get(json_array_get(h, 0), "assignedTo")));
	json_decref(h);
	ss_store_close(&st);

	/* back to schema 8 with rows written the old way, then opened again */
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "DELETE FROM control_states; ALTER TABLE control_states DROP COLUMN "
				      "assigned_to; PRAGMA user_version = 8",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO control_states (tenant, control, state, reason, author, at, excludes) "
			 "VALUES (%lld, 'L%zu', 'planned', '%s', 'api', '2026-11-01T00:00:00Z', '[]')",
			 (long long)tenant, i, legacy[i][0]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(db);
	assert_int_equal(ss_store_open(&st, p, false, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(st.db,
					    "SELECT reason || '|' || coalesce(assigned_to, '') FROM "
					    "control_states ORDER BY control",
					    -1, &q, NULL),
			 SQLITE_OK);
	for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), legacy[i][1]);
	}
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	ss_store_close(&st);
	ss_strv_release(&s.excludes);
	free(p);
}

static void test_foreign_files(void **state)
{
	struct ss_store st;
	struct ss_error err;
	char *text = path_of("notes.txt"), *other = path_of("other.db"), *newer = path_of("newer.db");
	FILE *f = fopen(text, "w");
	sqlite3 *db;

	(void)state;
	fputs("this is not a database, just some text that is long enough to have a header........\n", f);
	fclose(f);
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, text, true, &err), SS_ESTORE);
	assert_non_null(strstr(err.msg, "not a secscore store"));

	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, other, true, &err), SS_ESTORE);
	assert_non_null(strstr(err.msg, "not a secscore store"));

	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, newer, true, &err), 0);
	ss_store_close(&st);
	assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, newer, true, &err), SS_ESTORE);
	assert_non_null(strstr(err.msg, "newer"));

	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, "/nonexistent/dir/x.db", false, &err), SS_ENOENT);
	free(text);
	free(other);
	free(newer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_is_idempotent),
		cmocka_unit_test(test_states_history),
		cmocka_unit_test(test_foreign_files),
		cmocka_unit_test(test_assigned_to),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
