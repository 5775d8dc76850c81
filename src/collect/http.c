/* http.c - libcurl requests with bounded retries, Retry-After, throttle codes, and a multi runner. */
#include "collect/http.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/time.h"
#include "base/alloc.h"

size_t ss_http_origin_len(const char *url)
{
	const char *p;

	if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return 0;
	p += strcspn(p, "/?#");
	return (size_t)(p - url);
}

int ss_http_escape(struct ss_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			rc = ss_buf_addc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			rc = ss_buf_add(b, e, 3);
		}
	}
	return rc;
}

void ss_http_resp_release(struct ss_http_resp *r)
{
	ss_buf_release(&r->body);
	free(r->next_page);
	r->next_page = NULL;
}

static void resp_reset(struct ss_http_resp *r, size_t max_body)
{
	ss_http_resp_release(r);
	memset(r, 0, sizeof(*r));
	ss_buf_init(&r->body, max_body ? max_body : ((size_t)256 << 20));
}

int ss_http_init(struct ss_http *h, struct ss_error *err)
{
	memset(h, 0, sizeof(*h));
	h->easy = curl_easy_init();
	if (!h->easy)
		return ss_error_set(err, SS_EIO, "cannot create a libcurl handle");
	h->max_retries = 8;
	h->base_delay = 1;
	h->max_delay = 60;
	h->max_wait = 900;
	h->timeout = 300;
	return 0;
}

void ss_http_release(struct ss_http *h)
{
	if (h->easy)
		curl_easy_cleanup(h->easy);
	h->easy = NULL;
}

/* ---- one transfer ------------------------------------------------------------------------------------- */

struct xfer {
	struct ss_http *h;	   /* for the byte counter */
	struct ss_http_resp *resp; /* where the answer goes */
	bool too_big;		   /* the body passed its ceiling */
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;

	if (ss_buf_add(&x->resp->body, p, size * n)) {
		x->too_big = true;
		return 0;
	}
	x->h->stats.bytes += size * n;
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n, k;
	static const char name[] = "nextpageuri:";

	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		const char *v = p + sizeof(name) - 1;
		size_t vl = len - (sizeof(name) - 1);
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		for (k = 0; k < vl; k++)
			if ((unsigned char)v[k] < 0x20)
				return len; /* not a URI we follow */
		free(x->resp->next_page);
		x->resp->next_page = vl ? ss_xstrndup(v, vl) : NULL;
	}
	return len;
}

/* Reads error.code (and error.message into msg) of a JSON error body. */
static void error_code(struct ss_http_resp *r, char *msg, size_t msglen)
{
	json_t *doc, *e, *c, *m;

	r->code[0] = '\0';
	if (msg)
		msg[0] = '\0';
	if (!r->body.len || (r->status >= 200 && r->status < 300))
		return;
	doc = json_loadb(r->body.ptr, r->body.len, JSON_DECODE_ANY, NULL);
	e = json_object_get(doc, "error");
	c = json_object_get(e, "code");
	m = json_object_get(e, "message");
	if (!json_is_string(c)) { /* the token endpoint: {"error": "invalid_client",
                               "error_description"} */
		c = json_is_string(e) ? e : NULL;
		m = json_object_get(doc, "error_description");
	}
	if (json_is_string(c))
		snprintf(r->code, sizeof(r->code), "%s", json_string_value(c));
	if (msg && json_is_string(m)) {
		size_t i;
		snprintf(msg, msglen, "%s", json_string_value(m));
		for (i = 0; msg[i]; i++) /* one line, no escape sequences */
			if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
				msg[i] = ' ';
	}
	json_decref(doc);
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

enum verdict {
	OK,
	RETRY,
	FAIL
};

/* Sets up e for a GET or POST of rq (headers in *hdrs, to free). */
static void setup(CURL *e, const struct ss_http_req *rq, const char *auth_header, struct curl_slist **hdrs,
		  struct xfer *x, long timeout)
{
	struct curl_slist *l = NULL;

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "secscore/" SS_VERSION);
	l = curl_slist_append(l, "Accept: application/json");
	if (auth_header)
		l = curl_slist_append(l, auth_header);
	if (rq->body) {
		char ct[200];
		snprintf(ct, sizeof(ct), "Content-Type: %s",
			 rq->content_type ? rq->content_type : "application/json");
		l = curl_slist_append(l, ct);
		l = curl_slist_append(l, "Expect:");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	if (!l)
		ss_die("out of memory");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, l);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	*hdrs = l;
}

