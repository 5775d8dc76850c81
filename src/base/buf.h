/* buf.h - growable byte buffers with a hard ceiling, and {ptr, len} slices. */
#ifndef SS_BUF_H
#define SS_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A borrowed, not NUL-terminated string: valid as long as what it points into. */
struct ss_slice {
	const char *ptr; /* first byte, may be NULL when len is 0 */
	size_t len;	 /* length in bytes */
};

#define SS_SLICE(lit) ((struct ss_slice){(lit), sizeof(lit) - 1})

/*
 * A growable buffer. ptr is always NUL-terminated after a successful append
 * (the terminator is not counted in len). Growth past max fails with
 * SS_ETOOBIG and leaves the buffer unchanged, so hostile input cannot grow it
 * without bound. Owned by whoever called ss_buf_init; release with
 * ss_buf_release.
 */
struct ss_buf {
	char *ptr;  /* bytes, NULL until the first append */
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
	size_t max; /* ceiling on len */
};

void ss_buf_init(struct ss_buf *b, size_t max);
void ss_buf_release(struct ss_buf *b);
/* Sets len to 0, keeping the allocation. */
void ss_buf_clear(struct ss_buf *b);
/* Ensures room for n more bytes: 0 or SS_ETOOBIG. */
int ss_buf_grow(struct ss_buf *b, size_t n);
int ss_buf_add(struct ss_buf *b, const void *p, size_t n);
int ss_buf_adds(struct ss_buf *b, const char *s);
int ss_buf_addc(struct ss_buf *b, char c);
int ss_buf_printf(struct ss_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ss_buf_vprintf(struct ss_buf *b, const char *fmt, va_list ap);
/* Returns a NUL-terminated pointer ("" for an empty buffer); borrowed. */
const char *ss_buf_cstr(struct ss_buf *b);
/* Hands the bytes to the caller (to free()), leaving the buffer empty. */
char *ss_buf_detach(struct ss_buf *b, size_t *len);

bool ss_slice_eq(struct ss_slice a, const char *s);
/* ASCII case-insensitive comparison. */
bool ss_slice_eqi(struct ss_slice a, const char *s);
bool ss_slice_eqi_slice(struct ss_slice a, struct ss_slice b);

#endif
