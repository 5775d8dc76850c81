/* demo.c - generating the demo tenant "Contoso Demo" deterministically from a seed. */
#include "demo/demo.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"

/*
 * The proportions of the demo tenant. Tests and the README's description rely on them:
 * change them together.
 */
#define GUEST_PER_MILLE	    50	/* userType Guest */
#define DISABLED_PER_MILLE  40	/* accountEnabled false (members) */
#define INACTIVE_PER_MILLE  70	/* enabled members idle for more than 90 days */
#define NEVER_PER_MILLE	    10	/* enabled members who never signed in */
#define MFA_PER_MILLE	    870 /* members registered for MFA */
#define E5_PER_MILLE	    100 /* licensed members on E5 rather than E3 */
#define AUDIT_OFF_PER_MILLE 40	/* mailboxes with AuditEnabled false */
#define SHARED_MAILBOXES    6
#define DOMAIN		    "contoso-demo.com"
#define INITIAL_DOMAIN	    "contoso-demo.onmicrosoft.com"

#define GA     "62e90394-69f5-4237-9190-012177145e10"
#define SKU_E3 "05e9a617-0261-4cee-bb44-138d3ef5d965"
#define SKU_E5 "06ebc4ee-1bb5-47dd-8120-11324bc54e06"

static const char *const first_names[] = {
	"ava",	"ben",	"chloe", "daniel", "emma",  "felix", "grace",  "henry", "isla",	 "jack",  "kate",
	"liam", "mia",	"noah",	 "olivia", "peter", "quinn", "ruby",   "sam",	"tara",	 "umar",  "vera",
	"will", "xena", "yusuf", "zoe",	   "aaron", "bella", "carlos", "dana",	"elif",	 "farah", "george",
	"hana", "ivan", "julia", "kenji",  "lena",  "marco", "nina",   "oscar", "priya", "rahul", "sofia",
};
static const char *const last_names[] = {
	"smith",  "jones",  "taylor", "brown",	  "williams", "wilson", "johnson", "davies",
	"patel",  "wright", "walker", "white",	  "hall",     "green",	"martin",  "thomas",
	"clarke", "lewis",  "young",  "king",	  "garcia",   "muller", "rossi",   "tanaka",
	"kim",	  "nguyen", "silva",  "kowalski", "novak",    "hansen",
};

/* Privileged roles of the demo: name, template id, members; the first members lack MFA as noted. */
static const struct {
	const char *name;
	const char *template_id;
	unsigned members;
} roles[] = {
	{"Global Administrator", GA, 5},
	{"Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814", 1},
	{"Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d", 2},
	{"Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", 2},
	{"SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", 1},
	{"User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", 2},
	{"Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", 3},
};

struct demo {
	uint64_t rng; /* splitmix64 state */
	const struct ss_demo_opts *opts;
	struct ss_demo_user *users;
	unsigned n;
	char tenant_id[40];
};

static uint64_t next_rand(struct demo *d)
{
	uint64_t z = (d->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned below(struct demo *d, unsigned n)
{
	return (unsigned)(next_rand(d) % n);
}

static json_t *jtime(ss_time_ms t)
{
	char buf[32];

	if (!t)
		return json_null();
	ss_time_format(t, buf);
	return json_string(buf);
}

/* Windows PowerShell 5.1's date shape, which the importer must read. */
static json_t *msdate(ss_time_ms t)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "/Date(%lld)/", (long long)t);
	return json_string(buf);
}

static void guid(struct demo *d, char out[40])
{
	uint64_t a = next_rand(d), b = next_rand(d);

	snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
		 (unsigned)a & 0xfff, 0x8000 | ((unsigned)(b >> 48) & 0x3fff),
		 (unsigned long long)(b & 0xffffffffffffull));
}

