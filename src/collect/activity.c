/* activity.c - Management Activity API collection: subscriptions, windows, listing, blobs, checkpoints. */
#include "collect/activity.h"

/*
 * Design. The store is the checkpoint: every step that changes what is
 * known commits before the next begins, so a run killed anywhere leaves
 * the tables consistent and the next run derives its work from them alone.
 *
 *   collect_windows  (tenant, content_type, window_start): state open |
 *                    closed | lost; next_page is the NextPageUri still to
 *                    read, pages the pages read. The listing is complete
 *                    when pages > 0 and next_page is NULL.
 *   collect_blobs    (tenant, content_type, content_id): state listed |
 *                    fetched (file saved, path set) | ingested (records
 *                    set) | lost (AF20051).
 *
 * A blob's file is written (temporary file, fsync, rename) before its row
 * says "fetched", and ingested before the row says "ingested", so a kill
 * between the two repeats the step, which is harmless: the file is
 * rewritten, and the pipeline recognises records already stored by Id.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"

#define LIST_MAX   ((size_t)64 << 20)	/* bytes of one listing page */
#define BLOB_MAX   ((size_t)512 << 20)	/* bytes of one content blob */
#define MAX_BACK   (7 * SS_DAY_MS)	/* how far back the API lists */
#define BACK_SLACK ((ss_time_ms)120000) /* stay this far inside the 7 days */
#define MIN_WINDOW ((ss_time_ms)60000)	/* a newer window waits for the next run */

const char *const ss_activity_types[] = {
	"Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All", NULL};

bool ss_activity_known_type(const char *ct)
{
	size_t i;

	for (i = 0; ss_activity_types[i]; i++)
		if (strcmp(ct, ss_activity_types[i]) == 0)
			return true;
	return false;
}

/* The state of one run. */
struct run {
	const struct ss_activity_opts *o; /* options */
	struct ss_activity_progress p;	  /* counters */
	json_t *report;			  /* the report being built */
	json_t *lost;			  /* report.lost */
	json_t *errors;			  /* report.errors */
	size_t n_lost;			  /* blobs and windows lost in this run */
	bool skip[16];			  /* types[k] left out: its subscription could not be started */
	char now[32];			  /* the run's clock, API format */
};

/* ---- helpers ------------------------------------------------------------------------------------------ */

/* "YYYY-MM-DDTHH:MM:SS" (UTC, the API's format, no zone). */
static void api_time(ss_time_ms t, char out[32])
{
	ss_time_format(t, out);
	out[19] = '\0';
}

static void progress(struct run *r)
{
	if (r->o->progress)
		r->o->progress(r->o->progress_ctx, &r->p);
}

static void tick(void *ctx)
{
	progress(ctx);
}

static void add_error(struct run *r, const char *fmt, const char *a, const char *b)
{
	char msg[2048];

	snprintf(msg, sizeof(msg), fmt, a, b);
	json_array_append_new(r->errors, json_string(msg));
}

/* True when url is on the origin of the Management API (the only place the token goes). */
static bool same_origin(const struct run *r, const char *url)
{
	size_t a = ss_http_origin_len(r->o->cfg->manage_url), b = ss_http_origin_len(url);

	return a && a == b && strncasecmp(url, r->o->cfg->manage_url, a) == 0;
}

/* url, with PublisherIdentifier appended when it does not carry one. */
static void with_publisher(const struct run *r, const char *url, struct ss_buf *out)
{
	ss_buf_adds(out, url);
	if (strstr(url, "PublisherIdentifier=") || strstr(url, "publisheridentifier="))
		return;
	ss_buf_addc(out, strchr(url, '?') ? '&' : '?');
	ss_buf_adds(out, "PublisherIdentifier=");
	ss_http_escape(out, r->o->cfg->publisher);
}

/* {manage}/api/v1.0/{tenant}/activity/feed/ */
static void feed_url(const struct run *r, struct ss_buf *b)
{
	ss_buf_printf(b, "%s/api/v1.0/", r->o->cfg->manage_url);
	ss_http_escape(b, r->o->cfg->tenant);
	ss_buf_adds(b, "/activity/feed/");
}

static int prepare(const struct run *r, sqlite3_stmt **s, const char *sql, struct ss_error *err)
{
	if (sqlite3_prepare_v2(r->o->st->db, sql, -1, s, NULL) != SQLITE_OK)
		return ss_store_db_error(r->o->st, err, "cannot read the collection checkpoints");
	return 0;
}

