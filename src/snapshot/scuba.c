/* scuba.c - mapping a ScubaGear ProviderSettingsExport.json onto the snapshot documents. */
#include "snapshot/scuba.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/time.h"

/* ScubaGear key -> snapshot document holding the same data, copied as it is. */
static const struct {
	const char *key;
	const char *doc;
} direct[] = {
	{"conditional_access_policies", "graph/conditionalAccessPolicies.json"},
	{"domain_settings", "graph/domains.json"},
	{"admin_audit_log_config", "exchange/Get-AdminAuditLogConfig.json"},
	{"transport_rule", "exchange/Get-TransportRule.json"},
	{"remote_domains", "exchange/Get-RemoteDomain.json"},
	{"accepted_domains", "exchange/Get-AcceptedDomain.json"},
	{"transport_config", "exchange/Get-TransportConfig.json"},
	{"sharing_policy", "exchange/Get-SharingPolicy.json"},
	{"org_config", "exchange/Get-OrganizationConfig.json"},
	{"SPO_tenant", "sharepoint/Get-SPOTenant.json"},
};

bool ss_scuba_detect(const char *data, size_t len)
{
	/* Cheap and specific: the export's top-level keys appear near its start. */
	size_t n = len < 4096 ? len : 4096;
	char *head = ss_xstrndup(data, n);
	bool yes = strstr(head, "\"baseline_version\"") && strstr(head, "\"module_version\"");

	free(head);
	return yes;
}

static void add_doc(struct ss_snapshot *s, size_t *cap, const char *name, json_t *doc)
{
	struct ss_snapdoc *d;
	struct ss_sha256 *h;

	if (s->n_docs == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		s->docs = ss_xrealloc(s->docs, ss_mul_sz(*cap, sizeof(*s->docs)));
	}
	d = &s->docs[s->n_docs++];
	memset(d, 0, sizeof(*d));
	ss_json_init(&d->json);
	d->name = ss_xstrdup(name);
	d->data = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!d->data)
		ss_die("cannot serialise %s", name);
	d->len = strlen(d->data);
	h = ss_sha256_new();
	ss_sha256_update(h, d->data, d->len);
	ss_sha256_final(h, d->hash);
	/* jansson wrote it: it parses. */
	if (ss_json_parse(&d->json, d->data, d->len, NULL) != 0)
		SS_BUG("jansson output rejected by the tape parser");
}

/* authorization_policies: Graph's v1.0 shape nests the consent policies; ScubaGear flattens them. */
static json_t *authorization(json_t *list)
{
	json_t *p = json_deep_copy(json_is_array(list) ? json_array_get(list, 0) : list), *perms;

	if (!json_is_object(p)) {
		json_decref(p);
		return NULL;
	}
	perms = json_object_get(p, "DefaultUserRolePermissions");
	if (!json_is_object(perms)) {
		perms = json_object();
		json_object_set_new(p, "DefaultUserRolePermissions", perms);
	}
	if (json_object_get(p, "PermissionGrantPolicyIdsAssignedToDefaultUserRole"))
		json_object_set(perms, "permissionGrantPoliciesAssigned",
				json_object_get(p, "PermissionGrantPolicyIdsAssignedToDefaultUserRole"));
	return p;
}

/* privileged_users {id: {DisplayName, roles[]}} + privileged_roles -> directoryRoles with members. */
static json_t *directory_roles(json_t *users, json_t *roles)
{
	json_t *out = json_array(), *role, *u;
	const char *id;
	size_t i, k;

	json_array_foreach (roles, i, role) {
		const char *name = json_string_value(json_object_get(role, "DisplayName"));
		json_t *members;
		if (!name)
			continue;
		members = json_array();
		json_object_foreach (users, id, u) {
			json_t *held = json_object_get(u, "roles"), *r;
			json_array_foreach (held, k, r) {
				if (json_is_string(r) && strcmp(json_string_value(r), name) == 0) {
					json_array_append_new(
						members, json_pack("{s:s, s:O}", "id", id, "displayName",
								   json_object_get(u, "DisplayName")
									   ? json_object_get(u, "DisplayName")
									   : json_null()));
					break;
				}
			}
		}
		json_array_append_new(out, json_pack("{s:s, s:O, s:o}", "displayName", name, "roleTemplateId",
						     json_object_get(role, "RoleTemplateId")
							     ? json_object_get(role, "RoleTemplateId")
							     : json_null(),
						     "members", members));
	}
	return json_pack("{s:o}", "value", out);
}

