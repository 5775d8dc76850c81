/* dedup.h - exact deduplication of audit records on Id: day-partitioned sets of 16-byte keys. */
#ifndef SS_AUDIT_DEDUP_H
#define SS_AUDIT_DEDUP_H

/*
 * Design (docs/internals/audit.md): a record's key is its Id as 16 bytes
 * (ss_audit_key). Copies of one record share their CreationTime, so the set
 * is partitioned by the record's UTC day: one open-addressing table of keys
 * per day (16 bytes a slot, at most 85% full, plus two bits a slot: the
 * key came from an earlier run / was already handed to the store). The first time a day is touched in a run,
 * the keys that earlier runs stored for that day are loaded through the
 * loader callback, so a second run over the same records adds nothing.
 *
 * Memory is bounded by a budget: at a batch commit (after the new keys have
 * been drained into the store), the days used least recently are dropped
 * from memory; touching such a day again reloads it from the store. The
 * keys of a record seen again after its day was dropped then count as
 * "already ingested" rather than "duplicate" - the totals stay exact.
 *
 * Thread safety: ss_dedup_check may be called from many threads at once
 * (one lock, taken once per batch of keys); the other calls must not run
 * concurrently with anything else.
 */

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum ss_dedup_verdict {
	SS_DEDUP_NEW = 0, /* first copy: accept the record */
	SS_DEDUP_DUP,	  /* seen earlier in this run */
	SS_DEDUP_OLD,	  /* ingested by an earlier run */
};

struct ss_dedup;
struct ss_dedup_day;

/* Adds a key stored by an earlier run to a day being loaded. */
void ss_dedup_day_add_old(struct ss_dedup_day *day, const unsigned char key[16]);

/*
 * Called once per day per residency (under the set's lock) to load the keys
 * earlier runs stored for that day with ss_dedup_day_add_old. Returns 0 or
 * a negative code (err filled). May be NULL (nothing stored).
 */
typedef int (*ss_dedup_loader)(void *ctx, int32_t day, struct ss_dedup_day *d, struct ss_error *err);

struct ss_dedup *ss_dedup_new(ss_dedup_loader load, void *ctx);
void ss_dedup_free(struct ss_dedup *d);

/*
 * Checks n keys (key i belongs to UTC day days[i]), inserting the new ones,
 * and writes a verdict per key. Keys repeated inside the batch are
 * duplicates after their first. Returns 0 or the loader's error.
 */
int ss_dedup_check(struct ss_dedup *d, size_t n, const int32_t *days, const unsigned char (*keys)[16],
		   uint8_t *verdict, struct ss_error *err);

/*
 * Hands the keys inserted since the last drain to fn, one call per day with
 * the day's new keys sorted, then forgets that they were new. Stops at and
 * returns fn's first non-zero result.
 */
int ss_dedup_drain(struct ss_dedup *d, int (*fn)(void *ctx, int32_t day, const unsigned char *keys, size_t n),
		   void *ctx);

/* Drops the least recently used days (with nothing left to drain) until memory is under budget bytes. */
void ss_dedup_trim(struct ss_dedup *d, size_t budget);

/* Bytes of memory the set uses now, and the number of keys held. */
size_t ss_dedup_bytes(const struct ss_dedup *d);
uint64_t ss_dedup_count(const struct ss_dedup *d);

#endif