static int step_done(const struct run *r, sqlite3_stmt *s, struct ss_error *err)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ss_store_db_error(r->o->st, err, "cannot write the collection checkpoints");
	return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* A file name from a content id: [A-Za-z0-9._$-] kept, others as _XX; never "." or "..". */
static void safe_name(struct ss_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '$' || (c == '.' && i > 0)) {
			ss_buf_addc(b, (char)c);
		} else {
			char e[3] = {'_', hex[c >> 4], hex[c & 15]};
			ss_buf_add(b, e, 3);
		}
	}
}

/* ---- subscriptions ------------------------------------------------------------------------------------ */

static int record_subscription(struct run *r, const char *ct, bool started, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prepare(r, &s,
			 "INSERT INTO collect_subscriptions (tenant, content_type, status, "
			 "started) "
			 "VALUES (?1, ?2, 'enabled', ?3) ON CONFLICT (tenant, content_type) DO "
			 "UPDATE SET "
			 "status = 'enabled', started = coalesce(excluded.started, started)",
			 err);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	sqlite3_bind_text(s, 2, ct, -1, SQLITE_TRANSIENT);
	bind_text(s, 3, started ? r->now : NULL);
	return step_done(r, s, err);
}

static int subscriptions(struct run *r, struct ss_error *err)
{
	const struct ss_activity_opts *o = r->o;
	struct ss_buf url;
	struct ss_http_resp resp;
	struct ss_http_req rq = {0};
	json_t *doc = NULL, *e, *started = json_array(), *enabled = json_array();
	size_t i, k;
	int rc;

	json_object_set_new(r->report, "subscriptions",
			    json_pack("{s:o, s:o}", "started", started, "enabled", enabled));
	ss_buf_init(&url, 1 << 20);
	feed_url(r, &url);
	ss_buf_adds(&url, "subscriptions/list");
	{
		struct ss_buf u2;
		ss_buf_init(&u2, 1 << 20);
		with_publisher(r, ss_buf_cstr(&url), &u2);
		ss_buf_release(&url);
		url = u2;
	}
	rq.method = "GET";
	rq.url = ss_buf_cstr(&url);
	rq.json = true;
	rq.max_body = LIST_MAX;
	rq.auth = ss_auth_header;
	rq.auth_ctx = o->auth;
	rc = ss_http_do(o->http, &rq, &resp, err);
	if (!rc)
		doc = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
	ss_http_resp_release(&resp);
	ss_buf_release(&url);
	if (rc)
		return rc;
	for (k = 0; k < o->n_types && !rc; k++) {
		const char *ct = o->types[k];
		bool on = false;
		json_array_foreach (doc, i, e) {
			const char *c = json_string_value(json_object_get(e, "contentType"));
			const char *st = json_string_value(json_object_get(e, "status"));
			if (c && st && strcmp(c, ct) == 0 && strcasecmp(st, "enabled") == 0)
				on = true;
		}
		if (on) {
			json_array_append_new(enabled, json_string(ct));
			if (!o->dry_run)
				rc = record_subscription(r, ct, false, err);
			continue;
		}
		json_array_append_new(started, json_string(ct));
		if (o->dry_run)
			continue;
		ss_buf_init(&url, 1 << 20);
		feed_url(r, &url);
		ss_buf_adds(&url, "subscriptions/start?contentType=");
		ss_http_escape(&url, ct);
		ss_buf_adds(&url, "&PublisherIdentifier=");
		ss_http_escape(&url, o->cfg->publisher);
		rq.method = "POST";
		rq.url = ss_buf_cstr(&url);
		rc = ss_http_do(o->http, &rq, &resp, err);
		if (rc && strcmp(resp.code, "AF20024") == 0) { /* already enabled: what we wanted */
			ss_error_clear(err);
			rc = 0;
		} else if (rc == SS_EIO && k < SS_ARRAY_LEN(r->skip)) {
			/* e.g. DLP.All without ActivityFeed.ReadDlp: the other types go on */
			char msg[1100];
			ss_error_format(err, msg, sizeof(msg));
			add_error(r, "cannot start the subscription of %s: %s", ct, msg);
			ss_error_clear(err);
			r->skip[k] = true;
			rc = 0;
			json_array_remove(started, json_array_size(started) - 1);
		} else if (!rc) {
			rc = record_subscription(r, ct, true, err);
		}
		ss_http_resp_release(&resp);
		ss_buf_release(&url);
	}
	json_decref(doc);
	return rc;
}

