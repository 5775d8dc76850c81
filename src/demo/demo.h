/* demo.h - a realistic demo tenant, written in the snapshot layout of docs/snapshot.md. */
#ifndef SS_DEMO_H
#define SS_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/time.h"

struct ss_demo_opts {
	uint64_t seed;	  /* random seed: the same seed gives the same tenant */
	unsigned users;	  /* number of users (at least 10) */
	ss_time_ms now;	  /* the moment the snapshot is taken; every date derives from it */
	const char *name; /* the tenant's display name; NULL: "Contoso Demo" */
	unsigned behind;  /* weeks behind today's posture (0: today's), as the roll-outs went:
			     12% fewer members registered for MFA a week, Safe Links and Safe
			     Attachments off 4 weeks back and more, the DLP policy in test mode
			     2 weeks back and more */
};

/* One user of the demo tenant, as the snapshot describes them. */
struct ss_demo_user {
	char upn[128];		/* userPrincipalName */
	char name[96];		/* displayName */
	bool guest;		/* userType Guest (UPN with #EXT#) */
	bool enabled;		/* accountEnabled */
	bool licensed;		/* has an E3 or E5 licence (every member) */
	bool e5;		/* E5 rather than E3 */
	bool mfa;		/* registered for MFA */
	bool admin;		/* holds a privileged role (the first users of the tenant) */
	bool phish_resistant;	/* FIDO2 registered (the break-glass accounts) */
	bool inactive;		/* enabled member idle for more than 90 days, or never signed in */
	ss_time_ms last_signin; /* 0: never */
	ss_time_ms created;	/* createdDateTime */
	ss_time_ms pwd_changed; /* lastPasswordChangeDateTime */
};

/* The demo tenant's identity and users, shared by the snapshot and the audit log generators. */
struct ss_demo_tenant {
	char tenant_id[40];	    /* organization id (a GUID) */
	struct ss_demo_user *users; /* owned, n entries; the admins come first */
	unsigned n;		    /* number of users (opts->users) */
};

/*
 * Computes the tenant the snapshot for opts describes: the same seed and user
 * count give the same tenant id and users (opts->now only moves the dates).
 * The caller owns t and releases it with ss_demo_tenant_release. Aborts on
 * out-of-memory only. Thread-safe (no shared state).
 */
void ss_demo_tenant_init(struct ss_demo_tenant *t, const struct ss_demo_opts *opts);
void ss_demo_tenant_release(struct ss_demo_tenant *t);

/*
 * Writes dir/snapshot/ (manifest.json, graph/, exchange/, sharepoint/) for
 * the demo tenant "Contoso Demo". Deterministic: the same options give
 * byte-identical files. The tenant has realistic gaps for the score to find
 * (admins without MFA, too many global admins, inactive accounts, mailboxes
 * with auditing off, forwarding outside, a report-only legacy-auth policy).
 * Files are written atomically. Returns 0 or SS_EIO with err naming the file.
 */
int ss_demo_write_snapshot(const char *dir, const struct ss_demo_opts *opts, struct ss_error *err);

#endif
