/* session.h - the dashboard's sign-in sessions: random ids kept hashed in the store, ending on their own. */
#ifndef SS_SESSION_H
#define SS_SESSION_H

/*
 * Signing in to the dashboard with a token (server/auth.h) opens a session.
 * Its id ("ss_s_" and 43 base64url characters of 32 random bytes) is the
 * browser's cookie; the store keeps only the id's SHA-256 (table
 * dashboard_sessions, schema 8), the token it was opened with, and a CSRF
 * token drawn at random for it. The token itself is never sent back to the
 * browser. A session ends when it is signed out, when it has not been used
 * for SS_SESSION_IDLE_MS, SS_SESSION_MAX_MS after it was opened, or when its
 * token is revoked. Sessions and their CSRF tokens outlive a restart of the
 * server. The clock is passed in (now), so expiry can be tested.
 */

#include <stddef.h>

#include "base/error.h"
#include "base/time.h"
#include "server/auth.h"
#include "store/store.h"

#define SS_SESSION_IDLE_MS ((ss_time_ms)8 * 3600 * 1000)      /* unused for 8 hours */
#define SS_SESSION_MAX_MS  ((ss_time_ms)7 * 24 * 3600 * 1000) /* a week after sign-in */
#define SS_SESSION_ID_SIZE 64				      /* room for an id and its NUL */

/* A live session. */
struct ss_session {
	struct ss_token_info who; /* the token it was opened with: name and role */
	char csrf[65];		  /* its CSRF token, hex */
};

/*
 * Opens a session for who (a token ss_auth_verify accepted) and writes its
 * id into id. Also forgets the sessions that have ended. SS_EIO without
 * randomness, SS_ESTORE.
 */
int ss_session_open(struct ss_store *st, const struct ss_token_info *who, ss_time_ms now,
		    char id[SS_SESSION_ID_SIZE], struct ss_error *err);

/*
 * Checks a presented session id (NUL-terminated). On success fills *out and
 * notes the use (at most once a minute). SS_ENOENT when the session is
 * unknown, has ended, or its token was revoked (an ended session is
 * deleted); SS_ESTORE.
 */
int ss_session_check(struct ss_store *st, const char *id, ss_time_ms now, struct ss_session *out,
		     struct ss_error *err);

/* Ends a session (signing out). Unknown ids are not an error. SS_ESTORE. */
int ss_session_close(struct ss_store *st, const char *id, struct ss_error *err);

#endif
