/* measures.c - the measure kinds: settings, per-entity items, MFA, role counts, forwarding, reviews. */
#include "score/measures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "score/predicate.h"

#define OFFENDER_NAMES_DEFAULT                                                                               \
	{                                                                                                    \
		"UserPrincipalName", "PrimarySmtpAddress", "Name", "Identity", "displayName", "id"           \
	}

json_t *ss_measure_check(const struct ss_control *c, const char *key)
{
	json_t *v = json_object_get(json_object_get(c->doc, "check"), key);

	if (json_is_string(v) && json_string_value(v)[0] == '$')
		return json_object_get(c->params, json_string_value(v) + 1);
	return v;
}

static const char *check_str(const struct ss_control *c, const char *key, const char *def)
{
	json_t *v = ss_measure_check(c, key);
	return json_is_string(v) ? json_string_value(v) : def;
}

bool ss_exclusion_match(const struct ss_exclusion *ex, const char *addr, size_t len)
{
	const char *at;
	size_t i;

	if (!ex || !len)
		return false;
	if (len >= 5 && strncasecmp(addr, "smtp:", 5) == 0) {
		addr += 5;
		len -= 5;
	}
	for (i = 0; i < ex->users.n; i++)
		if (strlen(ex->users.v[i]) == len && strncasecmp(ex->users.v[i], addr, len) == 0)
			return true;
	at = memchr(addr, '@', len);
	if (!at)
		return false;
	at++;
	len -= (size_t)(at - addr);
	for (i = 0; i < ex->domains.n; i++) {
		size_t n = strlen(ex->domains.v[i]);
		if (len == n && strncasecmp(at, ex->domains.v[i], n) == 0)
			return true;
		if (len > n && at[len - n - 1] == '.' && strncasecmp(at + len - n, ex->domains.v[i], n) == 0)
			return true;
	}
	return false;
}

