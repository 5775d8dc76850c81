/* api.c - the HTTP API: authentication, tenant choice, routing and the handlers, in Graph's shapes. */
#include "server/api.h"

/*
 * Design. A request is answered in four steps, each of which may end it with
 * a Graph-shaped error: (1) /healthz answers without anything else; (2) the
 * bearer token is checked against the store (401); (3) the path picks a
 * route (404) and the method must be one it allows (405); writes need an
 * admin token (403); (4) the handler resolves the tenant (404 when named and
 * unknown), reads or writes the store and builds the JSON. Lists page with
 * $top and $skip and carry @odata.nextLink while more remain. Nothing here
 * keeps state between requests.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analytics/inactive.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/time.h"
#include "output/graph.h"
#include "score/engine.h"
#include "score/facts.h"
#include "server/auth.h"
#include "snapshot/snapshot.h"
#include "store/audit_store.h"
#include "store/compare.h"
#include "store/finding_store.h"
#include "store/run_store.h"

#define MAX_COMMENT  2000
#define MAX_ASSIGNED 256
#define MAX_EXCLUDES 1000
#define MAX_SEGMENTS 6

enum route {
	R_NONE,
	R_HEALTH,
	R_SCORES,
	R_SCORE,
	R_PROFILES,
	R_PROFILE,
	R_FINDINGS,
	R_FINDING_ACK,
	R_INACTIVE,
	R_COVERAGE,
	R_RUNS,
	R_TENANTS,
};

/* What one request's handlers share. */
struct call {
	const struct ss_api *api;
	struct ss_store *st;
	const struct ss_api_request *req;
	struct ss_api_response *res;
	struct ss_token_info who; /* the token the request authenticated with */
	const char *tenant_name;  /* ?tenant= or X-Secscore-Tenant, NULL for the latest */
	int64_t tenant;		  /* tenant row, once resolved */
	char *tenant_id;	  /* its id, owned, NULL until resolved */
	struct ss_slice id;	  /* the {id} of the path, when the route has one */
};

void ss_api_response_init(struct ss_api_response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 500;
}

void ss_api_response_release(struct ss_api_response *res)
{
	json_decref(res->body);
	res->body = NULL;
	free(res->raw);
	res->raw = NULL;
	res->raw_len = 0;
}

void ss_api_error(struct ss_api_response *res, const struct ss_api_request *req, int status, const char *code,
		  const char *fmt, ...)
{
	char msg[600], date[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ss_time_format(ss_time_now(), date);
	json_decref(res->body);
	res->status = status;
	res->body =
		json_pack("{s:{s:s, s:s, s:{s:s, s:s}}}", "error", "code", code, "message", msg, "innerError",
			  "date", date, "request-id", req && req->request_id ? req->request_id : "");
}

/* 500 with the store's message (the store's file name stays in the server's log, not the answer). */
static void fail_store(struct call *c, const struct ss_error *err)
{
	if (err->code == SS_ENOENT) {
		ss_api_error(c->res, c->req, 404, "itemNotFound", "%s", err->msg);
		return;
	}
	if (err->code == SS_EINVAL) {
		ss_api_error(c->res, c->req, 400, "invalidRequest", "%s", err->msg);
		return;
	}
	fprintf(stderr, "secscore: serve: %s: %s\n", c->req->path, err->msg);
	ss_api_error(c->res, c->req, 500, "generalException", "the store could not answer: %s", err->msg);
}

static void answer(struct call *c, int status, json_t *body)
{
	json_decref(c->res->body);
	c->res->status = status;
	c->res->body = body;
}

static const char *arg(const struct ss_api_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_args; i++)
		if (strcmp(req->args[i].key, name) == 0)
			return req->args[i].value ? req->args[i].value : "";
	return NULL;
}

/* Parses the non-negative integer argument name into *out (def when absent); 400 and -1 when invalid. */
static int int_arg(struct call *c, const char *name, long long min, long long max, long long def,
		   long long *out)
{
	const char *v = arg(c->req, name);
	char *end;
	long long n;

	*out = def;
	if (!v)
		return 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || n < min || n > max || v[0] == '+' || v[0] == '-' || v[0] == ' ') {
		ss_api_error(c->res, c->req, 400, "invalidRequest", "%s must be an integer from %lld to %lld",
			     name, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

/* Appends s percent-encoded for a query value. */
static void add_encoded(struct ss_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			ss_buf_addc(b, (char)ch);
		} else {
			ss_buf_addc(b, '%');
			ss_buf_addc(b, hex[ch >> 4]);
			ss_buf_addc(b, hex[ch & 15]);
		}
	}
}

