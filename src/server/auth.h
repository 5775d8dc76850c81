/* auth.h - bearer tokens of the HTTP API: created at random, stored only as SHA-256, checked in constant time. */
#ifndef SS_AUTH_H
#define SS_AUTH_H

/*
 * A token is "ss_" and 43 base64url characters (32 random bytes from
 * OpenSSL's RAND_bytes). It is shown once, at creation; the store keeps its
 * SHA-256 in hex (table api_tokens, schema 6), its name and its role. A
 * revoked token keeps its row (with the time it was revoked) so its name
 * stays in the record of who changed what. Names are unique among tokens
 * that are not revoked. None of these functions is thread-safe for one
 * struct ss_store; distinct stores may be used from distinct threads.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

enum ss_token_role {
	SS_TOKEN_NONE = 0,  /* not authenticated */
	SS_TOKEN_READ = 1,  /* may read everything */
	SS_TOKEN_ADMIN = 2, /* may also change control states and findings */
};

/* Who a request authenticated as. */
struct ss_token_info {
	int64_t id;		 /* api_tokens row */
	char name[128];		 /* token name: the author of what the request changes */
	enum ss_token_role role; /* its role */
};

/* "read", "admin" (and "none"); parsing returns 0 or SS_EINVAL. */
const char *ss_token_role_name(enum ss_token_role role);
int ss_token_role_parse(const char *name, enum ss_token_role *out);

/*
 * Creates a token named name (1-64 characters of [A-Za-z0-9._@-]) with
 * role. *token gets the secret (owned by the caller: print it once, then
 * ss_auth_token_wipe it). Errors: SS_EINVAL for a bad name or a name a live
 * token has already, SS_ESTORE.
 */
int ss_auth_token_create(struct ss_store *st, const char *name, enum ss_token_role role, char **token,
			 struct ss_error *err);

/* Overwrites and frees a token returned by ss_auth_token_create (NULL is fine). */
void ss_auth_token_wipe(char *token);

/* The tokens, oldest first: [{name, role, created, lastUsed, revoked}] (never hashes). *out is new. */
int ss_auth_token_list(struct ss_store *st, json_t **out, struct ss_error *err);

/* Revokes the live token named name. SS_ENOENT when there is none. */
int ss_auth_token_revoke(struct ss_store *st, const char *name, struct ss_error *err);

/*
 * Checks a presented token (len bytes, not NUL-terminated): hashes it and
 * compares the hash with every live token's in constant time (no early exit,
 * CRYPTO_memcmp). On a match fills *who and notes the use (last_used, at most
 * once a minute). SS_ENOENT when no live token matches; SS_ESTORE.
 */
int ss_auth_verify(struct ss_store *st, const char *token, size_t len, struct ss_token_info *who,
		   struct ss_error *err);

/*
 * A new secret: prefix and 43 base64url characters of 32 random bytes
 * (RAND_bytes) into out (n bytes, at least strlen(prefix) + 45). -1 when no
 * randomness is available or out is too small. Tokens and dashboard sessions
 * are made with it.
 */
int ss_auth_secret_new(const char *prefix, char *out, size_t n);

/* The SHA-256 of a secret, lower-case hex: what the store keeps of it. */
void ss_auth_secret_hash(const char *secret, size_t len, char out[65]);

#endif