static void impl(struct ss_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void impl(struct ss_result *r, const char *fmt, ...)
{
	struct ss_buf b;
	va_list ap;

	ss_buf_init(&b, 4096);
	va_start(ap, fmt);
	ss_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(r->impl);
	r->impl = ss_buf_detach(&b, NULL);
}

static int not_scored(struct ss_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int not_scored(struct ss_result *r, const char *fmt, ...)
{
	struct ss_buf b;
	va_list ap;

	ss_buf_init(&b, 4096);
	va_start(ap, fmt);
	ss_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(r->reason);
	r->reason = ss_buf_detach(&b, NULL);
	r->status = SS_STATUS_NOT_SCORED;
	return 0;
}

/*
 * Finishes a result from compliant/total. credit "ratio": floor(max *
 * count / total) (Microsoft's rule); "all": all-or-nothing; "threshold":
 * all points when count/total >= min_ratio. No entities in scope: full
 * points (nothing left to fix).
 */
static void finish(struct ss_result *r, long count, long total, const char *credit, double min_ratio)
{
	double max = r->control->max_score;

	r->count = count;
	r->total = total;
	if (total == 0 || count >= total) {
		r->measured = max;
		r->status = SS_STATUS_PASSED;
		return;
	}
	if (strcmp(credit, "ratio") == 0) {
		r->per_entity = true;
		r->measured = floor(max * (double)count / (double)total);
	} else if (strcmp(credit, "threshold") == 0) {
		r->measured = (double)count / (double)total >= min_ratio ? max : 0;
	} else {
		r->measured = 0;
	}
	r->status = r->measured >= max ? SS_STATUS_PASSED
		    : r->measured > 0  ? SS_STATUS_PARTIAL
				       : SS_STATUS_FAILED;
}

static void finish_bool(struct ss_result *r, bool ok)
{
	r->count = ok ? 1 : 0;
	r->total = 1;
	r->measured = ok ? r->control->max_score : 0;
	r->status = ok ? SS_STATUS_PASSED : SS_STATUS_FAILED;
}

/* The label of an item for offender lists: the check's "name" path, else the usual identity fields. */
static struct ss_slice item_name(struct ss_mctx *m, const struct ss_json *doc, ss_jv item)
{
	static const char *const defaults[] = OFFENDER_NAMES_DEFAULT;
	const char *path = check_str(m->c, "name", NULL);
	struct ss_slice s = {NULL, 0};
	bool ok = false;
	size_t i;

	if (path)
		s = ss_json_str(doc, ss_json_path(doc, item, path), &m->scratch, &ok);
	for (i = 0; !ok && i < SS_ARRAY_LEN(defaults); i++) {
		s = ss_json_str(doc, ss_json_geti(doc, item, defaults[i]), &m->scratch, &ok);
		ok = ok && s.len;
	}
	if (!ok)
		return (struct ss_slice){"(unnamed)", 9};
	return s;
}

static struct ss_pred *compile_check(struct ss_mctx *m, const char *key, bool required)
{
	json_t *spec = json_object_get(json_object_get(m->c->doc, "check"), key);
	char where[128];

	snprintf(where, sizeof(where), "check.%s", key);
	if (!spec) {
		if (required) {
			ss_error_set(m->err, SS_EINVAL, "missing required condition");
			ss_error_at(m->err, m->c->file, 0, 0);
			ss_error_field(m->err, where);
		}
		return NULL;
	}
	{
		struct ss_pred *p = ss_pred_compile(spec, m->c->params, where, m->err);
		if (!p)
			ss_error_at(m->err, m->c->file, 0, 0);
		return p;
	}
}

/* items: per-entity compliance over one input's items. */
static int measure_items(struct ss_mctx *m)
{
	const char *input = check_str(m->c, "input", NULL);
	const char *credit = check_str(m->c, "credit", "ratio");
	const char *noun = check_str(m->c, "noun", "items");
	json_t *min = ss_measure_check(m->c, "min_ratio");
	struct ss_pred *where = NULL, *ok = NULL;
	struct ss_items it;
	long count = 0, total = 0;
	ss_jv item;
	int rc = 0;

	if (!input)
		return ss_error_set(m->err, SS_EINVAL, "check.input is required");
	where = compile_check(m, "where", false);
	if (m->err && m->err->code) {
		rc = m->err->code;
		goto out;
	}
	ok = compile_check(m, "compliant", true);
	if (!ok) {
		rc = SS_EINVAL;
		goto out;
	}
	if (!ss_items_begin(m->sc->snap, input, &it)) {
		not_scored(m->r, "needs %s", input);
		goto out;
	}
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		struct ss_slice name;
		if (where && !ss_pred_eval(where, it.doc, item, m->sc->snap->taken, &m->scratch))
			continue;
		name = item_name(m, it.doc, item);
		if (ss_exclusion_match(m->ex, name.ptr, name.len)) {
			ss_strv_pushn(&m->r->excluded, name.ptr, name.len);
			continue;
		}
		total++;
		if (ss_pred_eval(ok, it.doc, item, m->sc->snap->taken, &m->scratch)) {
			count++;
		} else {
			name = item_name(m, it.doc, item);
			ss_strv_pushn(&m->r->offenders, name.ptr, name.len);
		}
	}
	finish(m->r, count, total, credit, json_is_number(min) ? json_number_value(min) : 1.0);
	impl(m->r, "%ld of %ld %s compliant", count, total, noun);
out:
	ss_pred_free(where);
	ss_pred_free(ok);
	return rc;
}

/* setting: every item of a (usually single-object) input satisfies the condition. */
static int measure_setting(struct ss_mctx *m)
{
	const char *input = check_str(m->c, "input", NULL);
	struct ss_pred *ok;
	struct ss_items it;
	long count = 0, total = 0;
	ss_jv item;

	if (!input)
		return ss_error_set(m->err, SS_EINVAL, "check.input is required");
	ok = compile_check(m, "compliant", true);
	if (!ok)
		return SS_EINVAL;
	if (!ss_items_begin(m->sc->snap, input, &it) || it.n == 0) {
		not_scored(m->r, it.doc ? "%s holds no settings" : "needs %s", input);
		ss_pred_free(ok);
		return 0;
	}
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		total++;
		if (ss_pred_eval(ok, it.doc, item, m->sc->snap->taken, &m->scratch)) {
			count++;
		} else {
			struct ss_slice name = item_name(m, it.doc, item);
			ss_strv_pushn(&m->r->offenders, name.ptr, name.len);
		}
	}
	finish_bool(m->r, count == total);
	m->r->count = count;
	m->r->total = total;
	impl(m->r, count == total ? "The setting is in place" : "%ld of %ld settings not in place",
	     total - count, total);
	ss_pred_free(ok);
	return 0;
}