/* The @odata.context of a collection or entity: BASE/$metadata#WHAT. */
static json_t *context_url(struct call *c, const char *what)
{
	struct ss_buf b;
	json_t *s;

	ss_buf_init(&b, 16384);
	ss_buf_printf(&b, "%s/$metadata#%s", c->req->base_url ? c->req->base_url : "", what);
	s = json_string(ss_buf_cstr(&b));
	ss_buf_release(&b);
	return s;
}

/* A page of a collection: {@odata.context, @odata.nextLink (when more remain), value}. Steals value. */
static json_t *page(struct call *c, const char *what, json_t *value, size_t total, long long top,
		    long long skip)
{
	json_t *doc = json_object();
	const char *v;
	size_t i;

	json_object_set_new(doc, "@odata.context", context_url(c, what));
	if ((size_t)skip + (size_t)top < total) {
		struct ss_buf b;
		ss_buf_init(&b, 16384);
		ss_buf_printf(&b, "%s%s?$top=%lld&$skip=%lld", c->req->base_url ? c->req->base_url : "",
			      c->req->path, top, skip + top);
		for (i = 0; i < c->req->n_args; i++) {
			const char *k = c->req->args[i].key;
			if (strcmp(k, "$top") == 0 || strcmp(k, "$skip") == 0)
				continue;
			v = c->req->args[i].value ? c->req->args[i].value : "";
			ss_buf_addc(&b, '&');
			add_encoded(&b, k);
			ss_buf_addc(&b, '=');
			add_encoded(&b, v);
		}
		json_object_set_new(doc, "@odata.nextLink", json_string(ss_buf_cstr(&b)));
		ss_buf_release(&b);
	}
	json_object_set_new(doc, "value", value);
	return doc;
}

/* The page of the whole list all (taken over) from skip, at most top entries. */
static json_t *page_of(struct call *c, const char *what, json_t *all, long long top, long long skip)
{
	size_t i, total = json_array_size(all);
	json_t *value = json_array();

	for (i = (size_t)skip; i < total && i < (size_t)(skip + top); i++)
		json_array_append(value, json_array_get(all, i));
	json_decref(all);
	return page(c, what, value, total, top, skip);
}

/*
 * Resolves the tenant (c->tenant, c->tenant_id). When optional and no
 * tenant was named, a store without tenants is not an error (*found false).
 */
static int resolve_tenant(struct call *c, bool optional, bool *found)
{
	struct ss_error err;
	int rc;

	ss_error_clear(&err);
	if (found)
		*found = false;
	rc = ss_store_find_tenant(c->st, c->tenant_name, &c->tenant, &c->tenant_id, &err);
	if (rc == SS_ENOENT && optional && !c->tenant_name)
		return 0;
	if (rc) {
		fail_store(c, &err);
		return -1;
	}
	if (found)
		*found = true;
	return 0;
}

/* ---- scores ---- */

/*
 * The scores, newest first. The stored documents are passed on as stored
 * (ss_store_load_score_text): parsing and serialising 85 KB per score was
 * most of the time of this, the busiest read (bench/serve).
 */