/* ---- windows ------------------------------------------------------------------------------------------ */

/* The end of the newest window on record for ct (0 when none). */
static int last_end(struct run *r, const char *ct, ss_time_ms *out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prepare(r, &s,
			 "SELECT max(window_end) FROM collect_windows WHERE tenant = "
			 "?1 AND content_type = ?2",
			 err);

	*out = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	sqlite3_bind_text(s, 2, ct, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (ss_time_parse(t, strlen(t), out))
			*out = 0;
	}
	sqlite3_finalize(s);
	return 0;
}

/* Adds the windows from the checkpoint (or since) up to now for every type; dry run: only reports them. */
static int plan_windows(struct run *r, ss_time_ms now, json_t *plan, struct ss_error *err)
{
	const struct ss_activity_opts *o = r->o;
	ss_time_ms floor7 = now - MAX_BACK + BACK_SLACK;
	size_t k;
	int rc = 0;

	floor7 -= floor7 % 1000;
	for (k = 0; k < o->n_types && !rc; k++) {
		const char *ct = o->types[k];
		ss_time_ms start, end;
		if (k < SS_ARRAY_LEN(r->skip) && r->skip[k])
			continue;
		if ((rc = last_end(r, ct, &start, err)))
			break;
		if (o->since)
			start = o->since;
		if (start < floor7) {
			if (o->since || start) {
				char a[32], b[32];
				api_time(start, a);
				api_time(floor7, b);
				if (start) {
					json_t *l = json_pack(
						"{s:s, s:s, s:s}", "contentType", ct, "window", a, "reason",
						"older than the 7 days the API lists: starting later");
					json_object_set_new(l, "until", json_string(b));
					if (!o->since) { /* a gap since the last run: coverage lost */
						json_array_append_new(r->lost, l);
						r->n_lost++;
					} else {
						json_decref(l);
					}
				}
			}
			start = floor7;
		}
		for (; now - start >= MIN_WINDOW; start = end) {
			char a[32], b[32];
			sqlite3_stmt *s = NULL;
			end = start + SS_DAY_MS < now ? start + SS_DAY_MS : now;
			api_time(start, a);
			api_time(end, b);
			if (o->dry_run) {
				json_array_append_new(plan,
						      json_pack("{s:s, s:s, s:s, s:s}", "contentType", ct,
								"start", a, "end", b, "state", "new"));
				continue;
			}
			if ((rc = prepare(r, &s,
					  "INSERT INTO collect_windows (tenant, content_type, "
					  "window_start, "
					  "window_end, state, updated) VALUES (?1, ?2, ?3, ?4, "
					  "'open', ?5) "
					  "ON CONFLICT DO NOTHING",
					  err)))
				break;
			sqlite3_bind_int64(s, 1, o->tenant);
			sqlite3_bind_text(s, 2, ct, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 3, a, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 4, b, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 5, r->now, -1, SQLITE_TRANSIENT);
			if ((rc = step_done(r, s, err)))
				break;
		}
	}
	return rc;
}

/* One open window of the run. */
struct window {
	char *ct;	 /* content type */
	char *start;	 /* window_start */
	char *end;	 /* window_end */
	char *next_page; /* NextPageUri to read, or NULL */
	int64_t pages;	 /* pages read */
};

static void windows_free(struct window *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(w[i].ct);
		free(w[i].start);
		free(w[i].end);
		free(w[i].next_page);
	}
	free(w);
}

static bool wanted(const struct run *r, const char *ct)
{
	size_t k;

	for (k = 0; k < r->o->n_types; k++)
		if (strcmp(ct, r->o->types[k]) == 0)
			return k >= SS_ARRAY_LEN(r->skip) || !r->skip[k];
	return false;
}

static int open_windows(struct run *r, struct window **out, size_t *n, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = prepare(r, &s,
			 "SELECT content_type, window_start, window_end, next_page, "
			 "pages FROM collect_windows "
			 "WHERE tenant = ?1 AND state = 'open' ORDER BY "
			 "content_type, window_start",
			 err);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct window *w;
		const char *ct = (const char *)sqlite3_column_text(s, 0);
		if (!ct || !wanted(r, ct))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = ss_xrealloc(*out, ss_mul_sz(cap, sizeof(**out)));
		}
		w = &(*out)[(*n)++];
		w->ct = ss_xstrdup(ct);
		w->start = ss_xstrdup((const char *)sqlite3_column_text(s, 1));
		w->end = ss_xstrdup((const char *)sqlite3_column_text(s, 2));
		w->next_page = sqlite3_column_type(s, 3) == SQLITE_TEXT
				       ? ss_xstrdup((const char *)sqlite3_column_text(s, 3))
				       : NULL;
		w->pages = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	return 0;
}