static void make_users(struct demo *d)
{
	ss_time_ms now = d->opts->now;
	unsigned i, k, admins_needed = 0;
	/* each week behind, 8% fewer members registered (never below a third) */
	unsigned mfa_per_mille =
		d->opts->behind * 80 + 330 > MFA_PER_MILLE ? 330 : MFA_PER_MILLE - d->opts->behind * 80;

	for (k = 0; k < SS_ARRAY_LEN(roles); k++)
		admins_needed += roles[k].members;
	d->n = d->opts->users;
	d->users = ss_xcalloc(d->n, sizeof(*d->users));
	for (i = 0; i < d->n; i++) {
		struct ss_demo_user *u = &d->users[i];
		const char *f = first_names[below(d, SS_ARRAY_LEN(first_names))];
		const char *l = last_names[below(d, SS_ARRAY_LEN(last_names))];
		unsigned roll = below(d, 1000);
		/* The first users are the admins: enabled members, licensed, recently active. */
		bool admin = i < admins_needed + 2;
		u->admin = admin;
		u->guest = !admin && roll < GUEST_PER_MILLE;
		u->enabled = admin || u->guest || below(d, 1000) >= DISABLED_PER_MILLE;
		u->licensed = !u->guest;
		u->e5 = u->licensed && (admin || below(d, 1000) < E5_PER_MILLE);
		u->mfa = !u->guest && below(d, 1000) < mfa_per_mille;
		snprintf(u->name, sizeof(u->name), "%c%s %c%s", f[0] - 32, f + 1, l[0] - 32, l + 1);
		if (u->guest)
			snprintf(u->upn, sizeof(u->upn), "%s.%s_partner%u.example#EXT#@%s", f, l, i,
				 INITIAL_DOMAIN);
		else if (i < 2)
			snprintf(u->upn, sizeof(u->upn), "breakglass%u@%s", i + 1, INITIAL_DOMAIN);
		else
			snprintf(u->upn, sizeof(u->upn), "%s.%s%u@%s", f, l, i, DOMAIN);
		u->created = now - (ss_time_ms)(120 + below(d, 1500)) * SS_DAY_MS;
		u->pwd_changed = now - (ss_time_ms)below(d, 400) * SS_DAY_MS;
		roll = below(d, 1000);
		if (!admin && u->enabled && !u->guest && roll < NEVER_PER_MILLE)
			u->last_signin = 0;
		else if (!admin && u->enabled && !u->guest && roll < NEVER_PER_MILLE + INACTIVE_PER_MILLE)
			u->last_signin = now - (ss_time_ms)(91 + below(d, 300)) * SS_DAY_MS;
		else
			u->last_signin = now - (ss_time_ms)below(d, 14 * 24 * 60) * 60000;
		u->inactive = !admin && u->enabled && !u->guest &&
			      (!u->last_signin || u->last_signin < now - 90 * SS_DAY_MS);
	}
	/* Break-glass accounts hold Global Administrator with FIDO2 keys; one other GA lacks MFA. */
	for (i = 0; i < admins_needed + 2 && i < d->n; i++)
		d->users[i].mfa = true;
	d->users[0].phish_resistant = d->users[1].phish_resistant = true;
	if (d->n > 4)
		d->users[4].mfa = false; /* the fifth global admin */
	if (d->n > 14)
		d->users[14].mfa = false; /* a helpdesk admin */
}

/*
 * Seeds the generator and makes the tenant id and the users: the first draws
 * of the stream, so the snapshot and ss_demo_tenant_init agree.
 */
static void demo_start(struct demo *d, const struct ss_demo_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->opts = opts;
	d->rng = opts->seed * 0x2545F4914F6CDD1Dull + 1;
	guid(d, d->tenant_id);
	make_users(d);
}

void ss_demo_tenant_init(struct ss_demo_tenant *t, const struct ss_demo_opts *opts)
{
	struct demo d;

	demo_start(&d, opts);
	memcpy(t->tenant_id, d.tenant_id, sizeof(t->tenant_id));
	t->users = d.users;
	t->n = d.n;
}

void ss_demo_tenant_release(struct ss_demo_tenant *t)
{
	free(t->users);
	t->users = NULL;
	t->n = 0;
}

static int write_doc(const char *dir, const char *name, json_t *doc, size_t flags, struct ss_error *err)
{
	struct ss_buf path;
	char *text = json_dumps(doc, flags | JSON_PRESERVE_ORDER);
	int rc;

	json_decref(doc);
	if (!text)
		return ss_error_set(err, SS_EIO, "cannot serialise %s", name);
	ss_buf_init(&path, 8192);
	ss_buf_printf(&path, "%s/snapshot/%s", dir, name);
	rc = ss_file_write_atomic(path.ptr, text, strlen(text), err);
	free(text);
	ss_buf_release(&path);
	return rc;
}

