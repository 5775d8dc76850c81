/* facts.c - deriving users, roles, services and accepted domains from a snapshot. */
#include "score/facts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "score/predicate.h"

#define ACTIVE_DAYS 30

static char *lower_dup(struct ss_slice s)
{
	char *p = ss_xstrndup(s.ptr ? s.ptr : "", s.len);
	size_t i;

	for (i = 0; i < s.len; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	return p;
}

/* True when s contains the ASCII text t, ignoring case. */
static bool contains_i(struct ss_slice s, const char *t)
{
	size_t n = strlen(t), i;

	for (i = 0; n && i + n <= s.len; i++)
		if (strncasecmp(s.ptr + i, t, n) == 0)
			return true;
	return false;
}

/* Records that value v of document name has the wrong type; the item is used as far as it can be. */
static void warn(struct ss_facts *f, const char *name, const struct ss_json *doc, ss_jv v, const char *field,
		 const char *problem)
{
	long line, col;

	f->n_warnings++;
	if (f->warnings.n >= SS_FACTS_MAX_WARNINGS)
		return;
	ss_json_position(doc, v, &line, &col);
	ss_strv_pushf(&f->warnings, "%s:%ld:%ld: field '%s': %s", name, line, col, field, problem);
}

/* A boolean field: true/false or "True"/"False"; anything else but absent/null is warned about. */
static bool bool_field(struct ss_facts *f, const char *name, const struct ss_json *doc, ss_jv item,
		       const char *field, bool absent)
{
	ss_jv v = ss_json_geti(doc, item, field);
	enum ss_jtype t = ss_json_type(doc, v);

	if (v == SS_JNONE || t == SS_JNULL)
		return absent;
	if (t == SS_JTRUE || t == SS_JFALSE)
		return t == SS_JTRUE;
	if (ss_json_str_eqi(doc, v, "true"))
		return true;
	if (ss_json_str_eqi(doc, v, "false"))
		return false;
	warn(f, name, doc, v, field, "expected true or false");
	return absent;
}

static struct ss_slice member_str(const struct ss_json *doc, ss_jv item, const char *path,
				  struct ss_buf *scratch)
{
	bool ok;
	struct ss_slice s = ss_json_str(doc, ss_json_path(doc, item, path), scratch, &ok);

	return ok ? s : (struct ss_slice){NULL, 0};
}

static void build_users(struct ss_facts *f, const struct ss_snapshot *snap, struct ss_buf *scratch)
{
	struct ss_items it;
	ss_jv item;

	if (!ss_items_begin(snap, "graph/users.json", &it))
		return;
	f->have_users = true;
	f->users = ss_xcalloc(it.n + 1, sizeof(*f->users));
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		struct ss_user *u = &f->users[f->n_users];
		struct ss_slice upn = member_str(it.doc, item, "userPrincipalName", scratch), s;
		ss_jv v;
		uint32_t dup;
		if (ss_json_type(it.doc, item) != SS_JOBJECT) {
			warn(f, "graph/users.json", it.doc, item, "value[]", "expected an object; skipped");
			continue;
		}
		if (!upn.len) {
			warn(f, "graph/users.json", it.doc, item, "userPrincipalName",
			     "missing or not a string; user skipped");
			continue;
		}
		if (f->n_users >= it.n)
			continue;
		u->upn = lower_dup(upn);
		if (ss_strmap_get(&f->by_upn, u->upn, strlen(u->upn), &dup)) {
			free(u->upn);
			u->upn = NULL;
			continue;
		}
		u->enabled = bool_field(f, "graph/users.json", it.doc, item, "accountEnabled", true);
		u->guest = ss_json_str_eqi(it.doc, ss_json_geti(it.doc, item, "userType"), "Guest");
		u->licensed = ss_json_len(it.doc, ss_json_geti(it.doc, item, "assignedLicenses")) > 0;
		v = ss_json_path(it.doc, item, "signInActivity.lastSignInDateTime");
		s = member_str(it.doc, item, "signInActivity.lastSignInDateTime", scratch);
		if (s.len && ss_time_parse(s.ptr, s.len, &u->last_signin) != 0) {
			u->last_signin = 0;
			warn(f, "graph/users.json", it.doc, v, "signInActivity.lastSignInDateTime",
			     "not a timestamp");
		}
		/* passwordPolicies: absent = not selected (unknown), null = none set. */
		v = ss_json_geti(it.doc, item, "passwordPolicies");
		s = member_str(it.doc, item, "passwordPolicies", scratch);
		u->pw_never_expires = v == SS_JNONE ? -1 : contains_i(s, "DisablePasswordExpiration") ? 1 : 0;
		v = ss_json_geti(it.doc, item, "lastPasswordChangeDateTime");
		s = member_str(it.doc, item, "lastPasswordChangeDateTime", scratch);
		if (s.len && ss_time_parse(s.ptr, s.len, &u->last_pw_change) != 0) {
			u->last_pw_change = 0;
			warn(f, "graph/users.json", it.doc, v, "lastPasswordChangeDateTime",
			     "not a timestamp");
		}
		if (u->licensed)
			f->licensed_users++;
		if (u->enabled && u->last_signin && snap->taken - u->last_signin <= ACTIVE_DAYS * SS_DAY_MS)
			f->active_users++;
		ss_strmap_put(&f->by_upn, u->upn, strlen(u->upn), (uint32_t)f->n_users);
		f->n_users++;
	}
}

