/* ingest.h - the audit pipeline: inputs read on one thread, records parsed on a worker pool, merged in batches. */
#ifndef SS_INGEST_H
#define SS_INGEST_H

/*
 * One pass over audit inputs (docs/internals/audit.md):
 *
 *   reader (this thread) --chunks of whole records--> workers (N threads)
 *     parse + normalise each record, dedup on Id (shared day-partitioned
 *     set), update the worker's own accumulator
 *   every batch (about 256 MiB of text, or when the dedup set passes the
 *   memory budget): wait for the workers, merge their accumulators, and
 *   write the batch - ids, volumes, users, finished inputs - in one store
 *   transaction; then drop the least recently used days of the dedup set.
 *
 * With a store, inputs already read are skipped (same path, size, mtime and
 * head hash) and plain NDJSON files that only grew are read from where the
 * last run stopped. Without a store (grep) nothing is remembered.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analytics/detect.h"
#include "audit/record.h"
#include "rules/sigma.h"
#include "base/error.h"
#include "store/store.h"

struct ss_ingest_opts {
	unsigned threads;		       /* workers; 0 = one per core */
	size_t memory;			       /* dedup memory budget in bytes; 0 = 1 GiB */
	size_t max_record;		       /* longest record; 0 = 16 MiB */
	bool progress;			       /* draw a progress bar on stderr */
	bool dedup;			       /* drop repeated Ids (grep --all turns it off) */
	struct ss_store *st;		       /* the store, or NULL (grep) */
	int64_t tenant;			       /* tenant row in the store */
	const struct ss_detect_config *detect; /* run the C detections with this config, or NULL */
	const struct ss_rules *rules;	       /* run these Sigma rules in the same pass, or NULL */
	/* grep: records for which match returns true are written to out, in input order */
	bool (*match)(void *ctx, struct ss_audit_rec *r);
	void *match_ctx;
	FILE *out;
};

/*
 * Reads every input under paths (files, directories, "-"). Bad records are
 * counted and listed, bad inputs reported, and the pass goes on; only a
 * store failure or an unreadable path argument stops it (negative code, err
 * filled; batches already committed stay). *summary (new reference) gets
 * the run's summary: records, duplicates, already_ingested, rejected,
 * bytes, seconds, first, last, inputs [...], rejects [...], warnings [...],
 * and with detections on, "findings" (the findings of this pass; with a
 * store they are recorded there too, and "new_findings" counts the new ones).
 */
int ss_ingest_run(char *const *paths, size_t n, const struct ss_ingest_opts *o, json_t **summary,
		  struct ss_error *err);

#endif
