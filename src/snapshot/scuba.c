/* scuba.c - mapping a ScubaGear ProviderSettingsExport.json onto the snapshot documents. */
#include "snapshot/scuba.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/time.h"

/*
 * ScubaGear key -> snapshot document holding the same cmdlet's output, copied
 * as it is (null elements dropped). cmd is the cmdlet ScubaGear ran for it:
 * when a provider lists it among its unsuccessful commands, the key holds an
 * empty placeholder rather than the tenant's state, and is left out (so the
 * controls reading it are Not scored instead of failed).
 */
static const struct {
	const char *key;
	const char *doc;
	const char *cmd;
} direct[] = {
	{"conditional_access_policies", "graph/conditionalAccessPolicies.json",
	 "Get-MgBetaIdentityConditionalAccessPolicy"},
	{"domain_settings", "graph/domains.json", "Get-MgBetaDomain"},
	{"admin_audit_log_config", "exchange/Get-AdminAuditLogConfig.json", "Get-AdminAuditLogConfig"},
	{"transport_rule", "exchange/Get-TransportRule.json", "Get-TransportRule"},
	{"remote_domains", "exchange/Get-RemoteDomain.json", "Get-RemoteDomain"},
	{"accepted_domains", "exchange/Get-AcceptedDomain.json", "Get-AcceptedDomain"},
	{"transport_config", "exchange/Get-TransportConfig.json", "Get-TransportConfig"},
	{"sharing_policy", "exchange/Get-SharingPolicy.json", "Get-SharingPolicy"},
	{"org_config", "exchange/Get-OrganizationConfig.json", "Get-OrganizationConfig"},
	{"dkim_config", "exchange/Get-DkimSigningConfig.json", "Get-DkimSigningConfig"},
	{"anti_phish_policies", "exchange/Get-AntiPhishPolicy.json", "Get-AntiPhishPolicy"},
	{"atp_policy_for_o365", "exchange/Get-AtpPolicyForO365.json", "Get-AtpPolicyForO365"},
	/* ScubaGear before 1.5 (Defender provider) exported these policies themselves. */
	{"safe_links_policies", "exchange/Get-SafeLinksPolicy.json", "Get-SafeLinksPolicy"},
	{"safe_attachment_policies", "exchange/Get-SafeAttachmentPolicy.json", "Get-SafeAttachmentPolicy"},
	{"malware_filter_policies", "exchange/Get-MalwareFilterPolicy.json", "Get-MalwareFilterPolicy"},
	{"dlp_compliance_policies", "purview/Get-DlpCompliancePolicy.json", "Get-DlpCompliancePolicy"},
	{"unified_audit_log_retention_policies", "purview/Get-UnifiedAuditLogRetentionPolicy.json",
	 "Get-UnifiedAuditLogRetentionPolicy"},
	{"meeting_policies", "teams/Get-CsTeamsMeetingPolicy.json", "Get-CsTeamsMeetingPolicy"},
	{"SPO_tenant", "sharepoint/Get-SPOTenant.json", "Get-SPOTenant"},
};

/* Policies of a preset security policy, derived from the rule that applies it (see presets()). */
enum preset_kind {
	PRESET_SAFE_LINKS,
	PRESET_SAFE_ATTACHMENTS,
	PRESET_MALWARE
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

/* True when a document of this name was added already. */
static bool have_doc(const struct ss_snapshot *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_docs; i++)
		if (strcmp(s->docs[i].name, name) == 0)
			return true;
	return false;
}

/*
 * True when one of the providers' "*_unsuccessful_commands" lists cmd (or
 * its REST variant, "Get-SPOTenantRest" for "Get-SPOTenant").
 */
static bool command_failed(json_t *root, const char *cmd)
{
	size_t n = strlen(cmd), i;
	const char *key;
	json_t *list, *c;

	json_object_foreach (root, key, list) {
		size_t klen = strlen(key);
		if (klen < 22 || strcmp(key + klen - 22, "_unsuccessful_commands") != 0)
			continue;
		json_array_foreach (list, i, c) {
			const char *name = json_string_value(c);
			if (name && strncasecmp(name, cmd, n) == 0 &&
			    (name[n] == '\0' || strcasecmp(name + n, "Rest") == 0))
				return true;
		}
	}
	return false;
}

/* A copy of an array without its null elements (PowerShell writes [null] for "no result"); objects as they are. */
static json_t *without_nulls(json_t *v)
{
	json_t *out, *e;
	size_t i;

	if (!json_is_array(v))
		return json_incref(v);
	out = json_array();
	json_array_foreach (v, i, e) {
		if (!json_is_null(e))
			json_array_append(out, e);
	}
	return out;
}