static void list_scores(struct call *c)
{
	static const char tail[] = "\"value\":[]}";
	struct ss_error err;
	struct ss_buf out;
	json_t *hist = NULL, *frame;
	long long top, skip;
	size_t i, total, n, len;
	char *head = NULL, *doc;
	int rc = 0;

	ss_error_clear(&err);
	if (int_arg(c, "$top", 1, 100, 20, &top) || int_arg(c, "$skip", 0, 1000000, 0, &skip) ||
	    resolve_tenant(c, false, NULL))
		return;
	rc = ss_store_history(c->st, c->tenant, &hist, &err);
	if (rc) {
		fail_store(c, &err);
		return;
	}
	total = json_array_size(hist);
	/* the page with an empty value, whose "value":[]} the documents are spliced into */
	frame = page(c, "security/secureScores", json_array(), total, top, skip);
	head = json_dumps(frame, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(frame);
	n = head ? strlen(head) : 0;
	if (n < sizeof(tail) - 1 || strcmp(head + n - (sizeof(tail) - 1), tail) != 0) {
		free(head);
		json_decref(hist);
		ss_api_error(c->res, c->req, 500, "generalException", "cannot frame the page");
		return;
	}
	ss_buf_init(&out, (size_t)1 << 30);
	ss_buf_add(&out, head, n - 2); /* up to and including '[' */
	for (i = (size_t)skip; i < total && i < (size_t)(skip + top) && !rc; i++) {
		const char *id = json_string_value(json_object_get(json_array_get(hist, i), "id"));
		rc = ss_store_load_score_text(c->st, c->tenant, id, &doc, &len, &err);
		if (!rc) {
			if (i > (size_t)skip)
				ss_buf_addc(&out, ',');
			rc = ss_buf_add(&out, doc, len);
			free(doc);
			if (rc)
				ss_error_set(&err, SS_ETOOBIG, "the page is too large: ask for fewer ($top)");
		}
	}
	free(head);
	json_decref(hist);
	if (rc || ss_buf_adds(&out, "]}") != 0) {
		ss_buf_release(&out);
		fail_store(c, &err);
		return;
	}
	c->res->status = 200;
	c->res->raw = ss_buf_detach(&out, &c->res->raw_len);
}

/* Puts @odata.context first, then doc's members. Steals doc. */
static json_t *entity(struct call *c, const char *what, json_t *doc)
{
	json_t *out = json_object();

	json_object_set_new(out, "@odata.context", context_url(c, what));
	json_object_update(out, doc);
	json_decref(doc);
	return out;
}

static void get_score(struct call *c)
{
	struct ss_error err;
	json_t *doc = NULL;
	char *id;
	int rc;

	ss_error_clear(&err);
	if (resolve_tenant(c, false, NULL))
		return;
	id = ss_xstrndup(c->id.ptr, c->id.len);
	rc = ss_store_load_score(c->st, c->tenant, id, &doc, &err);
	free(id);
	if (rc) {
		fail_store(c, &err);
		return;
	}
	answer(c, 200, entity(c, "security/secureScores/$entity", doc));
}

/* ---- control profiles ---- */

/* The profile of control k for the resolved tenant (have_tenant false: no history). NULL on a store error. */
static json_t *profile(struct call *c, const struct ss_control *k, bool have_tenant)
{
	struct ss_error err;
	json_t *hist = NULL, *prof, *last;

	ss_error_clear(&err);
	if (have_tenant && ss_store_state_history(c->st, c->tenant, k->id, &hist, &err) != 0) {
		fail_store(c, &err);
		return NULL;
	}
	if (!hist)
		hist = json_array();
	last = json_array_get(hist, json_array_size(hist) - 1);
	prof = ss_graph_control_profile(c->api->cat, k, hist);
	json_object_set_new(prof, "azureTenantId", have_tenant ? json_string(c->tenant_id) : json_null());
	json_object_set_new(prof, "lastModifiedDateTime",
			    last ? json_incref(json_object_get(last, "updatedDateTime")) : json_null());
	return prof;
}

static void list_profiles(struct call *c)
{
	const struct ss_catalog *cat = c->api->cat;
	json_t *value;
	long long top, skip;
	bool have_tenant;
	size_t i;

	if (int_arg(c, "$top", 1, 1000, 1000, &top) || int_arg(c, "$skip", 0, 1000000, 0, &skip) ||
	    resolve_tenant(c, true, &have_tenant))
		return;
	value = json_array();
	for (i = (size_t)skip; i < cat->n && i < (size_t)(skip + top); i++) {
		json_t *p = profile(c, &cat->controls[i], have_tenant);
		if (!p) {
			json_decref(value);
			return;
		}
		json_array_append_new(value, p);
	}
	answer(c, 200, page(c, "security/secureScoreControlProfiles", value, cat->n, top, skip));
}

static const struct ss_control *find_control(struct call *c)
{
	char *id = ss_xstrndup(c->id.ptr, c->id.len);
	const struct ss_control *k = ss_catalog_find(c->api->cat, id);

	if (!k)
		ss_api_error(c->res, c->req, 404, "itemNotFound", "no control '%s' in the catalog", id);
	free(id);
	return k;
}

/* The profile of the path's control as an entity, with the latest score's entry for it (latestScore). */
static json_t *profile_entity(struct call *c, const struct ss_control *k, bool have_tenant)
{
	json_t *prof = profile(c, k, have_tenant), *score = NULL, *v;
	size_t i;

	if (!prof)
		return NULL;
	if (have_tenant && ss_store_load_score(c->st, c->tenant, NULL, &score, NULL) == 0) {
		json_array_foreach (json_object_get(score, "controlScores"), i, v) {
			const char *name = json_string_value(json_object_get(v, "controlName"));
			if (name && strcmp(name, k->id) == 0)
				json_object_set(prof, "latestScore", v);
		}
	}
	json_decref(score);
	return entity(c, "security/secureScoreControlProfiles/$entity", prof);
}

static void get_profile(struct call *c)
{
	const struct ss_control *k = find_control(c);
	bool have_tenant;
	json_t *doc;

	if (!k || resolve_tenant(c, true, &have_tenant))
		return;
	doc = profile_entity(c, k, have_tenant);
	if (doc)
		answer(c, 200, doc);
}

const char *ss_api_state_from_graph(const char *name)
{
	static const struct {
		const char *graph; /* compared case-insensitively */
		const char *ours;
	} map[] = {
		{"Default", "to_address"},
		{"ToAddress", "to_address"},
		{"Ignored", "ignored"},
		{"ThirdParty", "third_party"},
		{"ResolvedThroughThirdParty", "third_party"},
		{"Reviewed", "alternate_mitigation"},
		{"AlternateMitigation", "alternate_mitigation"},
		{"ResolvedThroughAlternateMitigation", "alternate_mitigation"},
		{"Planned", "planned"},
		{"RiskAccepted", "risk_accepted"},
		{"to_address", "to_address"},
		{"planned", "planned"},
		{"risk_accepted", "risk_accepted"},
		{"third_party", "third_party"},
		{"alternate_mitigation", "alternate_mitigation"},
		{"ignored", "ignored"},
	};
	size_t i;

	for (i = 0; i < SS_ARRAY_LEN(map); i++)
		if (strcasecmp(name, map[i].graph) == 0)
			return map[i].ours;
	return NULL;
}

/* A JSON string member without embedded NULs and at most max bytes; NULL when absent, 400 when wrong. */
static int string_member(struct call *c, json_t *body, const char *key, size_t max, const char **out)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		ss_api_error(c->res, c->req, 400, "invalidRequest", "'%s' must be a string", key);
		return -1;
	}
	if (json_string_length(v) > max) {
		ss_api_error(c->res, c->req, 400, "invalidRequest", "'%s' is longer than %zu bytes", key,
			     max);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/*
 * Parses the body as a JSON object whose members are all in allowed (NULL
 * terminated). An empty body is {} when empty_ok. 400/415 and NULL when not.
 */
static json_t *json_body(struct call *c, const char *const *allowed, bool empty_ok)
{
	const char *ct = c->req->header ? c->req->header(c->req->ctx, "Content-Type") : NULL;
	json_error_t je;
	json_t *body, *v;
	const char *key;
	size_t i;

	if (c->req->body_len == 0) {
		if (empty_ok)
			return json_object();
		ss_api_error(c->res, c->req, 400, "invalidRequest", "the request needs a JSON body");
		return NULL;
	}
	if (ct && strncasecmp(ct, "application/json", 16) != 0) {
		ss_api_error(c->res, c->req, 415, "unsupportedMediaType",
			     "the body must be JSON (Content-Type: application/json)");
		return NULL;
	}
	body = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!body) {
		ss_api_error(c->res, c->req, 400, "invalidRequest",
			     "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line,
			     je.column);
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		ss_api_error(c->res, c->req, 400, "invalidRequest", "the body must be a JSON object");
		return NULL;
	}
	json_object_foreach (body, key, v) {
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i]) {
			ss_api_error(c->res, c->req, 400, "invalidRequest", "unknown property '%.100s'", key);
			json_decref(body);
			return NULL;
		}
	}
	return body;
}