/*
 * Judges a finished attempt: fills resp->status, code, retry_after and
 * reason; returns OK, RETRY or FAIL.
 */
static enum verdict judge(struct ss_http *h, CURL *e, CURLcode c, struct xfer *x, bool json, char *reason,
			  size_t rlen)
{
	struct ss_http_resp *r = x->resp;
	char msg[200];
	curl_off_t ra = 0;

	if (c != CURLE_OK) {
		if (x->too_big) {
			snprintf(reason, rlen, "the answer is larger than %zu bytes", r->body.max);
			return FAIL;
		}
		snprintf(reason, rlen, "%s", curl_easy_strerror(c));
		return curl_transient(c) ? RETRY : FAIL;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		r->retry_after = (double)ra;
	error_code(r, msg, sizeof(msg));
	if (r->status >= 200 && r->status < 300) {
		json_t *doc = NULL;
		if (json && r->body.len)
			doc = json_loadb(r->body.ptr, r->body.len, JSON_DECODE_ANY, NULL);
		if (json && r->body.len && !doc) {
			snprintf(reason, rlen, "HTTP %ld with a body cut short or not JSON", r->status);
			return RETRY;
		}
		json_decref(doc);
		return OK;
	}
	snprintf(reason, rlen, "HTTP %ld%s%s%s%s", r->status, r->code[0] ? " " : "", r->code,
		 msg[0] ? ": " : "", msg);
	if (r->status == 429 || strcmp(r->code, "AF429") == 0) {
		h->stats.throttled++;
		return RETRY;
	}
	if (r->status == 408 || r->status >= 500 || strcmp(r->code, "AF50000") == 0)
		return RETRY;
	return FAIL;
}

/* The delay before attempt k + 1 (k >= 1 attempts made). */
static double backoff(const struct ss_http *h, const struct ss_http_resp *r, int k)
{
	double d;

	if (r->retry_after > 0)
		return r->retry_after < h->max_delay * 5 ? r->retry_after : h->max_delay * 5;
	d = h->base_delay * pow(2, (double)(k - 1));
	if (d > h->max_delay)
		d = h->max_delay;
	return d / 2 + ss_time_jitter() * d / 2;
}

int ss_http_do(struct ss_http *h, const struct ss_http_req *rq, struct ss_http_resp *resp,
	       struct ss_error *err)
{
	struct curl_slist *hdrs = NULL;
	struct xfer x = {h, resp, false};
	char reason[400] = "";
	double waited = 0;
	bool refreshed = false;
	int k, rc = 0;

	memset(resp, 0, sizeof(*resp));
	for (k = 1;; k++) {
		const char *auth = NULL;
		enum verdict v;
		CURLcode c;
		double now = ss_time_monotonic();
		if (h->pause_until > now)
			ss_time_sleep(h->pause_until - now);
		if (rq->auth && (rc = rq->auth(rq->auth_ctx, false, &auth, err)))
			return rc;
		resp_reset(resp, rq->max_body);
		x.too_big = false;
		setup(h->easy, rq, auth, &hdrs, &x, h->timeout);
		h->stats.requests++;
		if (k > 1)
			h->stats.retries++;
		c = curl_easy_perform(h->easy);
		curl_slist_free_all(hdrs); /* the header line pointed at the token; curl copied it */
		hdrs = NULL;
		v = judge(h, h->easy, c, &x, rq->json, reason, sizeof(reason));
		if (h->tick)
			h->tick(h->tick_ctx);
		if (v == OK)
			return 0;
		if (v == FAIL && resp->status == 401 && rq->auth && !refreshed) {
			refreshed = true;
			if ((rc = rq->auth(rq->auth_ctx, true, &auth, err)))
				return rc;
			continue;
		}
		if (v == RETRY && k <= h->max_retries) {
			double d = backoff(h, resp, k);
			if (waited + d <= h->max_wait) {
				if (resp->status == 429 || strcmp(resp->code, "AF429") == 0)
					h->pause_until = ss_time_monotonic() + d;
				ss_time_sleep(d);
				waited += d;
				continue;
			}
		}
		break;
	}
	return ss_error_set(err, SS_EIO, "%s %.300s: %s%s", rq->method, rq->url, reason,
			    k > 1 ? " (gave up after retries)" : "");
}

/* ---- many transfers ----------------------------------------------------------------------------------- */

struct mjob {
	struct xfer x;		 /* the transfer's sink */
	struct ss_http_job *job; /* the caller's job */
	bool inflight;		 /* added to the multi handle */
	bool waiting;		 /* waiting for its next attempt (not_before) */
	bool want_refresh;	 /* next attempt asks for a fresh token (after a 401) */
};

static int start_job(struct ss_http *h, CURLM *m, struct mjob *mj, size_t max_body, ss_http_auth_fn auth,
		     void *auth_ctx, struct ss_error *err)
{
	struct ss_http_job *j = mj->job;
	struct ss_http_req rq = {"GET", j->url, NULL, NULL, 0, true, max_body, auth, auth_ctx, false};
	const char *hdr = NULL;
	int rc;

	if (auth && (rc = auth(auth_ctx, mj->want_refresh, &hdr, err)))
		return rc;
	mj->want_refresh = false;
	resp_reset(&j->resp, max_body);
	mj->x.h = h;
	mj->x.resp = &j->resp;
	mj->x.too_big = false;
	if (!j->easy && !(j->easy = curl_easy_init()))
		ss_die("out of memory");
	curl_slist_free_all(j->hdrs);
	setup(j->easy, &rq, hdr, &j->hdrs, &mj->x, h->timeout);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, mj);
	h->stats.requests++;
	if (j->attempts++)
		h->stats.retries++;
	if (curl_multi_add_handle(m, j->easy) != CURLM_OK)
		ss_die("out of memory");
	mj->inflight = true;
	return 0;
}

