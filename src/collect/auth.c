/* auth.c - app-only tokens from Entra ID: client secret or RS256 client assertion, cached until near expiry. */
#include "collect/auth.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/time.h"
#include "base/alloc.h"

#define TOKEN_MAX   (1 << 20) /* bytes of a token response */
#define EARLY	    300.0     /* seconds before expiry a token is replaced */
#define JWT_SECONDS 600	      /* lifetime of a client assertion */

int ss_base64url(struct ss_buf *b, const void *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = p;
	size_t i;
	int rc = 0;

	for (i = 0; i + 2 < n && !rc; i += 3) {
		char q[4] = {tab[s[i] >> 2], tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			     tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)], tab[s[i + 2] & 63]};
		rc = ss_buf_add(b, q, 4);
	}
	if (!rc && n - i == 1) {
		char q[2] = {tab[s[i] >> 2], tab[(s[i] & 3) << 4]};
		rc = ss_buf_add(b, q, 2);
	} else if (!rc && n - i == 2) {
		char q[3] = {tab[s[i] >> 2], tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			     tab[(s[i + 1] & 15) << 2]};
		rc = ss_buf_add(b, q, 3);
	}
	return rc;
}

static int file_fail(struct ss_error *err, const char *path, const char *msg)
{
	ss_error_set(err, SS_EINVAL, "%s", msg);
	ss_error_at(err, path, 0, 0);
	return SS_EINVAL;
}

/* Reads the certificate (thumbprint into a->x5t) and the private key (a->key), and checks they match. */
static int load_cert(struct ss_auth *a, struct ss_error *err)
{
	const char *cpath = a->cfg->cert_path, *kpath = a->cfg->key_path;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	struct ss_buf t;
	FILE *f;
	int len, rc = 0;

	f = fopen(cpath, "r");
	if (!f)
		return file_fail(err, cpath, "cannot open the certificate");
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert)
		return file_fail(err, cpath, "not a PEM certificate (-----BEGIN CERTIFICATE-----)");
	f = fopen(kpath, "r");
	if (!f) {
		rc = file_fail(err, kpath, "cannot open the private key");
		goto out;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key) {
		rc = file_fail(err, kpath, "not an unencrypted PEM private key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key) < 2048) {
		rc = file_fail(err, kpath, "the key must be RSA of at least 2048 bits (RS256)");
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		rc = file_fail(err, kpath, "the private key does not belong to the certificate");
		goto out;
	}
	len = i2d_X509(cert, &der);
	if (len <= 0 || !EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha1(), NULL)) {
		rc = file_fail(err, cpath, "cannot compute the certificate's thumbprint");
		goto out;
	}
	ss_buf_init(&t, sizeof(a->x5t) - 1);
	ss_base64url(&t, md, mdlen);
	snprintf(a->x5t, sizeof(a->x5t), "%s", ss_buf_cstr(&t));
	ss_buf_release(&t);
	a->key = key;
	key = NULL;
out:
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

int ss_auth_init(struct ss_auth *a, const struct ss_collect_config *cfg, struct ss_http *http,
		 const char *scope, struct ss_error *err)
{
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->http = http;
	a->scope = ss_xstrdup(scope);
	if (!cfg->client_secret)
		rc = load_cert(a, err);
	if (rc)
		ss_auth_release(a);
	return rc;
}

void ss_auth_release(struct ss_auth *a)
{
	ss_collect_free_secret(a->header);
	free(a->scope);
	EVP_PKEY_free(a->key);
	memset(a, 0, sizeof(*a));
}

static void token_url(const struct ss_auth *a, struct ss_buf *b)
{
	ss_buf_printf(b, "%s/", a->cfg->login_url);
	ss_http_escape(b, a->cfg->tenant);
	ss_buf_adds(b, "/oauth2/v2.0/token");
}

/* Appends base64url(JSON of o) to b. */
static void add_json_part(struct ss_buf *b, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (!s)
		ss_die("out of memory");
	ss_base64url(b, s, strlen(s));
	free(s);
}

/* Builds the signed client assertion into out (a secret: the caller wipes it).
 */
