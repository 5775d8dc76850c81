/* alloc.h - allocation wrappers that abort on out-of-memory, and checked size arithmetic. */
#ifndef SS_ALLOC_H
#define SS_ALLOC_H

#include <stddef.h>

/*
 * Every allocation in secscore goes through these wrappers. On out-of-memory
 * they print a message and abort, so callers never check for NULL (the Redis
 * rule). Returned memory is owned by the caller and released with free().
 */
void *ss_xmalloc(size_t n);
void *ss_xcalloc(size_t count, size_t size);
void *ss_xrealloc(void *p, size_t n);
char *ss_xstrdup(const char *s);
char *ss_xstrndup(const char *s, size_t n);

/* Overflow-checked size arithmetic: abort (as a bug) on overflow. */
size_t ss_add_sz(size_t a, size_t b);
size_t ss_mul_sz(size_t a, size_t b);

/* Fatal errors: ss_die for conditions we cannot continue from, ss_bug for our own broken invariants. */
_Noreturn void ss_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void ss_bug(const char *file, int line, const char *msg);
#define SS_BUG(msg) ss_bug(__FILE__, __LINE__, (msg))

#define SS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