/* any_item: at least one item of one of the sources matches (a policy exists). */
static int measure_any_item(struct ss_mctx *m)
{
	json_t *sources = json_object_get(json_object_get(m->c->doc, "check"), "sources"), *src;
	const char *noun = check_str(m->c, "noun", "policy");
	struct ss_strv missing;
	bool found = false;
	size_t i, present = 0;
	int rc = 0;

	if (!json_is_array(sources) || !json_array_size(sources)) {
		ss_error_set(m->err, SS_EINVAL, "must be a non-empty array of {input, where}");
		ss_error_at(m->err, m->c->file, 0, 0);
		ss_error_field(m->err, "check.sources");
		return SS_EINVAL;
	}
	ss_strv_init(&missing);
	json_array_foreach (sources, i, src) {
		const char *input = json_string_value(json_object_get(src, "input"));
		struct ss_pred *where;
		struct ss_items it;
		ss_jv item;
		char field[64];
		if (!input) {
			ss_error_set(m->err, SS_EINVAL, "each source needs an input");
			ss_error_at(m->err, m->c->file, 0, 0);
			ss_error_field(m->err, "check.sources");
			rc = SS_EINVAL;
			break;
		}
		snprintf(field, sizeof(field), "check.sources[%zu].where", i);
		where = ss_pred_compile(json_object_get(src, "where"), m->c->params, field, m->err);
		if (!where) {
			ss_error_at(m->err, m->c->file, 0, 0);
			rc = SS_EINVAL;
			break;
		}
		if (!ss_items_begin(m->sc->snap, input, &it)) {
			ss_strv_push(&missing, input);
		} else {
			present++;
			while (!found && (item = ss_items_next(&it)) != SS_JNONE) {
				if (ss_pred_eval(where, it.doc, item, m->sc->snap->taken, &m->scratch)) {
					struct ss_slice name = item_name(m, it.doc, item);
					found = true;
					impl(m->r, "Satisfied by %s '%.*s' in %s", noun, (int)name.len,
					     name.ptr, input);
				}
			}
		}
		ss_pred_free(where);
	}
	if (!rc) {
		if (!found && !present) {
			struct ss_buf b;
			ss_buf_init(&b, 4096);
			for (i = 0; i < missing.n; i++)
				ss_buf_printf(&b, "%s%s", i ? " or " : "", missing.v[i]);
			not_scored(m->r, "needs %s", ss_buf_cstr(&b));
			ss_buf_release(&b);
		} else {
			finish_bool(m->r, found);
			if (!found) {
				impl(m->r, "No enabled %s does this", noun);
				ss_strv_pushf(&m->r->offenders, "no matching %s", noun);
			}
		}
	}
	ss_strv_release(&missing);
	return rc;
}

/* Is role template id (lower case) in the JSON array of ids? */
static bool role_listed(json_t *ids, const char *template_id)
{
	size_t i;

	for (i = 0; i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		if (id && strcasecmp(id, template_id) == 0)
			return true;
	}
	return false;
}

/*
 * The mfa measure checks its inputs itself (any_input): the users and their
 * MFA registration may come from msol/Get-MsolUser.csv instead of the Graph
 * files the catalog names (facts.h). Missing inputs are named as the engine
 * names them. False (and the result Not scored) when one is missing.
 */
static bool mfa_inputs_present(struct ss_mctx *m)
{
	const struct ss_facts *f = &m->sc->facts;
	const struct ss_control *c = m->c;
	struct ss_buf b;
	size_t i, missing = 0;

	ss_buf_init(&b, 4096);
	for (i = 0; i < c->n_inputs; i++) {
		const char *in = c->inputs[i];
		if (ss_snapshot_doc(m->sc->snap, in) ||
		    (strcmp(in, "graph/users.json") == 0 && f->have_users) ||
		    (strcmp(in, "graph/userRegistrationDetails.json") == 0 && f->have_reg))
			continue;
		ss_buf_printf(&b, "%s%s", missing++ ? ", " : "needs ", in);
	}
	if (!missing && !f->have_users)
		ss_buf_printf(&b, "needs graph/users.json");
	else if (!missing && !f->have_reg)
		ss_buf_printf(&b, "needs graph/userRegistrationDetails.json");
	if (b.len)
		not_scored(m->r, "%s", ss_buf_cstr(&b));
	ss_buf_release(&b);
	return !m->r->reason;
}

