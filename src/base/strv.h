/* strv.h - a growable vector of owned C strings, and a string -> index hash map. */
#ifndef SS_STRV_H
#define SS_STRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Owns its strings; release with ss_strv_release. */
struct ss_strv {
	char **v;   /* strings, owned */
	size_t n;   /* used */
	size_t cap; /* allocated */
};

void ss_strv_init(struct ss_strv *sv);
void ss_strv_release(struct ss_strv *sv);
/* Appends a copy of s / of s[0..len). */
void ss_strv_push(struct ss_strv *sv, const char *s);
void ss_strv_pushn(struct ss_strv *sv, const char *s, size_t len);
/* Appends a printf-formatted string. */
void ss_strv_pushf(struct ss_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool ss_strv_has(const struct ss_strv *sv, const char *s);
void ss_strv_sort(struct ss_strv *sv);

/*
 * An open-addressing map from byte strings to uint32 values. Keys are
 * borrowed: they must outlive the map and stay unchanged.
 */
struct ss_strmap {
	const char **keys; /* borrowed keys, NULL = empty slot */
	size_t *lens;	   /* key lengths */
	uint32_t *vals;	   /* values */
	size_t cap;	   /* slots (power of two) */
	size_t n;	   /* used */
};

void ss_strmap_init(struct ss_strmap *m);
void ss_strmap_release(struct ss_strmap *m);
/* Inserts or replaces key -> val. */
void ss_strmap_put(struct ss_strmap *m, const char *key, size_t len, uint32_t val);
/* Looks key up: true and *val when present. */
bool ss_strmap_get(const struct ss_strmap *m, const char *key, size_t len, uint32_t *val);

#endif
