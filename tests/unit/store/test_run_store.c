/* test_run_store.c - schedule_runs: start, finish, stale runs interrupted, listing, the newest run per tenant. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/run_store.h"
#include "store/store.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ss_runs_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *str(json_t *run, const char *key)
{
	return json_string_value(json_object_get(run, key));
}

static void test_runs(void **state)
{
	struct ss_store st;
	struct ss_error err;
	json_t *list = NULL, *latest = NULL, *r;
	int64_t a1, b1, a2, b2;
	long long n;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);
	assert_int_equal(ss_run_store_start(&st, "contoso", &a1, &err), 0);
	assert_int_equal(ss_run_store_finish(&st, a1, "ok", NULL, "collect audit 1.0 s", &err), 0);
	assert_int_equal(ss_run_store_start(&st, "fabrikam", &b1, &err), 0);
	assert_int_equal(ss_run_store_finish(&st, b1, "failed", "collect audit", "exit 1: HTTP 400", &err),
			 0);
	assert_int_equal(ss_run_store_start(&st, "contoso", &a2, &err), 0);
	assert_int_equal(ss_run_store_start(&st, "fabrikam", &b2, &err), 0);
	assert_true(a1 < b1 && b1 < a2 && a2 < b2);

	/* only ok, failed and interrupted end a run; an unknown id is not found */
	assert_int_equal(ss_run_store_finish(&st, a2, "running", NULL, NULL, &err), SS_EINVAL);
	ss_error_clear(&err);
	assert_int_equal(ss_run_store_finish(&st, 999, "ok", NULL, NULL, &err), SS_ENOENT);
	ss_error_clear(&err);

	/* newest first, all or one tenant, top */
	assert_int_equal(ss_run_store_list(&st, NULL, 0, &list, &err), 0);
	assert_int_equal(json_array_size(list), 4);
	r = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), b2);
	assert_string_equal(str(r, "status"), "running");
	assert_true(json_is_null(json_object_get(r, "finishedDateTime")));
	assert_true(json_is_null(json_object_get(r, "step")));
	assert_non_null(str(r, "startedDateTime"));
	json_decref(list);
	assert_int_equal(ss_run_store_list(&st, "fabrikam", 0, &list, &err), 0);
	assert_int_equal(json_array_size(list), 2);
	r = json_array_get(list, 1);
	assert_string_equal(str(r, "tenant"), "fabrikam");
	assert_string_equal(str(r, "status"), "failed");
	assert_string_equal(str(r, "step"), "collect audit");
	assert_string_equal(str(r, "message"), "exit 1: HTTP 400");
	assert_non_null(str(r, "finishedDateTime"));
	json_decref(list);
	assert_int_equal(ss_run_store_list(&st, NULL, 1, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(ss_run_store_list(&st, "nobody", 0, &list, &err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	/* a scheduler starting after a crash: unfinished runs are interrupted */
	assert_int_equal(ss_run_store_interrupt_stale(&st, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ss_run_store_interrupt_stale(&st, &n, &err), 0);
	assert_int_equal(n, 0);

	/* the newest run of each tenant, ordered by tenant */
	assert_int_equal(ss_run_store_latest(&st, &latest, &err), 0);
	assert_int_equal(json_array_size(latest), 2);
	r = json_array_get(latest, 0);
	assert_string_equal(str(r, "tenant"), "contoso");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), a2);
	assert_string_equal(str(r, "status"), "interrupted");
	assert_non_null(str(r, "message"));
	r = json_array_get(latest, 1);
	assert_string_equal(str(r, "tenant"), "fabrikam");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), b2);
	json_decref(latest);
	ss_store_close(&st);

	/* the schema's CHECK refuses any other status, whoever writes */
	{
		sqlite3 *db;
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db,
						  "INSERT INTO schedule_runs (tenant, started, status) "
						  "VALUES ('x', '2026-01-01T00:00:00Z', 'done')",
						  NULL, NULL, NULL),
				     SQLITE_OK);
		sqlite3_close(db);
	}
}

static void test_schema_version(void **state)
{
	struct ss_store st;
	struct ss_error err;
	sqlite3_stmt *s;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(st.db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), SS_STORE_SCHEMA_VERSION);
	assert_true(SS_STORE_SCHEMA_VERSION >= 7);
	sqlite3_finalize(s);
	ss_store_close(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
