/* notify.c - the notify config, and delivering findings to webhook, SMTP and syslog with the ledger. */
#include "notify/notify.h"

/*
 * Design. Each channel has one "attempt" function that tries to hand one
 * finding over and says how it went: accepted, worth retrying (a
 * connection error, HTTP 429 or 5xx, an SMTP 4xx reply) or refused for good
 * (any other HTTP 4xx, an SMTP 5xx reply). One retry loop serves all
 * channels: exponential backoff with equal jitter, a server's Retry-After
 * honoured, the summed waits of one finding bounded by max_wait. A channel
 * that is still unreachable after its retries is marked down for the rest
 * of the run, so a dead endpoint costs one finding's worth of waiting, not
 * one per finding. The ledger is written only after an accepted attempt:
 * a crash between the two resends (at least once), never loses.
 */

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "notify/mail.h"
#include "store/finding_store.h"

#define MAX_HEADERS    32
#define MAX_RECIPIENTS 100
#define MAX_DELAY      60.0	   /* seconds: ceiling on one backoff delay */
#define SYSLOG_MAX     8000	   /* bytes of a syslog line before evidence is cut */
#define MAIL_MAX       (256 << 10) /* bytes of one mail */

/* ---- config ---------------------------------------------------------------------------------------- */

static int field_error(struct ss_error *err, int code, const char *field, const char *fmt, const char *arg)
{
	ss_error_set(err, code, fmt, arg);
	ss_error_field(err, field);
	return code;
}

/* Fails on a key of obj that is not in allowed (NULL-terminated), naming it as prefix.key. */
static int check_keys(json_t *obj, const char *const *allowed, const char *prefix, struct ss_error *err)
{
	const char *key;
	json_t *v;
	char field[256];
	size_t i;

	json_object_foreach (obj, key, v) {
		bool ok = false;
		for (i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			snprintf(field, sizeof(field), "%s.%s", prefix, key);
			return field_error(err, SS_EINVAL, field, "unknown key '%s'", key);
		}
	}
	return 0;
}

/* *out = a copy of the string at obj.key (NULL when absent and optional). */
static int get_string(json_t *obj, const char *key, const char *prefix, bool required, char **out,
		      struct ss_error *err)
{
	json_t *v = json_object_get(obj, key);
	char field[256];

	*out = NULL;
	snprintf(field, sizeof(field), "%s.%s", prefix, key);
	if (!v && !required)
		return 0;
	if (!v)
		return field_error(err, SS_EINVAL, field, "is required%s", "");
	if (!json_is_string(v) || !json_string_length(v))
		return field_error(err, SS_EINVAL, field, "must be a non-empty string%s", "");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return field_error(err, SS_EINVAL, field, "must not contain NUL%s", "");
	*out = ss_xstrdup(json_string_value(v));
	return 0;
}

static int get_number(json_t *obj, const char *key, const char *prefix, double lo, double hi, bool integer,
		      double *out, struct ss_error *err)
{
	json_t *v = json_object_get(obj, key);
	char field[256];

	if (!v)
		return 0;
	snprintf(field, sizeof(field), "%s.%s", prefix, key);
	if (integer ? !json_is_integer(v) : !json_is_number(v))
		return field_error(err, SS_EINVAL, field, "must be %s", integer ? "an integer" : "a number");
	*out = json_number_value(v);
	if (!(*out >= lo && *out <= hi)) {
		char range[64];
		snprintf(range, sizeof(range), "%g..%g", lo, hi);
		return field_error(err, SS_EINVAL, field, "must be within %s", range);
	}
	return 0;
}

static int get_retry(json_t *obj, const char *prefix, struct ss_notify_retry *r, struct ss_error *err)
{
	double retries = (double)r->retries, timeout = (double)r->timeout;
	int rc = get_number(obj, "retries", prefix, 0, 20, true, &retries, err);

	if (!rc)
		rc = get_number(obj, "timeout_seconds", prefix, 1, 600, true, &timeout, err);
	if (!rc)
		rc = get_number(obj, "backoff_seconds", prefix, 0, 60, false, &r->backoff, err);
	if (!rc)
		rc = get_number(obj, "max_wait_seconds", prefix, 0, 3600, false, &r->max_wait, err);
	r->retries = (long)retries;
	r->timeout = (long)timeout;
	return rc;
}

static bool env_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return i > 0;
}

