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
		if (u->licensed)
			f->licensed_users++;
		if (u->enabled && u->last_signin && snap->taken - u->last_signin <= ACTIVE_DAYS * SS_DAY_MS)
			f->active_users++;
		ss_strmap_put(&f->by_upn, u->upn, strlen(u->upn), (uint32_t)f->n_users);
		f->n_users++;
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