#define MSOL_USERS "msol/Get-MsolUser.csv"

/* True when a cell holds only a collection's type name: Export-Csv writes that for lists. */
static bool type_name_only(struct ss_slice s)
{
	return s.len >= 7 && strncmp(s.ptr, "System.", 7) == 0;
}

/*
 * StrongAuthenticationRequirements: the State of the (at most one)
 * requirement, as exported with a calculated property or a serialised
 * "{State=Enforced; ...}"; an empty cell is no requirement.
 */
static int8_t peruser_state(const struct ss_json *doc, ss_jv v, struct ss_buf *scratch)
{
	bool ok;
	struct ss_slice s;

	if (v == SS_JNONE)
		return SS_PERUSER_MFA_UNKNOWN;
	if (ss_json_type(doc, v) == SS_JNULL)
		return SS_PERUSER_MFA_DISABLED;
	s = ss_json_str(doc, v, scratch, &ok);
	if (!ok || type_name_only(s))
		return SS_PERUSER_MFA_UNKNOWN;
	if (contains_i(s, "Enforced"))
		return SS_PERUSER_MFA_ENFORCED;
	if (contains_i(s, "Enabled"))
		return SS_PERUSER_MFA_ENABLED;
	return SS_PERUSER_MFA_DISABLED;
}

/* StrongAuthenticationMethods: 1 some method registered, 0 none (empty cell), -1 unknown. */
static int methods_state(const struct ss_json *doc, ss_jv v, struct ss_buf *scratch)
{
	bool ok;
	struct ss_slice s;

	if (v == SS_JNONE)
		return -1;
	if (ss_json_type(doc, v) == SS_JNULL)
		return 0;
	s = ss_json_str(doc, v, scratch, &ok);
	if (!ok || type_name_only(s))
		return -1;
	return s.len && !ss_slice_eq(s, "{}") ? 1 : 0;
}

/*
 * The legacy Get-MsolUser export (see ss_facts_build): the users when Graph
 * has none, and the per-user MFA state and password facts Graph lacks.
 */