static json_t *graph_list(json_t *items)
{
	return json_pack("{s:s, s:o}", "@odata.context", "https://graph.microsoft.com/v1.0/$metadata",
			 "value", items);
}

static json_t *users_doc(struct demo *d)
{
	json_t *arr = json_array();
	unsigned i;

	for (i = 0; i < d->n; i++) {
		const struct ss_demo_user *u = &d->users[i];
		json_t *o = json_object(), *lic = json_array();
		char id[40];
		guid(d, id);
		if (u->licensed)
			json_array_append_new(lic, json_pack("{s:s, s:[]}", "skuId", u->e5 ? SKU_E5 : SKU_E3,
							     "disabledPlans"));
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "userPrincipalName", json_string(u->upn));
		json_object_set_new(o, "displayName", json_string(u->name));
		json_object_set_new(o, "accountEnabled", json_boolean(u->enabled));
		json_object_set_new(o, "userType", json_string(u->guest ? "Guest" : "Member"));
		json_object_set_new(o, "assignedLicenses", lic);
		json_object_set_new(o, "createdDateTime", jtime(u->created));
		json_object_set_new(o, "passwordPolicies",
				    json_string(i % 9 == 0 ? "DisablePasswordExpiration" : "None"));
		json_object_set_new(o, "lastPasswordChangeDateTime", jtime(u->pwd_changed));
		json_object_set_new(o, "signInActivity",
				    json_pack("{s:o, s:o}", "lastSignInDateTime", jtime(u->last_signin),
					      "lastNonInteractiveSignInDateTime", jtime(u->last_signin)));
		json_array_append_new(arr, o);
	}
	return graph_list(arr);
}

static json_t *registration_doc(struct demo *d)
{
	json_t *arr = json_array();
	unsigned i;

	for (i = 0; i < d->n; i++) {
		const struct ss_demo_user *u = &d->users[i];
		json_t *methods;
		if (u->guest)
			continue;
		if (u->phish_resistant)
			methods = json_pack("[s, s]", "fido2", "microsoftAuthenticatorPush");
		else if (u->mfa)
			methods =
				json_pack("[s, s]", "microsoftAuthenticatorPush", "softwareOneTimePasscode");
		else
			methods = i % 3 ? json_array() : json_pack("[s]", "email");
		json_array_append_new(arr, json_pack("{s:s, s:b, s:b, s:b, s:b, s:o}", "userPrincipalName",
						     u->upn, "isAdmin", u->admin, "isMfaRegistered", u->mfa,
						     "isMfaCapable", u->mfa, "isSsprRegistered",
						     u->mfa || i % 4 != 0, "methodsRegistered", methods));
	}
	return graph_list(arr);
}

static json_t *roles_doc(struct demo *d)
{
	json_t *arr = json_array();
	unsigned k, m, next = 0;

	for (k = 0; k < SS_ARRAY_LEN(roles); k++) {
		json_t *members = json_array();
		for (m = 0; m < roles[k].members && next < d->n; m++, next++)
			json_array_append_new(members, json_pack("{s:s, s:s, s:s}", "@odata.type",
								 "#microsoft.graph.user", "userPrincipalName",
								 d->users[next].upn, "displayName",
								 d->users[next].name));
		/* Global Administrator: the two break-glass accounts come first, three named admins after. */
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:o}", "displayName", roles[k].name,
						"roleTemplateId", roles[k].template_id, "members", members));
	}
	return graph_list(arr);
}