/* The control's current state in our names: the last history entry's, else to_address. Owned. */
static char *current_state(struct call *c, const char *control)
{
	json_t *hist = NULL;
	const char *s = NULL;
	char *out;

	if (ss_store_state_history(c->st, c->tenant, control, &hist, NULL) == 0)
		s = json_string_value(
			json_object_get(json_array_get(hist, json_array_size(hist) - 1), "state"));
	out = ss_xstrdup(s ? s : "to_address");
	json_decref(hist);
	return out;
}

static void patch_profile(struct call *c)
{
	static const char *const allowed[] = {"state",	  "comment",	       "assignedTo", "expires",
					      "excludes", "vendorInformation", NULL};
	const struct ss_control *k = find_control(c);
	const char *state = NULL, *comment = NULL, *assigned = NULL, *expires = NULL, *prefer;
	struct ss_state s;
	struct ss_error err;
	json_t *body = NULL, *v;
	size_t i;
	int rc;

	ss_error_clear(&err);
	memset(&s, 0, sizeof(s));
	ss_strv_init(&s.excludes);
	if (!k || resolve_tenant(c, false, NULL))
		goto out;
	body = json_body(c, allowed, false);
	if (!body)
		goto out;
	if (string_member(c, body, "state", 64, &state) ||
	    string_member(c, body, "comment", MAX_COMMENT, &comment) ||
	    string_member(c, body, "assignedTo", MAX_ASSIGNED, &assigned) ||
	    string_member(c, body, "expires", 64, &expires))
		goto out;
	if (state && !ss_api_state_from_graph(state)) {
		ss_api_error(c->res, c->req, 400, "invalidRequest",
			     "unknown state '%.64s': one of Default, Ignored, ThirdParty, Reviewed, Planned, "
			     "RiskAccepted, AlternateMitigation, or to_address, planned, risk_accepted, "
			     "third_party, alternate_mitigation, ignored",
			     state);
		goto out;
	}
	if (!comment || !*comment) {
		ss_api_error(c->res, c->req, 400, "invalidRequest",
			     "'comment' is required: every state change keeps its reason");
		goto out;
	}
	for (i = 0; assigned && assigned[i]; i++) {
		if ((unsigned char)assigned[i] < 0x20 || assigned[i] == 0x7f) {
			ss_api_error(c->res, c->req, 400, "invalidRequest",
				     "'assignedTo' cannot hold control characters");
			goto out;
		}
	}
	if (expires) {
		if (ss_time_parse(expires, strlen(expires), &s.expires) != 0) {
			ss_api_error(c->res, c->req, 400, "invalidRequest",
				     "'expires' must be a date or time such as 2026-12-31");
			goto out;
		}
		if (strlen(expires) == 10)
			s.expires += SS_DAY_MS; /* a date means the end of that day, as in the CLI */
	}
	v = json_object_get(body, "excludes");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) > MAX_EXCLUDES) {
			ss_api_error(c->res, c->req, 400, "invalidRequest",
				     "'excludes' must be an array of at most %d strings", MAX_EXCLUDES);
			goto out;
		}
		for (i = 0; i < json_array_size(v); i++) {
			const char *x = json_string_value(json_array_get(v, i));
			if (!x || strlen(x) > 512 ||
			    (strncmp(x, "user:", 5) && strncmp(x, "group:", 6) && strncmp(x, "domain:", 7))) {
				ss_api_error(c->res, c->req, 400, "invalidRequest",
					     "'excludes' holds user:UPN, group:NAME or domain:NAME");
				goto out;
			}
			ss_strv_push(&s.excludes, x);
		}
	}
	s.control = ss_xstrdup(k->id);
	s.state = state ? ss_xstrdup(ss_api_state_from_graph(state)) : current_state(c, k->id);
	s.reason = ss_xstrdup(comment);
	s.assigned_to = assigned && *assigned ? ss_xstrdup(assigned) : NULL;
	s.by = ss_xstrdup(c->who.name);
	s.at = ss_time_now();
	rc = ss_store_set_state(c->st, c->tenant, &s, &err);
	if (rc) {
		fail_store(c, &err);
		goto out;
	}
	if (c->api->after_state_change) {
		ss_error_clear(&err);
		if (c->api->after_state_change(c->api->ctx, c->st, c->tenant, &err) != 0)
			fprintf(stderr, "secscore: serve: re-scoring after the change of %s failed: %s\n",
				k->id, err.msg);
	}
	prefer = c->req->header ? c->req->header(c->req->ctx, "Prefer") : NULL;
	if (prefer && strstr(prefer, "return=representation")) {
		json_t *doc = profile_entity(c, k, true);
		if (doc)
			answer(c, 200, doc);
	} else {
		answer(c, 204, NULL);
	}
