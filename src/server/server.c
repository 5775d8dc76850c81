/* server.c - the libmicrohttpd daemon: listening, limits, bodies, per-thread stores, responses. */
#include "server/server.h"

/*
 * Design. libmicrohttpd calls on_request several times per request: first
 * with the headers (we check the declared body size and the client's rate
 * here, answering 413 or 429 before any body is read), then once per chunk
 * of body (appended to a buffer with a hard ceiling: 413 past it), then
 * once more with no data, when the request is complete and ss_api_handle
 * answers it with this thread's store. The per-connection state is freed
 * in on_completed, which libmicrohttpd calls for every request it started,
 * answered or not. libmicrohttpd itself answers requests it cannot parse
 * (400), headers over the memory limit (431) and drops idle connections.
 */

#include <arpa/inet.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "output/report_html.h"
#include "server/dashboard.h"
#include "store/compare.h"
#include "store/run_store.h"

#define RATE_SLOTS    4096
#define RATE_PROBES   8
#define MAX_PEM	      (1024 * 1024)
#define HEADER_MEMORY (32 * 1024)
#define DRAIN_FACTOR  16

/* Requests of one client address in the current minute. */
struct rate_slot {
	unsigned char addr[16]; /* IPv4 (first 4 bytes) or IPv6 address */
	unsigned char len;	/* 4 or 16; 0 when the slot is free */
	int64_t minute;		/* the window the count belongs to */
	unsigned count;		/* requests in it */
};

struct ss_server {
	struct MHD_Daemon *daemon;	     /* owned */
	const struct ss_server_config *cfg;  /* borrowed */
	pthread_key_t store_key;	     /* this thread's struct ss_store * */
	bool have_key;			     /* store_key was created */
	char *cert_pem;			     /* TLS certificate, owned, NULL without TLS */
	char *key_pem;			     /* TLS key, owned (wiped on stop) */
	size_t key_len;			     /* its length */
	uint16_t port;			     /* bound port */
	char url[128];			     /* "http://127.0.0.1:8080" */
	char public_url[SS_PUBLIC_URL_SIZE]; /* cfg->public_url without a final '/', "" when none */
	char scheme[8];			     /* "http" or "https" */
	struct rate_slot *rate;		     /* RATE_SLOTS slots, owned */
	pthread_mutex_t rate_lock;	     /* guards rate */
	atomic_ulong next_id;		     /* request ids */
	struct ss_dash dash;		     /* the dashboard's settings and readers */
	char csp[256];			     /* Content-Security-Policy of its pages */
};

/* One request in flight. */
struct request_state {
	struct ss_buf body;    /* the body so far, capped at max_body */
	bool answered;	       /* a response was queued before the body was complete */
	bool too_big;	       /* the body outgrew the cap: answered 413 once it ends */
	size_t drained;	       /* bytes dropped since */
	struct timespec start; /* when its headers arrived */
	char request_id[24];   /* echoed in errors and the request-id header */
};

void ss_server_config_init(struct ss_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = "127.0.0.1:8080";
	cfg->threads = 4;
	cfg->max_connections = 64;
	cfg->per_ip = 16;
	cfg->timeout = 15;
	cfg->max_body = 64 * 1024;
	cfg->rate = 600;
}