static int set_window_state(struct run *r, const struct window *w, const char *state, const char *detail,
			    struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prepare(r, &s,
			 "UPDATE collect_windows SET state = ?4, detail = ?5, "
			 "updated = ?6 WHERE tenant = ?1 AND "
			 "content_type = ?2 AND window_start = ?3",
			 err);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	sqlite3_bind_text(s, 2, w->ct, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, w->start, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, state, -1, SQLITE_TRANSIENT);
	bind_text(s, 5, detail);
	sqlite3_bind_text(s, 6, r->now, -1, SQLITE_TRANSIENT);
	return step_done(r, s, err);
}

/* Commits one listing page: its blobs and the window's next page, in one transaction. */
static int commit_page(struct run *r, struct window *w, json_t *items, const char *next, struct ss_error *err)
{
	struct ss_store *st = r->o->st;
	sqlite3_stmt *s = NULL;
	json_t *e;
	size_t i;
	int64_t added = 0;
	int rc;

	if ((rc = ss_store_exec(st, "BEGIN IMMEDIATE", err)))
		return rc;
	if ((rc = prepare(r, &s,
			  "INSERT INTO collect_blobs (tenant, content_type, "
			  "content_id, window_start, uri, created, "
			  "state, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'listed', "
			  "?7) ON CONFLICT DO NOTHING",
			  err)))
		goto fail;
	json_array_foreach (items, i, e) {
		const char *id = json_string_value(json_object_get(e, "contentId"));
		const char *uri = json_string_value(json_object_get(e, "contentUri"));
		const char *created = json_string_value(json_object_get(e, "contentCreated"));
		if (!id || !*id || !uri) {
			add_error(r, "%s: a listed blob without contentId or contentUri was skipped%s", w->ct,
				  "");
			continue;
		}
		if (!same_origin(r, uri)) {
			sqlite3_finalize(s);
			rc = ss_error_set(err, SS_EINVAL,
					  "refusing to send the token to %.300s: a contentUri "
					  "off the Management "
					  "API's origin",
					  uri);
			goto fail;
		}
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, r->o->tenant);
		sqlite3_bind_text(s, 2, w->ct, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, w->start, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, uri, -1, SQLITE_TRANSIENT);
		bind_text(s, 6, created);
		sqlite3_bind_text(s, 7, r->now, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			rc = ss_store_db_error(st, err, "cannot record a listed blob");
			goto fail;
		}
		added += sqlite3_changes(st->db);
	}
	sqlite3_finalize(s);
	if ((rc = prepare(r, &s,
			  "UPDATE collect_windows SET next_page = ?4, pages = pages "
			  "+ 1, blobs = blobs + ?5, "
			  "updated = ?6 WHERE tenant = ?1 AND content_type = ?2 AND "
			  "window_start = ?3",
			  err)))
		goto fail;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	sqlite3_bind_text(s, 2, w->ct, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, w->start, -1, SQLITE_TRANSIENT);
	bind_text(s, 4, next);
	sqlite3_bind_int64(s, 5, added);
	sqlite3_bind_text(s, 6, r->now, -1, SQLITE_TRANSIENT);
	if ((rc = step_done(r, s, err)))
		goto fail;
	if ((rc = ss_store_exec(st, "COMMIT", err)))
		goto fail;
	r->p.blobs += (uint64_t)added;
	return 0;
fail:
	ss_store_exec(st, "ROLLBACK", NULL);
	return rc;
}

/* Reads the rest of w's listing. A window the API no longer lists becomes lost.
 */
