/* dedup.c - day-partitioned open-addressing sets of 16-byte record keys, with a memory budget. */
#include "audit/dedup.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

struct ss_dedup_day {
	int32_t day;	     /* UTC day number */
	unsigned char *keys; /* cap slots of 16 bytes; all-zero = empty */
	uint8_t *old;	     /* one bit a slot: key from an earlier run */
	uint8_t *drained;    /* one bit a slot: key of this run already handed to the store */
	size_t cap;	     /* slots (power of two) */
	size_t n;	     /* keys held */
	size_t nfresh;	     /* keys inserted since the last drain (neither bit set) */
	uint64_t used;	     /* tick of the last use */
};

struct ss_dedup {
	pthread_mutex_t lock;	    /* guards everything */
	struct ss_dedup_day **days; /* open-addressing map by day number; NULL = empty */
	size_t cap;		    /* slots */
	size_t n;		    /* days resident */
	uint64_t tick;		    /* use counter */
	ss_dedup_loader load;	    /* loads stored keys of a day */
	void *ctx;		    /* for load */
	size_t bytes;		    /* memory of the resident days */
	uint64_t keys;		    /* keys of the resident days */
};

static const unsigned char zero16[16];

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static size_t key_hash(const unsigned char *k)
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, k + 8, 8);
	return (size_t)mix(a ^ (b * 0x9e3779b97f4a7c15ull));
}

static size_t day_bytes(const struct ss_dedup_day *d)
{
	return d->cap * 16 + 2 * (d->cap / 8 + 8) + sizeof(*d);
}

struct ss_dedup *ss_dedup_new(ss_dedup_loader load, void *ctx)
{
	struct ss_dedup *d = ss_xcalloc(1, sizeof(*d));

	pthread_mutex_init(&d->lock, NULL);
	d->cap = 64;
	d->days = ss_xcalloc(d->cap, sizeof(*d->days));
	d->load = load;
	d->ctx = ctx;
	return d;
}

static void day_free(struct ss_dedup_day *day)
{
	free(day->keys);
	free(day->old);
	free(day->drained);
	free(day);
}

void ss_dedup_free(struct ss_dedup *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->cap; i++)
		if (d->days[i])
			day_free(d->days[i]);
	free(d->days);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* Slot of key in day: where it is, or the empty slot where it would go. */
static size_t probe(const struct ss_dedup_day *day, const unsigned char *key)
{
	size_t mask = day->cap - 1, i = key_hash(key) & mask;

	while (memcmp(day->keys + i * 16, zero16, 16) != 0 && memcmp(day->keys + i * 16, key, 16) != 0)
		i = (i + 1) & mask;
	return i;
}

static void day_grow(struct ss_dedup *d, struct ss_dedup_day *day)
{
	struct ss_dedup_day old = *day;
	size_t i;

	if (d)
		d->bytes -= day_bytes(day);
	day->cap = old.cap ? old.cap * 2 : 1024;
	day->keys = ss_xcalloc(day->cap, 16);
	day->old = ss_xcalloc(day->cap / 8 + 8, 1);
	day->drained = ss_xcalloc(day->cap / 8 + 8, 1);
	for (i = 0; i < old.cap; i++) {
		size_t s;
		if (memcmp(old.keys + i * 16, zero16, 16) == 0)
			continue;
		s = probe(day, old.keys + i * 16);
		memcpy(day->keys + s * 16, old.keys + i * 16, 16);
		if (old.old[i / 8] & (1u << (i % 8)))
			day->old[s / 8] |= (uint8_t)(1u << (s % 8));
		if (old.drained[i / 8] & (1u << (i % 8)))
			day->drained[s / 8] |= (uint8_t)(1u << (s % 8));
	}
	free(old.keys);
	free(old.old);
	free(old.drained);
	if (d)
		d->bytes += day_bytes(day);
}

/* Inserts key; returns its slot and whether it was there already. */
static size_t insert(struct ss_dedup *d, struct ss_dedup_day *day, const unsigned char *key, bool *found)
{
	size_t s;

	if ((day->n + 1) * 100 > day->cap * 85)
		day_grow(d, day);
	s = probe(day, key);
	*found = memcmp(day->keys + s * 16, zero16, 16) != 0;
	if (!*found) {
		memcpy(day->keys + s * 16, key, 16);
		day->n++;
		if (d)
			d->keys++;
	}
	return s;
}

void ss_dedup_day_add_old(struct ss_dedup_day *day, const unsigned char key[16])
{
	bool found;
	size_t s;

	if (memcmp(key, zero16, 16) == 0)
		return;
	s = insert(NULL, day, key, &found);
	day->old[s / 8] |= (uint8_t)(1u << (s % 8));
}

static size_t day_slot(const struct ss_dedup *d, int32_t day)
{
	size_t mask = d->cap - 1, i = (size_t)mix((uint64_t)(uint32_t)day) & mask;

	while (d->days[i] && d->days[i]->day != day)
		i = (i + 1) & mask;
	return i;
}

