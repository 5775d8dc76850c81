/* test_store.c - the SQLite store: migrations, foreign files, idempotent saves, state history. */
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
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