/*
 * federation_configuration: Teams' PowerShell serialises AllowedDomains as
 * {"AllowedDomain": "Domain=x"} (or a list); the snapshot layout has the
 * list of "Domain=x" strings itself.
 */
static json_t *federation(json_t *v)
{
	json_t *out = json_deep_copy(v), *items, *p;
	size_t i;

	items = json_is_array(out) ? out : NULL;
	if (json_is_object(out)) {
		items = json_array();
		json_array_append(items, out);
	}
	json_array_foreach (items, i, p) {
		json_t *allowed = json_object_get(p, "AllowedDomains");
		json_t *inner = json_is_object(allowed) ? json_object_get(allowed, "AllowedDomain") : NULL;
		if (json_is_string(inner))
			json_object_set_new(p, "AllowedDomains", json_pack("[O]", inner));
		else if (json_is_array(inner))
			json_object_set(p, "AllowedDomains", inner);
	}
	if (items != out)
		json_decref(items);
	return out;
}

/* The record of domain in the dns/records.json array, created at the end when absent. */
static json_t *dns_record(json_t *records, const char *domain)
{
	json_t *r;
	size_t i;

	json_array_foreach (records, i, r) {
		if (strcasecmp(json_string_value(json_object_get(r, "domain")), domain) == 0)
			return r;
	}
	r = json_pack("{s:s}", "domain", domain);
	json_array_append_new(records, r);
	return r;
}

/*
 * spf_records / dmarc_records ([{domain, rdata[]}], one per accepted domain,
 * or a single object) -> dns/records.json's {domain, spf, dmarc}. A domain
 * ScubaGear looked up for one record type only lacks the other field.
 */
static void dns_add(json_t *records, json_t *list, const char *field)
{
	json_t *one = NULL, *e;
	size_t i;

	if (json_is_object(list)) {
		one = json_array();
		json_array_append(one, list);
		list = one;
	}
	json_array_foreach (list, i, e) {
		const char *domain = json_string_value(json_object_get(e, "domain"));
		json_t *rdata = json_object_get(e, "rdata");
		if (!domain || !*domain)
			continue;
		json_object_set_new(dns_record(records, domain), field,
				    json_is_array(rdata) || json_is_string(rdata) ? json_incref(rdata)
										  : json_array());
	}
	json_decref(one);
}

/*
 * atp_policy_rules (Get-ATPProtectionPolicyRule) and protection_policy_rules
 * (Get-EOPProtectionPolicyRule) are the rules of the preset security
 * policies, and name the Safe Links, Safe Attachments and anti-malware
 * policies each applies. Microsoft fixes those policies' settings (Safe
 * Links for e-mail on, Safe Attachments Block, common attachment filter on),
 * so an enabled rule stands for a policy with them. Returns the policies of
 * the enabled rules, or NULL when there is none (nothing is known then).
 */
