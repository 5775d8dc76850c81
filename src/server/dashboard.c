/* dashboard.c - the dashboard's pages, sessions and forms; changes go through the API's handlers. */
#include "server/dashboard.h"

/*
 * Design. Reading pages render from the same document as `secscore report`
 * (output/report.h) or from the API's own JSON (a control's profile, with
 * its state history and latest result, is fetched through ss_api_handle
 * with the session's token), so the dashboard shows exactly what the API
 * answers and cannot drift from it; a control's points over time come from
 * the store's per-control rows (ss_store_control_history). Writing forms are translated into the API request they
 * stand for (PATCH of the control profile, POST of a finding's ack) and
 * answered with a redirect (post/redirect/get) or an error page carrying
 * the API's message. The only state kept between requests is the
 * session (server/session.h): its row in the store holds the token it was
 * opened with and its CSRF token.
 */

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/time.h"
#include "output/report.h"
#include "output/report_html.h"
#include "server/auth.h"
#include "server/form.h"
#include "server/session.h"
#include "store/run_store.h"

#define MAX_TOKEN     128 /* longer than any token we issue */
#define HISTORY_SHOWN 30  /* scores in a control's history */
#define PAGE_MAX      ((size_t)64 << 20)

/* One request's context. */
struct dash_call {
	const struct ss_dash *d;
	struct ss_store *st;
	const struct ss_api_request *req;
	struct ss_dash_response *res;
	char sid[SS_SESSION_ID_SIZE]; /* the session cookie's id, "" for a bearer request */
	bool from_cookie;	      /* a session cookie came (forms need the CSRF token) */
	struct ss_token_info who;     /* who it is */
	char csrf[65];		      /* the session's CSRF token, hex */
};

bool ss_dash_owns(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/login") == 0 || strcmp(path, "/logout") == 0 ||
	       strcmp(path, "/tenants") == 0 || strcmp(path, "/favicon.ico") == 0 ||
	       strncmp(path, "/controls/", 10) == 0 || strncmp(path, "/findings/", 10) == 0;
}

void ss_dash_init(struct ss_dash *d, const struct ss_api *api, bool tls)
{
	memset(d, 0, sizeof(*d));
	d->api = api;
	d->tls = tls;
}

void ss_dash_response_release(struct ss_dash_response *res)
{
	ss_buf_release(&res->body);
}

/* ---- small parts ---- */

static const char *header(const struct ss_api_request *req, const char *name)
{
	return req->header ? req->header(req->ctx, name) : NULL;
}

static const char *query(const struct ss_api_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_args; i++)
		if (strcmp(req->args[i].key, name) == 0)
			return req->args[i].value;
	return NULL;
}

/* A token as we issue them: [A-Za-z0-9_-], 1 to MAX_TOKEN characters. */
static bool token_shaped(const char *s, size_t len)
{
	return len <= MAX_TOKEN && ss_form_id_shaped(s, len);
}

static void put(struct dash_call *c, const char *s)
{
	ss_buf_adds(&c->res->body, s);
}

static void putf(struct dash_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct dash_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ss_buf_vprintf(&c->res->body, fmt, ap);
	va_end(ap);
}

static void text(struct dash_call *c, const char *s)
{
	ss_report_html_text(&c->res->body, s);
}

static void url_arg(struct dash_call *c, const char *s)
{
	ss_report_html_url_arg(&c->res->body, s);
}

static void redirect(struct dash_call *c, const char *location)
{
	c->res->status = 303;
	snprintf(c->res->location, sizeof(c->res->location), "%s", location);
	ss_buf_clear(&c->res->body);
}

/* Fills the live part of the page: who, the CSRF token, the tenants and the runs. */
static void live_init(struct dash_call *c, struct ss_html_live *l, const char *tenant)
{
	memset(l, 0, sizeof(*l));
	l->tenant = tenant;
	l->csrf = c->csrf;
	l->user = c->who.name[0] ? c->who.name : NULL;
	l->admin = c->who.role == SS_TOKEN_ADMIN;
	if (c->st && c->who.name[0]) {
		if (c->d->tenants && c->d->tenants(c->st, &l->tenants, NULL) != 0)
			l->tenants = NULL;
		if (c->d->runs && c->d->runs(c->st, &l->runs, NULL) != 0)
			l->runs = NULL;
	}
}