int ss_server_parse_listen(const char *text, void *storage, bool *ipv6, bool *loopback, struct ss_error *err)
{
	struct sockaddr_storage *ss = storage;
	char host[256];
	const char *colon, *port_text;
	char *end;
	long port;
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	*ipv6 = false;
	*loopback = false;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			goto bad;
		hlen = (size_t)(close - text - 1);
		if (hlen >= sizeof(host))
			goto bad;
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		port_text = close + 2;
		*ipv6 = true;
	} else {
		colon = strrchr(text, ':');
		if (!colon || colon == text)
			goto bad;
		hlen = (size_t)(colon - text);
		if (hlen >= sizeof(host))
			goto bad;
		memcpy(host, text, hlen);
		host[hlen] = '\0';
		port_text = colon + 1;
	}
	port = strtol(port_text, &end, 10);
	if (!*port_text || *end || port < 0 || port > 65535 || port_text[0] == '-' || port_text[0] == '+')
		goto bad;
	if (*ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
			    (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (strcmp(host, "localhost") == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
bad:
	return ss_error_set(err, SS_EUSAGE,
			    "cannot use '%s' as an address to listen on: give HOST:PORT with a numeric IPv4 "
			    "address, [IPv6]:PORT, or localhost:PORT",
			    text);
}

/* ---- the per-thread store ---- */

static void store_destroy(void *p)
{
	struct ss_store *st = p;

	ss_store_close(st);
	free(st);
}

/* This thread's store, opened on first use; NULL (logged) when it cannot be opened. */
static struct ss_store *thread_store(struct ss_server *srv)
{
	struct ss_store *st = pthread_getspecific(srv->store_key);
	struct ss_error err;

	if (st)
		return st;
	ss_error_clear(&err);
	st = ss_xcalloc(1, sizeof(*st));
	if (ss_store_open(st, srv->cfg->db_path, false, &err) != 0) {
		char msg[1400];
		ss_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "secscore: serve: cannot open the store: %s\n", msg);
		free(st);
		return NULL;
	}
	if (pthread_setspecific(srv->store_key, st) != 0) {
		store_destroy(st);
		return NULL;
	}
	return st;
}

/* ---- rate limit ---- */

static int64_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Counts a request of the client; false (and *retry seconds) when it is over the rate. */
static bool rate_ok(struct ss_server *srv, const struct sockaddr *sa, unsigned *retry)
{
	unsigned char key[16];
	unsigned char len = 0;
	struct rate_slot *slot = NULL, *spare = NULL;
	int64_t now = monotonic_seconds(), minute = now / 60;
	uint32_t h = 2166136261u;
	unsigned i;
	bool ok;

	*retry = 0;
	if (!srv->cfg->rate || !sa)
		return true;
	if (sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		len = 4;
	} else if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		len = 16;
	} else {
		return true;
	}
	for (i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	pthread_mutex_lock(&srv->rate_lock);
	for (i = 0; i < RATE_PROBES; i++) {
		struct rate_slot *s = &srv->rate[(h + i) % RATE_SLOTS];
		if (s->len == len && memcmp(s->addr, key, len) == 0) {
			slot = s;
			break;
		}
		if (!spare && (s->len == 0 || s->minute != minute))
			spare = s;
	}
	if (!slot) {
		/* A new client takes a free or stale slot; with none, the first probe's (the table is a cache). */
		slot = spare ? spare : &srv->rate[h % RATE_SLOTS];
		memcpy(slot->addr, key, len);
		slot->len = len;
		slot->minute = minute;
		slot->count = 0;
	}
	if (slot->minute != minute) {
		slot->minute = minute;
		slot->count = 0;
	}
	ok = slot->count < srv->cfg->rate;
	if (ok)
		slot->count++;
	pthread_mutex_unlock(&srv->rate_lock);
	if (!ok)
		*retry = (unsigned)(60 - now % 60);
	return ok;
}

/* ---- responses ---- */

static void client_text(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
}

/* Logs one answered request: client, method, path (control characters replaced), status, author, time. */
static void log_request(struct ss_server *srv, struct MHD_Connection *conn, const char *method,
			const char *url, int status, const char *author, const struct request_state *rs)
{
	char client[64], path[201];
	struct timespec now;
	double ms;
	size_t i;

	if (srv->cfg->quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - rs->start.tv_sec) * 1000.0 +
	     (double)(now.tv_nsec - rs->start.tv_nsec) / 1e6;
	client_text(conn, client, sizeof(client));
	for (i = 0; url[i] && i < sizeof(path) - 1; i++)
		path[i] = (url[i] < 0x20 || url[i] == 0x7f || url[i] == '"') ? '?' : url[i];
	path[i] = '\0';
	fprintf(stderr, "secscore: serve: %s \"%.16s %s\" %d %s %.1f ms\n", client, method, path, status,
		author && *author ? author : "-", ms);
}

/* Queues res (its body serialised) on conn with the usual headers. */
static enum MHD_Result send_response(struct ss_server *srv, struct MHD_Connection *conn,
				     struct ss_api_response *res, const char *request_id, unsigned retry)
{
	struct MHD_Response *r;
	char *text = NULL;
	size_t len = 0;
	enum MHD_Result ret;
	char num[32];

	if (res->raw) { /* already serialised: handed over as it is */
		text = res->raw;
		len = res->raw_len;
		res->raw = NULL;
		res->raw_len = 0;
	} else if (res->body) {
		text = json_dumps(res->body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		len = text ? strlen(text) : 0;
	}
	if (text)
		r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	if (text)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "request-id", request_id);
	if (res->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	if (res->challenge)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"secscore\"");
	if (retry) {
		snprintf(num, sizeof(num), "%u", retry);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	if (srv->cert_pem)
		MHD_add_response_header(r, MHD_HTTP_HEADER_STRICT_TRANSPORT_SECURITY, "max-age=31536000");
	ret = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Queues a dashboard page (or redirect) with the headers of an HTML page. */
static enum MHD_Result send_page(struct ss_server *srv, struct MHD_Connection *conn,
				 struct ss_dash_response *res, const char *request_id)
{
	struct MHD_Response *r;
	size_t len = 0;
	char *text = ss_buf_detach(&res->body, &len);
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, text ? text : (void *)"",
					    text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	if (len)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	MHD_add_response_header(r, "Content-Security-Policy", srv->csp);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "request-id", request_id);
	if (res->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
	if (res->cookie[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, res->cookie);
	if (srv->cert_pem)
		MHD_add_response_header(r, MHD_HTTP_HEADER_STRICT_TRANSPORT_SECURITY, "max-age=31536000");
	ret = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Answers with an error before (or instead of) reading the body. */
static enum MHD_Result refuse(struct ss_server *srv, struct MHD_Connection *conn, struct request_state *rs,
			      const char *method, const char *url, int status, const char *code,
			      const char *message, unsigned retry)
{
	struct ss_api_request req;
	struct ss_api_response res;
	enum MHD_Result ret;

	memset(&req, 0, sizeof(req));
	req.request_id = rs->request_id;
	ss_api_response_init(&res);
	ss_api_error(&res, &req, status, code, "%s", message);
	rs->answered = true;
	ret = send_response(srv, conn, &res, rs->request_id, retry);
	log_request(srv, conn, method, url, status, NULL, rs);
	ss_api_response_release(&res);
	return ret;
}

/* ---- requests ---- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct ss_api_request *req = cls;

	(void)kind;
	if (req->n_args == SS_API_MAX_ARGS) {
		req->too_many_args = true;
		return MHD_NO;
	}
	req->args[req->n_args].key = key;
	req->args[req->n_args].value = value ? value : "";
	req->n_args++;
	return MHD_YES;
}

static const char *lookup_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

/* A Host header made only of host name and address characters; NULL otherwise. */
static const char *sane_host(const char *host)
{
	size_t i;

	if (!host || !*host || strlen(host) > 255)
		return NULL;
	for (i = 0; host[i]; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return NULL;
	}
	return host;
}

static enum MHD_Result answer(struct ss_server *srv, struct MHD_Connection *conn, struct request_state *rs,
			      const char *method, const char *url)
{
	struct ss_api_request req;
	struct ss_api_response res;
	struct ss_buf base;
	const char *host;
	enum MHD_Result ret;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.header = lookup_header;
	req.ctx = conn;
	req.body = rs->body.ptr;
	req.body_len = rs->body.len;
	req.request_id = rs->request_id;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
	ss_buf_init(&base, 512);
	host = sane_host(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST));
	if (srv->public_url[0])
		ss_buf_adds(&base, srv->public_url);
	else if (host)
		ss_buf_printf(&base, "%s://%s", srv->scheme, host);
	else
		ss_buf_adds(&base, srv->url);
	req.base_url = ss_buf_cstr(&base);
	if (ss_dash_owns(url)) {
		struct ss_dash_response page;
		ss_dash_handle(&srv->dash, thread_store(srv), &req, &page);
		ret = send_page(srv, conn, &page, rs->request_id);
		log_request(srv, conn, method, url, page.status, page.author, rs);
		ss_dash_response_release(&page);
		ss_buf_release(&base);
		return ret;
	}
	ss_api_handle(&srv->cfg->api, thread_store(srv), &req, &res);
	ret = send_response(srv, conn, &res, rs->request_id, 0);
	log_request(srv, conn, method, url, res.status, res.author, rs);
	ss_api_response_release(&res);
	ss_buf_release(&base);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct ss_server *srv = cls;
	struct request_state *rs = *con_cls;

	(void)version;
	if (!rs) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const char *cl =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned retry = 0;
		rs = ss_xcalloc(1, sizeof(*rs));
		ss_buf_init(&rs->body, srv->cfg->max_body);
		clock_gettime(CLOCK_MONOTONIC, &rs->start);
		snprintf(rs->request_id, sizeof(rs->request_id), "%016lx",
			 (unsigned long)atomic_fetch_add(&srv->next_id, 1));
		*con_cls = rs;
		if (strcmp(url, "/healthz") != 0 && !rate_ok(srv, ci ? ci->client_addr : NULL, &retry))
			return refuse(srv, conn, rs, method, url, 429, "activityLimitReached",
				      "too many requests from this address: try again later", retry);
		if (cl) {
			char *end;
			unsigned long long n = strtoull(cl, &end, 10);
			if (*end == '\0' && n > srv->cfg->max_body) {
				char msg[128];
				snprintf(msg, sizeof(msg), "the request body is over the limit of %zu bytes",
					 srv->cfg->max_body);
				return refuse(srv, conn, rs, method, url, 413, "requestEntityTooLarge", msg,
					      0);
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (rs->answered)
			return MHD_YES; /* a refused body is drained, not kept */
		if (!rs->too_big && ss_buf_add(&rs->body, upload_data, n) != 0) {
			rs->too_big = true;
			ss_buf_release(&rs->body);
		}
		if (rs->too_big) {
			/*
			 * A body without Content-Length that outgrows the cap: libmicrohttpd
			 * answers only once the upload ends, so the rest is read and dropped,
			 * up to DRAIN_FACTOR times the cap; past that the connection is closed.
			 */
			rs->drained += n;
			if (rs->drained > DRAIN_FACTOR * srv->cfg->max_body)
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (rs->answered)
		return MHD_YES;
	if (rs->too_big) {
		char msg[128];
		snprintf(msg, sizeof(msg), "the request body is over the limit of %zu bytes",
			 srv->cfg->max_body);
		return refuse(srv, conn, rs, method, url, 413, "requestEntityTooLarge", msg, 0);
	}
	rs->answered = true;
	return answer(srv, conn, rs, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct request_state *rs = *con_cls;

	(void)cls;
	(void)conn;
	(void)code;
	if (!rs)
		return;
	ss_buf_release(&rs->body);
	free(rs);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("secscore: serve: libmicrohttpd: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ---- */

static int load_tls(struct ss_server *srv, const struct ss_server_config *cfg, struct ss_error *err)
{
	size_t len;
	int rc;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return ss_error_set(err, SS_EUSAGE, "this libmicrohttpd has no TLS support");
	rc = ss_file_read(cfg->tls_cert, MAX_PEM, &srv->cert_pem, &len, err);
	if (!rc)
		rc = ss_file_read(cfg->tls_key, MAX_PEM, &srv->key_pem, &srv->key_len, err);
	return rc;
}

int ss_server_parse_public_url(const char *url, char out[SS_PUBLIC_URL_SIZE], bool *https,
			       struct ss_error *err)
{
	const char *host;
	size_t len;

	*https = strncmp(url, "https://", 8) == 0;
	host = *https ? url + 8 : strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
	len = host ? strlen(host) : 0;
	if (len > 0 && host[len - 1] == '/')
		len--;
	if (host && len > 0 && len <= 255)
		snprintf(out, SS_PUBLIC_URL_SIZE, "%.*s", (int)len, host); /* the host alone, to check it */
	if (!host || len == 0 || len > 255 || !sane_host(out))
		return ss_error_set(err, SS_EUSAGE,
				    "the public URL '%s' is not http[s]://HOST[:PORT] (the dashboard is "
				    "served at the root: no path)",
				    url);
	snprintf(out, SS_PUBLIC_URL_SIZE, "%s://%.*s", *https ? "https" : "http", (int)len, host);
	return 0;
}

int ss_server_start(struct ss_server **out, const struct ss_server_config *cfg, struct ss_error *err)
{
	struct sockaddr_storage addr;
	struct ss_server *srv;
	const union MHD_DaemonInfo *info;
	bool ipv6, loopback, tls = cfg->tls_cert || cfg->tls_key;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls_opts[3] = {{MHD_OPTION_END, 0, NULL}};
	char host[INET6_ADDRSTRLEN];
	int rc;

	*out = NULL;
	rc = ss_server_parse_listen(cfg->listen, &addr, &ipv6, &loopback, err);
	if (rc)
		return rc;
	if (tls && !(cfg->tls_cert && cfg->tls_key))
		return ss_error_set(err, SS_EUSAGE,
				    "TLS needs both a certificate and a key (--tls-cert, --tls-key)");
	if (!tls && !loopback && !cfg->insecure_listen)
		return ss_error_set(
			err, SS_EUSAGE,
			"refusing to listen on %s without TLS: anyone on the network could read the "
			"tokens; give --tls-cert and --tls-key, or --insecure-listen",
			cfg->listen);
	srv = ss_xcalloc(1, sizeof(*srv));
	srv->cfg = cfg;
	srv->rate = ss_xcalloc(RATE_SLOTS, sizeof(*srv->rate));
	pthread_mutex_init(&srv->rate_lock, NULL);
	atomic_init(&srv->next_id, 1);
	snprintf(srv->scheme, sizeof(srv->scheme), "%s", tls ? "https" : "http");
	if (pthread_key_create(&srv->store_key, store_destroy) != 0) {
		rc = ss_error_set(err, SS_EIO, "cannot create the per-thread store key");
		goto fail;
	}
	srv->have_key = true;
	{
		bool https = false; /* the public URL is https: the cookie is Secure as under TLS */
		if (cfg->public_url &&
		    (rc = ss_server_parse_public_url(cfg->public_url, srv->public_url, &https, err)))
			goto fail;
		ss_dash_init(&srv->dash, &cfg->api, tls || https);
	}
	srv->dash.tenants = ss_store_tenant_scores;
	srv->dash.runs = ss_run_store_latest;
	{
		char page_csp[224];
		ss_report_html_csp(page_csp, sizeof(page_csp), true);
		snprintf(srv->csp, sizeof(srv->csp), "%s; frame-ancestors 'none'", page_csp);
	}
	if (tls) {
		rc = load_tls(srv, cfg, err);
		if (rc)
			goto fail;
		flags |= MHD_USE_TLS;
		tls_opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert_pem};
		tls_opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key_pem};
		tls_opts[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	}
	if (ipv6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)(cfg->threads ? cfg->threads : 4), MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)(cfg->max_connections ? cfg->max_connections : 64),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)(cfg->per_ip ? cfg->per_ip : 16),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)(cfg->timeout ? cfg->timeout : 15),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY, MHD_OPTION_STRICT_FOR_CLIENT,
		(int)1, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_ARRAY, tls_opts,
		MHD_OPTION_END);
	if (!srv->daemon) {
		rc = ss_error_set(err, SS_EIO,
				  "cannot listen on %s (in use, or not an address of this host?)",
				  cfg->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	if (ipv6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host, sizeof(host));
	snprintf(srv->url, sizeof(srv->url), ipv6 ? "%s://[%s]:%u" : "%s://%s:%u", srv->scheme, host,
		 (unsigned)srv->port);
	*out = srv;
	return 0;
fail:
	ss_server_stop(srv);
	return rc;
}

uint16_t ss_server_port(const struct ss_server *srv)
{
	return srv->port;
}

const char *ss_server_url(const struct ss_server *srv)
{
	return srv->url;
}

const char *ss_server_public_url(const struct ss_server *srv)
{
	return srv->public_url[0] ? srv->public_url : srv->url;
}

void ss_server_stop(struct ss_server *srv)
{
	if (!srv)
		return;
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon); /* joins the pool: each thread's store is closed as it ends */
	if (srv->have_key)
		pthread_key_delete(srv->store_key);
	if (srv->key_pem) {
		OPENSSL_cleanse(srv->key_pem, srv->key_len);
		free(srv->key_pem);
	}
	free(srv->cert_pem);
	pthread_mutex_destroy(&srv->rate_lock);
	free(srv->rate);
	free(srv);
}