/* A copy of the value of the environment variable named at obj.key (the secret is never in a message). */
static int get_env(json_t *obj, const char *key, const char *prefix, char **out, struct ss_error *err)
{
	char *name = NULL, field[256];
	const char *v;
	int rc = get_string(obj, key, prefix, false, &name, err);

	*out = NULL;
	if (rc || !name)
		return rc;
	snprintf(field, sizeof(field), "%s.%s", prefix, key);
	if (!env_name_ok(name))
		rc = field_error(err, SS_EINVAL, field, "'%s' is not an environment variable name", name);
	else if (!(v = getenv(name)) || !*v)
		rc = field_error(err, SS_EINVAL, field, "the environment variable '%s' is not set", name);
	else
		*out = ss_xstrdup(v);
	free(name);
	return rc;
}

static bool prefix_icase(const char *s, const char *p)
{
	size_t n = strlen(p);

	return strncasecmp(s, p, n) == 0;
}

/* No byte below 0x20 but TAB, no DEL: what may stand in a header value. */
static bool header_value_ok(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

static bool header_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("!#$%&'*+-.^_`|~", s[i])))
			return false;
	return i > 0;
}

static int parse_webhook(json_t *o, struct ss_notify_webhook *w, struct ss_error *err)
{
	static const char *const keys[] = {
		"url",	   "url_env",	      "headers",	  "timeout_seconds",
		"retries", "backoff_seconds", "max_wait_seconds", NULL};
	static const char *const reserved[] = {"content-type", "idempotency-key",   "content-length",
					       "host",	       "transfer-encoding", "expect"};
	const char *p = "notify.webhook", *name;
	json_t *headers, *v;
	char field[512];
	size_t i;
	int rc;

	w->enabled = true;
	w->retry = (struct ss_notify_retry){.retries = 5, .backoff = 1, .max_wait = 60, .timeout = 10};
	if (!json_is_object(o))
		return field_error(err, SS_EINVAL, p, "must be an object%s", "");
	rc = check_keys(o, keys, p, err);
	if (!rc)
		rc = get_string(o, "url", p, false, &w->url, err);
	if (!rc && json_object_get(o, "url_env")) {
		if (w->url)
			return field_error(err, SS_EINVAL, "notify.webhook.url_env",
					   "give url or url_env, not both%s", "");
		rc = get_env(o, "url_env", p, &w->url, err);
	}
	if (!rc && !w->url)
		return field_error(err, SS_EINVAL, "notify.webhook.url", "is required (or url_env)%s", "");
	if (!rc && !prefix_icase(w->url, "http://") && !prefix_icase(w->url, "https://"))
		return field_error(err, SS_EINVAL, "notify.webhook.url",
				   "must be an http:// or https:// URL%s", "");
	if (!rc && !header_value_ok(w->url))
		return field_error(err, SS_EINVAL, "notify.webhook.url",
				   "must not contain control characters%s", "");
	if (!rc)
		rc = get_retry(o, p, &w->retry, err);
	headers = json_object_get(o, "headers");
	if (rc || !headers)
		return rc;
	if (!json_is_object(headers))
		return field_error(err, SS_EINVAL, "notify.webhook.headers", "must be an object%s", "");
	if (json_object_size(headers) > MAX_HEADERS)
		return field_error(err, SS_EINVAL, "notify.webhook.headers", "has more than %s entries",
				   "32");
	w->headers = ss_xcalloc(json_object_size(headers), sizeof(*w->headers));
	json_object_foreach (headers, name, v) {
		char *value = NULL;
		struct ss_buf line;
		snprintf(field, sizeof(field), "notify.webhook.headers.%s", name);
		if (!header_name_ok(name))
			return field_error(err, SS_EINVAL, field, "'%s' is not a header name", name);
		for (i = 0; i < SS_ARRAY_LEN(reserved); i++)
			if (strcasecmp(name, reserved[i]) == 0)
				return field_error(err, SS_EINVAL, field, "secscore sets '%s' itself", name);
		if (json_is_object(v)) {
			json_t *env = json_object_get(v, "env");
			if (json_object_size(v) != 1 || !env)
				return field_error(err, SS_EINVAL, field,
						   "must be a string or {\"env\": \"VAR\"}%s", "");
			rc = get_env(v, "env", field, &value, err);
			if (rc)
				return rc;
		} else if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)) {
			value = ss_xstrdup(json_string_value(v));
		} else {
			return field_error(err, SS_EINVAL, field, "must be a string or {\"env\": \"VAR\"}%s",
					   "");
		}
		if (!header_value_ok(value)) {
			explicit_bzero(value, strlen(value));
			free(value);
			return field_error(err, SS_EINVAL, field, "must not contain control characters%s",
					   "");
		}
		ss_buf_init(&line, 1 << 16);
		rc = ss_buf_printf(&line, "%s: %s", name, value);
		explicit_bzero(value, strlen(value));
		free(value);
		if (rc) {
			ss_buf_release(&line);
			return field_error(err, SS_EINVAL, field, "is too long%s", "");
		}
		w->headers[w->n_headers++] = ss_buf_detach(&line, NULL);
	}
	return 0;
}