static void live_release(struct ss_html_live *l)
{
	json_decref(l->tenants);
	json_decref(l->runs);
}

/* A whole page with a heading and one message (errors, empty stores). */
static void message_page(struct dash_call *c, int status, const char *title, const char *msg)
{
	struct ss_html_live l;

	live_init(c, &l, NULL);
	c->res->status = status;
	ss_buf_clear(&c->res->body);
	ss_report_html_begin(&c->res->body, &l, "secscore", title);
	put(c, "<section class=\"card\"><p class=\"error\">");
	text(c, msg);
	put(c, "</p><p><a href=\"/\">Back to the dashboard</a></p></section>\n");
	ss_report_html_end(&c->res->body, &l, "");
	live_release(&l);
}

/*
 * Calls the API as the signed-in token (c->who): method, path, the ?tenant=
 * of this request, and a JSON body (may be NULL). The answer is in *api
 * (release it).
 */
static const char *inner_header(void *ctx, const char *name)
{
	const struct ss_api_request *outer = ctx;

	if (strcasecmp(name, "Authorization") == 0)
		return NULL; /* the caller is given as r.as */
	if (strcasecmp(name, "Content-Type") == 0)
		return "application/json";
	if (strcasecmp(name, "Prefer") == 0 || strcasecmp(name, "X-Secscore-Tenant") == 0)
		return NULL;
	return header(outer, name);
}

static void call_api(struct dash_call *c, const char *method, const char *path, json_t *body,
		     struct ss_api_response *api)
{
	struct ss_api_request r;
	const char *tenant = query(c->req, "tenant");
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = path;
	if (tenant && *tenant)
		r.args[r.n_args++] = (struct ss_api_kv){"tenant", tenant};
	r.header = inner_header;
	r.ctx = (void *)c->req;
	r.as = &c->who;
	r.body = text;
	r.body_len = text ? strlen(text) : 0;
	r.base_url = c->req->base_url;
	r.request_id = c->req->request_id;
	ss_api_handle(c->d->api, c->st, &r, api);
	free(text);
}

/* The message of an API error answer. */
static const char *api_message(const struct ss_api_response *api)
{
	const char *m = json_string_value(json_object_get(json_object_get(api->body, "error"), "message"));
	return m ? m : "the request failed";
}

/* ---- sessions ---- */

/*
 * Finds and checks the request's bearer token, or else its session cookie.
 * Returns 0 (c->who set), SS_ENOENT (none, ended or invalid), or another error.
 */
static int authenticate(struct dash_call *c)
{
	const char *h = header(c->req, "Authorization");
	struct ss_session sess;
	struct ss_error err;
	int rc;

	ss_error_clear(&err);
	if (h && strncasecmp(h, "Bearer ", 7) == 0) {
		h += 7;
		while (*h == ' ')
			h++;
		if (!token_shaped(h, strlen(h)))
			return SS_ENOENT;
		rc = ss_auth_verify(c->st, h, strlen(h), &c->who, &err);
	} else if (ss_form_cookie(header(c->req, "Cookie"), SS_DASH_COOKIE, c->sid, sizeof(c->sid))) {
		c->from_cookie = true;
		rc = ss_session_check(c->st, c->sid, ss_time_now(), &sess, &err);
		if (rc == 0) {
			c->who = sess.who;
			memcpy(c->csrf, sess.csrf, sizeof(c->csrf));
		}
		OPENSSL_cleanse(&sess, sizeof(sess));
	} else {
		return SS_ENOENT;
	}
	if (rc) {
		memset(&c->who, 0, sizeof(c->who));
		return rc;
	}
	snprintf(c->res->author, sizeof(c->res->author), "%s", c->who.name);
	return 0;
}

/*
 * A POST is ours when it does not come from another origin (Origin must be
 * this server's, Sec-Fetch-Site same-origin or none) and, when the session
 * cookie carries the token, when the form holds the session's CSRF token.
 */