static void build_msol(struct ss_facts *f, const struct ss_snapshot *snap, struct ss_buf *scratch)
{
	struct ss_items it;
	ss_jv item;
	bool from_msol = !f->have_users, graph_reg = f->have_reg, reg_known = false;
	unsigned char *seen; /* per user: a row was used */

	if (!ss_items_begin(snap, MSOL_USERS, &it))
		return;
	f->have_msol = true;
	if (from_msol) {
		f->have_users = true;
		f->users = ss_xcalloc(it.n + 1, sizeof(*f->users));
	}
	seen = ss_xcalloc((from_msol ? it.n : f->n_users) + 1, 1);
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		struct ss_slice upn = member_str(it.doc, item, "UserPrincipalName", scratch), s;
		struct ss_user *u;
		uint32_t idx;
		char *key;
		int methods;
		ss_jv v;
		if (!upn.len) {
			warn(f, MSOL_USERS, it.doc, item, "UserPrincipalName", "missing; row skipped");
			continue;
		}
		key = lower_dup(upn);
		if (ss_strmap_get(&f->by_upn, key, strlen(key), &idx)) {
			free(key);
			if (seen[idx])
				continue; /* a repeated row: the first one counts */
			seen[idx] = 1;
			u = &f->users[idx];
		} else if (!from_msol || f->n_users >= it.n) {
			free(key); /* Graph lists the users: a row it lacks is stale */
			continue;
		} else {
			u = &f->users[f->n_users];
			u->upn = key;
			u->enabled = !bool_field(f, MSOL_USERS, it.doc, item, "BlockCredential", false);
			u->guest = ss_json_str_eqi(it.doc, ss_json_geti(it.doc, item, "UserType"), "Guest");
			u->licensed = bool_field(f, MSOL_USERS, it.doc, item, "isLicensed", false);
			u->pw_never_expires = -1;
			if (u->licensed)
				f->licensed_users++;
			ss_strmap_put(&f->by_upn, u->upn, strlen(u->upn), (uint32_t)f->n_users);
			seen[f->n_users++] = 1;
		}
		u->peruser_mfa = peruser_state(
			it.doc, ss_json_geti(it.doc, item, "StrongAuthenticationRequirements"), scratch);
		v = ss_json_geti(it.doc, item, "PasswordNeverExpires");
		if (u->pw_never_expires < 0 && v != SS_JNONE && ss_json_type(it.doc, v) != SS_JNULL)
			u->pw_never_expires =
				bool_field(f, MSOL_USERS, it.doc, item, "PasswordNeverExpires", false);
		v = ss_json_geti(it.doc, item, "LastPasswordChangeTimestamp");
		s = member_str(it.doc, item, "LastPasswordChangeTimestamp", scratch);
		if (!u->last_pw_change && s.len && ss_time_parse(s.ptr, s.len, &u->last_pw_change) != 0) {
			u->last_pw_change = 0;
			warn(f, MSOL_USERS, it.doc, v, "LastPasswordChangeTimestamp", "not a timestamp");
		}
		if (graph_reg)
			continue;
		methods = methods_state(it.doc, ss_json_geti(it.doc, item, "StrongAuthenticationMethods"),
					scratch);
		if (methods < 0 && u->peruser_mfa == SS_PERUSER_MFA_UNKNOWN)
			continue;
		reg_known = true;
		u->has_reg = true;
		u->mfa = methods > 0 || u->peruser_mfa == SS_PERUSER_MFA_ENABLED ||
			 u->peruser_mfa == SS_PERUSER_MFA_ENFORCED;
	}
	free(seen);
	if (reg_known) {
		f->have_reg = true;
		f->reg_from_msol = true;
	}
}

static uint32_t method_bit(struct ss_slice m)
{
	if (ss_slice_eqi(m, "fido2") || ss_slice_eqi(m, "passKeyDeviceBound") ||
	    ss_slice_eqi(m, "passKeyDeviceBoundAuthenticator"))
		return SS_METHOD_FIDO2;
	if (ss_slice_eqi(m, "windowsHelloForBusiness"))
		return SS_METHOD_WHFB;
	if (ss_slice_eqi(m, "x509Certificate") || ss_slice_eqi(m, "certificateBasedAuthentication"))
		return SS_METHOD_CERT;
	return SS_METHOD_OTHER;
}

static void build_registration(struct ss_facts *f, const struct ss_snapshot *snap, struct ss_buf *scratch)
{
	struct ss_items it;
	ss_jv item;

	if (!ss_items_begin(snap, "graph/userRegistrationDetails.json", &it))
		return;
	f->have_reg = true;
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		struct ss_slice upn = member_str(it.doc, item, "userPrincipalName", scratch);
		ss_jv methods, m;
		uint32_t idx;
		char *key;
		struct ss_user *u;
		if (!upn.len)
			continue;
		key = lower_dup(upn);
		if (!ss_strmap_get(&f->by_upn, key, strlen(key), &idx)) {
			free(key);
			continue;
		}
		free(key);
		u = &f->users[idx];
		u->has_reg = true;
		u->mfa = bool_field(f, "graph/userRegistrationDetails.json", it.doc, item, "isMfaRegistered",
				    false);
		methods = ss_json_geti(it.doc, item, "methodsRegistered");
		for (m = ss_json_first(it.doc, methods); m != SS_JNONE;
		     m = ss_json_next(it.doc, methods, m)) {
			bool ok;
			struct ss_slice s = ss_json_str(it.doc, m, scratch, &ok);
			if (ok)
				u->methods |= method_bit(s);
		}
	}
}