static int parse_smtp(json_t *o, struct ss_notify_smtp *s, struct ss_error *err)
{
	static const char *const keys[] = {"url",
					   "from",
					   "to",
					   "username_env",
					   "password_env",
					   "starttls",
					   "timeout_seconds",
					   "retries",
					   "backoff_seconds",
					   "max_wait_seconds",
					   NULL};
	const char *p = "notify.smtp";
	char *tls = NULL;
	json_t *to, *v;
	size_t i;
	int rc;

	s->enabled = true;
	s->retry = (struct ss_notify_retry){.retries = 2, .backoff = 1, .max_wait = 60, .timeout = 30};
	if (!json_is_object(o))
		return field_error(err, SS_EINVAL, p, "must be an object%s", "");
	rc = check_keys(o, keys, p, err);
	if (!rc)
		rc = get_string(o, "url", p, true, &s->url, err);
	if (!rc && !prefix_icase(s->url, "smtp://") && !prefix_icase(s->url, "smtps://"))
		return field_error(err, SS_EINVAL, "notify.smtp.url", "must be an smtp:// or smtps:// URL%s",
				   "");
	if (!rc && !header_value_ok(s->url))
		return field_error(err, SS_EINVAL, "notify.smtp.url", "must not contain control characters%s",
				   "");
	if (!rc)
		rc = get_string(o, "from", p, true, &s->from, err);
	if (!rc && !ss_mail_address_ok(s->from))
		return field_error(err, SS_EINVAL, "notify.smtp.from",
				   "'%s' is not a plain address (user@domain)", s->from);
	to = json_object_get(o, "to");
	if (!rc && (!json_is_array(to) || !json_array_size(to) || json_array_size(to) > MAX_RECIPIENTS))
		return field_error(err, SS_EINVAL, "notify.smtp.to", "must be an array of 1 to %s addresses",
				   "100");
	if (!rc) {
		s->to = ss_xcalloc(json_array_size(to), sizeof(*s->to));
		json_array_foreach (to, i, v) {
			char field[64];
			snprintf(field, sizeof(field), "notify.smtp.to[%zu]", i);
			if (!json_is_string(v) || !ss_mail_address_ok(json_string_value(v)) ||
			    strlen(json_string_value(v)) != json_string_length(v))
				return field_error(err, SS_EINVAL, field,
						   "is not a plain address (user@domain)%s", "");
			s->to[s->n_to++] = ss_xstrdup(json_string_value(v));
		}
	}
	if (!rc)
		rc = get_env(o, "username_env", p, &s->username, err);
	if (!rc)
		rc = get_env(o, "password_env", p, &s->password, err);
	if (!rc && !s->username != !s->password)
		return field_error(err, SS_EINVAL,
				   s->username ? "notify.smtp.password_env" : "notify.smtp.username_env",
				   "username_env and password_env go together%s", "");
	if (!rc)
		rc = get_string(o, "starttls", p, false, &tls, err);
	if (!rc && tls) {
		if (strcmp(tls, "required") == 0)
			s->starttls = SS_STARTTLS_REQUIRED;
		else if (strcmp(tls, "try") == 0)
			s->starttls = SS_STARTTLS_TRY;
		else if (strcmp(tls, "off") == 0)
			s->starttls = SS_STARTTLS_OFF;
		else
			rc = field_error(err, SS_EINVAL, "notify.smtp.starttls",
					 "must be required, try or off, not '%s'", tls);
	}
	free(tls);
	if (!rc)
		rc = get_retry(o, p, &s->retry, err);
	return rc;
}

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{"kern", LOG_KERN},	{"user", LOG_USER},	{"mail", LOG_MAIL},	    {"daemon", LOG_DAEMON},
	{"auth", LOG_AUTH},	{"syslog", LOG_SYSLOG}, {"lpr", LOG_LPR},	    {"news", LOG_NEWS},
	{"uucp", LOG_UUCP},	{"cron", LOG_CRON},	{"authpriv", LOG_AUTHPRIV}, {"ftp", LOG_FTP},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},	    {"local3", LOG_LOCAL3},
	{"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},	    {"local7", LOG_LOCAL7},
};

