/* graph.h - the Microsoft Graph part of a snapshot (docs/snapshot.md), collected into a directory atomically. */
#ifndef SS_COLLECT_GRAPH_H
#define SS_COLLECT_GRAPH_H

/*
 * Fetches every graph/ file of docs/snapshot.md - with $select where it
 * keeps answers small, following @odata.nextLink verbatim (on Graph's own
 * origin only: the token goes nowhere else), pages concatenated into one
 * {"value": [...]} - into a temporary directory beside out, writes
 * manifest.json ({tenantId, displayName, takenDateTime, source}), and
 * renames the directory to out at the end: out holds a whole snapshot or
 * nothing. A resource the app may not read or the tenant lacks (HTTP 400,
 * 403, 404) is left out and listed in the report's "skipped" (the controls
 * reading it are Not scored); any other failure stops the run and removes
 * the temporary directory.
 */

#include <jansson.h>

#include "base/error.h"
#include "collect/auth.h"
#include "collect/config.h"
#include "collect/http.h"

struct ss_graph_opts {
	const struct ss_collect_config *cfg; /* borrowed */
	struct ss_http *http;		     /* borrowed */
	struct ss_auth *auth;		     /* Graph token, borrowed */
	const char *out; /* the snapshot directory to create (must not exist, or be empty) */
	void (*progress)(void *ctx, const char *file, size_t done, size_t total); /* or NULL */
	void *progress_ctx;							  /* its argument */
};

/*
 * Collects the snapshot into o->out. *report (new reference, NULL on
 * error) holds out, tenantId, displayName, takenDateTime, files [{file,
 * items}], skipped [{file, status, code}], requests, retries, bytes.
 */
int ss_graph_snapshot(const struct ss_graph_opts *o, json_t **report, struct ss_error *err);

#endif