static void build_roles(struct ss_facts *f, const struct ss_snapshot *snap, struct ss_buf *scratch)
{
	struct ss_items it;
	ss_jv item;

	if (!ss_items_begin(snap, "graph/directoryRoles.json", &it))
		return;
	f->have_roles = true;
	f->roles = ss_xcalloc(it.n + 1, sizeof(*f->roles));
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		struct ss_role *r = &f->roles[f->n_roles++];
		ss_jv members = ss_json_geti(it.doc, item, "members"), m;
		struct ss_slice name = member_str(it.doc, item, "displayName", scratch);
		r->name = ss_xstrndup(name.ptr ? name.ptr : "", name.len);
		r->template_id = lower_dup(member_str(it.doc, item, "roleTemplateId", scratch));
		ss_strv_init(&r->unknown);
		r->members = ss_xcalloc(ss_json_len(it.doc, members) + 1, sizeof(uint32_t));
		for (m = ss_json_first(it.doc, members); m != SS_JNONE;
		     m = ss_json_next(it.doc, members, m)) {
			struct ss_slice upn = member_str(it.doc, m, "userPrincipalName", scratch);
			char *key;
			uint32_t idx;
			if (!upn.len) {
				struct ss_slice label = member_str(it.doc, m, "displayName", scratch);
				if (!label.len)
					label = member_str(it.doc, m, "id", scratch);
				ss_strv_pushn(&r->unknown, label.ptr ? label.ptr : "", label.len);
				continue;
			}
			key = lower_dup(upn);
			if (ss_strmap_get(&f->by_upn, key, strlen(key), &idx))
				r->members[r->n_members++] = idx;
			else
				ss_strv_push(&r->unknown, key);
			free(key);
		}
	}
}

static void build_services(struct ss_facts *f, const struct ss_snapshot *snap, const struct ss_catalog *cat,
			   struct ss_buf *scratch)
{
	struct ss_items it;
	struct ss_strv plans;
	ss_jv item;
	const char *svc;
	json_t *list;

	if (!ss_items_begin(snap, "graph/subscribedSkus.json", &it))
		return;
	f->services_known = true;
	ss_strv_init(&plans);
	while ((item = ss_items_next(&it)) != SS_JNONE) {
		ss_jv status = ss_json_geti(it.doc, item, "capabilityStatus"), sp, p;
		if (status != SS_JNONE && !ss_json_str_eqi(it.doc, status, "Enabled") &&
		    !ss_json_str_eqi(it.doc, status, "Warning"))
			continue;
		sp = ss_json_geti(it.doc, item, "servicePlans");
		for (p = ss_json_first(it.doc, sp); p != SS_JNONE; p = ss_json_next(it.doc, sp, p)) {
			ss_jv prov = ss_json_geti(it.doc, p, "provisioningStatus");
			struct ss_slice name = member_str(it.doc, p, "servicePlanName", scratch);
			if (!name.len)
				continue;
			if (prov != SS_JNONE && !ss_json_str_eqi(it.doc, prov, "Success") &&
			    !ss_json_str_eqi(it.doc, prov, "PendingProvisioning"))
				continue;
			ss_strv_pushn(&plans, name.ptr, name.len);
		}
	}
	json_object_foreach (cat->services, svc, list) {
		size_t i, k;
		bool found = false;
		for (i = 0; i < json_array_size(list) && !found; i++) {
			const char *want = json_string_value(json_array_get(list, i));
			for (k = 0; want && k < plans.n && !found; k++)
				found = strcasecmp(plans.v[k], want) == 0;
		}
		if (found)
			ss_strv_push(&f->services, svc);
	}
	ss_strv_sort(&f->services);
	ss_strv_release(&plans);
}

