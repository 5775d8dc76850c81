/* test_session.c - dashboard sessions: hashed ids, CSRF tokens, idle and absolute expiry, revocation, sign-out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/auth.h"
#include "server/session.h"
#include "store/store.h"

#define T0     ((ss_time_ms)1795000000000) /* whole seconds: the store keeps seconds */
#define MINUTE ((ss_time_ms)60000)

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ss_session_XXXXXX");
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

static long long count(struct ss_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A token named name with role, verified, into *who. */
static void token(struct ss_store *st, const char *name, enum ss_token_role role, struct ss_token_info *who)
{
	struct ss_error err;
	char *tok = NULL;

	ss_error_clear(&err);
	assert_int_equal(ss_auth_token_create(st, name, role, &tok, &err), 0);
	assert_int_equal(ss_auth_verify(st, tok, strlen(tok), who, &err), 0);
	ss_auth_token_wipe(tok);
}

static void test_open_check_close(void **state)
{
	struct ss_store st;
	struct ss_error err;
	struct ss_token_info admin;
	struct ss_session a, b;
	char id[SS_SESSION_ID_SIZE], id2[SS_SESSION_ID_SIZE], hash[65], sql[256];
	size_t i;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);
	token(&st, "ann", SS_TOKEN_ADMIN, &admin);
	assert_int_equal(ss_session_open(&st, &admin, T0, id, &err), 0);
	assert_int_equal(strncmp(id, "ss_s_", 5), 0);
	assert_int_equal(strlen(id), 5 + 43);

	/* the store keeps the id's hash, never the id */
	ss_auth_secret_hash(id, strlen(id), hash);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM dashboard_sessions WHERE hash = '%s'", hash);
	assert_int_equal(count(&st, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM dashboard_sessions WHERE hash = '%s' OR csrf = '%s'",
		 id, id);
	assert_int_equal(count(&st, sql), 0);

	assert_int_equal(ss_session_check(&st, id, T0 + 1000, &a, &err), 0);
	assert_string_equal(a.who.name, "ann");
	assert_int_equal(a.who.role, SS_TOKEN_ADMIN);
	assert_int_equal(a.who.id, admin.id);
	assert_int_equal(strlen(a.csrf), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a.csrf[i]));

	/* a second session of the same token has its own id and CSRF token */
	assert_int_equal(ss_session_open(&st, &admin, T0, id2, &err), 0);
	assert_string_not_equal(id, id2);
	assert_int_equal(ss_session_check(&st, id2, T0, &b, &err), 0);
	assert_string_not_equal(a.csrf, b.csrf);

	/* signing out ends that session only; closing an unknown id is not an error */
	assert_int_equal(ss_session_close(&st, id2, &err), 0);
	assert_int_equal(ss_session_check(&st, id2, T0, &b, &err), SS_ENOENT);
	assert_string_equal(b.who.name, "");
	ss_error_clear(&err);
	assert_int_equal(ss_session_check(&st, id, T0, &a, &err), 0);
	assert_int_equal(ss_session_close(&st, id2, &err), 0);
	assert_int_equal(count(&st, "SELECT count(*) FROM dashboard_sessions"), 1);

	/* the session outlives the store's (and so the server's) restart, with the same CSRF token */
	ss_store_close(&st);
	assert_int_equal(ss_store_open(&st, path, false, &err), 0);
	assert_int_equal(ss_session_check(&st, id, T0 + MINUTE, &b, &err), 0);
	assert_string_equal(a.csrf, b.csrf);
	ss_store_close(&st);
}

