/* notify.h - delivering findings to a webhook, by e-mail (SMTP) and to syslog, once per channel. */
#ifndef SS_NOTIFY_H
#define SS_NOTIFY_H

/*
 * The "notify" object of the config file (docs/notify.md) names the
 * channels and the lowest severity that goes out. Delivery is at least
 * once: a finding is recorded as delivered on a channel (the store's
 * delivery ledger) only after that channel accepted it, and a finding the
 * ledger knows is never sent there again, in this run or a later one.
 *
 * Secrets (the SMTP password, webhook headers marked {"env": "VAR"}) come
 * from the environment only; the config names the variable. They are held
 * in the struct below, wiped on release, and never put in an error, a
 * report or any output.
 *
 * Ownership: every pointer in struct ss_notify_config is owned by it and
 * released by ss_notify_config_release. Not thread-safe.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

enum ss_starttls {
	SS_STARTTLS_REQUIRED = 0, /* fail unless the server upgrades to TLS */
	SS_STARTTLS_TRY,	  /* upgrade when offered, else continue in plain text */
	SS_STARTTLS_OFF,	  /* never upgrade (smtps:// URLs are TLS from the start anyway) */
};

/* When and how often a failed attempt is repeated. */
struct ss_notify_retry {
	long retries;	 /* attempts after the first one, 0..20 */
	double backoff;	 /* first delay in seconds; doubles per attempt, with jitter */
	double max_wait; /* ceiling on the summed delays of one finding, in seconds */
	long timeout;	 /* seconds one attempt may take, connection included */
};

struct ss_notify_webhook {
	bool enabled;		      /* the config has a "webhook" object */
	char *url;		      /* http:// or https:// URL (may hold a token: never printed) */
	char **headers;		      /* extra "Name: value" lines for libcurl */
	size_t n_headers;	      /* entries in headers */
	struct ss_notify_retry retry; /* default: 5 retries, 1 s backoff, 60 s wait, 10 s timeout */
};

struct ss_notify_smtp {
	bool enabled;		      /* the config has an "smtp" object */
	char *url;		      /* smtp://host:port or smtps://host:port */
	char *from;		      /* envelope and header sender, a bare address */
	char **to;		      /* recipients, bare addresses */
	size_t n_to;		      /* entries in to, at least 1 */
	char *username;		      /* from $username_env, NULL when not configured */
	char *password;		      /* from $password_env, NULL when not configured; a secret */
	enum ss_starttls starttls;    /* default SS_STARTTLS_REQUIRED */
	struct ss_notify_retry retry; /* default: 2 retries, 1 s backoff, 60 s wait, 30 s timeout */
};

struct ss_notify_syslog {
	bool enabled; /* the config has a "syslog" object */
	char *ident;  /* APP-NAME, default "secscore" */
	int facility; /* LOG_AUTH etc., default LOG_AUTH */
	char *socket; /* a unix datagram socket to write RFC 5424 lines to; NULL: the system logger */
};

struct ss_notify_config {
	int min_rank; /* lowest severity rank delivered (ss_severity_rank), default high */
	bool dry_run; /* report what would go out, send and record nothing */
	struct ss_notify_webhook webhook; /* channel "webhook" */
	struct ss_notify_smtp smtp;	  /* channel "smtp" */
	struct ss_notify_syslog syslog;	  /* channel "syslog" */
};

/*
 * Fills out from config's "notify" object (config is the whole config
 * document, borrowed). Unknown keys, wrong types, bad values and unset
 * environment variables are SS_EINVAL with err->field naming the field
 * ("notify.smtp.starttls"); a config without "notify" or without any
 * channel is SS_ENOENT. On error out holds nothing to release.
 */
int ss_notify_config_parse(json_t *config, struct ss_notify_config *out, struct ss_error *err);

/* Frees what out holds, wiping secrets first. */
void ss_notify_config_release(struct ss_notify_config *cfg);

/*
 * Delivers the findings (a JSON array of finding objects as
 * ss_store_findings gives them, borrowed) of tenant at or above
 * cfg->min_rank to each configured channel, oldest first: a finding the
 * ledger records for a channel is skipped; otherwise it is sent and, once
 * the channel accepted it, recorded. A channel that stays unreachable after
 * its retries fails the findings it has left without trying them.
 *
 * *report (a new reference) is {"dry_run", "min_severity", "considered",
 * "below_threshold", "channels": {NAME: {"sent": [id], "skipped": [id],
 * "failed": [{"id", "reason"}], "pending": [id] (dry run), "attempts"}}}.
 * Failed deliveries are in the report, not an error: the return value is
 * 0 then too. Errors (a store that refuses the ledger) return a negative
 * code and leave *report NULL; what was recorded before stays recorded.
 *
 * Calls curl_global_init / curl_global_cleanup around the work, so it must
 * not run while another thread uses libcurl.
 */
int ss_notify_deliver(struct ss_store *st, int64_t tenant, json_t *findings,
		      const struct ss_notify_config *cfg, json_t **report, struct ss_error *err);

/* Number of failed deliveries in a report from ss_notify_deliver. */
size_t ss_notify_report_failures(json_t *report);

#endif
