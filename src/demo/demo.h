/* demo.h - a realistic demo tenant, written in the snapshot layout of docs/snapshot.md. */
#ifndef SS_DEMO_H
#define SS_DEMO_H

#include <stdint.h>

#include "base/error.h"
#include "base/time.h"

struct ss_demo_opts {
	uint64_t seed;	/* random seed: the same seed gives the same tenant */
	unsigned users; /* number of users (at least 10) */
	ss_time_ms now; /* the moment the snapshot is taken; every date derives from it */
};

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
