/* acc.h - mergeable analytic state of an audit pass: volumes, per-user activity, rejects, per-input counts. */
#ifndef SS_AUDIT_ACC_H
#define SS_AUDIT_ACC_H

/*
 * Each worker thread updates its own accumulator; at a batch boundary they
 * are merged (ss_acc_merge) into one, which the store applies. Every field
 * merges by sum, min or max, so the result does not depend on how the input
 * was split or in which order chunks ran. The same property will let shards
 * on several machines be merged.
 *
 * Memory is bounded by the number of distinct users, (day, workload,
 * operation) triples and inputs - never by the number of records. Strings
 * are copied in (owned). Not thread-safe: one accumulator per thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/record.h"
#include "base/buf.h"
#include "base/strv.h"
#include "base/time.h"

/* What one user did, as far as the audit log tells. */
struct ss_acc_user {
	char *upn;	       /* lower-cased UserId, owned */
	bool service;	       /* not a human principal */
	ss_time_ms first;      /* first record */
	ss_time_ms last;       /* last record */
	ss_time_ms last_ok;    /* last successful sign-in, 0 when none */
	ss_time_ms last_fail;  /* last failed sign-in, 0 when none */
	uint64_t records;      /* records */
	uint64_t signins_ok;   /* successful sign-ins */
	uint64_t signins_fail; /* failed sign-ins */
};

/* Records of one (day, workload, operation). */
struct ss_acc_volume {
	int32_t day;	/* UTC day number */
	uint32_t name;	/* index into names: "workload\037operation" */
	uint64_t count; /* records */
};

/* A rejected record, kept for the report (the first SS_ACC_MAX_REJECTS of a pass). */
struct ss_acc_reject {
	uint32_t input; /* input index */
	long line;	/* 1-based line */
	long column;	/* 1-based column, 0 when unknown */
	char *reason;	/* owned; includes the field when one is named */
};

#define SS_ACC_MAX_REJECTS 1000

/* Counters of one input. */
struct ss_acc_input {
	uint64_t records;    /* distinct records accepted */
	uint64_t duplicates; /* copies of records seen earlier in this run */
	uint64_t old;	     /* records ingested by an earlier run */
	uint64_t rejected;   /* records that could not be read */
	uint64_t rows;	     /* CSV data rows */
};

struct ss_acc {
	uint64_t records, duplicates, old, rejected; /* totals */
	ss_time_ms first, last;			     /* span of accepted records (0 when none) */
	struct ss_acc_user *users;		     /* owned */
	size_t nusers, capusers;
	struct ss_strmap user_ix;  /* upn -> index into users */
	struct ss_strv names;	   /* "workload\037operation" strings */
	struct ss_strmap name_ix;  /* name -> index into names */
	struct ss_acc_volume *vol; /* open-addressing table by (day, name) */
	size_t capvol, nvol;
	struct ss_acc_reject *rejects; /* owned */
	size_t nrejects, caprejects;
	struct ss_acc_input *inputs; /* by input index, owned */
	size_t ninputs;
};

void ss_acc_init(struct ss_acc *a);
void ss_acc_release(struct ss_acc *a);
/* Empties a for the next batch, keeping its allocations where it can. */
void ss_acc_reset(struct ss_acc *a);

/* Counters of input i (grown on demand). */
struct ss_acc_input *ss_acc_input(struct ss_acc *a, uint32_t i);

/* Adds one accepted record. */
void ss_acc_record(struct ss_acc *a, uint32_t input, const struct ss_audit_rec *r);

/* Adds one rejected record; reason is copied. */
void ss_acc_reject(struct ss_acc *a, uint32_t input, long line, long column, const char *reason);

/* Adds everything of src into dst (src unchanged). */
void ss_acc_merge(struct ss_acc *dst, const struct ss_acc *src);

/* Iterates the volume table: calls fn for every (day, workload, operation, count). */
void ss_acc_volumes(const struct ss_acc *a,
		    void (*fn)(void *ctx, int32_t day, struct ss_slice workload, struct ss_slice op,
			       uint64_t n),
		    void *ctx);

/* Floor division of a time by a day, as the day number used everywhere. */
static inline int32_t ss_acc_day(ss_time_ms t)
{
	int64_t d = t / SS_DAY_MS;
	if (t % SS_DAY_MS < 0)
		d--;
	return (int32_t)d;
}

#endif
