/* hash.h - SHA-256 of byte streams, as lowercase hex (content identity of snapshots and results). */
#ifndef SS_HASH_H
#define SS_HASH_H

#include <stddef.h>

/* An incremental SHA-256. Opaque; create with ss_sha256_new, finish with ss_sha256_final. */
struct ss_sha256;

struct ss_sha256 *ss_sha256_new(void);
void ss_sha256_update(struct ss_sha256 *h, const void *p, size_t n);
/* Writes 64 hex digits and a NUL into out and frees h. */
void ss_sha256_final(struct ss_sha256 *h, char out[static 65]);

#endif