static json_t *skus_doc(struct demo *d)
{
	unsigned i, e3 = 0, e5 = 0;
	json_t *e3plans = json_array(), *e5plans;
	static const char *const e3names[] = {"EXCHANGE_S_ENTERPRISE",
					      "SHAREPOINTENTERPRISE",
					      "TEAMS1",
					      "AAD_PREMIUM",
					      "INTUNE_A",
					      "MCOSTANDARD"};
	static const char *const e5extra[] = {"AAD_PREMIUM_P2", "ATP_ENTERPRISE", "THREAT_INTELLIGENCE",
					      "LOCKBOX_ENTERPRISE", "INFORMATION_PROTECTION_COMPLIANCE"};

	for (i = 0; i < d->n; i++) {
		if (d->users[i].e5)
			e5++;
		else if (d->users[i].licensed)
			e3++;
	}
	for (i = 0; i < SS_ARRAY_LEN(e3names); i++)
		json_array_append_new(e3plans, json_pack("{s:s, s:s}", "servicePlanName", e3names[i],
							 "provisioningStatus", "Success"));
	e5plans = json_deep_copy(e3plans);
	for (i = 0; i < SS_ARRAY_LEN(e5extra); i++)
		json_array_append_new(e5plans, json_pack("{s:s, s:s}", "servicePlanName", e5extra[i],
							 "provisioningStatus", "Success"));
	return graph_list(
		json_pack("[{s:s, s:s, s:s, s:i, s:{s:i}, s:o}, {s:s, s:s, s:s, s:i, s:{s:i}, s:o}]", "skuId",
			  SKU_E3, "skuPartNumber", "SPE_E3", "capabilityStatus", "Enabled", "consumedUnits",
			  e3, "prepaidUnits", "enabled", e3 + 5, "servicePlans", e3plans, "skuId", SKU_E5,
			  "skuPartNumber", "SPE_E5", "capabilityStatus", "Enabled", "consumedUnits", e5,
			  "prepaidUnits", "enabled", e5 + 2, "servicePlans", e5plans));
}

static json_t *mailboxes_doc(struct demo *d)
{
	json_t *arr = json_array();
	unsigned i, nfwd = 0;
	static const char *const fwd[] = {"smtp:someone.private@gmail.com", "smtp:backup@contoso-demo.com",
					  "smtp:ceo@contoso-dem0.com"};

	for (i = 0; i < d->n; i++) {
		const struct ss_demo_user *u = &d->users[i];
		json_t *o;
		bool audit;
		if (!u->licensed || !u->enabled)
			continue;
		audit = below(d, 1000) >= AUDIT_OFF_PER_MILLE;
		o = json_object();
		json_object_set_new(o, "Identity", json_string(u->name));
		json_object_set_new(o, "DisplayName", json_string(u->name));
		json_object_set_new(o, "UserPrincipalName", json_string(u->upn));
		json_object_set_new(o, "PrimarySmtpAddress", json_string(u->upn));
		json_object_set_new(o, "RecipientTypeDetails", json_string("UserMailbox"));
		json_object_set_new(o, "AuditEnabled", json_boolean(audit));
		/* Three mailboxes forward: outside, inside, and to a look-alike domain. */
		if (i >= 20 && i % 97 == 0 && nfwd < SS_ARRAY_LEN(fwd)) {
			json_object_set_new(o, "ForwardingSmtpAddress", json_string(fwd[nfwd++]));
			json_object_set_new(o, "DeliverToMailboxAndForward", json_true());
		} else {
			json_object_set_new(o, "ForwardingSmtpAddress", json_null());
			json_object_set_new(o, "DeliverToMailboxAndForward", json_false());
		}
		json_object_set_new(o, "ForwardingAddress", json_null());
		json_object_set_new(o, "WhenCreated", msdate(u->created));
		json_array_append_new(arr, o);
	}
	for (i = 0; i < SHARED_MAILBOXES; i++) {
		static const char *const names[] = {"info", "sales", "support", "hr", "finance", "reception"};
		char upn[64];
		snprintf(upn, sizeof(upn), "%s@%s", names[i % 6], DOMAIN);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:n, s:n, s:b, s:o}",
						     "Identity", names[i % 6], "DisplayName", names[i % 6],
						     "UserPrincipalName", upn, "PrimarySmtpAddress", upn,
						     "RecipientTypeDetails", "SharedMailbox", "AuditEnabled",
						     i != 3, "ForwardingSmtpAddress", "ForwardingAddress",
						     "DeliverToMailboxAndForward", 0, "WhenCreated",
						     msdate(d->opts->now - 700 * SS_DAY_MS)));
	}
	return arr;
}

