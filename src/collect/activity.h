/* activity.h - the Management Activity API: subscriptions, content windows, blobs, checkpoints. */
#ifndef SS_COLLECT_ACTIVITY_H
#define SS_COLLECT_ACTIVITY_H

/*
 * One collection run for one tenant (docs/collect.md):
 *
 *  1. subscriptions/list; every requested content type that is not enabled
 *     is started (subscriptions/start), and recorded in collect_subscriptions.
 *  2. windows: per content type, windows of at most 24 hours from the end
 *     of the last window on record (or --since, or 7 days back: the API's
 *     limit) up to now; stored in collect_windows as "open".
 *  3. listing: every open window's content listing is read page by page,
 *     following NextPageUri verbatim; each page's blobs (collect_blobs,
 *     "listed") and the next page are committed in one transaction, so a
 *     killed run resumes at the page it was on.
 *  4. blobs: the listed blobs are downloaded, parallel at a time (curl
 *     multi), each checked to be JSON, saved zstd-compressed and atomically
 *     as BLOBDIR/<content type>/<content id>.json.zst and marked "fetched";
 *     after each group the saved files go through the audit pipeline (the
 *     ingest callback: dedup, findings) and are marked "ingested". A blob
 *     the API says has expired (AF20051) is marked "lost" and reported.
 *  5. a window becomes "closed" when its listing is complete and each of its
 *     blobs is ingested or lost; an open window older than the API's 7 days
 *     can no longer be listed and becomes "lost".
 *
 * Every record arrives exactly once: a blob is fetched until it is
 * ingested, and the pipeline drops records whose Id the store holds. Only
 * URLs on the Management API's own origin get the token: a contentUri or
 * NextPageUri pointing elsewhere is refused.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/time.h"
#include "collect/auth.h"
#include "collect/config.h"
#include "collect/http.h"
#include "store/store.h"

/* Counters the progress bar shows. */
struct ss_activity_progress {
	uint64_t windows, windows_done;	  /* windows of the run, and those closed or lost */
	uint64_t blobs, blobs_done;	  /* blobs to fetch, and those ingested or lost */
	uint64_t records;		  /* new records ingested */
	const struct ss_http_stats *http; /* bytes, retries */
};

/* Ingests paths (absolute .json.zst files); *summary as ss_ingest_run gives it (new reference). */
typedef int (*ss_activity_ingest_fn)(void *ctx, char *const *paths, size_t n, json_t **summary,
				     struct ss_error *err);

struct ss_activity_opts {
	struct ss_store *st;		     /* the store, borrowed */
	int64_t tenant;			     /* tenant row */
	const struct ss_collect_config *cfg; /* borrowed */
	struct ss_http *http;		     /* borrowed */
	struct ss_auth *auth;		     /* token of the Management API, borrowed */
	const char *const *types;	     /* content types to collect */
	size_t n_types;			     /* how many */
	ss_time_ms since;		     /* first window start, or 0: from the checkpoints */
	unsigned parallel;		     /* concurrent downloads */
	bool dry_run;			     /* plan only: subscriptions/list, windows; nothing written */
	const char *blob_dir;		     /* <dir of the store>/blobs/<tenant> */
	ss_activity_ingest_fn ingest;	     /* the audit pipeline */
	void *ingest_ctx;		     /* its argument */
	void (*progress)(void *ctx, const struct ss_activity_progress *p); /* or NULL */
	void *progress_ctx;						   /* its argument */
};

/*
 * Runs one collection. *report (new reference, also on error when
 * possible) holds: subscriptions (started, enabled), windows (planned,
 * closed, lost, open), blobs (fetched, ingested, lost, failed), records,
 * duplicates, already_ingested, bytes, requests, retries, throttled,
 * lost [{contentType, contentId | window, reason}], errors [...], and with
 * dry_run the plan. Returns 0 when every window it worked on was closed,
 * SS_EIO when something stays to be done (errors lists why; the next run
 * resumes), another code when the store failed. Lost coverage alone does
 * not fail the run; *lost says how many blobs or windows were lost.
 */
int ss_activity_collect(const struct ss_activity_opts *o, json_t **report, size_t *lost,
			struct ss_error *err);

/* True when ct is one of the API's content types. */
bool ss_activity_known_type(const char *ct);

/* The API's content types, NULL-terminated. */
extern const char *const ss_activity_types[];

#endif