static int list_window(struct run *r, struct window *w, ss_time_ms floor7, struct ss_error *err)
{
	const struct ss_activity_opts *o = r->o;
	ss_time_ms start = 0;
	int rc = 0;

	if (ss_time_parse(w->start, strlen(w->start), &start) == 0 && start < floor7 && !w->next_page) {
		json_array_append_new(
			r->lost, json_pack("{s:s, s:s, s:s, s:s}", "contentType", w->ct, "window", w->start,
					   "until", w->end, "reason",
					   "the window's listing did not finish within the API's 7 days"));
		r->n_lost++;
		return set_window_state(r, w, "lost", "listing older than 7 days", err);
	}
	while (!rc && (w->pages == 0 || w->next_page)) {
		struct ss_buf url;
		struct ss_http_resp resp;
		struct ss_http_req rq = {0};
		json_t *items = NULL;
		char *next = NULL;

		ss_buf_init(&url, 1 << 20);
		if (w->next_page) {
			with_publisher(r, w->next_page, &url);
		} else {
			feed_url(r, &url);
			ss_buf_adds(&url, "subscriptions/content?contentType=");
			ss_http_escape(&url, w->ct);
			ss_buf_printf(&url, "&startTime=%s&endTime=%s&PublisherIdentifier=", w->start,
				      w->end);
			ss_http_escape(&url, o->cfg->publisher);
		}
		rq.method = "GET";
		rq.url = ss_buf_cstr(&url);
		rq.json = true;
		rq.max_body = LIST_MAX;
		rq.auth = ss_auth_header;
		rq.auth_ctx = o->auth;
		rc = ss_http_do(o->http, &rq, &resp, err);
		ss_buf_release(&url);
		if (!rc) {
			items = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
			if (!json_is_array(items))
				rc = ss_error_set(err, SS_EPARSE,
						  "%s %s: the content listing is not a JSON array", w->ct,
						  w->start);
		}
		if (!rc && resp.next_page) {
			if (!same_origin(r, resp.next_page))
				rc = ss_error_set(
					err, SS_EINVAL,
					"refusing to follow NextPageUri %.300s: off the Management API's "
					"origin",
					resp.next_page);
			else
				next = ss_xstrdup(resp.next_page);
		}
		ss_http_resp_release(&resp);
		if (!rc)
			rc = commit_page(r, w, items, next, err);
		json_decref(items);
		if (!rc) {
			free(w->next_page);
			w->next_page = next;
			w->pages++;
			next = NULL;
		}
		free(next);
		progress(r);
	}
	return rc;
}

/* ---- blobs -------------------------------------------------------------------------------------------- */

struct blob {
	char *ct;      /* content type */
	char *id;      /* content id */
	char *url;     /* contentUri with PublisherIdentifier */
	char *path;    /* saved file, or NULL */
	bool fetched;  /* saved in this run or before */
	struct run *r; /* the run */
	size_t index;  /* position in the group */
};

static void blobs_free(struct blob *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(b[i].ct);
		free(b[i].id);
		free(b[i].url);
		free(b[i].path);
	}
	free(b);
}

/* Blobs of the wanted types still to fetch or to ingest (listed or fetched), oldest first. */
static int pending_blobs(struct run *r, struct blob **out, size_t *n, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = prepare(r, &s,
			 "SELECT content_type, content_id, uri, state, path FROM "
			 "collect_blobs WHERE tenant = ?1 "
			 "AND state IN ('listed', 'fetched') ORDER BY created, content_id",
			 err);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct blob *b;
		const char *ct = (const char *)sqlite3_column_text(s, 0);
		const char *state = (const char *)sqlite3_column_text(s, 3);
		const char *path = (const char *)sqlite3_column_text(s, 4);
		struct ss_buf u;
		if (!ct || !wanted(r, ct))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = ss_xrealloc(*out, ss_mul_sz(cap, sizeof(**out)));
		}
		b = &(*out)[(*n)++];
		memset(b, 0, sizeof(*b));
		b->ct = ss_xstrdup(ct);
		b->id = ss_xstrdup((const char *)sqlite3_column_text(s, 1));
		ss_buf_init(&u, 1 << 20);
		with_publisher(r, (const char *)sqlite3_column_text(s, 2), &u);
		b->url = ss_buf_detach(&u, NULL);
		b->fetched = strcmp(state, "fetched") == 0 && path && ss_file_exists(path);
		b->path = b->fetched ? ss_xstrdup(path) : NULL;
		b->r = r;
	}
	sqlite3_finalize(s);
	return 0;
}

