/* measures.h - the measure kinds: one C function each, chosen by name from the catalog. */
#ifndef SS_MEASURES_H
#define SS_MEASURES_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/strv.h"
#include "score/engine.h"

/* Entities an active exception leaves out of a control: users (lower-case UPNs) and domains. */
struct ss_exclusion {
	struct ss_strv users;	/* lower-case UPNs, groups expanded */
	struct ss_strv domains; /* lower-case domain names */
};

/* True when the user / address (UPN or e-mail) is excluded (NULL ex: never). */
bool ss_exclusion_match(const struct ss_exclusion *ex, const char *addr, size_t len);

/* Everything a measure needs for one control. */
struct ss_mctx {
	const struct ss_scorecard *sc; /* facts, snapshot, time */
	const struct ss_control *c;    /* the control measured */
	struct ss_result *r;	       /* where the measure writes */
	const struct ss_exclusion *ex; /* active exclusions, or NULL */
	struct ss_buf scratch;	       /* for unescaping strings */
	struct ss_error *err;	       /* catalog errors */
};

struct ss_measure {
	const char *name;	       /* as written in the catalog's "measure" */
	int (*run)(struct ss_mctx *m); /* fills m->r; 0 or a catalog error */
	bool any_input;		       /* true: one of the inputs suffices (the measure checks) */
};

/* The measure named name, or NULL. */
const struct ss_measure *ss_measure_find(const char *name);

/*
 * A check value of the control: check[key] with "$name" resolved against the
 * parameters. Borrowed from the catalog; NULL when absent or unresolvable.
 */
json_t *ss_measure_check(const struct ss_control *c, const char *key);

#endif