static json_t *presets(json_t *rules, enum preset_kind kind)
{
	static const char *const field[] = {"SafeLinksPolicy", "SafeAttachmentPolicy", "MalwareFilterPolicy"};
	json_t *out = json_array(), *r, *p;
	size_t i;

	if (json_is_object(rules)) {
		p = json_array();
		json_array_append(p, rules);
		rules = p;
	} else {
		p = NULL;
	}
	json_array_foreach (rules, i, r) {
		const char *name = json_string_value(json_object_get(r, field[kind]));
		const char *rule = json_string_value(json_object_get(r, "Name"));
		const char *state = json_string_value(json_object_get(r, "State"));
		json_t *policy;
		if (!name || !state || strcasecmp(state, "Enabled") != 0)
			continue;
		switch (kind) {
		case PRESET_SAFE_LINKS:
			policy = json_pack("{s:s, s:b}", "Name", name, "EnableSafeLinksForEmail", 1);
			break;
		case PRESET_SAFE_ATTACHMENTS:
			policy = json_pack("{s:s, s:b, s:s}", "Name", name, "Enable", 1, "Action", "Block");
			break;
		default: policy = json_pack("{s:s, s:b}", "Name", name, "EnableFileFilter", 1); break;
		}
		if (rule && strncasecmp(rule, "Standard", 8) == 0)
			json_object_set_new(policy, "RecommendedPolicyType", json_string("Standard"));
		else if (rule && strncasecmp(rule, "Strict", 6) == 0)
			json_object_set_new(policy, "RecommendedPolicyType", json_string("Strict"));
		json_array_append_new(out, policy);
	}
	json_decref(p);
	if (!json_array_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/*
 * directory_settings: the "Consent Policy Settings" setting's
 * EnableAdminConsentRequests ("true"/"false") is the admin consent workflow
 * switch that graph/adminConsentRequestPolicy.json's isEnabled reports (and
 * the one ScubaGear checks for MS.AAD.5.3). NULL when the setting is absent.
 */
static json_t *admin_consent(json_t *settings)
{
	json_t *set, *values, *v;
	size_t i, k;

	json_array_foreach (settings, i, set) {
		values = json_object_get(set, "Values");
		json_array_foreach (values, k, v) {
			const char *name = json_string_value(json_object_get(v, "Name"));
			json_t *value = json_object_get(v, "Value");
			if (!name || strcasecmp(name, "EnableAdminConsentRequests") != 0)
				continue;
			if (json_is_boolean(value))
				return json_pack("{s:O}", "isEnabled", value);
			if (json_is_string(value))
				return json_pack("{s:b}", "isEnabled",
						 strcasecmp(json_string_value(value), "true") == 0);
		}
	}
	return NULL;
}

/* Adds doc from the derived value v (owned; NULL adds nothing). */
static void add_new(struct ss_snapshot *s, size_t *cap, const char *name, json_t *v)
{
	if (!v)
		return;
	add_doc(s, cap, name, v);
	json_decref(v);
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
	for (i = 0; i < SS_ARRAY_LEN(direct); i++) {
		v = json_object_get(root, direct[i].key);
		if ((json_is_object(v) || json_is_array(v)) && !command_failed(root, direct[i].cmd))
			add_new(s, &cap, direct[i].doc, without_nulls(v));
	}
	v = json_object_get(root, "federation_configuration");
	if ((json_is_object(v) || json_is_array(v)) &&
	    !command_failed(root, "Get-CsTenantFederationConfiguration"))
		add_new(s, &cap, "teams/Get-CsTenantFederationConfiguration.json", federation(v));
	if (!command_failed(root, "Get-ScubaSpfRecord") || !command_failed(root, "Get-ScubaDmarcRecord")) {
		v = json_array();
		if (!command_failed(root, "Get-ScubaSpfRecord"))
			dns_add(v, json_object_get(root, "spf_records"), "spf");
		if (!command_failed(root, "Get-ScubaDmarcRecord"))
			dns_add(v, json_object_get(root, "dmarc_records"), "dmarc");
		if (json_array_size(v))
			add_doc(s, &cap, "dns/records.json", v);
		json_decref(v);
	}
	if (!command_failed(root, "Get-ATPProtectionPolicyRule")) {
		v = json_object_get(root, "atp_policy_rules");
		if (!have_doc(s, "exchange/Get-SafeLinksPolicy.json"))
			add_new(s, &cap, "exchange/Get-SafeLinksPolicy.json", presets(v, PRESET_SAFE_LINKS));
		if (!have_doc(s, "exchange/Get-SafeAttachmentPolicy.json"))
			add_new(s, &cap, "exchange/Get-SafeAttachmentPolicy.json",
				presets(v, PRESET_SAFE_ATTACHMENTS));
	}
	if (!command_failed(root, "Get-EOPProtectionPolicyRule") &&
	    !have_doc(s, "exchange/Get-MalwareFilterPolicy.json"))
		add_new(s, &cap, "exchange/Get-MalwareFilterPolicy.json",
			presets(json_object_get(root, "protection_policy_rules"), PRESET_MALWARE));
	if (!command_failed(root, "Get-MgBetaDirectorySetting"))
		add_new(s, &cap, "graph/adminConsentRequestPolicy.json",
			admin_consent(json_object_get(root, "directory_settings")));
	if (!command_failed(root, "Get-MgBetaPolicyAuthorizationPolicy"))
		add_new(s, &cap, "graph/authorizationPolicy.json",
			authorization(json_object_get(root, "authorization_policies")));
	if (json_is_object(json_object_get(root, "privileged_users")) &&
	    json_is_array(json_object_get(root, "privileged_roles")) &&
	    !command_failed(root, "Get-PrivilegedUser") && !command_failed(root, "Get-PrivilegedRole"))
		add_new(s, &cap, "graph/directoryRoles.json",
			directory_roles(json_object_get(root, "privileged_users"),
					json_object_get(root, "privileged_roles")));
	if (json_is_array(json_object_get(root, "service_plans")) &&
	    !command_failed(root, "Get-MgBetaSubscribedSku"))
		add_new(s, &cap, "graph/subscribedSkus.json", skus(json_object_get(root, "service_plans")));
	h = ss_sha256_new();
	ss_sha256_update(h, data, len);
	ss_sha256_final(h, s->hash);
out:
	if (rc)
		ss_error_at(err, s->dir, 0, 0);
	json_decref(root);
	return rc;
}
