/* session.c - dashboard sessions: open on sign-in, check on every page, end by sign-out, time or revocation. */
#include "server/session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SESSION_PREFIX "ss_s_"
#define NOTE_EVERY_MS  60000 /* last_seen is written at most this often */

static int prep(struct ss_store *st, const char *sql, sqlite3_stmt **s, struct ss_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot use the dashboard sessions");
	return 0;
}

/* Runs one statement with up to two text and one integer parameter. */
static int run(struct ss_store *st, const char *sql, const char *a, const char *b, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prep(st, sql, &s, err);

	if (rc)
		return rc;
	if (a)
		sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot change the dashboard sessions");
	sqlite3_finalize(s);
	return rc;
}

/* The created and last_seen times at and before which a session has ended at now. */
static void limits(ss_time_ms now, char created_min[32], char seen_min[32])
{
	ss_time_format(now - SS_SESSION_MAX_MS, created_min);
	ss_time_format(now - SS_SESSION_IDLE_MS, seen_min);
}

int ss_session_open(struct ss_store *st, const struct ss_token_info *who, ss_time_ms now,
		    char id[SS_SESSION_ID_SIZE], struct ss_error *err)
{
	unsigned char raw[32];
	char hash[65], csrf[65], at[32], created_min[32], seen_min[32];
	sqlite3_stmt *s = NULL;
	unsigned i;
	int rc;

	id[0] = '\0';
	if (ss_auth_secret_new(SESSION_PREFIX, id, SS_SESSION_ID_SIZE) != 0 ||
	    RAND_bytes(raw, sizeof(raw)) != 1)
		return ss_error_set(err, SS_EIO, "cannot get random bytes for a dashboard session");
	for (i = 0; i < sizeof(raw); i++)
		snprintf(csrf + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof(raw));
	ss_auth_secret_hash(id, strlen(id), hash);
	ss_time_format(now, at);
	limits(now, created_min, seen_min);
	rc = ss_store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		goto out;
	/* housekeeping: ended sessions go (ISO times of one format compare as text) */
	rc = run(st,
		 "DELETE FROM dashboard_sessions WHERE created <= ?1 OR last_seen <= ?2 OR token_id IN "
		 "(SELECT id FROM api_tokens WHERE revoked IS NOT NULL)",
		 created_min, seen_min, err);
	if (rc)
		goto rollback;
	rc = prep(st,
		  "INSERT INTO dashboard_sessions (hash, token_id, csrf, created, last_seen) "
		  "VALUES (?1, ?2, ?3, ?4, ?4)",
		  &s, err);
	if (rc)
		goto rollback;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, who->id);
	sqlite3_bind_text(s, 3, csrf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, at, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = ss_store_db_error(st, err, "cannot record the dashboard session");
		goto rollback;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = ss_store_exec(st, "COMMIT", err);
	if (rc)
		goto rollback;
	goto out;
rollback:
	sqlite3_finalize(s);
	ss_store_exec(st, "ROLLBACK", NULL);
out:
	OPENSSL_cleanse(csrf, sizeof(csrf));
	if (rc)
		OPENSSL_cleanse(id, SS_SESSION_ID_SIZE);
	return rc;
}

int ss_session_check(struct ss_store *st, const char *id, ss_time_ms now, struct ss_session *out,
		     struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char hash[65], at[32];
	ss_time_ms created = 0, seen = 0;
	bool live = false, found = false;
	int rc, step;

	memset(out, 0, sizeof(*out));
	if (strncmp(id, SESSION_PREFIX, strlen(SESSION_PREFIX)) != 0 || strlen(id) >= SS_SESSION_ID_SIZE)
		return ss_error_set(err, SS_ENOENT, "no such session");
	ss_auth_secret_hash(id, strlen(id), hash);
	rc = prep(st,
		  "SELECT s.csrf, s.created, s.last_seen, t.id, t.name, t.role, t.revoked "
		  "FROM dashboard_sessions s JOIN api_tokens t ON t.id = s.token_id WHERE s.hash = ?1",
		  &s, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		const char *csrf = (const char *)sqlite3_column_text(s, 0);
		const char *c = (const char *)sqlite3_column_text(s, 1);
		const char *l = (const char *)sqlite3_column_text(s, 2);
		const char *name = (const char *)sqlite3_column_text(s, 4);
		const char *role = (const char *)sqlite3_column_text(s, 5);
		found = true;
		live = csrf && strlen(csrf) == 64 && c && l && name && role &&
		       sqlite3_column_type(s, 6) == SQLITE_NULL &&
		       ss_time_parse(c, strlen(c), &created) == 0 &&
		       ss_time_parse(l, strlen(l), &seen) == 0 &&
		       ss_token_role_parse(role, &out->who.role) == 0 && now - created < SS_SESSION_MAX_MS &&
		       now - seen < SS_SESSION_IDLE_MS;
		if (live) {
			out->who.id = sqlite3_column_int64(s, 3);
			snprintf(out->who.name, sizeof(out->who.name), "%s", name);
			memcpy(out->csrf, csrf, 65);
		}
	} else if (step != SQLITE_DONE) {
		rc = ss_store_db_error(st, err, "cannot read the dashboard sessions");
	}
	sqlite3_finalize(s);
	if (rc)
		return rc;
	if (!live) {
		memset(out, 0, sizeof(*out));
		if (found) /* ended: forget it (best effort, the answer is the same) */
			(void)run(st, "DELETE FROM dashboard_sessions WHERE hash = ?1", hash, NULL, NULL);
		return ss_error_set(err, SS_ENOENT, "the session has ended or does not exist");
	}
	if (now - seen >= NOTE_EVERY_MS) {
		ss_time_format(now, at);
		/* best effort: a busy store must not fail the page */
		(void)run(st, "UPDATE dashboard_sessions SET last_seen = ?2 WHERE hash = ?1", hash, at, NULL);
	}
	return 0;
}

int ss_session_close(struct ss_store *st, const char *id, struct ss_error *err)
{
	char hash[65];

	ss_auth_secret_hash(id, strlen(id), hash);
	return run(st, "DELETE FROM dashboard_sessions WHERE hash = ?1", hash, NULL, err);
}
