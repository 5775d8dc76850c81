/* run_store.h - the runs of `serve --schedule`: started, finished (ok, failed, interrupted), listed. */
#ifndef SS_RUN_STORE_H
#define SS_RUN_STORE_H

/*
 * One row of schedule_runs per run of one configured tenant (collect audit,
 * then collect snapshot). A run is 'running' from its start until it is
 * finished as 'ok', 'failed' (with the step that failed and a message) or
 * 'interrupted' (the server stopped, or died: rows still 'running' when a
 * scheduler starts are marked 'interrupted'). tenant is the tenant as
 * configured (its name, else its tenant id). Each call is one transaction.
 *
 * The JSON of a run: {id, tenant, startedDateTime, finishedDateTime (null
 * while running), status, step (null when none), message (null when none)}.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

/* Records the start of a run of tenant ('running', now); *id is its row. */
int ss_run_store_start(struct ss_store *st, const char *tenant, int64_t *id, struct ss_error *err);

/*
 * Finishes run id: status "ok", "failed" or "interrupted"; step and message
 * may be NULL. The message is kept as given (the caller caps and cleans it).
 */
int ss_run_store_finish(struct ss_store *st, int64_t id, const char *status, const char *step,
			const char *message, struct ss_error *err);

/* Marks every run still 'running' as 'interrupted' (a scheduler that died); *n how many (may be NULL). */
int ss_run_store_interrupt_stale(struct ss_store *st, long long *n, struct ss_error *err);

/* The runs of tenant (NULL: all), newest first, at most top of them (top <= 0: all): a JSON array. */
int ss_run_store_list(struct ss_store *st, const char *tenant, long long top, json_t **out,
		      struct ss_error *err);

/* The newest run of each tenant that has runs, as a JSON array ordered by tenant (for the dashboard). */
int ss_run_store_latest(struct ss_store *st, json_t **out, struct ss_error *err);

/*
 * True when a run's tenant (as configured: a tenant id, a name or a display
 * name, in any case) is the store tenant t, a row of ss_store_tenant_scores
 * ({azureTenantId, name, displayName ...}).
 */
bool ss_run_is_of(const char *run_tenant, json_t *t);

#endif