static int set_blob(struct run *r, const struct blob *b, const char *state, const char *path, int64_t bytes,
		    int64_t records, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prepare(r, &s,
			 "UPDATE collect_blobs SET state = ?4, path = coalesce(?5, "
			 "path), bytes = coalesce(?6, "
			 "bytes), records = coalesce(?7, records), updated = ?8 "
			 "WHERE tenant = ?1 AND "
			 "content_type = ?2 AND content_id = ?3",
			 err);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	sqlite3_bind_text(s, 2, b->ct, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, b->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, state, -1, SQLITE_TRANSIENT);
	bind_text(s, 5, path);
	if (bytes >= 0)
		sqlite3_bind_int64(s, 6, bytes);
	else
		sqlite3_bind_null(s, 6);
	if (records >= 0)
		sqlite3_bind_int64(s, 7, records);
	else
		sqlite3_bind_null(s, 7);
	sqlite3_bind_text(s, 8, r->now, -1, SQLITE_TRANSIENT);
	return step_done(r, s, err);
}

/* Compresses data and writes it atomically to BLOBDIR/<ct>/<id>.json.zst; *path owned. */
static int save_blob(struct run *r, const struct blob *b, const void *data, size_t len, char **path,
		     struct ss_error *err)
{
	struct ss_buf p;
	size_t cap = ZSTD_compressBound(len), n;
	void *z = ss_xmalloc(cap ? cap : 1);
	int rc;

	ss_buf_init(&p, 1 << 16);
	ss_buf_printf(&p, "%s/", r->o->blob_dir);
	safe_name(&p, b->ct);
	rc = ss_mkdir_p(ss_buf_cstr(&p), true, err);
	if (!rc) {
		ss_buf_addc(&p, '/');
		safe_name(&p, b->id);
		ss_buf_adds(&p, ".json.zst");
		n = ZSTD_compress(z, cap, data, len, 3);
		if (ZSTD_isError(n))
			rc = ss_error_set(err, SS_EIO, "cannot compress blob %.200s: %s", b->id,
					  ZSTD_getErrorName(n));
		else
			rc = ss_file_write_atomic(ss_buf_cstr(&p), z, n, err);
	}
	free(z);
	if (rc)
		ss_buf_release(&p);
	else
		*path = ss_buf_detach(&p, NULL);
	return rc;
}

struct group {
	struct run *r;	      /* the run */
	struct blob **blobs;  /* the group's blobs, by job index */
	struct ss_error *err; /* where a store failure goes */
};

static int blob_done(void *ctx, struct ss_http_job *job, int status, const char *reason)
{
	struct group *g = ctx;
	struct blob *b = job->ctx;
	struct run *r = g->r;
	char *path = NULL;
	int rc;

	(void)g;
	if (status) {
		if (strcmp(job->resp.code, "AF20051") == 0) {
			fprintf(stderr,
				"secscore: warning: lost coverage: blob %.200s of %s expired "
				"before it "
				"could be fetched (AF20051)\n",
				b->id, b->ct);
			json_array_append_new(r->lost,
					      json_pack("{s:s, s:s, s:s}", "contentType", b->ct, "contentId",
							b->id, "reason", "AF20051: content expired"));
			r->n_lost++;
			r->p.blobs_done++;
			return set_blob(r, b, "lost", NULL, -1, -1, g->err);
		}
		add_error(r, "cannot fetch blob %.300s: %.600s", b->id, reason ? reason : "failed");
		return 0;
	}
	rc = save_blob(r, b, job->resp.body.ptr ? job->resp.body.ptr : "[]",
		       job->resp.body.ptr ? job->resp.body.len : 2, &path, g->err);
	if (rc)
		return rc;
	rc = set_blob(r, b, "fetched", path, (int64_t)job->resp.body.len, -1, g->err);
	if (rc) {
		free(path);
		return rc;
	}
	free(b->path);
	b->path = path;
	b->fetched = true;
	return 0;
}