static void finish_job(struct ss_http_job *j)
{
	j->done = true;
	if (j->easy)
		curl_easy_cleanup(j->easy);
	j->easy = NULL;
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
}

/* Handles one finished transfer: schedules a retry or hands the job to done. */
static int finished_one(struct ss_http *h, struct mjob *mj, CURLcode c, ss_http_auth_fn auth,
			ss_http_done_fn done, void *done_ctx, size_t *finished)
{
	struct ss_http_job *j = mj->job;
	char reason[400] = "";
	enum verdict v = judge(h, j->easy, c, &mj->x, true, reason, sizeof(reason));
	double now = ss_time_monotonic();

	if (v == OK) {
		int rc;
		finish_job(j);
		(*finished)++;
		rc = done(done_ctx, j, 0, NULL);
		ss_http_resp_release(&j->resp);
		return rc;
	}
	if (v == FAIL && j->resp.status == 401 && auth && !j->refreshed) {
		j->refreshed = true;
		mj->want_refresh = true;
		mj->waiting = true;
		j->not_before = now;
		return 0;
	}
	if (v == RETRY && j->attempts <= h->max_retries) {
		double d = backoff(h, &j->resp, j->attempts);
		if (j->waited + d <= h->max_wait) {
			if ((j->resp.status == 429 || strcmp(j->resp.code, "AF429") == 0) &&
			    h->pause_until < now + d)
				h->pause_until = now + d;
			j->waited += d;
			j->not_before = now + d;
			mj->waiting = true;
			return 0;
		}
	}
	finish_job(j);
	(*finished)++;
	if (j->attempts > 1) {
		size_t l = strlen(reason);
		snprintf(reason + l, sizeof(reason) - l, " (gave up after %d attempts)", j->attempts);
	}
	{
		int rc = done(done_ctx, j, SS_EIO, reason);
		ss_http_resp_release(&j->resp);
		return rc;
	}
}

