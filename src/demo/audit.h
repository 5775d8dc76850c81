/* audit.h - a fast, deterministic generator of unified audit log records for the demo tenant. */
#ifndef SS_DEMO_AUDIT_H
#define SS_DEMO_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/time.h"

struct ss_demo_audit_opts {
	uint64_t seed;		      /* the demo tenant's seed (same as ss_demo_opts.seed) */
	unsigned users;		      /* the demo tenant's user count (at least 10) */
	unsigned days;		      /* whole UTC days covered, ending the day before now (1..400) */
	unsigned events_per_user_day; /* average records per user and day (1..10000) */
	ss_time_ms now;		      /* the moment of generation; every date derives from it */
	bool stories;		      /* plant the attack stories listed by ss_demo_audit_stories */
};

/* One planted attack story, for the command to print and the tests to look for. */
struct ss_demo_story {
	unsigned number;   /* 1..8, as in the list at the top of audit.c */
	const char *title; /* static, e.g. "password spray" */
	ss_time_ms start;  /* time of its first record */
	ss_time_ms end;	   /* time of its last record */
	char user[128];	   /* the account the story is about (the spray: its first target) */
	char ip[48];	   /* the source IP of the attacker's records */
	char detail[160];  /* one line of what the records show */
};

#define SS_DEMO_STORIES 8

/* What ss_demo_audit_generate wrote. */
struct ss_demo_audit_result {
	unsigned files;				       /* day files written */
	uint64_t records;			       /* lines written, duplicates included */
	uint64_t duplicates;			       /* lines that repeat an earlier record */
	uint64_t bytes;				       /* bytes written */
	unsigned nstories;			       /* stories planted (0 when opts->stories is false) */
	struct ss_demo_story stories[SS_DEMO_STORIES]; /* the first nstories are set */
};

/*
 * Writes dir/audit/ (created when missing): one newline-delimited JSON file
 * per UTC day, audit-YYYY-MM-DD.json, for the o->days days before the day of
 * o->now. Records have the field order and quirks of the Management Activity
 * API (the list is at the top of audit.c): sign-ins, SharePoint and OneDrive file
 * operations, mailbox access, Exchange admin cmdlets, Teams and Entra
 * directory events, about 0.5% exact duplicates (some in the next day's
 * file), inactive and disabled accounts without a successful sign-in, and the
 * attack stories when o->stories is set. Deterministic: the same options give
 * byte-identical files. Each file is written to a temporary name and renamed
 * into place (not fsynced: the content is regenerable); day files of an older
 * run that fall outside the window are removed. Returns 0, SS_EINVAL for
 * options out of range, or SS_EIO with err naming the file.
 * Thread-safe (no shared state); res may be NULL.
 */
int ss_demo_audit_generate(const char *dir, const struct ss_demo_audit_opts *o,
			   struct ss_demo_audit_result *res, struct ss_error *err);

/* ss_demo_audit_generate without the result. */
int ss_demo_write_audit(const char *dir, const struct ss_demo_audit_opts *o, struct ss_error *err);

/* One network of the demo's address plan and the country it stands for. */
struct ss_demo_net {
	unsigned char addr[16]; /* IPv6 bytes; IPv4 networks as ::a.b.c.d (the first 12 bytes zero) */
	unsigned prefix;	/* prefix length over the 128 bits */
	char cc[3];		/* ISO 3166 alpha-2 */
};

/*
 * The networks the generator places users in (home ISP ranges, home IPv6
 * prefixes, the far-away attacker), with their countries: what the demo's
 * own country database holds. Writes at most max entries; returns how many
 * there are.
 */
size_t ss_demo_audit_networks(struct ss_demo_net *out, size_t max);

/*
 * Fills out[0..SS_DEMO_STORIES) with the stories ss_demo_audit_generate
 * plants for o (regardless of o->stories) and returns their number; writes
 * nothing to disk. Builds the tenant's user list, so it costs about as much
 * as ss_demo_tenant_init.
 */
unsigned ss_demo_audit_stories(const struct ss_demo_audit_opts *o, struct ss_demo_story out[SS_DEMO_STORIES]);

#endif