static bool same_origin(struct dash_call *c)
{
	const char *origin = header(c->req, "Origin"), *site = header(c->req, "Sec-Fetch-Site");

	/* "null" is what a browser sends when the page's referrer policy hides the origin */
	if (origin && strcmp(origin, "null") == 0 && !(site && strcmp(site, "same-origin") == 0))
		return false;
	if (origin && strcmp(origin, "null") != 0 &&
	    (!c->req->base_url || strcasecmp(origin, c->req->base_url) != 0))
		return false;
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return false;
	return true;
}

static bool post_allowed(struct dash_call *c, const struct ss_form *f)
{
	const char *sent = ss_form_get(f, "csrf");

	if (!same_origin(c))
		return false;
	if (!c->from_cookie)
		return true; /* a bearer header cannot be sent by another site's form */
	return sent && strlen(sent) == 64 && CRYPTO_memcmp(sent, c->csrf, 64) == 0;
}

static void forbidden_cross_site(struct dash_call *c)
{
	message_page(c, 403, "Refused",
		     "This form did not come from this dashboard (cross-site request refused). Reload the "
		     "page and try again.");
}

static void login_page(struct dash_call *c, int status, const char *error)
{
	struct ss_html_live l;

	memset(&l, 0, sizeof(l)); /* nobody signed in: no navigation, but the dashboard's policy */
	c->res->status = status;
	ss_buf_clear(&c->res->body);
	ss_report_html_begin(&c->res->body, &l, "secscore dashboard", "Sign in");
	put(c, "<section class=\"card\" style=\"max-width:560px\">\n");
	if (error) {
		put(c, "<p class=\"error\">");
		text(c, error);
		put(c, "</p>\n");
	}
	put(c, "<form id=\"login\" class=\"state\" method=\"post\" action=\"/login\">\n"
	       "<label for=\"token\">Token</label>\n"
	       "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
	       "required autofocus>\n"
	       "<p class=\"muted small\">A token from <code>secscore tokens create --name NAME --role "
	       "read|admin</code>; <code>secscore demo</code> leaves one in <code>DIR/admin.token</code>. "
	       "Signing in opens a session in this browser; it ends when you sign out, after 8 hours "
	       "unused, or a week after signing in.</p>\n"
	       "<button class=\"primary\" type=\"submit\">Sign in</button>\n</form>\n</section>\n");
	ss_report_html_end(&c->res->body, &l, "");
}