/* mfa: per-user MFA registration for all members or for privileged-role holders. */
static int measure_mfa(struct ss_mctx *m)
{
	const struct ss_facts *f = &m->sc->facts;
	const char *scope = check_str(m->c, "scope", "users");
	const char *methods = check_str(m->c, "methods", "any");
	bool admins = strcmp(scope, "admins") == 0;
	bool strong = strcmp(methods, "phishing_resistant") == 0;
	json_t *roles = ss_measure_check(m->c, "roles");
	unsigned char *in_scope;
	long count = 0, total = 0;
	size_t i, k;

	if (!mfa_inputs_present(m))
		return 0;
	if (admins && !f->have_roles)
		return not_scored(m->r, "needs graph/directoryRoles.json");
	if (strong && f->reg_from_msol)
		return not_scored(m->r, "needs graph/userRegistrationDetails.json (Get-MsolUser lists no "
					"phishing-resistant methods)");
	if (admins && !json_is_array(roles)) {
		ss_error_set(m->err, SS_EINVAL, "must be an array of role template ids");
		ss_error_at(m->err, m->c->file, 0, 0);
		ss_error_field(m->err, "check.roles");
		return SS_EINVAL;
	}
	in_scope = ss_xcalloc(f->n_users + 1, 1);
	if (admins) {
		for (i = 0; i < f->n_roles; i++) {
			if (!role_listed(roles, f->roles[i].template_id))
				continue;
			for (k = 0; k < f->roles[i].n_members; k++)
				in_scope[f->roles[i].members[k]] = 1;
		}
	} else {
		for (i = 0; i < f->n_users; i++)
			in_scope[i] = !f->users[i].guest;
	}
	for (i = 0; i < f->n_users; i++) {
		const struct ss_user *u = &f->users[i];
		bool ok;
		if (!in_scope[i] || !u->enabled)
			continue;
		if (ss_exclusion_match(m->ex, u->upn, strlen(u->upn))) {
			ss_strv_push(&m->r->excluded, u->upn);
			continue;
		}
		total++;
		ok = strong ? (u->methods & (SS_METHOD_FIDO2 | SS_METHOD_WHFB | SS_METHOD_CERT)) != 0
			    : u->mfa;
		if (ok)
			count++;
		else
			ss_strv_push(&m->r->offenders, u->upn);
	}
	free(in_scope);
	finish(m->r, count, total, "ratio", 1.0);
	impl(m->r, "%ld of %ld %s without %s", total - count, total, admins ? "admins" : "users",
	     strong ? "phishing-resistant MFA" : "MFA registered");
	return 0;
}

