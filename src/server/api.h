/* api.h - the HTTP API's routes and handlers, independent of the HTTP library: a request in, a response out. */
#ifndef SS_API_H
#define SS_API_H

/*
 * ss_api_handle answers one request against one store: authentication
 * (bearer tokens, server/auth.h), the tenant (?tenant= or the header
 * X-Secscore-Tenant, default the tenant scored most recently), routing and
 * the handlers of docs/server.md. Bodies are JSON in Microsoft Graph's
 * shapes; every error is Graph's {"error": {"code", "message",
 * "innerError"}}. It never blocks on anything but the store, keeps no state
 * between calls and is safe to call from several threads as long as each
 * passes its own store (the catalog is only read).
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "catalog/catalog.h"
#include "server/auth.h"
#include "store/store.h"

#define SS_API_MAX_ARGS 32

/* One query argument (decoded); both strings borrowed from the request. */
struct ss_api_kv {
	const char *key;   /* name, e.g. "$top" */
	const char *value; /* value, "" when the argument had none */
};

struct ss_api_request {
	const char *method; /* "GET", "PATCH", ... */
	const char *path;   /* decoded path without the query, e.g. "/security/secureScores" */
	struct ss_api_kv args[SS_API_MAX_ARGS]; /* query arguments in order */
	size_t n_args;				/* how many are in args */
	bool too_many_args;			/* more than SS_API_MAX_ARGS were given: 400 */
	/* Looks a request header up (case-insensitively); NULL when absent. */
	const char *(*header)(void *ctx, const char *name);
	void *ctx;		/* passed to header */
	const char *body;	/* request body (not NUL-terminated), NULL when none */
	size_t body_len;	/* its length */
	const char *base_url;	/* "http://127.0.0.1:8080": the prefix of @odata links */
	const char *request_id; /* echoed in errors' innerError */
	/*
	 * Who is calling, when the caller has authenticated the request itself
	 * (the dashboard's session); NULL: the Authorization header is checked.
	 * Only code inside the server can set it.
	 */
	const struct ss_token_info *as;
};

struct ss_api_response {
	int status;	  /* HTTP status */
	json_t *body;	  /* owned; NULL: no body (204), or raw holds it */
	char *raw;	  /* a JSON body already serialised (owned), instead of body; NULL otherwise */
	size_t raw_len;	  /* its length */
	char allow[64];	  /* the Allow header of a 405, "" otherwise */
	bool challenge;	  /* send WWW-Authenticate: Bearer (401) */
	char author[128]; /* the token's name, "" when the request did not authenticate (for logs) */
};

/*
 * What every request shares: the catalog (borrowed, read-only) and an
 * optional hook run after a control state changed, given the store and the
 * tenant row (the CLI re-scores the tenant's latest snapshot with it, as
 * `controls set` does). The hook's failures are logged, not answered.
 */
struct ss_api {
	const struct ss_catalog *cat;
	int (*after_state_change)(void *ctx, struct ss_store *st, int64_t tenant, struct ss_error *err);
	void *ctx; /* passed to after_state_change */
};

/*
 * Answers req. st may be NULL when the store could not be opened (every
 * route but /healthz then answers 503). res is filled completely; release
 * it with ss_api_response_release.
 */
void ss_api_handle(const struct ss_api *api, struct ss_store *st, const struct ss_api_request *req,
		   struct ss_api_response *res);

/* Fills res with status and Graph's error shape {"error": {"code", "message", "innerError"}}. */
void ss_api_error(struct ss_api_response *res, const struct ss_api_request *req, int status, const char *code,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void ss_api_response_init(struct ss_api_response *res);
void ss_api_response_release(struct ss_api_response *res);

/*
 * Maps a state as PATCH receives it to one of our six control states:
 * Graph's Default, Ignored, ThirdParty, Reviewed, the portal's names
 * (ToAddress, Planned, RiskAccepted, AlternateMitigation, ...) in any case,
 * and our own names. Returns a static string or NULL when unknown.
 */
const char *ss_api_state_from_graph(const char *name);

#endif