/* Ingests the fetched blobs of group and marks them ingested with their new records. */
static int ingest_group(struct run *r, struct blob *bl, size_t n, struct ss_error *err)
{
	char **paths = ss_xcalloc(n ? n : 1, sizeof(*paths));
	json_t *sum = NULL, *in;
	size_t i, k, np = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (bl[i].fetched)
			paths[np++] = bl[i].path;
	if (!np)
		goto out;
	rc = r->o->ingest(r->o->ingest_ctx, paths, np, &sum, err);
	if (rc)
		goto out;
	for (k = 0; k < 3; k++) {
		static const char *const keys[] = {"records", "duplicates", "already_ingested"};
		json_t *tot = json_object_get(r->report, keys[k]);
		json_object_set_new(r->report, keys[k],
				    json_integer(json_integer_value(tot) +
						 json_integer_value(json_object_get(sum, keys[k]))));
	}
	r->p.records += (uint64_t)json_integer_value(json_object_get(sum, "records"));
	if (json_integer_value(json_object_get(sum, "new_findings")))
		json_object_set_new(
			r->report, "new_findings",
			json_integer(json_integer_value(json_object_get(r->report, "new_findings")) +
				     json_integer_value(json_object_get(sum, "new_findings"))));
	for (i = 0; i < n && !rc; i++) {
		int64_t recs = -1;
		bool broken = false;
		if (!bl[i].fetched)
			continue;
		json_array_foreach (json_object_get(sum, "inputs"), k, in) {
			const char *p = json_string_value(json_object_get(in, "path"));
			if (p && strcmp(p, bl[i].path) == 0) {
				recs = json_integer_value(json_object_get(in, "records"));
				broken = json_object_get(in, "error") != NULL;
			}
		}
		if (broken) {
			add_error(r, "blob %.300s broke in the audit pipeline (%.300s)", bl[i].id,
				  bl[i].path);
			continue;
		}
		rc = set_blob(r, &bl[i], "ingested", NULL, -1, recs, err);
		r->p.blobs_done++;
	}
out:
	json_decref(sum);
	free(paths);
	return rc;
}

static int fetch_blobs(struct run *r, struct ss_error *err)
{
	const struct ss_activity_opts *o = r->o;
	struct blob *bl = NULL;
	size_t n = 0, at, group;
	int rc = pending_blobs(r, &bl, &n, err);

	if (rc)
		return rc;
	/* a group: enough to keep the transfers busy, few enough that a kill repeats little */
	group = (size_t)o->parallel * 8 < 16	? 16
		: (size_t)o->parallel * 8 > 256 ? 256
						: (size_t)o->parallel * 8;
	r->p.blobs = r->p.blobs_done + n;
	for (at = 0; at < n && !rc; at += group) {
		size_t m = n - at < group ? n - at : group, i, nj = 0;
		struct ss_http_job *jobs = ss_xcalloc(m, sizeof(*jobs));
		struct group g = {r, NULL, err};
		for (i = 0; i < m; i++) {
			if (bl[at + i].fetched)
				continue;
			jobs[nj].url = bl[at + i].url;
			jobs[nj].ctx = &bl[at + i];
			nj++;
		}
		rc = ss_http_multi(o->http, jobs, nj, o->parallel, BLOB_MAX, ss_auth_header, o->auth,
				   blob_done, &g, err);
		free(jobs);
		if (!rc)
			rc = ingest_group(r, bl + at, m, err);
		progress(r);
	}
	blobs_free(bl, n);
	return rc;
}

/* Closes the open windows whose listing is complete and whose blobs are all in; counts what is left. */
static int close_windows(struct run *r, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = prepare(r, &s,
			 "UPDATE collect_windows AS w SET state = 'closed', updated "
			 "= ?2 WHERE tenant = ?1 AND "
			 "state = 'open' AND pages > 0 AND next_page IS NULL AND NOT "
			 "EXISTS (SELECT 1 FROM "
			 "collect_blobs b WHERE b.tenant = w.tenant AND "
			 "b.content_type = w.content_type AND "
			 "b.window_start = w.window_start AND b.state NOT IN "
			 "('ingested', 'lost'))",
			 err);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->o->tenant);
	sqlite3_bind_text(s, 2, r->now, -1, SQLITE_TRANSIENT);
	rc = step_done(r, s, err);
	r->p.windows_done += (uint64_t)sqlite3_changes(r->o->st->db);
	return rc;
}

/* report.windows and report.blobs: the tables' counts for the wanted types. */
static void count_states(struct run *r)
{
	static const char *const sql[] = {
		"SELECT state, count(*) FROM collect_windows WHERE tenant = ?1 GROUP BY "
		"state",
		"SELECT state, count(*) FROM collect_blobs WHERE tenant = ?1 GROUP BY "
		"state"};
	static const char *const names[] = {"windows", "blobs"};
	size_t k;

	for (k = 0; k < 2; k++) {
		json_t *o = json_object();
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(r->o->st->db, sql[k], -1, &s, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, r->o->tenant);
			while (sqlite3_step(s) == SQLITE_ROW)
				json_object_set_new(o, (const char *)sqlite3_column_text(s, 0),
						    json_integer(sqlite3_column_int64(s, 1)));
		}
		sqlite3_finalize(s);
		json_object_set_new(r->report, names[k], o);
	}
}