int ss_http_multi(struct ss_http *h, struct ss_http_job *jobs, size_t n, unsigned parallel, size_t max_body,
		  ss_http_auth_fn auth, void *auth_ctx, ss_http_done_fn done, void *done_ctx,
		  struct ss_error *err)
{
	CURLM *m = curl_multi_init();
	struct mjob *mj = ss_xcalloc(n ? n : 1, sizeof(*mj));
	size_t next = 0, finished = 0, i;
	unsigned active = 0;
	int rc = 0;

	if (!m)
		ss_die("out of memory");
	if (!parallel)
		parallel = 1;
	for (i = 0; i < n; i++) {
		memset(&jobs[i].resp, 0, sizeof(jobs[i].resp));
		jobs[i].easy = NULL;
		jobs[i].hdrs = NULL;
		jobs[i].attempts = 0;
		jobs[i].waited = 0;
		jobs[i].not_before = 0;
		jobs[i].refreshed = false;
		jobs[i].done = false;
		mj[i].job = &jobs[i];
	}
	while (finished < n && !rc) {
		double now = ss_time_monotonic(), wake = now + 0.5;
		CURLMsg *msg;
		int running = 0, left = 0;

		/* start due retries first, then new jobs; nothing new while throttled */
		for (i = 0; i < n && !rc && active < parallel && h->pause_until <= now; i++) {
			if (!mj[i].waiting || jobs[i].not_before > now)
				continue;
			mj[i].waiting = false;
			rc = start_job(h, m, &mj[i], max_body, auth, auth_ctx, err);
			active += rc ? 0 : 1;
		}
		while (!rc && next < n && active < parallel && h->pause_until <= now) {
			rc = start_job(h, m, &mj[next++], max_body, auth, auth_ctx, err);
			active += rc ? 0 : 1;
		}
		if (rc)
			break;
		for (i = 0; i < n; i++)
			if (mj[i].waiting && jobs[i].not_before < wake)
				wake = jobs[i].not_before;
		if (h->pause_until > now && h->pause_until < wake)
			wake = h->pause_until;
		curl_multi_perform(m, &running);
		if (active) {
			int ms = (int)((wake - now) * 1000);
			curl_multi_poll(m, NULL, 0, ms < 1 ? 1 : ms > 500 ? 500 : ms, NULL);
			curl_multi_perform(m, &running);
		} else if (wake > now) {
			ss_time_sleep(wake - now);
		}
		while (!rc && (msg = curl_multi_info_read(m, &left))) {
			struct mjob *x = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			curl_multi_remove_handle(m, msg->easy_handle);
			x->inflight = false;
			active--;
			rc = finished_one(h, x, msg->data.result, auth, done, done_ctx, &finished);
			if (rc && err && !err->msg[0])
				ss_error_set(err, rc, "collection stopped");
		}
		if (h->tick)
			h->tick(h->tick_ctx);
	}
	for (i = 0; i < n; i++) {
		if (mj[i].inflight)
			curl_multi_remove_handle(m, jobs[i].easy);
		if (!jobs[i].done) {
			finish_job(&jobs[i]);
			ss_http_resp_release(&jobs[i].resp);
		}
	}
	curl_multi_cleanup(m);
	free(mj);
	return rc;
}