static int assertion(struct ss_auth *a, const char *aud, struct ss_buf *out, struct ss_error *err)
{
	unsigned char rnd[16], *sig = NULL;
	char jti[40];
	size_t siglen = 0;
	time_t now = time(NULL);
	EVP_MD_CTX *md = NULL;
	json_t *hdr, *claims;
	int rc = 0;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return ss_error_set(err, SS_EIO, "cannot draw random bytes for the assertion's jti");
	rnd[6] = (unsigned char)((rnd[6] & 0x0f) | 0x40);
	rnd[8] = (unsigned char)((rnd[8] & 0x3f) | 0x80);
	snprintf(jti, sizeof(jti), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9], rnd[10],
		 rnd[11], rnd[12], rnd[13], rnd[14], rnd[15]);
	hdr = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "x5t", a->x5t);
	claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "aud", aud, "iss", a->cfg->client_id, "sub",
			   a->cfg->client_id, "jti", jti, "nbf", (json_int_t)now, "iat", (json_int_t)now,
			   "exp", (json_int_t)now + JWT_SECONDS);
	if (!hdr || !claims)
		ss_die("out of memory");
	add_json_part(out, hdr);
	ss_buf_addc(out, '.');
	add_json_part(out, claims);
	json_decref(hdr);
	json_decref(claims);
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out->ptr, out->len) != 1) {
		rc = ss_error_set(err, SS_EIO, "cannot sign the client assertion");
		goto done;
	}
	sig = ss_xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out->ptr, out->len) != 1) {
		rc = ss_error_set(err, SS_EIO, "cannot sign the client assertion");
		goto done;
	}
	ss_buf_addc(out, '.');
	ss_base64url(out, sig, siglen);
done:
	free(sig);
	EVP_MD_CTX_free(md);
	return rc;
}

/* Appends "&name=" and the escaped value. */
static void form(struct ss_buf *b, const char *name, const char *value)
{
	ss_buf_printf(b, "%s%s=", b->len ? "&" : "", name);
	ss_http_escape(b, value);
}

static int fetch_token(struct ss_auth *a, struct ss_error *err)
{
	struct ss_buf url, body, jwt;
	struct ss_http_resp r;
	struct ss_http_req rq = {0};
	json_t *doc = NULL, *tok, *exp;
	double secs = 3600;
	int rc;

	ss_buf_init(&url, 8192);
	ss_buf_init(&body, 64 << 10);
	ss_buf_init(&jwt, 32 << 10);
	token_url(a, &url);
	form(&body, "grant_type", "client_credentials");
	form(&body, "client_id", a->cfg->client_id);
	form(&body, "scope", a->scope);
	if (a->cfg->client_secret) {
		form(&body, "client_secret", a->cfg->client_secret);
	} else {
		rc = assertion(a, ss_buf_cstr(&url), &jwt, err);
		if (rc)
			goto out;
		form(&body, "client_assertion_type",
		     "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		form(&body, "client_assertion", ss_buf_cstr(&jwt));
	}
	rq.method = "POST";
	rq.url = ss_buf_cstr(&url);
	rq.content_type = "application/x-www-form-urlencoded";
	rq.body = body.ptr;
	rq.body_len = body.len;
	rq.json = true;
	rq.max_body = TOKEN_MAX;
	rc = ss_http_do(a->http, &rq, &r, err);
	if (rc)
		goto out_resp; /* the error names the endpoint, status and Entra's code and
                      description */
	doc = json_loadb(r.body.ptr, r.body.len, 0, NULL);
	tok = json_object_get(doc, "access_token");
	exp = json_object_get(doc, "expires_in");
	if (!json_is_string(tok) || !json_string_length(tok) ||
	    strlen(json_string_value(tok)) != json_string_length(tok)) {
		rc = ss_error_set(err, SS_EIO, "the token endpoint %.300s answered without an access_token",
				  ss_buf_cstr(&url));
		goto out_resp;
	}
	if (json_is_integer(exp))
		secs = (double)json_integer_value(exp);
	else if (json_is_string(exp))
		secs = strtod(json_string_value(exp), NULL);
	if (!(secs > 0 && secs < 86400 * 2))
		secs = 3600;
	ss_collect_free_secret(a->header);
	{
		size_t n = json_string_length(tok) + 32;
		a->header = ss_xmalloc(n);
		snprintf(a->header, n, "Authorization: Bearer %s", json_string_value(tok));
	}
	a->expires = ss_time_monotonic() + (secs > 2 * EARLY ? secs - EARLY : secs / 2);
	a->tokens++;
out_resp:
	if (r.body.ptr)
		explicit_bzero(r.body.ptr, r.body.len);
	ss_http_resp_release(&r);
	if (json_is_string(json_object_get(doc, "access_token"))) {
		tok = json_object_get(doc, "access_token");
		explicit_bzero((char *)json_string_value(tok), json_string_length(tok));
	}
	json_decref(doc);
out:
	if (body.ptr)
		explicit_bzero(body.ptr, body.len);
	if (jwt.ptr)
		explicit_bzero(jwt.ptr, jwt.len);
	ss_buf_release(&url);
	ss_buf_release(&body);
	ss_buf_release(&jwt);
	return rc;
}

int ss_auth_header(void *ctx, bool refresh, const char **header, struct ss_error *err)
{
	struct ss_auth *a = ctx;
	int rc;

	if (refresh || !a->header || ss_time_monotonic() >= a->expires) {
		rc = fetch_token(a, err);
		if (rc)
			return rc;
	}
	*header = a->header;
	return 0;
}