/* role_count: the number of enabled holders of a role lies within [min, max]. */
static int measure_role_count(struct ss_mctx *m)
{
	const struct ss_facts *f = &m->sc->facts;
	const char *role = check_str(m->c, "role", SS_GLOBAL_ADMIN_TEMPLATE);
	json_t *roles = ss_measure_check(m->c, "roles");
	json_t *jmin = ss_measure_check(m->c, "min"), *jmax = ss_measure_check(m->c, "max");
	double lo = json_is_number(jmin) ? json_number_value(jmin) : 0;
	double hi = json_is_number(jmax) ? json_number_value(jmax) : 1e9;
	struct ss_strv holders;
	long n = 0;
	size_t i, k;
	bool ok;

	if (!f->have_roles)
		return not_scored(m->r, "needs graph/directoryRoles.json");
	ss_strv_init(&holders);
	for (i = 0; i < f->n_roles; i++) {
		if (json_is_array(roles) ? !role_listed(roles, f->roles[i].template_id)
					 : strcasecmp(f->roles[i].template_id, role) != 0)
			continue;
		for (k = 0; k < f->roles[i].n_members; k++) {
			const struct ss_user *u = &f->users[f->roles[i].members[k]];
			if (!u->enabled || ss_strv_has(&holders, u->upn))
				continue;
			if (ss_exclusion_match(m->ex, u->upn, strlen(u->upn))) {
				ss_strv_push(&m->r->excluded, u->upn);
				continue;
			}
			ss_strv_push(&holders, u->upn);
			n++;
		}
		/* Holders not among the snapshot's users (no users.json, service principals): counted as named. */
		for (k = 0; k < f->roles[i].unknown.n; k++) {
			const char *name = f->roles[i].unknown.v[k];
			if (ss_strv_has(&holders, name))
				continue;
			if (ss_exclusion_match(m->ex, name, strlen(name))) {
				ss_strv_push(&m->r->excluded, name);
				continue;
			}
			ss_strv_push(&holders, name);
			n++;
		}
	}
	ok = (double)n >= lo && (double)n <= hi;
	finish_bool(m->r, ok);
	if (!ok && (double)n > hi) {
		for (i = 0; i < holders.n; i++)
			ss_strv_push(&m->r->offenders, holders.v[i]);
	}
	if (!ok && (double)n < lo)
		ss_strv_pushf(&m->r->offenders, "only %ld holder(s); at least %.0f wanted", n, lo);
	if (hi >= 1e9)
		impl(m->r, "%ld holder(s) of the role (wanted: at least %.0f)", n, lo);
	else
		impl(m->r, "%ld holder(s) of the role (wanted: %.0f to %.0f)", n, lo, hi);
	ss_strv_release(&holders);
	return 0;
}

/* Splits a recipient value (string with ';' lists, or an array) and reports non-internal ones. */
static void scan_recipients(struct ss_mctx *m, const struct ss_json *doc, ss_jv v, const char *owner,
			    struct ss_strv *bad)
{
	const struct ss_facts *f = &m->sc->facts;
	enum ss_jtype t = ss_json_type(doc, v);

	if (t == SS_JARRAY) {
		ss_jv e;
		for (e = ss_json_first(doc, v); e != SS_JNONE; e = ss_json_next(doc, v, e))
			scan_recipients(m, doc, e, owner, bad);
		return;
	}
	if (t == SS_JSTRING) {
		struct ss_slice s = ss_json_str(doc, v, &m->scratch, NULL);
		size_t i = 0;
		while (i < s.len) {
			size_t j = i;
			int where;
			while (j < s.len && s.ptr[j] != ';' && s.ptr[j] != ',')
				j++;
			if (j > i) {
				const char *a = s.ptr + i;
				size_t n = j - i;
				while (n && (*a == ' ' || *a == '"')) {
					a++;
					n--;
				}
				while (n && (a[n - 1] == ' ' || a[n - 1] == '"'))
					n--;
				if (n >= 5 && strncasecmp(a, "smtp:", 5) == 0) {
					a += 5;
					n -= 5;
				}
				if (n) {
					where = ss_facts_address_internal(f, a, n);
					if (where == 1 || ss_exclusion_match(m->ex, a, n))
						;
					else
						ss_strv_pushf(bad, "%s -> %.*s%s", owner, (int)n, a,
							      where < 0 ? " (unresolved recipient)" : "");
				}
			}
			i = j + 1;
		}
	}
}

/* forwarding_mailbox: no mailbox forwards outside the accepted domains. */
static int measure_forwarding_mailbox(struct ss_mctx *m)
{
	struct ss_items it;
	long total = 0, count = 0;
	ss_jv item;

	if (!m->sc->facts.domains.n)
		return not_scored(m->r,
				  "needs exchange/Get-AcceptedDomain.json (or graph/organization.json)");
	if (!ss_items_begin(m->sc->snap, "exchange/Get-Mailbox.json", &it))
		return not_scored(m->r, "needs exchange/Get-Mailbox.json");
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		struct ss_slice name = item_name(m, it.doc, item);
		char *owner = ss_xstrndup(name.ptr, name.len);
		size_t before = m->r->offenders.n;
		if (ss_exclusion_match(m->ex, name.ptr, name.len)) {
			ss_strv_push(&m->r->excluded, owner);
			free(owner);
			continue;
		}
		total++;
		scan_recipients(m, it.doc, ss_json_geti(it.doc, item, "ForwardingSmtpAddress"), owner,
				&m->r->offenders);
		scan_recipients(m, it.doc, ss_json_geti(it.doc, item, "ForwardingAddress"), owner,
				&m->r->offenders);
		if (m->r->offenders.n == before)
			count++;
		free(owner);
	}
	finish(m->r, count, total, "all", 1.0);
	impl(m->r, "%ld of %ld mailboxes forward outside the organisation", total - count, total);
	return 0;
}