/* service_plans (the tenant's plans, flat) -> one subscribed SKU carrying them. */
static json_t *skus(json_t *plans)
{
	json_t *list = json_array(), *p;
	size_t i;

	json_array_foreach (plans, i, p) {
		json_t *name = json_object_get(p, "ServicePlanName"),
		       *status = json_object_get(p, "ProvisioningStatus");
		if (json_is_string(name))
			json_array_append_new(list, json_pack("{s:O, s:O}", "servicePlanName", name,
							      "provisioningStatus",
							      json_is_string(status) ? status : json_null()));
	}
	return json_pack("{s:[{s:s, s:s, s:o}]}", "value", "skuPartNumber", "(ScubaGear service_plans)",
			 "capabilityStatus", "Enabled", "servicePlans", list);
}

int ss_scuba_load(struct ss_snapshot *s, const char *data, size_t len, struct ss_error *err)
{
	json_error_t je;
	json_t *root, *v, *details;
	struct ss_sha256 *h;
	size_t i, cap = 0;
	const char *tid, *when;
	int rc = 0;

	root = json_loadb(data, len, JSON_DECODE_ANY, &je);
	if (!root) {
		ss_error_set(err, SS_EPARSE, "%s", je.text);
		ss_error_at(err, s->dir, je.line, je.column);
		return SS_EPARSE;
	}
	if (!json_is_object(root)) {
		rc = ss_error_set(err, SS_EINVAL, "a ScubaGear export must be a JSON object");
		goto out;
	}
	details = json_object_get(root, "tenant_details");
	if (json_is_array(details))
		details = json_array_get(details, 0);
	tid = json_string_value(json_object_get(root, "tenant_id"));
	if (!tid)
		tid = json_string_value(json_object_get(details, "TenantId"));
	if (!tid) {
		rc = ss_error_set(err, SS_EINVAL, "missing the tenant id");
		ss_error_field(err, "tenant_id");
		goto out;
	}
	s->tenant_id = ss_xstrdup(tid);
	v = json_object_get(details, "DisplayName");
	s->display_name = ss_xstrdup(json_is_string(v) ? json_string_value(v) : tid);
	when = json_string_value(json_object_get(root, "timestamp_zulu"));
	if (!when || ss_time_parse(when, strlen(when), &s->taken) != 0) {
		rc = ss_error_set(err, SS_EINVAL, "missing or not a timestamp");
		ss_error_field(err, "timestamp_zulu");
		goto out;
	}
	for (i = 0; i < sizeof(direct) / sizeof(direct[0]); i++) {
		v = json_object_get(root, direct[i].key);
		if (json_is_object(v) || json_is_array(v))
			add_doc(s, &cap, direct[i].doc, v);
	}
	v = authorization(json_object_get(root, "authorization_policies"));
	if (v) {
		add_doc(s, &cap, "graph/authorizationPolicy.json", v);
		json_decref(v);
	}
	if (json_is_object(json_object_get(root, "privileged_users")) &&
	    json_is_array(json_object_get(root, "privileged_roles"))) {
		v = directory_roles(json_object_get(root, "privileged_users"),
				    json_object_get(root, "privileged_roles"));
		add_doc(s, &cap, "graph/directoryRoles.json", v);
		json_decref(v);
	}
	if (json_is_array(json_object_get(root, "service_plans"))) {
		v = skus(json_object_get(root, "service_plans"));
		add_doc(s, &cap, "graph/subscribedSkus.json", v);
		json_decref(v);
	}
	h = ss_sha256_new();
	ss_sha256_update(h, data, len);
	ss_sha256_final(h, s->hash);
out:
	if (rc)
		ss_error_at(err, s->dir, 0, 0);
	json_decref(root);
	return rc;
}
