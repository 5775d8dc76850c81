/* finding_store.h - findings of the audit analytics and rules: stored once, acknowledged with history, delivered once. */
#ifndef SS_FINDING_STORE_H
#define SS_FINDING_STORE_H

/*
 * A finding (the JSON shape every producer writes, docs/findings.md):
 *   {"id", "rule", "title", "severity" (informational|low|medium|high|critical),
 *    "user" (UPN or null), "first", "last" (ISO times), "count", "summary",
 *    "evidence": [record ids]}
 * Its id is stable (a hash of rule, group and first time), so a run over
 * the same data finds the same findings again: they are updated, never
 * duplicated. Status: open, acknowledged, resolved, false_positive; every
 * change is kept in finding_events with its author, note and time.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/time.h"
#include "score/engine.h"
#include "store/store.h"

/* Rank of a severity name (informational 0 .. critical 4), -1 when unknown. */
int ss_severity_rank(const char *name);

/*
 * Records findings (a JSON array of finding objects) for the tenant in one
 * transaction: new ids are inserted as open, known ids get the wider time
 * span, the larger count and the newer evidence. *added (may be NULL) gets
 * the number of new findings. Findings with a missing id, rule or an
 * unknown severity are an error (SS_EINVAL) and nothing is written.
 */
int ss_store_put_findings(struct ss_store *st, int64_t tenant, json_t *findings, size_t *added,
			  struct ss_error *err);

/*
 * The tenant's findings whose last time is at or after since (0: all) and
 * whose severity is at least min_rank, newest first, each with "status" and
 * "history" (its events). *out is a new reference.
 */
int ss_store_findings(struct ss_store *st, int64_t tenant, ss_time_ms since, int min_rank, json_t **out,
		      struct ss_error *err);

/*
 * Sets a finding's status (acknowledged, resolved, false_positive, open) by
 * author with a note, appending to its history. SS_ENOENT when the id (or a
 * unique prefix of at least 6 characters) names no finding.
 */
int ss_store_finding_ack(struct ss_store *st, int64_t tenant, const char *id, const char *status,
			 const char *author, const char *note, struct ss_error *err);

/* Whether a finding went out on a channel already; and recording that it did. */
int ss_store_finding_delivered(struct ss_store *st, int64_t tenant, const char *id, const char *channel,
			       bool *done, struct ss_error *err);
int ss_store_finding_mark_delivered(struct ss_store *st, int64_t tenant, const char *id, const char *channel,
				    struct ss_error *err);

/*
 * Loads what the review and usage controls read (score/engine.h): audit
 * coverage, the last ingest, the findings with who handled them and when
 * (from their history), and the workload/operation pairs seen in the 30
 * days before now. ev must be initialised (ss_evidence_init).
 */
int ss_store_evidence(struct ss_store *st, int64_t tenant, ss_time_ms now, struct ss_evidence *ev,
		      struct ss_error *err);

#endif