int ss_activity_collect(const struct ss_activity_opts *o, json_t **report, size_t *lost, struct ss_error *err)
{
	struct run r;
	struct window *w = NULL;
	size_t nw = 0, i;
	ss_time_ms now = ss_time_now();
	ss_time_ms floor7;
	json_t *plan = json_array(), *types = json_array();
	int rc;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.p.http = &o->http->stats;
	now -= now % 1000;
	floor7 = now - MAX_BACK + BACK_SLACK;
	api_time(now, r.now);
	for (i = 0; i < o->n_types; i++)
		json_array_append_new(types, json_string(o->types[i]));
	r.report = json_pack("{s:s, s:o, s:s, s:b, s:I, s:I, s:I}", "tenant", o->cfg->tenant, "contentTypes",
			     types, "now", r.now, "dryRun", o->dry_run, "records", (json_int_t)0,
			     "duplicates", (json_int_t)0, "already_ingested", (json_int_t)0);
	r.lost = json_array();
	r.errors = json_array();
	json_object_set_new(r.report, "lost", r.lost);
	json_object_set_new(r.report, "errors", r.errors);
	o->http->tick = tick;
	o->http->tick_ctx = &r;

	rc = subscriptions(&r, err);
	if (!rc)
		rc = plan_windows(&r, now, plan, err);
	if (!rc && o->dry_run) {
		/* also the windows left open by an earlier run, and the blobs waiting */
		rc = open_windows(&r, &w, &nw, err);
		for (i = 0; i < nw && !rc; i++)
			json_array_append_new(plan,
					      json_pack("{s:s, s:s, s:s, s:s}", "contentType", w[i].ct,
							"start", w[i].start, "end", w[i].end, "state",
							w[i].next_page || w[i].pages ? "resume" : "open"));
		json_object_set_new(r.report, "plan", plan);
		plan = NULL;
		if (!rc) {
			struct blob *bl = NULL;
			size_t nb = 0;
			rc = pending_blobs(&r, &bl, &nb, err);
			json_object_set_new(r.report, "pending_blobs", json_integer((json_int_t)nb));
			blobs_free(bl, nb);
		}
		goto out;
	}
	if (!rc)
		rc = open_windows(&r, &w, &nw, err);
	r.p.windows = nw;
	for (i = 0; i < nw && !rc; i++) {
		rc = list_window(&r, &w[i], floor7, err);
		if (rc == SS_EIO) { /* the API refused this window: the others may still work */
			char msg[1100];
			ss_error_format(err, msg, sizeof(msg));
			add_error(&r, "%s", msg, "");
			ss_error_clear(err);
			rc = 0;
		}
	}
	if (!rc)
		rc = fetch_blobs(&r, err);
	if (!rc)
		rc = close_windows(&r, err);
	if (!rc) {
		sqlite3_stmt *s = NULL;
		/* lost windows of this run count as done */
		if (prepare(&r, &s,
			    "SELECT count(*) FROM collect_windows WHERE tenant = ?1 AND "
			    "state = 'lost' AND updated = ?2",
			    err) == 0) {
			sqlite3_bind_int64(s, 1, o->tenant);
			sqlite3_bind_text(s, 2, r.now, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(s) == SQLITE_ROW)
				r.p.windows_done += (uint64_t)sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
		}
	}
	progress(&r);
out:
	count_states(&r);
	json_object_set_new(r.report, "bytes", json_integer((json_int_t)o->http->stats.bytes));
	json_object_set_new(r.report, "requests", json_integer((json_int_t)o->http->stats.requests));
	json_object_set_new(r.report, "retries", json_integer((json_int_t)o->http->stats.retries));
	json_object_set_new(r.report, "throttled", json_integer((json_int_t)o->http->stats.throttled));
	o->http->tick = NULL;
	if (!rc && json_array_size(r.errors))
		rc = ss_error_set(err, SS_EIO,
				  "%zu problems (listed in the report); the next run tries again",
				  json_array_size(r.errors));
	windows_free(w, nw);
	json_decref(plan);
	*report = r.report;
	*lost = r.n_lost;
	return rc;
}
