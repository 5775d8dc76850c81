/* http.h - HTTPS requests for collection: retries with backoff, throttling, and many at once (curl multi). */
#ifndef SS_COLLECT_HTTP_H
#define SS_COLLECT_HTTP_H

/*
 * One struct ss_http per run. Every request is retried when the answer is
 * worth retrying - a connection error, a body cut short, HTTP 408, 429 or
 * 5xx, or a JSON error body whose code is AF429 (Microsoft's throttle,
 * sent with 403) or AF50000 - after the server's Retry-After, else after an
 * exponential delay with jitter; the attempts and the summed waits of one
 * request are bounded. A throttle answer also holds back the start of new
 * requests until its delay has passed. A 401 asks the auth callback for a
 * fresh token once.
 *
 * The Authorization header comes from the auth callback and is never
 * logged or put in an error; libcurl's verbose output stays off.
 *
 * Not thread-safe: one thread drives all transfers. libcurl must be
 * initialised (curl_global_init) by the caller.
 */

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

/* Counters of a run, for the progress bar and the summary. */
struct ss_http_stats {
	uint64_t requests;  /* attempts made */
	uint64_t retries;   /* attempts that were repeats */
	uint64_t throttled; /* answers that were throttling (429, AF429) */
	uint64_t bytes;	    /* response body bytes received */
};

/*
 * Returns in *header the whole header line to send ("Authorization: Bearer
 * ..."), borrowed until the next call; refresh asks for a new token.
 * Returns 0 or a negative code with err filled.
 */
typedef int (*ss_http_auth_fn)(void *ctx, bool refresh, const char **header, struct ss_error *err);

struct ss_http {
	CURL *easy;		    /* handle of single requests (connection reuse) */
	int max_retries;	    /* attempts after the first, default 8 */
	double base_delay;	    /* first backoff delay in seconds, default 1 */
	double max_delay;	    /* ceiling of one delay, default 60 */
	double max_wait;	    /* ceiling of the summed delays of one request, default 900 */
	long timeout;		    /* seconds one attempt may take, default 300 */
	double pause_until;	    /* monotonic seconds: no new request before (throttled) */
	struct ss_http_stats stats; /* counters */
	void (*tick)(void *ctx);    /* called now and then while waiting (progress), or NULL */
	void *tick_ctx;		    /* its argument */
};

/* The answer to a request. Release with ss_http_resp_release. */
struct ss_http_resp {
	long status;	    /* HTTP status, 0 when none came */
	struct ss_buf body; /* the body */
	char *next_page;    /* the NextPageUri header, owned, or NULL */
	char code[64];	    /* error.code of a JSON error body ("AF20051"), or "" */
	double retry_after; /* seconds asked by Retry-After, 0 when none */
};

void ss_http_resp_release(struct ss_http_resp *r);

/* A request. */
struct ss_http_req {
	const char *method;	  /* "GET" or "POST" */
	const char *url;	  /* absolute URL */
	const char *content_type; /* of body, or NULL */
	const char *body;	  /* request body, or NULL */
	size_t body_len;	  /* its length */
	bool json;		  /* a 2xx body must be JSON: a broken one is retried as cut short */
	size_t max_body;	  /* ceiling of the response body */
	ss_http_auth_fn auth;	  /* Authorization header provider, or NULL for none */
	void *auth_ctx;		  /* its argument */
	bool secret_body;	  /* the body holds a secret: wiped after sending */
};

/* Sets the defaults (no allocation of h). */
int ss_http_init(struct ss_http *h, struct ss_error *err);
void ss_http_release(struct ss_http *h);

/*
 * Performs rq with retries. Returns 0 when a 2xx answer came (*resp holds
 * it, to release), else SS_EIO with a message naming method, URL, status
 * and error code; *resp then holds the last answer (status, code), so the
 * caller can tell an AF20051 from other failures. *resp is initialised here.
 */
int ss_http_do(struct ss_http *h, const struct ss_http_req *rq, struct ss_http_resp *resp,
	       struct ss_error *err);

/* One transfer of ss_http_multi. The caller sets url and ctx; the rest is internal. */
struct ss_http_job {
	const char *url;	  /* borrowed, for the job's life */
	void *ctx;		  /* the caller's */
	struct ss_http_resp resp; /* filled when done */
	CURL *easy;		  /* internal: the transfer */
	struct curl_slist *hdrs;  /* internal: its headers */
	int attempts;		  /* internal: attempts made */
	double waited;		  /* internal: summed delays */
	double not_before;	  /* internal: monotonic time of the next attempt */
	bool refreshed;		  /* internal: token refreshed after a 401 */
	bool done;		  /* internal: finished */
};

/*
 * Called once per job as it finishes: rc 0 with a 2xx answer in job->resp,
 * else SS_EIO with reason (never holding a secret); job->resp.code says
 * "AF20051" for expired content. job->resp is released after the callback
 * returns (take what you keep). Returning non-zero stops the run.
 */
typedef int (*ss_http_done_fn)(void *ctx, struct ss_http_job *job, int rc, const char *reason);

/*
 * GETs jobs[0..n) at most parallel at a time with curl multi, each with
 * the retry rules above, JSON bodies checked as in rq.json. Returns 0 when
 * every job was handed to done (whatever its outcome), or the first
 * non-zero code done or auth returned (err filled), the other transfers
 * then abandoned.
 */
int ss_http_multi(struct ss_http *h, struct ss_http_job *jobs, size_t n, unsigned parallel, size_t max_body,
		  ss_http_auth_fn auth, void *auth_ctx, ss_http_done_fn done, void *done_ctx,
		  struct ss_error *err);

/* Length of the scheme://host[:port] part of url; 0 when it is not http or https. */
size_t ss_http_origin_len(const char *url);

/* Appends s percent-encoded (RFC 3986 unreserved kept) to b. */
int ss_http_escape(struct ss_buf *b, const char *s);

#endif