out:
	json_decref(body);
	ss_state_release(&s);
}

/* ---- findings ---- */

static void list_findings(struct call *c)
{
	const char *since = arg(c->req, "since"), *severity = arg(c->req, "severity");
	struct ss_error err;
	json_t *all = NULL;
	long long top, skip;
	ss_time_ms t = 0;
	int rank = 0;

	ss_error_clear(&err);
	if (since && ss_time_parse(since, strlen(since), &t) != 0) {
		ss_api_error(c->res, c->req, 400, "invalidRequest",
			     "since needs a date or time like 2026-11-01");
		return;
	}
	if (severity && (rank = ss_severity_rank(severity)) < 0) {
		ss_api_error(c->res, c->req, 400, "invalidRequest",
			     "severity is one of informational, low, medium, high, critical");
		return;
	}
	if (int_arg(c, "$top", 1, 1000, 100, &top) || int_arg(c, "$skip", 0, 10000000, 0, &skip) ||
	    resolve_tenant(c, false, NULL))
		return;
	if (ss_store_findings(c->st, c->tenant, t, rank, &all, &err) != 0) {
		fail_store(c, &err);
		return;
	}
	answer(c, 200, page_of(c, "findings", all, top, skip));
}

static bool finding_id_valid(struct ss_slice id)
{
	size_t i;

	if (id.len < 6 || id.len > 128)
		return false;
	for (i = 0; i < id.len; i++) {
		char ch = id.ptr[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	return true;
}

static void ack_finding(struct call *c)
{
	static const char *const allowed[] = {"by", "note", "status", NULL};
	const char *by = NULL, *note = NULL, *status = NULL;
	struct ss_error err;
	struct ss_buf author;
	json_t *body = NULL, *all = NULL, *f, *found = NULL;
	char *id = NULL;
	size_t i;

	ss_error_clear(&err);
	ss_buf_init(&author, 512);
	if (!finding_id_valid(c->id)) {
		ss_api_error(c->res, c->req, 400, "invalidRequest",
			     "a finding id is 6 or more lowercase hexadecimal digits");
		goto out;
	}
	if (resolve_tenant(c, false, NULL))
		goto out;
	body = json_body(c, allowed, true);
	if (!body || string_member(c, body, "by", 128, &by) ||
	    string_member(c, body, "note", MAX_COMMENT, &note) ||
	    string_member(c, body, "status", 32, &status))
		goto out;
	if (by && *by)
		ss_buf_printf(&author, "%s (token %s)", by, c->who.name);
	else
		ss_buf_adds(&author, c->who.name);
	id = ss_xstrndup(c->id.ptr, c->id.len);
	if (ss_store_finding_ack(c->st, c->tenant, id, status ? status : "acknowledged", ss_buf_cstr(&author),
				 note ? note : "", &err) != 0) {
		fail_store(c, &err);
		goto out;
	}
	if (ss_store_findings(c->st, c->tenant, 0, 0, &all, &err) != 0) {
		fail_store(c, &err);
		goto out;
	}
	json_array_foreach (all, i, f) {
		const char *fid = json_string_value(json_object_get(f, "id"));
		if (fid && strncmp(fid, id, strlen(id)) == 0)
			found = f;
	}
	if (found)
		answer(c, 200, json_incref(found));
	else
		answer(c, 204, NULL);
out:
	free(id);
	json_decref(all);
	json_decref(body);
	ss_buf_release(&author);
}

/* ---- audit: inactive users and coverage (the logic of `secscore audit inactive`) ---- */

static void inactive(struct call *c)
{
	struct ss_error err;
	json_t *doc = NULL;
	long long days;

	ss_error_clear(&err);
	if (int_arg(c, "days", 1, 3650, 90, &days) || resolve_tenant(c, false, NULL))
		return;
	if (ss_inactive_users(c->st, c->tenant, c->tenant_id, c->api->cat, (long)days, ss_time_now(), &doc,
			      &err)) {
		fail_store(c, &err);
		return;
	}
	answer(c, 200, doc);
}

static void coverage(struct call *c)
{
	struct ss_error err;
	json_t *doc = NULL;

	ss_error_clear(&err);
	if (resolve_tenant(c, false, NULL))
		return;
	if (ss_store_audit_stats(c->st, c->tenant, &doc, &err) != 0) {
		fail_store(c, &err);
		return;
	}
	json_object_set_new(doc, "tenant", json_string(c->tenant_id));
	answer(c, 200, doc);
}

/* ---- scheduled runs (serve --schedule) ---- */

/* ?tenant= (or the header) is the tenant as configured, not resolved against the store: no runs, none listed. */
static void list_runs(struct call *c)
{
	struct ss_error err;
	json_t *all = NULL;
	long long top, skip;

	ss_error_clear(&err);
	if (int_arg(c, "$top", 1, 1000, 100, &top) || int_arg(c, "$skip", 0, 10000000, 0, &skip))
		return;
	if (ss_run_store_list(c->st, c->tenant_name, 0, &all, &err) != 0) {
		fail_store(c, &err);
		return;
	}
	answer(c, 200, page_of(c, "runs", all, top, skip));
}

/* ---- the store's tenants ---- */

/* Every tenant with a recorded score and its latest score's figures, by name. */
static void list_tenants(struct call *c)
{
	struct ss_error err;
	json_t *all = NULL;
	long long top, skip;

	ss_error_clear(&err);
	if (int_arg(c, "$top", 1, 1000, 100, &top) || int_arg(c, "$skip", 0, 10000000, 0, &skip))
		return;
	if (ss_store_tenant_scores(c->st, &all, &err) != 0) {
		fail_store(c, &err);
		return;
	}
	answer(c, 200, page_of(c, "tenants", all, top, skip));
}

/* ---- routing ---- */

/* Splits the path into segments (at most MAX_SEGMENTS); -1 when there are more or one is empty. */
static int split_path(const char *path, struct ss_slice *seg, size_t *n)
{
	const char *p = path, *e;
	size_t len;

	*n = 0;
	if (*p != '/')
		return -1;
	len = strlen(p);
	if (len > 1 && p[len - 1] == '/')
		len--; /* one trailing slash is forgiven */
	if (len >= 5 && strncmp(p, "/v1.0", 5) == 0 && (len == 5 || p[5] == '/')) {
		p += 5;
		len -= 5;
	} else if (len >= 5 && strncmp(p, "/beta", 5) == 0 && (len == 5 || p[5] == '/')) {
		p += 5;
		len -= 5;
	}
	while (len > 0) {
		if (*p != '/' || *n == MAX_SEGMENTS)
			return -1;
		p++;
		len--;
		e = memchr(p, '/', len);
		seg[*n].ptr = p;
		seg[*n].len = e ? (size_t)(e - p) : len;
		if (seg[*n].len == 0)
			return -1;
		p += seg[*n].len;
		len -= seg[*n].len;
		(*n)++;
	}
	return 0;
}

/* Finds the route of the path; *allow gets the methods it takes ("GET, HEAD", ...). */
static enum route match(const char *path, struct ss_slice *id, const char **allow)
{
	struct ss_slice seg[MAX_SEGMENTS];
	size_t n;

	*allow = "GET, HEAD";
	if (split_path(path, seg, &n) != 0 || n == 0)
		return R_NONE;
	if (n == 1 && ss_slice_eq(seg[0], "healthz"))
		return R_HEALTH;
	if (ss_slice_eq(seg[0], "security") && n >= 2 && n <= 3) {
		if (n == 3)
			*id = seg[2];
		if (ss_slice_eq(seg[1], "secureScores"))
			return n == 2 ? R_SCORES : R_SCORE;
		if (ss_slice_eq(seg[1], "secureScoreControlProfiles")) {
			if (n == 2)
				return R_PROFILES;
			*allow = "GET, HEAD, PATCH";
			return R_PROFILE;
		}
		return R_NONE;
	}
	if (ss_slice_eq(seg[0], "api") && n >= 2) {
		if (n == 2 && ss_slice_eq(seg[1], "findings"))
			return R_FINDINGS;
		if (n == 4 && ss_slice_eq(seg[1], "findings") && ss_slice_eq(seg[3], "ack")) {
			*id = seg[2];
			*allow = "POST";
			return R_FINDING_ACK;
		}
		if (n == 2 && ss_slice_eq(seg[1], "inactive-users"))
			return R_INACTIVE;
		if (n == 2 && ss_slice_eq(seg[1], "coverage"))
			return R_COVERAGE;
		if (n == 2 && ss_slice_eq(seg[1], "runs"))
			return R_RUNS;
		if (n == 2 && ss_slice_eq(seg[1], "tenants"))
			return R_TENANTS;
	}
	return R_NONE;
}

/* Whether method is in the ", "-separated list allow. */
static bool allowed_method(const char *allow, const char *method)
{
	size_t n = strlen(method);
	const char *p = allow;

	while ((p = strstr(p, method)) != NULL) {
		if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* Checks Authorization: Bearer TOKEN. Returns 0, or -1 with the 401/500 answer set. */
static int authenticate(struct call *c)
{
	const char *h = c->req->header ? c->req->header(c->req->ctx, "Authorization") : NULL;
	struct ss_error err;
	size_t len;
	int rc;

	ss_error_clear(&err);
	if (c->req->as) {
		c->who = *c->req->as;
		snprintf(c->res->author, sizeof(c->res->author), "%s", c->who.name);
		return 0;
	}
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		ss_api_error(
			c->res, c->req, 401, "unauthenticated",
			"a bearer token is required (Authorization: Bearer TOKEN; see 'secscore tokens')");
		c->res->challenge = true;
		return -1;
	}
	h += 7;
	while (*h == ' ')
		h++;
	len = strlen(h);
	while (len > 0 && h[len - 1] == ' ')
		len--;
	rc = ss_auth_verify(c->st, h, len, &c->who, &err);
	if (rc == SS_ENOENT) {
		ss_api_error(c->res, c->req, 401, "unauthenticated",
			     "the token is not valid (unknown or revoked)");
		c->res->challenge = true;
		return -1;
	}
	if (rc) {
		fail_store(c, &err);
		return -1;
	}
	snprintf(c->res->author, sizeof(c->res->author), "%s", c->who.name);
	return 0;
}

void ss_api_handle(const struct ss_api *api, struct ss_store *st, const struct ss_api_request *req,
		   struct ss_api_response *res)
{
	struct call c;
	const char *allow, *method = req->method;
	enum route r;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.api = api;
	c.st = st;
	c.req = req;
	c.res = res;
	ss_api_response_init(res);
	if (strcmp(method, "HEAD") == 0)
		method = "GET"; /* answered as GET; the HTTP layer drops the body */
	r = match(req->path, &c.id, &allow);
	if (r == R_HEALTH) {
		if (strcmp(method, "GET") != 0) {
			snprintf(res->allow, sizeof(res->allow), "%s", allow);
			ss_api_error(res, req, 405, "notSupported", "%s is not supported here", req->method);
		} else if (!st) {
			ss_api_error(res, req, 503, "serviceNotAvailable", "the store cannot be opened");
		} else {
			answer(&c, 200, json_pack("{s:s, s:s}", "status", "ok", "version", SS_VERSION));
		}
		return;
	}
	if (!st) {
		ss_api_error(res, req, 503, "serviceNotAvailable", "the store cannot be opened");
		return;
	}
	if (authenticate(&c) != 0)
		return;
	if (r == R_NONE) {
		ss_api_error(res, req, 404, "itemNotFound", "no such resource");
		return;
	}
	if (!allowed_method(allow, method)) {
		snprintf(res->allow, sizeof(res->allow), "%s", allow);
		ss_api_error(res, req, 405, "notSupported", "%s is not supported here (allowed: %s)",
			     req->method, allow);
		return;
	}
	if (strcmp(method, "GET") != 0 && c.who.role != SS_TOKEN_ADMIN) {
		ss_api_error(res, req, 403, "accessDenied", "token '%s' has the role %s; %s needs admin",
			     c.who.name, ss_token_role_name(c.who.role), req->method);
		return;
	}
	if (req->too_many_args) {
		ss_api_error(res, req, 400, "invalidRequest", "more than %d query arguments",
			     SS_API_MAX_ARGS);
		return;
	}
	for (i = 0; i < req->n_args; i++) {
		const char *k = req->args[i].key;
		if (k[0] == '$' && strcmp(k, "$top") != 0 && strcmp(k, "$skip") != 0) {
			ss_api_error(res, req, 400, "notSupported",
				     "the query option '%.40s' is not supported", k);
			return;
		}
	}
	c.tenant_name = arg(req, "tenant");
	if (!c.tenant_name && req->header)
		c.tenant_name = req->header(req->ctx, "X-Secscore-Tenant");
	if (c.tenant_name && !*c.tenant_name)
		c.tenant_name = NULL;
	switch (r) {
	case R_SCORES: list_scores(&c); break;
	case R_SCORE: get_score(&c); break;
	case R_PROFILES: list_profiles(&c); break;
	case R_PROFILE:
		if (strcmp(method, "PATCH") == 0)
			patch_profile(&c);
		else
			get_profile(&c);
		break;
	case R_FINDINGS: list_findings(&c); break;
	case R_FINDING_ACK: ack_finding(&c); break;
	case R_INACTIVE: inactive(&c); break;
	case R_COVERAGE: coverage(&c); break;
	case R_RUNS: list_runs(&c); break;
	case R_TENANTS: list_tenants(&c); break;
	default: ss_api_error(res, req, 500, "generalException", "unrouted request"); break;
	}
	free(c.tenant_id);
}
