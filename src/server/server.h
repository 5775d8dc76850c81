/* server.h - `secscore serve`: the HTTP API on libmicrohttpd, with limits, TLS and one store per thread. */
#ifndef SS_SERVER_H
#define SS_SERVER_H

/*
 * The daemon runs a pool of threads (libmicrohttpd's internal polling
 * threads, epoll or poll): each answers many connections, none blocks on a
 * slow client, and the pool is stopped and joined by ss_server_stop.
 * SQLite connections are not shared between threads: each pool thread opens
 * its own struct ss_store on its first request and closes it when the thread
 * ends (a pthread key's destructor); a store that cannot be opened is tried
 * again on the next request (503 meanwhile). Writes take SQLite's write lock
 * briefly; concurrent writers wait (busy timeout) rather than fail.
 * Limits: connections in total and per client address, an idle timeout,
 * request bodies (413 past the cap), header memory, and a per-address
 * request rate (429 with Retry-After). docs/server.md has the details.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "server/api.h"

struct ss_server_config {
	const char *db_path;  /* the store, borrowed */
	const char *listen;   /* "HOST:PORT", "[V6]:PORT"; port 0 picks a free port */
	bool insecure_listen; /* allow a non-loopback address without TLS */
	const char *tls_cert; /* PEM certificate file, or NULL */
	const char *tls_key;  /* PEM private key file, or NULL */
	/*
	 * The address people and programs use when a reverse proxy stands in
	 * front ("https://secscore.example.com", no path), or NULL: this
	 * server's own, from the Host header. It prefixes @odata links, is the
	 * only Origin the dashboard's forms may come from, and with https makes
	 * the session cookie Secure.
	 */
	const char *public_url;
	unsigned threads;	  /* pool threads (0: 4) */
	unsigned max_connections; /* in total (0: 64) */
	unsigned per_ip;	  /* per client address (0: 16) */
	unsigned timeout;	  /* idle seconds before a connection is closed (0: 15) */
	size_t max_body;	  /* request body cap in bytes (0: 64 KiB) */
	unsigned rate;		  /* requests per minute per client address (0: unlimited) */
	bool quiet;		  /* no access log on stderr */
	struct ss_api api;	  /* the catalog and the state-change hook, borrowed */
};

struct ss_server;

/*
 * Checks a public URL: "http[s]://HOST[:PORT]" with at most a final '/'.
 * Writes it without the '/' into out and whether it is https. SS_EUSAGE
 * otherwise (a path is refused: the dashboard is served at the root).
 */
#define SS_PUBLIC_URL_SIZE 300
int ss_server_parse_public_url(const char *url, char out[SS_PUBLIC_URL_SIZE], bool *https,
			       struct ss_error *err);

/* Fills cfg with the defaults (listen 127.0.0.1:8080, rate 600 a minute). */
void ss_server_config_init(struct ss_server_config *cfg);

/*
 * Parses "HOST:PORT" (IPv4, "[IPv6]", or "localhost") into a socket address.
 * *loopback tells whether it is 127.0.0.0/8 or ::1. SS_EUSAGE when malformed.
 */
int ss_server_parse_listen(const char *text, void *sockaddr_storage, bool *ipv6, bool *loopback,
			   struct ss_error *err);

/*
 * Starts the daemon with cfg (which must outlive it). Refuses a
 * non-loopback address without TLS unless insecure_listen (SS_EUSAGE).
 * Errors: unreadable certificate or key (SS_EIO), TLS not compiled into
 * libmicrohttpd, the address in use (SS_EIO). *out is owned: ss_server_stop.
 */
int ss_server_start(struct ss_server **out, const struct ss_server_config *cfg, struct ss_error *err);

/* The port bound (useful with port 0) and the URL prefix, e.g. "http://127.0.0.1:8080" (borrowed). */
uint16_t ss_server_port(const struct ss_server *srv);
const char *ss_server_url(const struct ss_server *srv);

/* The address to give people: the public URL when one is configured, else ss_server_url. */
const char *ss_server_public_url(const struct ss_server *srv);

/* Stops accepting, finishes or drops open connections, joins the threads and frees srv (NULL is fine). */
void ss_server_stop(struct ss_server *srv);

#endif
