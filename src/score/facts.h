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
	char *upn;		/* lower-cased userPrincipalName, owned */
	bool enabled;		/* accountEnabled */
	bool guest;		/* userType Guest */
	bool licensed;		/* has assignedLicenses */
	bool has_reg;		/* found in userRegistrationDetails */
	bool mfa;		/* isMfaRegistered */
	uint32_t methods;	/* SS_METHOD_* bits registered */
	ss_time_ms last_signin; /* signInActivity.lastSignInDateTime, 0 = never / unknown */
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
	bool have_users;	 /* graph/users.json present */
	bool have_reg;		 /* graph/userRegistrationDetails.json present */
	bool have_roles;	 /* graph/directoryRoles.json present */
	struct ss_role *roles;	 /* owned */
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

/* Builds the facts from the snapshot (missing files leave the have_* flags false). */
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