/* forwarding_transport: no enabled transport rule copies or redirects mail outside. */
static int measure_forwarding_transport(struct ss_mctx *m)
{
	static const char *const fields[] = {"RedirectMessageTo", "BlindCopyTo", "CopyTo", "AddToRecipients"};
	struct ss_items it;
	long total = 0, count = 0;
	ss_jv item;
	size_t i;

	if (!m->sc->facts.domains.n)
		return not_scored(m->r,
				  "needs exchange/Get-AcceptedDomain.json (or graph/organization.json)");
	if (!ss_items_begin(m->sc->snap, "exchange/Get-TransportRule.json", &it))
		return not_scored(m->r, "needs exchange/Get-TransportRule.json");
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		ss_jv state = ss_json_geti(it.doc, item, "State");
		struct ss_slice name;
		char *owner;
		size_t before = m->r->offenders.n;
		if (state != SS_JNONE && ss_json_type(it.doc, state) != SS_JNULL &&
		    !ss_json_str_eqi(it.doc, state, "Enabled"))
			continue;
		name = item_name(m, it.doc, item);
		owner = ss_xstrndup(name.ptr, name.len);
		total++;
		for (i = 0; i < SS_ARRAY_LEN(fields); i++)
			scan_recipients(m, it.doc, ss_json_geti(it.doc, item, fields[i]), owner,
					&m->r->offenders);
		if (m->r->offenders.n == before)
			count++;
		free(owner);
	}
	finish(m->r, count, total, "all", 1.0);
	impl(m->r, "%ld of %ld enabled transport rules send mail outside the organisation", total - count,
	     total);
	return 0;
}

/* Days of a review cadence. */
static long cadence_days(const char *cadence)
{
	if (strcmp(cadence, "daily") == 0)
		return 1;
	if (strcmp(cadence, "bi-weekly") == 0 || strcmp(cadence, "biweekly") == 0)
		return 14;
	if (strcmp(cadence, "monthly") == 0)
		return 30;
	return 7;
}

