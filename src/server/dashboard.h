/* dashboard.h - the web dashboard of `secscore serve`: HTML pages from the store, sessions, forms. */
#ifndef SS_DASHBOARD_H
#define SS_DASHBOARD_H

/*
 * The dashboard answers the paths ss_dash_owns names (docs/server.md):
 *   GET  /login, POST /login       a form taking a token; sets the session cookie
 *   POST /logout                   clears it
 *   GET  /                         the report of a tenant (?tenant=), live
 *   GET  /tenants                  every tenant of the store with its score
 *   GET  /controls/{id}            a control: points, offenders, history, state form
 *   POST /controls/{id}/state      changes its state (admin)
 *   POST /findings/{id}/ack        acknowledges a finding (admin)
 Signing in with a token opens a session (server/session.h) whose random id
 * is an HttpOnly, SameSite=Strict cookie (Secure under TLS); the token is not
 * sent back. Sessions end on sign-out, when idle or old, or when the token is
 * revoked. Pages also accept Authorization: Bearer. Forms posted with the
 * cookie must carry the session's CSRF token (drawn at random with the
 * session, kept in the store) and may not come from another origin (Origin,
 * Sec-Fetch-Site); changes go through the
 * same handlers as the API (server/api.h), so they are recorded the same way.
 * Every page is HTML under a Content-Security-Policy that allows only the
 * page's own script; every tenant or audit string is escaped.
 */

#include <stdbool.h>

#include "base/buf.h"
#include "base/error.h"
#include "server/api.h"
#include "store/store.h"

struct ss_dash {
	const struct ss_api *api; /* catalog and state-change hook, borrowed */
	bool tls;		  /* served over HTTPS: cookies are Secure */
	/* Optional readers of what other parts record (NULL: not shown). */
	int (*tenants)(struct ss_store *st, json_t **out, struct ss_error *err);
	int (*runs)(struct ss_store *st, json_t **out, struct ss_error *err);
};

struct ss_dash_response {
	int status;	     /* HTTP status */
	struct ss_buf body;  /* the page (text/html), empty for 204 and 303 */
	char location[1024]; /* Location of a 303, "" otherwise */
	char cookie[256];    /* a Set-Cookie value, "" otherwise */
	char author[128];    /* the token's name, for the access log */
};

/* Sets the dashboard up for api (borrowed); tls: cookies are Secure. */
void ss_dash_init(struct ss_dash *d, const struct ss_api *api, bool tls);

/* True for the paths the dashboard answers (the rest is the API's). */
bool ss_dash_owns(const char *path);

/*
 * Answers req (st NULL: the store is unavailable, 503 page). res is filled
 * completely; release it with ss_dash_response_release. Thread-safe for
 * distinct stores.
 */
void ss_dash_handle(const struct ss_dash *d, struct ss_store *st, const struct ss_api_request *req,
		    struct ss_dash_response *res);

void ss_dash_response_release(struct ss_dash_response *res);

/* The session cookie's name. */
#define SS_DASH_COOKIE "secscore_session"

#endif
