/* audit_store.h - the audit log's tables: inputs read, record ids taken, volumes, per-user activity, runs. */
#ifndef SS_AUDIT_STORE_H
#define SS_AUDIT_STORE_H

/*
 * An ingest writes in batches; each batch is one transaction
 * (ss_store_audit_begin ... ss_store_audit_commit) holding the record ids it
 * accepted, the volumes and user activity they add, and the inputs it
 * finished. A killed ingest therefore leaves whole batches only, and the
 * ids make the next run skip exactly what those batches took. Tables and
 * the id layout: docs/store.md.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/acc.h"
#include "audit/dedup.h"
#include "store/store.h"

/* What the store knows of one input file. */
struct ss_audit_input_row {
	char path[4096];   /* absolute path */
	int64_t size;	   /* bytes when last read */
	int64_t mtime;	   /* modification time, ns */
	char head[65];	   /* SHA-256 of the first 64 KiB */
	char tail[65];	   /* SHA-256 of the 64 KiB before `consumed` */
	int64_t consumed;  /* bytes read to the end of the last whole record */
	int64_t lines;	   /* line number after `consumed` */
	char format[16];   /* ndjson, json-array, csv */
	char codec[16];	   /* plain, gzip, zstd */
	char encoding[16]; /* utf-8, utf-16le */
	int64_t rows;	   /* CSV data rows */
	int64_t records;   /* distinct records taken from it (all runs) */
	int64_t duplicates;
	int64_t rejected;
};

int ss_store_audit_begin(struct ss_store *st, struct ss_error *err);
int ss_store_audit_commit(struct ss_store *st, struct ss_error *err);
void ss_store_audit_rollback(struct ss_store *st);

/* Looks an input up: *found false when the store has never finished reading it. */
int ss_store_audit_get_input(struct ss_store *st, int64_t tenant, const char *path,
			     struct ss_audit_input_row *out, bool *found, struct ss_error *err);

/* Records a finished input (replacing its row; counts are the caller's totals). */
int ss_store_audit_put_input(struct ss_store *st, int64_t tenant, const struct ss_audit_input_row *in,
			     struct ss_error *err);

/* Appends the sorted keys a batch accepted for one day. */
int ss_store_audit_put_ids(struct ss_store *st, int64_t tenant, int32_t day, const unsigned char *keys,
			   size_t n, struct ss_error *err);

/* Adds every key stored for (tenant, day) to d (a dedup loader). */
int ss_store_audit_load_ids(struct ss_store *st, int64_t tenant, int32_t day, struct ss_dedup_day *d,
			    struct ss_error *err);

/* Adds a batch's volumes and user activity (sums, minima and maxima). */
int ss_store_audit_put_acc(struct ss_store *st, int64_t tenant, const struct ss_acc *a, struct ss_error *err);

/* Records a finished run and its summary document. */
int ss_store_audit_put_run(struct ss_store *st, int64_t tenant, json_t *summary, struct ss_error *err);

/*
 * The coverage and data-quality report of a tenant's audit data: records,
 * span, per day and per workload counts, gaps (days without records inside
 * the span, overall and per workload), duplicates and rejects over all
 * runs, inputs with a warning when a CSV has exactly 5,000, 10,000 or
 * 50,000 rows. *out is a new reference.
 */
int ss_store_audit_stats(struct ss_store *st, int64_t tenant, json_t **out, struct ss_error *err);

#endif
