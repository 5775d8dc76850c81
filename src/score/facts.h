/* facts.h - what the measures share about a tenant: services, users, roles, domains. */
#ifndef SS_FACTS_H
#define SS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strv.h"
#include "base/time.h"
#include "catalog/catalog.h"
#include "snapshot/snapshot.h"

struct ss_user {
	char *upn;		 /* lower-cased userPrincipalName, owned */
	bool enabled;		 /* accountEnabled */
	bool guest;		 /* userType Guest */
	bool licensed;		 /* has assignedLicenses */
	bool has_reg;		 /* found in userRegistrationDetails */
	bool mfa;		 /* isMfaRegistered */
	uint32_t methods;	 /* SS_METHOD_* bits registered */
	ss_time_ms last_signin;	 /* signInActivity.lastSignInDateTime, 0 = never / unknown */
	int8_t peruser_mfa;	 /* per-user MFA (Msol StrongAuthenticationRequirements): SS_PERUSER_MFA_* */
	int8_t pw_never_expires; /* -1 unknown, 0 no, 1 yes (passwordPolicies / Msol PasswordNeverExpires) */
	ss_time_ms
		last_pw_change; /* lastPasswordChangeDateTime / Msol LastPasswordChangeTimestamp, 0 = unknown */
};

/* The legacy per-user MFA state (Get-MsolUser's StrongAuthenticationRequirements[].State). */
enum {
	SS_PERUSER_MFA_UNKNOWN = 0, /* no Msol export, or a cell holding only the collection's type name */
	SS_PERUSER_MFA_DISABLED,
	SS_PERUSER_MFA_ENABLED,	 /* required; the user registers at the next sign-in */
	SS_PERUSER_MFA_ENFORCED, /* required and registered */
};

/* Authentication methods, as bits of ss_user.methods. */
enum {
	SS_METHOD_FIDO2 = 1u << 0,
	SS_METHOD_WHFB = 1u << 1,
	SS_METHOD_CERT = 1u << 2,
	SS_METHOD_OTHER = 1u << 3,
};

struct ss_role {
	char *name;	   /* displayName, owned */
	char *template_id; /* roleTemplateId (lower case), owned */
	uint32_t *members; /* indexes into facts.users, owned */
	size_t n_members;
	struct ss_strv unknown; /* members not found among users (service principals, stale) */
};

struct ss_facts {
	struct ss_user *users; /* owned */
	size_t n_users;
	struct ss_strmap by_upn; /* lower-case upn -> index */
	bool have_users;	 /* graph/users.json present, or msol/Get-MsolUser.csv without it */
	bool have_reg;	    /* graph/userRegistrationDetails.json present, or MFA states in the Msol export */
	bool have_msol;	    /* msol/Get-MsolUser.csv present */
	bool reg_from_msol; /* have_reg from the Msol export (it lists no phishing-resistant methods) */
	bool have_roles;    /* graph/directoryRoles.json present */
	struct ss_role *roles; /* owned */
	size_t n_roles;
	struct ss_strv services; /* enabledServices present (HasExchange, ...) */
	bool services_known;	 /* graph/subscribedSkus.json present */
	struct ss_strv domains;	 /* accepted domains, lower case */
	long licensed_users;
	long active_users;
	struct ss_strv warnings; /* "FILE:LINE:COL: field 'F': problem" for values of the wrong type */
	long n_warnings;	 /* warnings found (the list keeps the first SS_FACTS_MAX_WARNINGS) */
};

#define SS_FACTS_MAX_WARNINGS 100

#define SS_GLOBAL_ADMIN_TEMPLATE "62e90394-69f5-4237-9190-012177145e10"

/*
 * Builds the facts from the snapshot (missing files leave the have_* flags
 * false). Users come from graph/users.json; without it, from the legacy
 * msol/Get-MsolUser.csv (no sign-in times there). When both are present
 * Graph wins: its users are the tenant's users, and the Msol rows only add
 * what Graph lacks (per-user MFA state, PasswordNeverExpires and the last
 * password change where Graph's fields are absent). MFA registration comes
 * from graph/userRegistrationDetails.json, else from the Msol export:
 * registered methods, or a per-user requirement Enabled / Enforced.
 */
void ss_facts_build(struct ss_facts *f, const struct ss_snapshot *snap, const struct ss_catalog *cat);
void ss_facts_release(struct ss_facts *f);

/* True when the tenant has the service (always true when services are unknown). */
bool ss_facts_has_service(const struct ss_facts *f, const char *service);

/*
 * Classifies an e-mail address against the accepted domains: 1 internal
 * (the domain or a subdomain of one), 0 external, -1 unknown (no domain:
 * an unresolvable recipient). "smtp:" prefixes are stripped.
 */
int ss_facts_address_internal(const struct ss_facts *f, const char *addr, size_t len);

#endif
