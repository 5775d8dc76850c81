/* auth.c - API tokens: random creation, SHA-256 storage, constant-time verification. */
#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/time.h"

#define TOKEN_BYTES   32
#define TOKEN_PREFIX  "ss_"
#define MAX_TOKEN_LEN 256
#define MAX_NAME_LEN  64

const char *ss_token_role_name(enum ss_token_role role)
{
	switch (role) {
	case SS_TOKEN_READ: return "read";
	case SS_TOKEN_ADMIN: return "admin";
	default: return "none";
	}
}

int ss_token_role_parse(const char *name, enum ss_token_role *out)
{
	if (strcmp(name, "read") == 0)
		*out = SS_TOKEN_READ;
	else if (strcmp(name, "admin") == 0)
		*out = SS_TOKEN_ADMIN;
	else
		return SS_EINVAL;
	return 0;
}

static bool name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > MAX_NAME_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

void ss_auth_secret_hash(const char *secret, size_t len, char out[65])
{
	struct ss_sha256 *h = ss_sha256_new();

	ss_sha256_update(h, secret, len);
	ss_sha256_final(h, out);
}

/* base64url without padding of n bytes into out (at least 4 * n / 3 + 2 bytes), NUL-terminated. */
static void base64url(const unsigned char *p, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
}

int ss_auth_secret_new(const char *prefix, char *out, size_t n)
{
	unsigned char raw[TOKEN_BYTES];
	size_t pl = strlen(prefix);

	if (n < pl + 4 * TOKEN_BYTES / 3 + 2 || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	memcpy(out, prefix, pl);
	base64url(raw, sizeof(raw), out + pl);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

static int prep(struct ss_store *st, const char *sql, sqlite3_stmt **s, struct ss_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot use the API tokens");
	return 0;
}

int ss_auth_token_create(struct ss_store *st, const char *name, enum ss_token_role role, char **token,
			 struct ss_error *err)
{
	char text[sizeof(TOKEN_PREFIX) + 4 * TOKEN_BYTES / 3 + 4], hash[65], now[32];
	sqlite3_stmt *s = NULL;
	int rc;

	*token = NULL;
	if (!name_valid(name))
		return ss_error_set(
			err, SS_EINVAL,
			"a token name has 1 to %d characters of A-Z, a-z, 0-9, '.', '_', '@', '-'",
			MAX_NAME_LEN);
	if (role != SS_TOKEN_READ && role != SS_TOKEN_ADMIN)
		return ss_error_set(err, SS_EINVAL, "a token's role is read or admin");
	if (ss_auth_secret_new(TOKEN_PREFIX, text, sizeof(text)) != 0)
		return ss_error_set(err, SS_EIO, "cannot get random bytes for a token");
	ss_auth_secret_hash(text, strlen(text), hash);
	ss_time_format(ss_time_now(), now);
	rc = ss_store_exec(st, "BEGIN IMMEDIATE", err);
	if (rc)
		goto out;
	rc = prep(st, "SELECT 1 FROM api_tokens WHERE name = ?1 AND revoked IS NULL", &s, err);
	if (rc)
		goto rollback;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		rc = ss_error_set(err, SS_EINVAL, "a token named '%s' exists already (revoke it first)",
				  name);
		goto rollback;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = prep(st, "INSERT INTO api_tokens (name, role, hash, created) VALUES (?1, ?2, ?3, ?4)", &s, err);
	if (rc)
		goto rollback;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, ss_token_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = ss_store_db_error(st, err, "cannot record the token");
		goto rollback;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = ss_store_exec(st, "COMMIT", err);
	if (rc)
		goto rollback;
	*token = ss_xstrdup(text);
	goto out;
rollback:
	sqlite3_finalize(s);
	s = NULL;
	ss_store_exec(st, "ROLLBACK", NULL);
out:
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}

void ss_auth_token_wipe(char *token)
{
	if (!token)
		return;
	OPENSSL_cleanse(token, strlen(token));
	free(token);
}

static json_t *text_or_null(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(s, col));
}

int ss_auth_token_list(struct ss_store *st, json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc, step;

	*out = NULL;
	rc = prep(st, "SELECT name, role, created, last_used, revoked FROM api_tokens ORDER BY id", &s, err);
	if (rc)
		return rc;
	*out = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *t = json_object();
		json_object_set_new(t, "name", text_or_null(s, 0));
		json_object_set_new(t, "role", text_or_null(s, 1));
		json_object_set_new(t, "created", text_or_null(s, 2));
		json_object_set_new(t, "lastUsed", text_or_null(s, 3));
		json_object_set_new(t, "revoked", text_or_null(s, 4));
		json_array_append_new(*out, t);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read the API tokens");
	}
	return 0;
}

int ss_auth_token_revoke(struct ss_store *st, const char *name, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	ss_time_format(ss_time_now(), now);
	rc = prep(st, "UPDATE api_tokens SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL", &s, err);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot revoke the token");
	else if (sqlite3_changes(st->db) == 0)
		rc = ss_error_set(err, SS_ENOENT, "no live token named '%s'", name);
	sqlite3_finalize(s);
	return rc;
}

/* Notes a token's use when the last note is a minute old or more (so reads rarely write). */
static void note_use(struct ss_store *st, int64_t id, const char *last_used)
{
	sqlite3_stmt *s = NULL;
	ss_time_ms now = ss_time_now(), last = 0;
	char at[32];

	if (last_used && ss_time_parse(last_used, strlen(last_used), &last) == 0 && now - last < 60000)
		return;
	ss_time_format(now, at);
	if (sqlite3_prepare_v2(st->db, "UPDATE api_tokens SET last_used = ?2 WHERE id = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, at, -1, SQLITE_TRANSIENT);
	(void)sqlite3_step(s); /* best effort: a busy store must not fail the request */
	sqlite3_finalize(s);
}

int ss_auth_verify(struct ss_store *st, const char *token, size_t len, struct ss_token_info *who,
		   struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char want[65], *last_used = NULL;
	bool found = false;
	int rc, step;

	memset(who, 0, sizeof(*who));
	if (len == 0 || len > MAX_TOKEN_LEN)
		return ss_error_set(err, SS_ENOENT, "no such token");
	ss_auth_secret_hash(token, len, want);
	rc = prep(st, "SELECT id, name, role, hash, last_used FROM api_tokens WHERE revoked IS NULL", &s,
		  err);
	if (rc)
		return rc;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(s, 3);
		const char *role = (const char *)sqlite3_column_text(s, 2);
		const char *lu = (const char *)sqlite3_column_text(s, 4);
		enum ss_token_role r;
		/* Every row is compared in full: the time taken does not depend on where a match is. */
		int same = hash && strlen(hash) == 64 && CRYPTO_memcmp(hash, want, 64) == 0;
		if (same && !found && role && ss_token_role_parse(role, &r) == 0) {
			found = true;
			who->id = sqlite3_column_int64(s, 0);
			snprintf(who->name, sizeof(who->name), "%s", (const char *)sqlite3_column_text(s, 1));
			who->role = r;
			last_used = lu ? ss_xstrdup(lu) : NULL;
		}
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		free(last_used);
		memset(who, 0, sizeof(*who));
		return ss_store_db_error(st, err, "cannot read the API tokens");
	}
	if (!found)
		return ss_error_set(err, SS_ENOENT, "no such token");
	note_use(st, who->id, last_used);
	free(last_used);
	return 0;
}