/* Client access settings: POP or IMAP left on for a share of the mailboxes. */
static json_t *cas_doc(struct demo *d)
{
	json_t *arr = json_array();
	unsigned i;

	for (i = 0; i < d->n; i++) {
		const struct ss_demo_user *u = &d->users[i];
		if (!u->licensed || !u->enabled)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:b, s:b, s:b}", "PrimarySmtpAddress", u->upn,
						     "PopEnabled", below(d, 100) < 8, "ImapEnabled",
						     below(d, 100) < 12, "MAPIEnabled", 1));
	}
	return arr;
}

/* Document libraries of the SharePoint sites (Get-PnPList): versioning off on a few. */
static json_t *libraries_doc(struct demo *d)
{
	json_t *arr = json_array();
	static const char *const sites[] = {"Finance", "Sales", "HR", "Projects", "Legal", "IT"};
	unsigned i;

	for (i = 0; i < 12; i++) {
		char title[64];
		snprintf(title, sizeof(title), "%s/%s", sites[i % 6], i < 6 ? "Documents" : "Archive");
		json_array_append_new(arr, json_pack("{s:s, s:i, s:b}", "Title", title, "BaseTemplate", 101,
						     "EnableVersioning", i != 4 && i != 9));
	}
	(void)d;
	return arr;
}