static void test_malformed_ids(void **state)
{
	static const char *const bad[] = {
		"",
		"ss_s_",
		"ss_",
		"ss_s_AAAA",
		"ss_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
		"ss_s_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	struct ss_store st;
	struct ss_error err;
	struct ss_token_info admin;
	struct ss_session s;
	char id[SS_SESSION_ID_SIZE];
	size_t i;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);
	token(&st, "ann", SS_TOKEN_ADMIN, &admin);
	assert_int_equal(ss_session_open(&st, &admin, T0, id, &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ss_error_clear(&err);
		assert_int_equal(ss_session_check(&st, bad[i], T0, &s, &err), SS_ENOENT);
	}
	/* one character changed */
	id[10] = id[10] == 'A' ? 'B' : 'A';
	ss_error_clear(&err);
	assert_int_equal(ss_session_check(&st, id, T0, &s, &err), SS_ENOENT);
	ss_store_close(&st);
}

static void test_idle_and_absolute_expiry(void **state)
{
	struct ss_store st;
	struct ss_error err;
	struct ss_token_info reader;
	struct ss_session s;
	char idle[SS_SESSION_ID_SIZE], busy[SS_SESSION_ID_SIZE], late[SS_SESSION_ID_SIZE];
	ss_time_ms t;

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);
	token(&st, "viewer", SS_TOKEN_READ, &reader);
	assert_int_equal(ss_session_open(&st, &reader, T0, idle, &err), 0);
	assert_int_equal(ss_session_open(&st, &reader, T0, busy, &err), 0);

	/* unused for just under the idle time: live; at the idle time: ended, and its row gone */
	assert_int_equal(ss_session_check(&st, idle, T0 + SS_SESSION_IDLE_MS - 1000, &s, &err), 0);
	assert_int_equal(s.who.role, SS_TOKEN_READ);
	t = T0 + SS_SESSION_IDLE_MS - 1000; /* its last use was noted then */
	assert_int_equal(ss_session_check(&st, idle, t + SS_SESSION_IDLE_MS - 1000, &s, &err), 0);
	t += SS_SESSION_IDLE_MS - 1000;
	assert_int_equal(ss_session_check(&st, idle, t + SS_SESSION_IDLE_MS, &s, &err), SS_ENOENT);
	ss_error_clear(&err);
	assert_int_equal(ss_session_check(&st, idle, t, &s, &err), SS_ENOENT); /* deleted, not only late */
	ss_error_clear(&err);

	/* used every hour, the other lasts until a week after sign-in, and no longer */
	for (t = T0; t < T0 + SS_SESSION_MAX_MS; t += 3600 * 1000)
		assert_int_equal(ss_session_check(&st, busy, t, &s, &err), 0);
	assert_int_equal(ss_session_check(&st, busy, T0 + SS_SESSION_MAX_MS - 1000, &s, &err), 0);
	assert_int_equal(ss_session_check(&st, busy, T0 + SS_SESSION_MAX_MS, &s, &err), SS_ENOENT);
	ss_error_clear(&err);
	assert_int_equal(count(&st, "SELECT count(*) FROM dashboard_sessions"), 0);

	/* opening a session forgets the ended ones that were never presented again */
	assert_int_equal(ss_session_open(&st, &reader, T0, idle, &err), 0);
	assert_int_equal(ss_session_open(&st, &reader, T0 + SS_SESSION_IDLE_MS, late, &err), 0);
	assert_int_equal(count(&st, "SELECT count(*) FROM dashboard_sessions"), 1);
	assert_int_equal(ss_session_check(&st, late, T0 + SS_SESSION_IDLE_MS, &s, &err), 0);
	ss_store_close(&st);
}

static void test_revoked_token(void **state)
{
	struct ss_store st;
	struct ss_error err;
	struct ss_token_info ann, bob;
	struct ss_session s;
	char a[SS_SESSION_ID_SIZE], b[SS_SESSION_ID_SIZE];

	(void)state;
	ss_error_clear(&err);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);
	token(&st, "ann", SS_TOKEN_ADMIN, &ann);
	token(&st, "bob", SS_TOKEN_ADMIN, &bob);
	assert_int_equal(ss_session_open(&st, &ann, T0, a, &err), 0);
	assert_int_equal(ss_session_open(&st, &bob, T0, b, &err), 0);
	assert_int_equal(ss_auth_token_revoke(&st, "ann", &err), 0);
	assert_int_equal(ss_session_check(&st, a, T0, &s, &err), SS_ENOENT);
	ss_error_clear(&err);
	assert_int_equal(ss_session_check(&st, b, T0, &s, &err), 0);
	assert_string_equal(s.who.name, "bob");
	/* a new token of the same name does not bring the old sessions back */
	token(&st, "ann", SS_TOKEN_ADMIN, &ann);
	assert_int_equal(ss_session_check(&st, a, T0, &s, &err), SS_ENOENT);
	ss_store_close(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_check_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_and_absolute_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_token, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
