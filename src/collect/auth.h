/* auth.h - OAuth2 client credentials: a client secret or a certificate-signed JWT assertion (RS256). */
#ifndef SS_COLLECT_AUTH_H
#define SS_COLLECT_AUTH_H

/*
 * One struct ss_auth per resource (Graph, the Management API): it asks the
 * tenant's token endpoint ({login}/{tenant}/oauth2/v2.0/token) for an
 * app-only token of scope "{resource}/.default" and keeps it in memory until
 * five minutes before it expires. With a certificate, the request carries a
 * client assertion: a JWT with x5t (base64url SHA-1 thumbprint of the DER
 * certificate), aud (the token endpoint), iss = sub (the client id), jti
 * (random), nbf, iat and exp (ten minutes), signed RS256 with the PEM
 * private key (RSA, 2048 bits or more) through OpenSSL's EVP interface.
 *
 * The token, the secret and the assertion are wiped from memory when no
 * longer needed and never appear in errors. Not thread-safe.
 */

#include <stdbool.h>

#include "base/error.h"
#include "collect/config.h"
#include "collect/http.h"

struct ss_auth {
	const struct ss_collect_config *cfg; /* borrowed for the life of the struct */
	struct ss_http *http;		     /* borrowed: the token requests go through it */
	char *scope;			     /* e.g. https://graph.microsoft.com/.default, owned */
	char *header;			     /* "Authorization: Bearer ...", owned, wiped on release */
	double expires;			     /* monotonic seconds after which header is refreshed */
	void *key;			     /* EVP_PKEY of certificate auth, or NULL */
	char x5t[64];			     /* base64url SHA-1 thumbprint of the certificate */
	unsigned long tokens;		     /* tokens obtained (tests, summary) */
};

/*
 * Prepares auth for scope. With certificate auth the certificate and key
 * are read and checked now (the key must be RSA of 2048 bits or more and
 * belong to the certificate); errors name the file. No request is made.
 */
int ss_auth_init(struct ss_auth *a, const struct ss_collect_config *cfg, struct ss_http *http,
		 const char *scope, struct ss_error *err);
void ss_auth_release(struct ss_auth *a);

/*
 * An ss_http_auth_fn (ctx is a struct ss_auth): the header line with a
 * valid token, fetched when missing, close to expiry, or when refresh is
 * true. Errors: SS_EIO naming the token endpoint and Entra's error code.
 */
int ss_auth_header(void *ctx, bool refresh, const char **header, struct ss_error *err);

/* Appends the base64url (no padding) encoding of p[0..n) to b. */
int ss_base64url(struct ss_buf *b, const void *p, size_t n);

#endif