static void login(struct dash_call *c)
{
	struct ss_form f;
	struct ss_error err;
	const char *tok;
	int rc;

	ss_error_clear(&err);
	if (strcmp(c->req->method, "GET") == 0 || strcmp(c->req->method, "HEAD") == 0) {
		login_page(c, 200, NULL);
		return;
	}
	if (!same_origin(c)) {
		forbidden_cross_site(c);
		return;
	}
	if (ss_form_parse(&f, c->req->body ? c->req->body : "", c->req->body_len, &err) != 0) {
		login_page(c, 400, err.msg);
		return;
	}
	tok = ss_form_get(&f, "token");
	if (!tok || !token_shaped(tok, strlen(tok))) {
		ss_form_release(&f);
		login_page(c, 401, "That is not a secscore token.");
		return;
	}
	rc = ss_auth_verify(c->st, tok, strlen(tok), &c->who, &err);
	if (rc) {
		ss_form_release(&f);
		memset(&c->who, 0, sizeof(c->who));
		login_page(c, rc == SS_ENOENT ? 401 : 500,
			   rc == SS_ENOENT ? "The token is not valid (unknown or revoked)." : err.msg);
		return;
	}
	OPENSSL_cleanse((char *)tok, strlen(tok)); /* our copy; the form's buffer is ours */
	ss_form_release(&f);
	snprintf(c->res->author, sizeof(c->res->author), "%s", c->who.name);
	rc = ss_session_open(c->st, &c->who, ss_time_now(), c->sid, &err);
	if (rc) {
		login_page(c, 500, err.msg);
		return;
	}
	snprintf(c->res->cookie, sizeof(c->res->cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
		 SS_DASH_COOKIE, c->sid, c->d->tls ? "; Secure" : "");
	redirect(c, "/");
}

/* Ends the session (the POST was checked by the caller). */
static void logout(struct dash_call *c)
{
	struct ss_error err;

	ss_error_clear(&err);
	if (c->from_cookie && ss_session_close(c->st, c->sid, &err) != 0) {
		message_page(c, 500, "Error", err.msg);
		return;
	}
	snprintf(c->res->cookie, sizeof(c->res->cookie),
		 "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", SS_DASH_COOKIE,
		 c->d->tls ? "; Secure" : "");
	redirect(c, "/login");
}

/* ---- pages ---- */

/* Resolves ?tenant= (NULL: the tenant scored last). Writes the error page itself and returns -1. */
static int tenant_of(struct dash_call *c, int64_t *row, char **id)
{
	const char *name = query(c->req, "tenant");
	struct ss_error err;
	int rc;

	ss_error_clear(&err);
	if (name && !*name)
		name = NULL;
	rc = ss_store_find_tenant(c->st, name, row, id, &err);
	if (rc == SS_ENOENT && !name) {
		message_page(c, 200, "No scores yet",
			     "The store holds no score yet: run 'secscore score SNAPSHOT', 'secscore collect "
			     "snapshot' or 'secscore demo' first.");
		return -1;
	}
	if (rc) {
		message_page(c, rc == SS_ENOENT ? 404 : 500, rc == SS_ENOENT ? "No such tenant" : "Error",
			     err.msg);
		return -1;
	}
	return 0;
}

static void overview(struct dash_call *c)
{
	struct ss_html_live l;
	struct ss_error err;
	json_t *doc = NULL;
	char *id = NULL;
	int64_t row;
	const char *notice = NULL;

	ss_error_clear(&err);
	if (tenant_of(c, &row, &id) != 0)
		return;
	if (ss_report_build(c->st, row, c->d->api->cat, SS_REPORT_DEFAULT_TARGET, &doc, &err) != 0) {
		message_page(c, err.code == SS_ENOENT ? 404 : 500, "No report", err.msg);
		free(id);
		return;
	}
	if (query(c->req, "acked"))
		notice = "The finding is acknowledged.";
	live_init(c, &l, id);
	l.notice = notice;
	c->res->status = 200;
	ss_buf_clear(&c->res->body);
	if (ss_report_html_live(doc, &l, &c->res->body) != 0)
		message_page(c, 500, "Error", "the page is too large");
	live_release(&l);
	json_decref(doc);
	free(id);
}

static void tenants_page(struct dash_call *c)
{
	struct ss_html_live l;
	json_t *t;
	size_t i;

	live_init(c, &l, NULL);
	c->res->status = 200;
	ss_buf_clear(&c->res->body);
	ss_report_html_begin(&c->res->body, &l, "secscore dashboard", "Tenants");
	put(c, "<section class=\"card long\"><h2>Tenants of this store <span class=\"count\">");
	putf(c, "%zu</span></h2>\n", json_array_size(l.tenants));
	put(c, "<div class=\"tablewrap\"><table class=\"sortable\" id=\"tenants-table\">\n<thead><tr>"
	       "<th>Tenant</th><th class=\"num\" data-type=\"num\">Score</th><th class=\"num\" "
	       "data-type=\"num\">Percentage</th><th class=\"num\" data-type=\"num\">Licensed users</th>"
	       "<th>Measured (UTC)</th><th>Last scheduled run</th></tr></thead>\n<tbody>\n");
	json_array_foreach (l.tenants, i, t) {
		const char *tid = ss_report_str(t, "azureTenantId");
		json_t *r, *run = NULL;
		size_t k;
		json_array_foreach (l.runs, k, r)
			if (ss_run_is_of(ss_report_str(r, "tenant"), t))
				run = r;
		put(c, "<tr><td><a href=\"/?tenant=");
		url_arg(c, tid);
		put(c, "\">");
		text(c, ss_report_str(t, "displayName")[0] ? ss_report_str(t, "displayName")
							   : ss_report_str(t, "name"));
		put(c, "</a><div class=\"sub mono\">");
		text(c, tid);
		putf(c, "</div></td><td class=\"num\" data-sort=\"%.2f\">%.1f / %.1f</td>",
		     ss_report_num(t, "currentScore"), ss_report_num(t, "currentScore"),
		     ss_report_num(t, "maxScore"));
		putf(c,
		     "<td class=\"num\" data-sort=\"%.2f\">%.1f%%</td><td class=\"num\">%.0f</td><td "
		     "class=\"when\">",
		     ss_report_num(t, "percentage"), ss_report_num(t, "percentage"),
		     ss_report_num(t, "licensedUserCount"));
		text(c, ss_report_str(t, "createdDateTime"));
		put(c, "</td><td>");
		if (run) {
			const char *st = ss_report_str(run, "status");
			putf(c, "<span class=\"badge b-%s\">",
			     strcmp(st, "ok") == 0	 ? "passed"
			     : strcmp(st, "failed") == 0 ? "failed"
							 : "notScored");
			text(c, st);
			put(c, "</span> <span class=\"sub\">");
			text(c, ss_report_str(run, "startedDateTime"));
			put(c, "</span>");
			if (strcmp(st, "failed") == 0) {
				put(c, "<div class=\"sub\">");
				text(c, ss_report_str(run, "step"));
				put(c, ": ");
				text(c, ss_report_str(run, "message"));
				put(c, "</div>");
			}
		} else {
			put(c, "<span class=\"muted\">none</span>");
		}
		put(c, "</td></tr>\n");
	}
	put(c, "</tbody></table></div>\n</section>\n");
	ss_report_html_end(&c->res->body, &l, "");
	live_release(&l);
}

static const char *const states[][2] = {
	{"to_address", "To address"},
	{"planned", "Planned"},
	{"risk_accepted", "Risk accepted (0 points)"},
	{"third_party", "Resolved through a third party (full points)"},
	{"alternate_mitigation", "Resolved through alternate mitigation (full points)"},
	{"ignored", "Ignored (not counted)"},
};

/* The control page: its profile and latest score (from the API), points over time, state history, form. */
static void control_page(struct dash_call *c, const char *id)
{
	struct ss_api_response prof;
	struct ss_html_live l;
	struct ss_buf path;
	json_t *p, *latest, *u, *points = NULL;
	char *row_id = NULL;
	int64_t row;
	const char *cur_state = "to_address", *tid;
	size_t i, k, n;
	bool saved = query(c->req, "saved") != NULL;

	ss_buf_init(&path, 1024);
	ss_buf_adds(&path, "/security/secureScoreControlProfiles/");
	ss_buf_adds(&path, id);
	call_api(c, "GET", ss_buf_cstr(&path), NULL, &prof);
	ss_buf_release(&path);
	if (prof.status != 200) {
		message_page(c, prof.status, "No such control", api_message(&prof));
		ss_api_response_release(&prof);
		return;
	}
	p = prof.body;
	latest = json_object_get(p, "latestScore");
	tid = ss_report_str(p, "azureTenantId");
	/* the control's points in the recent scores, from the store's per-control rows */
	if (tid[0] && ss_store_find_tenant(c->st, tid, &row, &row_id, NULL) == 0 &&
	    ss_store_control_history(c->st, row, ss_report_str(p, "controlName"), HISTORY_SHOWN, &points,
				     NULL) != 0)
		points = NULL;
	n = json_array_size(json_object_get(p, "controlStateUpdates"));
	if (n)
		cur_state = ss_report_str(json_array_get(json_object_get(p, "controlStateUpdates"), n - 1),
					  "state");
	live_init(c, &l, tid[0] ? tid : NULL);
	l.notice = saved ? "Saved: the new state is recorded in the history below." : NULL;
	c->res->status = 200;
	ss_buf_clear(&c->res->body);
	ss_report_html_begin(&c->res->body, &l, "Control", ss_report_str(p, "title"));
	put(c, "<p class=\"back\"><a href=\"/?tenant=");
	url_arg(c, tid);
	put(c, "#controls\">&larr; All controls of the tenant</a></p>\n");

	/* What it is and where it stands. */
	put(c, "<div class=\"grid\">\n<section class=\"card\" id=\"control\"><h2>");
	text(c, ss_report_str(p, "controlName"));
	put(c, "</h2>\n<dl class=\"facts\">");
	put(c, "<div><dt>Status</dt><dd>");
	if (latest) {
		const char *st = ss_report_str(latest, "status");
		putf(c, "<span class=\"badge b-%s\">%s</span>", st[0] ? st : "notScored",
		     ss_report_status_label(st));
	} else {
		put(c, "<span class=\"muted\">not scored yet</span>");
	}
	put(c, "</dd></div><div><dt>Points</dt><dd>");
	if (latest)
		putf(c, "%.1f / %.1f", ss_report_num(latest, "score"), ss_report_num(latest, "maxScore"));
	putf(c, " <small class=\"muted\">of %.1f for this control</small></dd></div>",
	     ss_report_num(p, "maxScore"));
	put(c, "<div><dt>State</dt><dd>");
	text(c, ss_report_state_label(cur_state));
	put(c, "</dd></div><div><dt>Area</dt><dd>");
	text(c, ss_report_str(p, "controlCategory"));
	put(c, " · ");
	text(c, ss_report_str(p, "service"));
	put(c, "</dd></div><div><dt>Tier · user impact · cost</dt><dd>");
	text(c, ss_report_str(p, "tier"));
	put(c, " · ");
	text(c, ss_report_str(p, "userImpact"));
	put(c, " · ");
	text(c, ss_report_str(p, "implementationCost"));
	put(c, "</dd></div></dl>\n");
	if (latest && ss_report_str(latest, "implementationStatus")[0]) {
		put(c, "<p>");
		text(c, ss_report_str(latest, "implementationStatus"));
		put(c, "</p>\n");
	}
	if (latest && json_array_size(json_object_get(latest, "offenders"))) {
		put(c, "<h3>Offenders</h3><ul class=\"off\" id=\"offenders\">");
		json_array_foreach (json_object_get(latest, "offenders"), i, u) {
			if (i == 100) {
				putf(c, "<li class=\"muted\">and %zu more</li>",
				     json_array_size(json_object_get(latest, "offenders")) - 100);
				break;
			}
			put(c, "<li>");
			text(c, json_string_value(u));
			put(c, "</li>");
		}
		put(c, "</ul>\n");
	}
	put(c, "<h3>Remediation</h3><p class=\"rem\">");
	text(c, ss_report_str(p, "remediation"));
	put(c, "</p>\n");
	if (ss_report_str(p, "remediationImpact")[0]) {
		put(c, "<p class=\"rem\"><b>Impact:</b> ");
		text(c, ss_report_str(p, "remediationImpact"));
		put(c, "</p>\n");
	}
	put(c, "</section>\n");

	/* The form. */
	put(c, "<section class=\"card\" id=\"change-state\"><h2>Change the state</h2>\n");
	if (!l.admin)
		put(c, "<p class=\"note notice\">Changing a state needs an admin token; you are signed in "
		       "with a read token.</p>\n");
	put(c, "<form id=\"state-form\" class=\"state\" method=\"post\" action=\"/controls/");
	url_arg(c, ss_report_str(p, "controlName"));
	put(c, "/state?tenant=");
	url_arg(c, tid);
	putf(c, "\"><fieldset%s>\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	     l.admin ? "" : " disabled", c->csrf);
	put(c, "<label for=\"state\">State</label><select id=\"state\" name=\"state\">");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		putf(c, "<option value=\"%s\"%s>%s</option>", states[i][0],
		     strcmp(states[i][0], cur_state) == 0 ? " selected" : "", states[i][1]);
	put(c,
	    "</select>\n<label for=\"comment\">Why (kept in the history)</label>"
	    "<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\" required></textarea>\n"
	    "<label for=\"assignedTo\">Assigned to</label><input id=\"assignedTo\" name=\"assignedTo\" "
	    "maxlength=\"256\">\n<label for=\"expires\">Until (optional date; the state lapses after "
	    "it)</label><input id=\"expires\" name=\"expires\" type=\"date\">\n"
	    "<p><button class=\"primary\" type=\"submit\">Save</button></p>\n</fieldset></form>\n"
	    "</section>\n</div>\n");

	/* State history, newest first. */
	put(c, "<section class=\"card long\"><h2>State history</h2>\n<div class=\"tablewrap\">"
	       "<table id=\"state-history\"><thead><tr><th>When (UTC)</th><th>State</th><th>Why</th>"
	       "<th>Assigned to</th><th>By</th></tr></thead>\n<tbody>\n");
	for (k = n; k-- > 0;) {
		u = json_array_get(json_object_get(p, "controlStateUpdates"), k);
		put(c, "<tr><td class=\"when\">");
		text(c, ss_report_str(u, "updatedDateTime"));
		put(c, "</td><td>");
		text(c, ss_report_state_label(ss_report_str(u, "state")));
		put(c, "</td><td>");
		text(c, ss_report_str(u, "comment"));
		put(c, "</td><td>");
		text(c, ss_report_str(u, "assignedTo"));
		put(c, "</td><td>");
		text(c, ss_report_str(u, "updatedBy"));
		put(c, "</td></tr>\n");
	}
	if (!n)
		put(c, "<tr><td colspan=\"5\" class=\"muted\">No change yet: the control is To "
		       "address.</td></tr>\n");
	put(c, "</tbody></table></div></section>\n");

	/* Points over the recent scores. */
	put(c, "<section class=\"card long\"><h2>Points over time</h2>\n<div class=\"tablewrap\">"
	       "<table id=\"score-history\"><thead><tr><th>Score</th><th>Measured (UTC)</th><th>Status</th>"
	       "<th class=\"num\">Points</th></tr></thead>\n<tbody>\n");
	json_array_foreach (points, i, u) {
		put(c, "<tr><td class=\"mono\">");
		text(c, ss_report_str(u, "id"));
		put(c, "</td><td class=\"when\">");
		text(c, ss_report_str(u, "createdDateTime"));
		put(c, "</td><td>");
		text(c, ss_report_status_label(ss_report_str(u, "status")));
		putf(c, "</td><td class=\"num\">%.1f / %.1f</td></tr>\n", ss_report_num(u, "score"),
		     ss_report_num(u, "maxScore"));
	}
	put(c, "</tbody></table></div></section>\n");
	ss_report_html_end(&c->res->body, &l, "");
	live_release(&l);
	ss_api_response_release(&prof);
	json_decref(points);
	free(row_id);
}

/* Where to go back to after a form: the page of the same tenant. */
static void back_to(struct dash_call *c, const char *path, const char *id, const char *tail, const char *mark)
{
	struct ss_buf b;

	ss_buf_init(&b, sizeof(c->res->location) - 1);
	ss_buf_adds(&b, path);
	if (id)
		ss_report_html_url_arg(&b, id);
	ss_buf_adds(&b, tail);
	ss_buf_adds(&b, "?tenant=");
	ss_report_html_url_arg(&b, query(c->req, "tenant") ? query(c->req, "tenant") : "");
	ss_buf_adds(&b, mark);
	redirect(c, ss_buf_cstr(&b));
	ss_buf_release(&b);
}

static void set_state(struct dash_call *c, const char *id, const struct ss_form *f)
{
	struct ss_api_response api;
	struct ss_buf path;
	json_t *body = json_object();
	const char *v;

	if ((v = ss_form_get(f, "state")) && *v)
		json_object_set_new(body, "state", json_string(v));
	if ((v = ss_form_get(f, "comment")))
		json_object_set_new(body, "comment", json_string(v));
	if ((v = ss_form_get(f, "assignedTo")) && *v)
		json_object_set_new(body, "assignedTo", json_string(v));
	if ((v = ss_form_get(f, "expires")) && *v)
		json_object_set_new(body, "expires", json_string(v));
	ss_buf_init(&path, 1024);
	ss_buf_adds(&path, "/security/secureScoreControlProfiles/");
	ss_buf_adds(&path, id);
	call_api(c, "PATCH", ss_buf_cstr(&path), body, &api);
	if (api.status == 204 || api.status == 200)
		back_to(c, "/controls/", id, "", "&saved=1");
	else
		message_page(c, api.status, "Not saved", api_message(&api));
	ss_api_response_release(&api);
	ss_buf_release(&path);
	json_decref(body);
}

static void ack(struct dash_call *c, const char *id)
{
	struct ss_api_response api;
	struct ss_buf path;
	json_t *body = json_object();

	ss_buf_init(&path, 1024);
	ss_buf_printf(&path, "/api/findings/%s/ack", id);
	call_api(c, "POST", ss_buf_cstr(&path), body, &api);
	if (api.status == 200 || api.status == 204)
		back_to(c, "/", NULL, "", "&acked=1#findings");
	else
		message_page(c, api.status, "Not acknowledged", api_message(&api));
	ss_api_response_release(&api);
	ss_buf_release(&path);
	json_decref(body);
}

/* "/controls/ID[/state]" or "/findings/ID/ack": the id (owned) and whether the tail matched. */
static char *path_id(const char *path, const char *prefix, const char *tail)
{
	const char *id = path + strlen(prefix), *slash = strchr(id, '/');
	size_t len = slash ? (size_t)(slash - id) : strlen(id);

	if (len == 0 || len > 128)
		return NULL;
	if (tail ? !slash || strcmp(slash, tail) != 0 : slash != NULL)
		return NULL;
	if (!token_shaped(id, len))
		return NULL; /* control names and finding ids are [A-Za-z0-9_-] */
	return ss_xstrndup(id, len);
}

void ss_dash_handle(const struct ss_dash *d, struct ss_store *st, const struct ss_api_request *req,
		    struct ss_dash_response *res)
{
	struct dash_call c;
	struct ss_form form;
	struct ss_error err;
	const char *path = req->path;
	bool post = strcmp(req->method, "POST") == 0;
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	char *id = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	ss_buf_init(&res->body, PAGE_MAX);
	memset(&c, 0, sizeof(c));
	memset(&form, 0, sizeof(form));
	c.d = d;
	c.st = st;
	c.req = req;
	c.res = res;
	ss_error_clear(&err);
	if (strcmp(path, "/favicon.ico") == 0) {
		res->status = 204;
		return;
	}
	if (!get && !post) {
		message_page(&c, 405, "Not allowed", "The dashboard answers GET and POST only.");
		return;
	}
	if (!st) {
		message_page(&c, 503, "Unavailable", "The store cannot be opened.");
		return;
	}
	if (strcmp(path, "/login") == 0) {
		login(&c);
		goto out;
	}
	rc = authenticate(&c);
	if (rc == SS_ENOENT) {
		if (c.from_cookie) /* an ended session: forget the cookie */
			snprintf(res->cookie, sizeof(res->cookie),
				 "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict", SS_DASH_COOKIE);
		if (get)
			redirect(&c, "/login");
		else
			login_page(&c, 401,
				   "Sign in first: the session has ended or the token is not valid.");
		goto out;
	}
	if (rc) {
		message_page(&c, 500, "Error", "The store cannot check the token.");
		goto out;
	}
	if (post) {
		if (ss_form_parse(&form, req->body ? req->body : "", req->body_len, &err) != 0) {
			message_page(&c, 400, "Bad form", err.msg);
			goto out;
		}
		if (!post_allowed(&c, &form)) {
			forbidden_cross_site(&c);
			goto out;
		}
	}
	if (strcmp(path, "/") == 0 && get) {
		overview(&c);
	} else if (strcmp(path, "/tenants") == 0 && get) {
		tenants_page(&c);
	} else if (strcmp(path, "/logout") == 0 && post) {
		logout(&c);
	} else if (get && (id = path_id(path, "/controls/", NULL))) {
		control_page(&c, id);
	} else if (post && (id = path_id(path, "/controls/", "/state"))) {
		set_state(&c, id, &form);
	} else if (post && (id = path_id(path, "/findings/", "/ack"))) {
		ack(&c, id);
	} else {
		message_page(&c, 404, "Not found", "There is no such page.");
	}
out:
	free(id);
	ss_form_release(&form);
	OPENSSL_cleanse(c.sid, sizeof(c.sid));
	OPENSSL_cleanse(c.csrf, sizeof(c.csrf));
}