static int parse_syslog(json_t *o, struct ss_notify_syslog *s, struct ss_error *err)
{
	static const char *const keys[] = {"ident", "facility", "socket", NULL};
	const char *p = "notify.syslog";
	char *fac = NULL;
	size_t i;
	int rc;

	s->enabled = true;
	s->facility = LOG_AUTH;
	if (!json_is_object(o))
		return field_error(err, SS_EINVAL, p, "must be an object%s", "");
	rc = check_keys(o, keys, p, err);
	if (!rc)
		rc = get_string(o, "ident", p, false, &s->ident, err);
	if (!rc && !s->ident)
		s->ident = ss_xstrdup("secscore");
	for (i = 0; !rc && s->ident[i]; i++)
		if ((unsigned char)s->ident[i] <= 0x20 || (unsigned char)s->ident[i] >= 0x7f || i >= 48)
			return field_error(err, SS_EINVAL, "notify.syslog.ident",
					   "must be at most 48 printable ASCII characters without spaces%s",
					   "");
	if (!rc)
		rc = get_string(o, "socket", p, false, &s->socket, err);
	if (!rc && s->socket && strlen(s->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return field_error(err, SS_EINVAL, "notify.syslog.socket",
				   "the path is too long for a socket%s", "");
	if (!rc)
		rc = get_string(o, "facility", p, false, &fac, err);
	if (!rc && fac) {
		for (i = 0; i < SS_ARRAY_LEN(facilities) && strcmp(fac, facilities[i].name) != 0; i++)
			;
		if (i < SS_ARRAY_LEN(facilities))
			s->facility = facilities[i].value;
		else
			rc = field_error(err, SS_EINVAL, "notify.syslog.facility", "unknown facility '%s'",
					 fac);
	}
	free(fac);
	return rc;
}

int ss_notify_config_parse(json_t *config, struct ss_notify_config *out, struct ss_error *err)
{
	static const char *const keys[] = {"min_severity", "webhook", "smtp", "syslog", NULL};
	json_t *n = json_object_get(config, "notify"), *v;
	int rc;

	memset(out, 0, sizeof(*out));
	out->min_rank = ss_severity_rank("high");
	if (!n)
		return field_error(err, SS_ENOENT, "notify", "the config has no \"notify\" object%s", "");
	if (!json_is_object(n))
		return field_error(err, SS_EINVAL, "notify", "must be an object%s", "");
	rc = check_keys(n, keys, "notify", err);
	if (rc)
		return rc;
	v = json_object_get(n, "min_severity");
	if (v) {
		out->min_rank = ss_severity_rank(json_string_value(v));
		if (out->min_rank < 0)
			return field_error(err, SS_EINVAL, "notify.min_severity",
					   "must be informational, low, medium, high or critical%s", "");
	}
	if ((v = json_object_get(n, "webhook")))
		rc = parse_webhook(v, &out->webhook, err);
	if (!rc && (v = json_object_get(n, "smtp")))
		rc = parse_smtp(v, &out->smtp, err);
	if (!rc && (v = json_object_get(n, "syslog")))
		rc = parse_syslog(v, &out->syslog, err);
	if (!rc && !out->webhook.enabled && !out->smtp.enabled && !out->syslog.enabled)
		rc = field_error(err, SS_ENOENT, "notify",
				 "configures no channel (webhook, smtp or syslog)%s", "");
	if (rc)
		ss_notify_config_release(out);
	return rc;
}

static void free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

void ss_notify_config_release(struct ss_notify_config *cfg)
{
	size_t i;

	free_secret(cfg->webhook.url);
	for (i = 0; i < cfg->webhook.n_headers; i++)
		free_secret(cfg->webhook.headers[i]);
	free(cfg->webhook.headers);
	free(cfg->smtp.url);
	free(cfg->smtp.from);
	for (i = 0; i < cfg->smtp.n_to; i++)
		free(cfg->smtp.to[i]);
	free(cfg->smtp.to);
	free_secret(cfg->smtp.username);
	free_secret(cfg->smtp.password);
	free(cfg->syslog.ident);
	free(cfg->syslog.socket);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- attempts and retries --------------------------------------------------------------------------- */

enum outcome {
	ACCEPTED,
	RETRY,	/* worth another attempt */
	REFUSED /* permanent for this finding */
};

struct attempt {
	enum outcome outcome; /* how it went */
	double retry_after;   /* seconds the server asked us to wait, 0: none */
	char reason[256];     /* why it failed; never holds a secret */
};

struct channel {
	const char *name;		     /* ledger and report name */
	const struct ss_notify_retry *retry; /* its retry policy */
	void (*attempt)(struct channel *ch, json_t *finding, struct attempt *a);
	const struct ss_notify_config *cfg; /* borrowed */
	CURL *curl;			    /* webhook and smtp: one handle per run (connection reuse) */
	int fd;				    /* syslog socket, -1 when none */
	struct ss_buf scratch;		    /* message of the attempt */
	size_t sent_off;		    /* smtp: bytes of scratch already uploaded */
	bool down;			    /* gave up on the channel for this run */
	char down_reason[320];		    /* why */
	long attempts;			    /* attempts made */
	json_t *sent, *skipped, *failed, *pending; /* report lists, owned by rep */
	json_t *rep;				   /* the channel's report object */
};

/*
 * Tries finding on ch until accepted, refused, or the retries or the wait
 * budget run out. Returns ACCEPTED, or another outcome with reason filled:
 * RETRY means the channel stayed unreachable.
 */
static enum outcome deliver_one(struct channel *ch, json_t *finding, char reason[320])
{
	const struct ss_notify_retry *r = ch->retry;
	double waited = 0;
	long k;

	for (k = 0;; k++) {
		struct attempt a = {ACCEPTED, 0, ""};
		double delay;
		ch->attempts++;
		ch->attempt(ch, finding, &a);
		if (a.outcome != RETRY) {
			snprintf(reason, 320, "%s", a.reason);
			return a.outcome;
		}
		if (k >= r->retries) {
			snprintf(reason, 320, "%s (gave up after %ld attempts)", a.reason, k + 1);
			return RETRY;
		}
		if (a.retry_after > 0) {
			delay = a.retry_after;
		} else {
			delay = r->backoff * pow(2, (double)k);
			if (delay > MAX_DELAY)
				delay = MAX_DELAY;
			delay = delay / 2 + ss_time_jitter() * delay / 2;
		}
		if (waited + delay > r->max_wait) {
			snprintf(reason, 320,
				 "%s (gave up after %ld attempts: waiting %.1fs more would pass %.0fs)",
				 a.reason, k + 1, delay, r->max_wait);
			return RETRY;
		}
		ss_time_sleep(delay);
		waited += delay;
	}
}

static bool curl_transient(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR: return true;
	default: return false;
	}
}

/* Restricts the handle to the channel's protocols (a URL from the config cannot switch to file://). */
static void allow_protocols(CURL *h, bool smtp)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, smtp ? "smtp,smtps" : "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
			 smtp ? (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)
			      : (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* The finding as receivers get it: every field but the internal history. New reference. */
static json_t *public_finding(json_t *finding)
{
	json_t *o = json_copy(finding);

	json_object_del(o, "history");
	return o;
}

/* Printable ASCII of s without spaces: a header-safe idempotency key. */
static void header_token(struct ss_buf *out, const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f)
			ss_buf_addc(out, *s);
}

static void webhook_attempt(struct channel *ch, json_t *finding, struct attempt *a)
{
	const struct ss_notify_webhook *w = &ch->cfg->webhook;
	struct curl_slist *hdrs = NULL;
	struct ss_buf key;
	json_t *body = public_finding(finding);
	char *json = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	curl_off_t retry_after = 0;
	long status = 0;
	CURLcode c;
	size_t i;

	ss_buf_init(&key, 4096);
	ss_buf_adds(&key, "Idempotency-Key: ");
	header_token(&key, json_string_value(json_object_get(finding, "id")));
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, ss_buf_cstr(&key));
	hdrs = curl_slist_append(hdrs, "Expect:");
	for (i = 0; i < w->n_headers; i++)
		hdrs = curl_slist_append(hdrs, w->headers[i]);
	if (!hdrs || !json)
		ss_die("out of memory");
	curl_easy_reset(ch->curl);
	curl_easy_setopt(ch->curl, CURLOPT_URL, w->url);
	allow_protocols(ch->curl, false);
	curl_easy_setopt(ch->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ch->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(ch->curl, CURLOPT_TIMEOUT, w->retry.timeout);
	curl_easy_setopt(ch->curl, CURLOPT_CONNECTTIMEOUT, w->retry.timeout < 10 ? w->retry.timeout : 10L);
	curl_easy_setopt(ch->curl, CURLOPT_USERAGENT, "secscore/" SS_VERSION);
	curl_easy_setopt(ch->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(ch->curl, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(ch->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	curl_easy_setopt(ch->curl, CURLOPT_WRITEFUNCTION, discard);
	c = curl_easy_perform(ch->curl);
	if (c != CURLE_OK) {
		a->outcome = curl_transient(c) ? RETRY : REFUSED;
		snprintf(a->reason, sizeof(a->reason), "cannot reach the webhook: %s", curl_easy_strerror(c));
		goto out;
	}
	curl_easy_getinfo(ch->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300) {
		a->outcome = ACCEPTED;
		goto out;
	}
	snprintf(a->reason, sizeof(a->reason), "the webhook answered HTTP %ld", status);
	if (status == 429 || status == 408 || status >= 500) {
		a->outcome = RETRY;
		if (curl_easy_getinfo(ch->curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
		    retry_after > 0)
			a->retry_after = (double)retry_after;
	} else {
		a->outcome = REFUSED;
	}
out:
	curl_slist_free_all(hdrs);
	free(json);
	json_decref(body);
	ss_buf_release(&key);
}

static size_t mail_read(char *p, size_t size, size_t n, void *ctx)
{
	struct channel *ch = ctx;
	size_t left = ch->scratch.len - ch->sent_off, take = size * n < left ? size * n : left;

	memcpy(p, ch->scratch.ptr + ch->sent_off, take);
	ch->sent_off += take;
	return take;
}

static void smtp_attempt(struct channel *ch, json_t *finding, struct attempt *a)
{
	const struct ss_notify_smtp *s = &ch->cfg->smtp;
	struct curl_slist *rcpt = NULL;
	struct ss_buf from;
	long reply = 0;
	CURLcode c;
	size_t i;

	ss_buf_init(&from, 1024);
	ss_buf_printf(&from, "<%s>", s->from);
	for (i = 0; i < s->n_to; i++) {
		char to[300];
		snprintf(to, sizeof(to), "<%s>", s->to[i]);
		rcpt = curl_slist_append(rcpt, to);
		if (!rcpt)
			ss_die("out of memory");
	}
	ss_mail_message(&ch->scratch, finding, s->from, s->to, s->n_to, ss_time_now());
	ch->sent_off = 0;
	curl_easy_reset(ch->curl);
	curl_easy_setopt(ch->curl, CURLOPT_URL, s->url);
	allow_protocols(ch->curl, true);
	curl_easy_setopt(ch->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ch->curl, CURLOPT_TIMEOUT, s->retry.timeout);
	curl_easy_setopt(ch->curl, CURLOPT_CONNECTTIMEOUT, s->retry.timeout < 10 ? s->retry.timeout : 10L);
	curl_easy_setopt(ch->curl, CURLOPT_USE_SSL,
			 s->starttls == SS_STARTTLS_REQUIRED ? (long)CURLUSESSL_ALL
			 : s->starttls == SS_STARTTLS_TRY    ? (long)CURLUSESSL_TRY
							     : (long)CURLUSESSL_NONE);
	if (s->username) {
		curl_easy_setopt(ch->curl, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(ch->curl, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(ch->curl, CURLOPT_MAIL_FROM, ss_buf_cstr(&from));
	curl_easy_setopt(ch->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(ch->curl, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(ch->curl, CURLOPT_READDATA, ch);
	curl_easy_setopt(ch->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(ch->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)ch->scratch.len);
	c = curl_easy_perform(ch->curl);
	if (c == CURLE_OK) {
		a->outcome = ACCEPTED;
	} else {
		curl_easy_getinfo(ch->curl, CURLINFO_RESPONSE_CODE, &reply);
		if (reply >= 400 && reply < 500) {
			a->outcome = RETRY;
			snprintf(a->reason, sizeof(a->reason), "the SMTP server deferred it (%ld): %s", reply,
				 curl_easy_strerror(c));
		} else if (reply >= 500) {
			a->outcome = REFUSED;
			snprintf(a->reason, sizeof(a->reason), "the SMTP server refused it (%ld): %s", reply,
				 curl_easy_strerror(c));
		} else {
			a->outcome = curl_transient(c) ? RETRY : REFUSED;
			snprintf(a->reason, sizeof(a->reason), "cannot send the mail: %s",
				 curl_easy_strerror(c));
		}
	}
	curl_slist_free_all(rcpt);
	ss_buf_release(&from);
}

/* The syslog level of a finding's severity. */
static int syslog_level(const char *sev)
{
	static const int levels[] = {LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR, LOG_CRIT};
	int r = ss_severity_rank(sev);

	return r < 0 ? LOG_WARNING : levels[r];
}

/* One line of JSON for syslog: the public finding, its evidence cut when the line would be long. */
static char *syslog_json(json_t *finding)
{
	json_t *body = public_finding(finding), *ev = json_object_get(body, "evidence");
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s && strlen(s) > SYSLOG_MAX && json_array_size(ev) > 10) {
		size_t n = json_array_size(ev);
		json_t *cut = json_array();
		size_t i;
		for (i = 0; i < 10; i++)
			json_array_append(cut, json_array_get(ev, i));
		json_object_set_new(body, "evidence", cut);
		json_object_set_new(body, "evidence_total", json_integer((json_int_t)n));
		free(s);
		s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	json_decref(body);
	if (!s)
		ss_die("out of memory");
	return s;
}

static void syslog_attempt(struct channel *ch, json_t *finding, struct attempt *a)
{
	const struct ss_notify_syslog *s = &ch->cfg->syslog;
	int prio = syslog_level(json_string_value(json_object_get(finding, "severity")));
	char *line = syslog_json(finding);

	if (!s->socket) {
		/* the system logger: syslog(3) reports nothing, so handing it over is acceptance */
		syslog(prio, "%s", line);
		a->outcome = ACCEPTED;
	} else {
		struct sockaddr_un addr = {.sun_family = AF_UNIX};
		char host[256] = "", now[32];
		size_t i;
		if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
			snprintf(host, sizeof(host), "-");
		for (i = 0; host[i]; i++)
			if ((unsigned char)host[i] <= 0x20 || (unsigned char)host[i] >= 0x7f)
				host[i] = '_';
		ss_time_format(ss_time_now(), now);
		ss_buf_clear(&ch->scratch);
		/* RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG */
		ss_buf_printf(&ch->scratch, "<%d>1 %s %s %s %ld finding - %s", s->facility | prio, now, host,
			      s->ident, (long)getpid(), line);
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->socket);
		if (sendto(ch->fd, ch->scratch.ptr, ch->scratch.len, 0, (struct sockaddr *)&addr,
			   sizeof(addr)) < 0) {
			int e = errno;
			a->outcome = e == EMSGSIZE ? REFUSED : RETRY;
			snprintf(a->reason, sizeof(a->reason), "cannot write to the syslog socket: %s",
				 strerror(e));
		} else {
			a->outcome = ACCEPTED;
		}
	}
	free(line);
}

/* ---- the run ---------------------------------------------------------------------------------------- */

static const struct ss_notify_retry syslog_retry = {
	.retries = 2, .backoff = 0.5, .max_wait = 5, .timeout = 5};

static void channel_init(struct channel *ch, const char *name, const struct ss_notify_config *cfg,
			 json_t *channels)
{
	memset(ch, 0, sizeof(*ch));
	ch->name = name;
	ch->cfg = cfg;
	ch->fd = -1;
	ss_buf_init(&ch->scratch, MAIL_MAX);
	ch->rep = json_object();
	ch->sent = json_array();
	ch->skipped = json_array();
	ch->failed = json_array();
	json_object_set_new(ch->rep, "sent", ch->sent);
	json_object_set_new(ch->rep, "skipped", ch->skipped);
	json_object_set_new(ch->rep, "failed", ch->failed);
	if (cfg->dry_run) {
		ch->pending = json_array();
		json_object_set_new(ch->rep, "pending", ch->pending);
	}
	json_object_set_new(channels, name, ch->rep);
}

/* Opens what the channel sends through; a failure marks the channel down. */
static void channel_open(struct channel *ch)
{
	if (ch->cfg->dry_run)
		return;
	if (ch->attempt == syslog_attempt) {
		if (!ch->cfg->syslog.socket) {
			openlog(ch->cfg->syslog.ident, LOG_PID | LOG_NDELAY, ch->cfg->syslog.facility);
			return;
		}
		ch->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (ch->fd < 0) {
			ch->down = true;
			snprintf(ch->down_reason, sizeof(ch->down_reason), "cannot create a socket: %s",
				 strerror(errno));
		}
		return;
	}
	ch->curl = curl_easy_init();
	if (!ch->curl) {
		ch->down = true;
		snprintf(ch->down_reason, sizeof(ch->down_reason), "cannot start libcurl");
	}
}

static void channel_close(struct channel *ch)
{
	if (ch->curl)
		curl_easy_cleanup(ch->curl);
	if (ch->fd >= 0)
		close(ch->fd);
	if (!ch->cfg->dry_run && ch->attempt == syslog_attempt && !ch->cfg->syslog.socket)
		closelog();
	json_object_set_new(ch->rep, "attempts", json_integer(ch->attempts));
	ss_buf_release(&ch->scratch);
}

static json_t *failure(const char *id, const char *reason)
{
	return json_pack("{s:s, s:s}", "id", id, "reason", reason);
}

int ss_notify_deliver(struct ss_store *st, int64_t tenant, json_t *findings,
		      const struct ss_notify_config *cfg, json_t **report, struct ss_error *err)
{
	static const char *const sev_names[] = {"informational", "low", "medium", "high", "critical"};
	struct channel chans[3];
	json_t *rep = json_object(), *channels = json_object();
	size_t n_ch = 0, i, k, considered = 0, below = 0;
	bool curl_up = false;
	int rc = 0;

	*report = NULL;
	json_object_set_new(rep, "dry_run", json_boolean(cfg->dry_run));
	json_object_set_new(
		rep, "min_severity",
		json_string(cfg->min_rank >= 0 && cfg->min_rank < 5 ? sev_names[cfg->min_rank] : "?"));
	if (cfg->webhook.enabled) {
		channel_init(&chans[n_ch], "webhook", cfg, channels);
		chans[n_ch].attempt = webhook_attempt;
		chans[n_ch++].retry = &cfg->webhook.retry;
	}
	if (cfg->smtp.enabled) {
		channel_init(&chans[n_ch], "smtp", cfg, channels);
		chans[n_ch].attempt = smtp_attempt;
		chans[n_ch++].retry = &cfg->smtp.retry;
	}
	if (cfg->syslog.enabled) {
		channel_init(&chans[n_ch], "syslog", cfg, channels);
		chans[n_ch].attempt = syslog_attempt;
		chans[n_ch++].retry = &syslog_retry;
	}
	if (!cfg->dry_run && (cfg->webhook.enabled || cfg->smtp.enabled)) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			rc = ss_error_set(err, SS_EIO, "cannot initialise libcurl");
			goto out;
		}
		curl_up = true;
	}
	for (k = 0; k < n_ch; k++)
		channel_open(&chans[k]);

	/* ss_store_findings lists newest first: deliver in the order things happened */
	for (i = json_array_size(findings); i-- > 0 && !rc;) {
		json_t *f = json_array_get(findings, i);
		const char *id = json_string_value(json_object_get(f, "id"));
		int rank = ss_severity_rank(json_string_value(json_object_get(f, "severity")));
		if (!id)
			continue; /* not a finding; the store never lists one */
		if (rank < cfg->min_rank) {
			below++;
			continue;
		}
		considered++;
		for (k = 0; k < n_ch && !rc; k++) {
			struct channel *ch = &chans[k];
			char reason[320];
			bool done = false;
			rc = ss_store_finding_delivered(st, tenant, id, ch->name, &done, err);
			if (rc)
				break;
			if (done) {
				json_array_append_new(ch->skipped, json_string(id));
			} else if (cfg->dry_run) {
				json_array_append_new(ch->pending, json_string(id));
			} else if (ch->down) {
				snprintf(reason, sizeof(reason), "not tried: %s", ch->down_reason);
				json_array_append_new(ch->failed, failure(id, reason));
			} else {
				enum outcome o = deliver_one(ch, f, reason);
				if (o == ACCEPTED) {
					rc = ss_store_finding_mark_delivered(st, tenant, id, ch->name, err);
					if (!rc)
						json_array_append_new(ch->sent, json_string(id));
				} else {
					json_array_append_new(ch->failed, failure(id, reason));
					if (o == RETRY) {
						ch->down = true;
						snprintf(ch->down_reason, sizeof(ch->down_reason),
							 "the channel failed earlier in this run");
					}
				}
			}
		}
	}
	for (k = 0; k < n_ch; k++)
		channel_close(&chans[k]);
out:
	if (curl_up)
		curl_global_cleanup();
	json_object_set_new(rep, "considered", json_integer((json_int_t)considered));
	json_object_set_new(rep, "below_threshold", json_integer((json_int_t)below));
	json_object_set_new(rep, "channels", channels);
	if (rc) {
		json_decref(rep);
		return rc;
	}
	*report = rep;
	return 0;
}

size_t ss_notify_report_failures(json_t *report)
{
	json_t *channels = json_object_get(report, "channels"), *ch;
	const char *name;
	size_t n = 0;

	json_object_foreach (channels, name, ch)
		n += json_array_size(json_object_get(ch, "failed"));
	return n;
}