static void map_put(struct ss_dedup *d, struct ss_dedup_day *day)
{
	if ((d->n + 1) * 2 > d->cap) {
		struct ss_dedup_day **old = d->days;
		size_t oc = d->cap, i;
		d->cap *= 2;
		d->days = ss_xcalloc(d->cap, sizeof(*d->days));
		for (i = 0; i < oc; i++)
			if (old[i])
				d->days[day_slot(d, old[i]->day)] = old[i];
		free(old);
	}
	d->days[day_slot(d, day->day)] = day;
	d->n++;
}

/* The resident table of a day, loading it when absent. */
static int get_day(struct ss_dedup *d, int32_t dayno, struct ss_dedup_day **out, struct ss_error *err)
{
	size_t s = day_slot(d, dayno);
	struct ss_dedup_day *day;
	int rc;

	if (d->days[s]) {
		*out = d->days[s];
		return 0;
	}
	day = ss_xcalloc(1, sizeof(*day));
	day->day = dayno;
	day_grow(NULL, day);
	if (d->load) {
		rc = d->load(d->ctx, dayno, day, err);
		if (rc) {
			day_free(day);
			return rc;
		}
	}
	d->bytes += day_bytes(day);
	d->keys += day->n;
	map_put(d, day);
	*out = day;
	return 0;
}

int ss_dedup_check(struct ss_dedup *d, size_t n, const int32_t *days, const unsigned char (*keys)[16],
		   uint8_t *verdict, struct ss_error *err)
{
	struct ss_dedup_day *day = NULL;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	d->tick++;
	for (i = 0; i < n; i++) {
		bool found;
		size_t s;
		if (!day || day->day != days[i]) {
			rc = get_day(d, days[i], &day, err);
			if (rc)
				break;
			day->used = d->tick;
		}
		s = insert(d, day, keys[i], &found);
		if (!found) {
			verdict[i] = SS_DEDUP_NEW;
			day->nfresh++;
		} else {
			verdict[i] = (day->old[s / 8] & (1u << (s % 8))) ? SS_DEDUP_OLD : SS_DEDUP_DUP;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

int ss_dedup_drain(struct ss_dedup *d, int (*fn)(void *ctx, int32_t day, const unsigned char *keys, size_t n),
		   void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < d->cap; i++) {
		struct ss_dedup_day *day = d->days[i];
		if (!day || day->nfresh == 0)
			continue;
		{
			/* the new keys are the ones without the old bit: gather, sort, hand out, then mark */
			unsigned char *keys = ss_xmalloc(ss_mul_sz(day->nfresh, 16));
			size_t k, n = 0;
			for (k = 0; k < day->cap && n < day->nfresh; k++) {
				if (memcmp(day->keys + k * 16, zero16, 16) == 0 ||
				    (day->old[k / 8] & (1u << (k % 8))) ||
				    (day->drained[k / 8] & (1u << (k % 8))))
					continue;
				memcpy(keys + n * 16, day->keys + k * 16, 16);
				n++;
			}
			qsort(keys, n, 16, cmp16);
			rc = fn(ctx, day->day, keys, n);
			free(keys);
			if (rc)
				return rc;
			for (k = 0; k < day->cap; k++)
				if (memcmp(day->keys + k * 16, zero16, 16) != 0 &&
				    !(day->old[k / 8] & (1u << (k % 8))))
					day->drained[k / 8] |= (uint8_t)(1u << (k % 8));
			day->nfresh = 0;
		}
	}
	return 0;
}

void ss_dedup_trim(struct ss_dedup *d, size_t budget)
{
	while (d->bytes > budget && d->n > 0) {
		size_t i, best = SIZE_MAX;
		for (i = 0; i < d->cap; i++) {
			struct ss_dedup_day *day = d->days[i];
			if (day && day->nfresh == 0 && (best == SIZE_MAX || day->used < d->days[best]->used))
				best = i;
		}
		if (best == SIZE_MAX)
			return;
		{
			struct ss_dedup_day *day = d->days[best];
			struct ss_dedup_day **old = d->days;
			size_t j;
			d->bytes -= day_bytes(day);
			d->keys -= day->n;
			old[best] = NULL;
			day_free(day);
			/* rebuild the map: open addressing cannot simply leave a hole */
			d->days = ss_xcalloc(d->cap, sizeof(*d->days));
			d->n = 0;
			for (j = 0; j < d->cap; j++)
				if (old[j]) {
					d->days[day_slot(d, old[j]->day)] = old[j];
					d->n++;
				}
			free(old);
		}
	}
}

size_t ss_dedup_bytes(const struct ss_dedup *d)
{
	return d->bytes;
}

uint64_t ss_dedup_count(const struct ss_dedup *d)
{
	return d->keys;
}