int ss_demo_write_snapshot(const char *dir, const struct ss_demo_opts *opts, struct ss_error *err)
{
	struct demo d;
	struct ss_buf path;
	static const char *const subdirs[] = {"graph", "exchange", "sharepoint", "teams", "purview", "dns"};
	json_t *ca_roles = json_array();
	const char *name = opts->name ? opts->name : "Contoso Demo";
	size_t i;
	int rc = 0;

	demo_start(&d, opts);
	ss_buf_init(&path, 8192);
	for (i = 0; i < SS_ARRAY_LEN(subdirs) && !rc; i++) {
		ss_buf_clear(&path);
		ss_buf_printf(&path, "%s/snapshot/%s", dir, subdirs[i]);
		rc = ss_mkdir_p(path.ptr, false, err);
	}
	for (i = 0; i < SS_ARRAY_LEN(roles); i++)
		json_array_append_new(ca_roles, json_string(roles[i].template_id));

#define W(name, doc, flags)                                                                                  \
	do {                                                                                                 \
		if (!rc)                                                                                     \
			rc = write_doc(dir, name, doc, flags, err);                                          \
		else                                                                                         \
			json_decref(doc);                                                                    \
	} while (0)
	W("manifest.json",
	  json_pack("{s:s, s:s, s:o, s:s, s:I, s:i}", "tenantId", d.tenant_id, "displayName", name,
		    "takenDateTime", jtime(opts->now), "source", "secscore demo", "seed",
		    (json_int_t)opts->seed, "users", (int)opts->users),
	  JSON_INDENT(2));
	W("graph/users.json", users_doc(&d), JSON_COMPACT);
	W("graph/userRegistrationDetails.json", registration_doc(&d), JSON_COMPACT);
	W("graph/directoryRoles.json", roles_doc(&d), JSON_INDENT(2));
	W("graph/subscribedSkus.json", skus_doc(&d), JSON_INDENT(2));
	W("graph/organization.json",
	  graph_list(json_pack("[{s:s, s:s, s:s, s:[{s:s, s:b}, {s:s, s:b}]}]", "id", d.tenant_id,
			       "displayName", name, "mobileDeviceManagementAuthority", "intune",
			       "verifiedDomains", "name", DOMAIN, "isDefault", 1, "name", INITIAL_DOMAIN,
			       "isDefault", 0)),
	  JSON_INDENT(2));
	W("graph/groups.json",
	  graph_list(json_pack("[{s:s, s:[{s:s}, {s:s}]}, {s:s, s:[]}, {s:s, s:[]}]", "displayName",
			       "Break Glass", "members", "userPrincipalName", d.users[0].upn,
			       "userPrincipalName", d.users[1].upn, "displayName", "Finance", "members",
			       "displayName", "Sales", "members")),
	  JSON_INDENT(2));
	W("graph/conditionalAccessPolicies.json",
	  graph_list(json_pack(
		  "[{s:s, s:s, s:{s:{s:[], s:[], s:O}, s:{s:[s]}, s:[s]}, s:{s:s, s:[s], s:n}},"
		  " {s:s, s:s, s:{s:{s:[s], s:[s]}, s:{s:[s]}, s:[s, s]}, s:{s:s, s:[s], s:n}},"
		  " {s:s, s:s, s:{s:{s:[s], s:[]}, s:{s:[s]}, s:[s], s:[s, s]}, s:{s:s, s:[s], s:n}}]",
		  "displayName", "Require MFA for admins", "state", "enabled", "conditions", "users",
		  "includeUsers", "excludeUsers", "includeRoles", ca_roles, "applications",
		  "includeApplications", "All", "clientAppTypes", "all", "grantControls", "operator", "OR",
		  "builtInControls", "mfa", "authenticationStrength", "displayName",
		  "Block legacy authentication", "state", "enabledForReportingButNotEnforced", "conditions",
		  "users", "includeUsers", "All", "excludeUsers", d.users[0].upn, "applications",
		  "includeApplications", "All", "clientAppTypes", "exchangeActiveSync", "other",
		  "grantControls", "operator", "OR", "builtInControls", "block", "authenticationStrength",
		  "displayName", "Sign-in risk policy", "state", "enabled", "conditions", "users",
		  "includeUsers", "All", "excludeUsers", "applications", "includeApplications", "All",
		  "clientAppTypes", "all", "signInRiskLevels", "high", "medium", "grantControls", "operator",
		  "OR", "builtInControls", "mfa", "authenticationStrength")),
	  JSON_INDENT(2));
	W("graph/authorizationPolicy.json",
	  json_pack("{s:s, s:s, s:s, s:s, s:{s:[s], s:b}}", "@odata.context",
		    "https://graph.microsoft.com/v1.0/$metadata#policies/authorizationPolicy/$entity", "id",
		    "authorizationPolicy", "allowInvitesFrom", "everyone", "guestUserRoleId",
		    "10dae51f-b6af-4016-8d66-8c2a99b929b3", "defaultUserRolePermissions",
		    "permissionGrantPoliciesAssigned",
		    "ManagePermissionGrantsForSelf.microsoft-user-default-low", "allowedToCreateApps", 0),
	  JSON_INDENT(2));
	W("graph/identitySecurityDefaultsEnforcementPolicy.json",
	  json_pack("{s:s, s:b}", "id", "00000000-0000-0000-0000-000000000005", "isEnabled", 0),
	  JSON_INDENT(2));
	W("graph/adminConsentRequestPolicy.json", json_pack("{s:b, s:[]}", "isEnabled", 0, "reviewers"),
	  JSON_INDENT(2));
	W("graph/domains.json",
	  graph_list(json_pack("[{s:s, s:b, s:s, s:i}, {s:s, s:b, s:s, s:i}]", "id", DOMAIN, "isVerified", 1,
			       "authenticationType", "Managed", "passwordValidityPeriodInDays", 2147483647,
			       "id", INITIAL_DOMAIN, "isVerified", 1, "authenticationType", "Managed",
			       "passwordValidityPeriodInDays", 90)),
	  JSON_INDENT(2));
	W("graph/deviceCompliancePolicies.json",
	  graph_list(json_pack("[{s:s, s:s, s:b, s:i, s:s, s:b, s:i, s:b, s:i, s:[{s:s}]},"
			       " {s:s, s:s, s:b, s:i, s:b, s:i, s:b, s:[]}]",
			       "@odata.type", "#microsoft.graph.windows10CompliancePolicy", "displayName",
			       "Windows baseline", "passwordRequired", 1, "passwordMinimumLength", 8,
			       "passwordRequiredType", "alphanumeric", "storageRequireEncryption", 1,
			       "passwordMinutesOfInactivityBeforeLock", 15, "passwordBlockSimple", 1,
			       "passwordPreviousPasswordBlockCount", 5, "scheduledActionsForRule", "ruleName",
			       "PasswordRequired", "@odata.type", "#microsoft.graph.iosCompliancePolicy",
			       "displayName", "iOS baseline", "passwordRequired", 1, "passwordMinimumLength",
			       6, "securityBlockJailbrokenDevices", 1, "passwordExpirationDays", 90,
			       "passwordBlockSimple", 1, "scheduledActionsForRule")),
	  JSON_INDENT(2));
	W("graph/deviceConfigurations.json",
	  graph_list(json_pack("[{s:s, s:s}]", "@odata.type",
			       "#microsoft.graph.windows10GeneralConfiguration", "displayName",
			       "Windows security baseline")),
	  JSON_INDENT(2));
	W("graph/roleEligibilitySchedules.json", graph_list(json_array()), JSON_INDENT(2));
	W("exchange/Get-Mailbox.json", mailboxes_doc(&d), JSON_INDENT(1));
	W("exchange/Get-AcceptedDomain.json",
	  json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "DomainName", DOMAIN, "DomainType", "Authoritative",
		    "Default", 1, "DomainName", INITIAL_DOMAIN, "DomainType", "Authoritative", "Default", 0),
	  JSON_INDENT(2));
	W("exchange/Get-AdminAuditLogConfig.json",
	  json_pack("{s:b, s:b, s:s}", "UnifiedAuditLogIngestionEnabled", 1, "AdminAuditLogEnabled", 1,
		    "AdminAuditLogAgeLimit", "90.00:00:00"),
	  JSON_INDENT(2));
	W("exchange/Get-OrganizationConfig.json",
	  json_pack("{s:s, s:b, s:b}", "Name", INITIAL_DOMAIN, "CustomerLockBoxEnabled", 0, "AuditDisabled",
		    0),
	  JSON_INDENT(2));
	W("exchange/Get-TransportRule.json",
	  json_pack("[{s:s, s:s, s:s, s:n}, {s:s, s:s, s:s, s:[s]}, {s:s, s:s, s:s, s:i, s:[s]}]", "Name",
		    "Disclaimer", "State", "Enabled", "Mode", "Enforce", "RedirectMessageTo", "Name",
		    "Copy finance mail to archive", "State", "Enabled", "Mode", "Enforce", "BlindCopyTo",
		    "archive@finance-partner.example", "Name", "Bypass spam for partner", "State", "Enabled",
		    "Mode", "Enforce", "SetSCL", -1, "SenderDomainIs", "partner.example"),
	  JSON_INDENT(2));
	W("exchange/Get-HostedOutboundSpamFilterPolicy.json",
	  json_pack("[{s:s, s:s, s:b, s:[]}]", "Name", "Default", "AutoForwardingMode", "Automatic",
		    "NotifyOutboundSpam", 0, "NotifyOutboundSpamRecipients"),
	  JSON_INDENT(2));
	W("exchange/Get-RemoteDomain.json",
	  json_pack("[{s:s, s:s, s:b}]", "Name", "Default", "DomainName", "*", "AutoForwardEnabled", 1),
	  JSON_INDENT(2));
	W("exchange/Get-TransportConfig.json", json_pack("{s:b}", "SmtpClientAuthenticationDisabled", 1),
	  JSON_INDENT(2));
	W("exchange/Get-SharingPolicy.json",
	  json_pack("[{s:s, s:b, s:[s, s]}]", "Name", "Default Sharing Policy", "Enabled", 1, "Domains",
		    "*:CalendarSharingFreeBusySimple", "Anonymous:CalendarSharingFreeBusyReduced"),
	  JSON_INDENT(2));
	W("sharepoint/Get-SPOTenant.json",
	  json_pack("{s:s, s:i, s:s}", "SharingCapability", "ExternalUserAndGuestSharing",
		    "RequireAnonymousLinksExpireInDays", 0, "DefaultSharingLinkType", "Internal"),
	  JSON_INDENT(2));
	W("exchange/Get-CASMailbox.json", cas_doc(&d), JSON_INDENT(1));
	W("exchange/Get-MailboxPermission.json",
	  json_pack("[{s:s, s:s, s:[s], s:b}, {s:s, s:s, s:[s], s:b}, {s:s, s:s, s:[s], s:b}]", "Identity",
		    "finance", "User", "NT AUTHORITY\\SELF", "AccessRights", "FullAccess", "IsInherited", 0,
		    "Identity", d.users[9].name, "User", d.users[10 % d.n].upn, "AccessRights", "FullAccess",
		    "IsInherited", 0, "Identity", "finance", "User", d.users[11 % d.n].upn, "AccessRights",
		    "FullAccess", "IsInherited", 0),
	  JSON_INDENT(2));
	W("exchange/Get-IRMConfiguration.json", json_pack("{s:b}", "AzureRMSLicensingEnabled", 1),
	  JSON_INDENT(2));
	W("exchange/Get-SafeLinksPolicy.json",
	  json_pack("[{s:s, s:b}]", "Name", "Built-In Protection Policy", "EnableSafeLinksForEmail",
		    opts->behind < 4), /* Safe Links and Attachments came four weeks ago */
	  JSON_INDENT(2));
	W("exchange/Get-SafeAttachmentPolicy.json",
	  json_pack("[{s:s, s:b, s:s}]", "Name", "Built-In Protection Policy", "Enable", opts->behind < 4,
		    "Action", "Block"),
	  JSON_INDENT(2));
	W("exchange/Get-AntiPhishPolicy.json",
	  json_pack("[{s:s, s:b, s:b, s:b, s:b}]", "Name", "Office365 AntiPhish Default", "Enabled", 1,
		    "EnableMailboxIntelligenceProtection", 1, "EnableTargetedUserProtection", 0,
		    "EnableOrganizationDomainsProtection", 0),
	  JSON_INDENT(2));
	W("exchange/Get-MalwareFilterPolicy.json",
	  json_pack("[{s:s, s:b}]", "Name", "Default", "EnableFileFilter", 1), JSON_INDENT(2));
	W("exchange/Get-DkimSigningConfig.json",
	  json_pack("[{s:s, s:b}, {s:s, s:b}]", "Domain", DOMAIN, "Enabled", 1, "Domain", INITIAL_DOMAIN,
		    "Enabled", 1),
	  JSON_INDENT(2));
	W("dns/records.json",
	  json_pack("[{s:s, s:[s], s:s}]", "domain", DOMAIN, "spf",
		    "v=spf1 include:spf.protection.outlook.com -all", "dmarc",
		    "v=DMARC1; p=none; rua=mailto:dmarc@" DOMAIN),
	  JSON_INDENT(2));
	W("teams/Get-CsTenantFederationConfiguration.json",
	  json_pack("{s:b, s:s, s:b, s:b}", "AllowFederatedUsers", 1, "AllowedDomains",
		    "AllowAllKnownDomains", "AllowTeamsConsumer", 1, "AllowPublicUsers", 0),
	  JSON_INDENT(2));
	W("teams/Get-CsTeamsMeetingPolicy.json",
	  json_pack("[{s:s, s:b}, {s:s, s:b}]", "Identity", "Global", "AllowAnonymousUsersToJoinMeeting", 1,
		    "Identity", "Tag:RestrictedAnonymousAccess", "AllowAnonymousUsersToJoinMeeting", 0),
	  JSON_INDENT(2));
	W("purview/Get-DlpCompliancePolicy.json",
	  json_pack("[{s:s, s:s}, {s:s, s:s}]", "Name", "U.S. Financial Data", "Mode",
		    opts->behind < 2 ? "Enable" : "TestWithNotifications", /* enforced two weeks ago */
		    "Name", "PII pilot", "Mode", "TestWithNotifications"),
	  JSON_INDENT(2));
	W("purview/Get-Label.json",
	  json_pack("[{s:s, s:b}, {s:s, s:b}]", "Name", "Confidential", "Disabled", 0, "Name", "Public",
		    "Disabled", 0),
	  JSON_INDENT(2));
	W("purview/Get-UnifiedAuditLogRetentionPolicy.json", json_array(), JSON_INDENT(2));
	W("sharepoint/Get-PnPList.json", libraries_doc(&d), JSON_INDENT(1));
#undef W
	json_decref(ca_roles);
	free(d.users);
	ss_buf_release(&path);
	return rc;
}