/* True when the JSON array of strings list holds s. */
static bool list_has(json_t *list, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach (list, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

/*
 * review: "review ... weekly" controls, scored by evidence. check.rules names
 * the findings of the review; every such finding of the last cadence window
 * must have been acknowledged (or resolved, or marked a false positive) by a
 * named person within the cadence of its last event - partial credit per
 * finding. No finding and audit coverage reaching into the window also
 * passes; without that coverage the control is Not scored. check.evidence
 * "usage" controls pass when the audit log shows check.operations in the last
 * check.days days; "analysis" controls when the audit log was analysed (an
 * ingest ran) within the cadence.
 */
static int measure_review(struct ss_mctx *m)
{
	const struct ss_evidence *ev = m->sc->ev;
	const char *cadence = check_str(m->c, "cadence", "weekly");
	const char *evidence = check_str(m->c, "evidence", "review");
	json_t *rules = ss_measure_check(m->c, "rules");
	ss_time_ms now = m->sc->now, window = (ss_time_ms)cadence_days(cadence) * SS_DAY_MS;
	long count = 0, total = 0;
	size_t i;

	if (!ev || !ev->coverage_first)
		return not_scored(
			m->r,
			"measured from the audit log: needs audit data in the store covering the last %ld "
			"days ('secscore audit ingest')",
			strcmp(evidence, "usage") == 0 ? 30 : cadence_days(cadence));
	if (strcmp(evidence, "usage") == 0) {
		json_t *ops = ss_measure_check(m->c, "operations"), *v;
		size_t k;
		bool seen = false;
		if (!json_is_array(ops))
			return not_scored(
				m->r, "measured from the audit log (%s); no operation is mapped to it yet",
				check_str(m->c, "activity", "use of the feature"));
		if (ev->coverage_last < now - 30 * SS_DAY_MS)
			return not_scored(
				m->r, "needs audit data covering the last 30 days ('secscore audit ingest')");
		json_array_foreach (ops, k, v) {
			const char *want = json_string_value(v);
			size_t e;
			/* "Workload\037Operation", or a bare operation in any workload */
			for (e = 0; want && e < ev->ops.n && !seen; e++) {
				const char *sep = strchr(ev->ops.v[e], '\037');
				seen = strcmp(ev->ops.v[e], want) == 0 || (sep && strcmp(sep + 1, want) == 0);
			}
		}
		finish_bool(m->r, seen);
		impl(m->r, seen ? "The audit log shows %s" : "The audit log of the last 30 days shows no %s",
		     check_str(m->c, "activity", "use of the feature"));
		if (!seen)
			ss_strv_pushf(&m->r->offenders, "no %s in the last 30 days",
				      check_str(m->c, "activity", "use of the feature"));
		return 0;
	}
	if (ev->coverage_last < now - window)
		return not_scored(
			m->r,
			"measured by evidence: the audit data in the store ends before the last %s window "
			"('secscore audit ingest')",
			cadence);
	if (strcmp(evidence, "analysis") == 0) {
		bool ran = ev->last_run >= now - window;
		finish_bool(m->r, ran);
		impl(m->r,
		     ran ? "The audit log was analysed within the %s window"
			 : "No audit analysis in the last %s",
		     cadence);
		if (!ran)
			ss_strv_pushf(&m->r->offenders, "no 'secscore audit ingest' in the %s window",
				      cadence);
		return 0;
	}
	if (!json_is_array(rules) || json_array_size(rules) == 0)
		return not_scored(
			m->r,
			"measured by evidence (%s findings acknowledged within the cadence); no detection "
			"covers this review yet",
			cadence);
	for (i = 0; i < ev->n_findings; i++) {
		const struct ss_evidence_finding *f = &ev->findings[i];
		bool ok;
		if (!list_has(rules, f->rule) || f->last < now - window || f->last > now)
			continue;
		total++;
		ok = f->handled && f->handled_by && f->handled_by[0] && f->handled_at - f->last <= window;
		if (ok)
			count++;
		else {
			char last[32];
			ss_time_format(f->last, last);
			ss_strv_pushf(&m->r->offenders,
				      "%s finding of %s%s%s not acknowledged within %ld days", f->rule, last,
				      f->user ? " by " : "", f->user ? f->user : "", cadence_days(cadence));
		}
	}
	if (total == 0) {
		finish_bool(m->r, true);
		impl(m->r, "No %s findings in the last %s window, and the audit data covers it", cadence,
		     "review");
		return 0;
	}
	finish(m->r, count, total, "ratio", 1.0);
	impl(m->r, "%ld of %ld findings of the last %s window acknowledged in time by a named person", count,
	     total, cadence);
	return 0;
}

/* licensed: the tenant subscribes to a service (a feature that is on once licensed). */
static int measure_licensed(struct ss_mctx *m)
{
	const char *service = check_str(m->c, "service", NULL);
	bool has;

	if (!service)
		return ss_error_set(m->err, SS_EINVAL, "check.service is required");
	if (!m->sc->facts.services_known)
		return not_scored(m->r, "needs graph/subscribedSkus.json");
	has = ss_strv_has(&m->sc->facts.services, service);
	finish_bool(m->r, has);
	impl(m->r, has ? "The tenant subscribes to %s" : "The tenant has no subscription with %s", service);
	if (!has)
		ss_strv_pushf(&m->r->offenders, "no %s subscription", service);
	return 0;
}

static const struct ss_measure measures[] = {
	{"items", measure_items, false},
	{"setting", measure_setting, false},
	{"any_item", measure_any_item, true},
	{"mfa", measure_mfa, true},
	{"role_count", measure_role_count, false},
	{"forwarding_mailbox", measure_forwarding_mailbox, false},
	{"forwarding_transport", measure_forwarding_transport, false},
	{"review", measure_review, true},
	{"licensed", measure_licensed, false},
};

const struct ss_measure *ss_measure_find(const char *name)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_LEN(measures); i++)
		if (strcmp(measures[i].name, name) == 0)
			return &measures[i];
	return NULL;
}
