/* hash.c - SHA-256 through OpenSSL's EVP interface. */
#include "base/hash.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "base/alloc.h"

struct ss_sha256 {
	EVP_MD_CTX *ctx; /* OpenSSL digest context, owned */
};

struct ss_sha256 *ss_sha256_new(void)
{
	struct ss_sha256 *h = ss_xmalloc(sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		ss_die("cannot initialise SHA-256");
	return h;
}

void ss_sha256_update(struct ss_sha256 *h, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
		ss_die("SHA-256 update failed");
}

void ss_sha256_final(struct ss_sha256 *h, char out[static 65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1)
		ss_die("SHA-256 final failed");
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
	EVP_MD_CTX_free(h->ctx);
	free(h);
}