static void add_domain(struct ss_facts *f, struct ss_slice d)
{
	char *low;

	if (!d.len)
		return;
	low = lower_dup(d);
	if (!ss_strv_has(&f->domains, low))
		ss_strv_push(&f->domains, low);
	free(low);
}

static void build_domains(struct ss_facts *f, const struct ss_snapshot *snap, struct ss_buf *scratch)
{
	struct ss_items it;
	ss_jv item;

	if (ss_items_begin(snap, "exchange/Get-AcceptedDomain.json", &it)) {
		while ((item = ss_items_next(&it)) != SS_JNONE)
			add_domain(f, member_str(it.doc, item, "DomainName", scratch));
	}
	if (!f->domains.n && ss_items_begin(snap, "graph/organization.json", &it)) {
		while ((item = ss_items_next(&it)) != SS_JNONE) {
			ss_jv vd = ss_json_geti(it.doc, item, "verifiedDomains"), d;
			for (d = ss_json_first(it.doc, vd); d != SS_JNONE; d = ss_json_next(it.doc, vd, d))
				add_domain(f, member_str(it.doc, d, "name", scratch));
		}
	}
	if (!f->domains.n && ss_items_begin(snap, "graph/domains.json", &it)) {
		while ((item = ss_items_next(&it)) != SS_JNONE)
			if (ss_json_truthy(it.doc, ss_json_geti(it.doc, item, "isVerified")))
				add_domain(f, member_str(it.doc, item, "id", scratch));
	}
}

void ss_facts_build(struct ss_facts *f, const struct ss_snapshot *snap, const struct ss_catalog *cat)
{
	struct ss_buf scratch;

	memset(f, 0, sizeof(*f));
	ss_strmap_init(&f->by_upn);
	ss_strv_init(&f->services);
	ss_strv_init(&f->domains);
	ss_strv_init(&f->warnings);
	ss_buf_init(&scratch, (size_t)16 << 20);
	build_users(f, snap, &scratch);
	build_registration(f, snap, &scratch);
	build_msol(f, snap, &scratch);
	build_roles(f, snap, &scratch);
	build_services(f, snap, cat, &scratch);
	build_domains(f, snap, &scratch);
	ss_buf_release(&scratch);
}

void ss_facts_release(struct ss_facts *f)
{
	size_t i;

	for (i = 0; i < f->n_users; i++)
		free(f->users[i].upn);
	free(f->users);
	for (i = 0; i < f->n_roles; i++) {
		free(f->roles[i].name);
		free(f->roles[i].template_id);
		free(f->roles[i].members);
		ss_strv_release(&f->roles[i].unknown);
	}
	free(f->roles);
	ss_strmap_release(&f->by_upn);
	ss_strv_release(&f->services);
	ss_strv_release(&f->domains);
	ss_strv_release(&f->warnings);
	memset(f, 0, sizeof(*f));
}

bool ss_facts_has_service(const struct ss_facts *f, const char *service)
{
	return !f->services_known || ss_strv_has(&f->services, service);
}

int ss_facts_address_internal(const struct ss_facts *f, const char *addr, size_t len)
{
	const char *at;
	size_t i, dlen;

	if (len >= 5 && strncasecmp(addr, "smtp:", 5) == 0) {
		addr += 5;
		len -= 5;
	}
	while (len && isspace((unsigned char)*addr)) {
		addr++;
		len--;
	}
	while (len && isspace((unsigned char)addr[len - 1]))
		len--;
	at = memchr(addr, '@', len);
	if (!at || at == addr + len - 1)
		return -1;
	at++;
	dlen = len - (size_t)(at - addr);
	for (i = 0; i < f->domains.n; i++) {
		const char *d = f->domains.v[i];
		size_t n = strlen(d);
		if (dlen == n && strncasecmp(at, d, n) == 0)
			return 1;
		if (dlen > n && at[dlen - n - 1] == '.' && strncasecmp(at + dlen - n, d, n) == 0)
			return 1;
	}
	return 0;
}
