/* engine.h - scoring a snapshot against the catalog, with the admin's control states. */
#ifndef SS_ENGINE_H
#define SS_ENGINE_H

/*
 * ss_score_run measures every non-deprecated control of the catalog against
 * a snapshot and applies the admin's control states:
 *
 *   measured status  passed / partial / failed: points from the measure,
 *                    floor(max * compliant / total) for per-entity controls,
 *                    all-or-nothing for the rest;
 *                    notScored: input missing, out of the maximum, with the
 *                    exact reason; notApplicable: the tenant lacks the
 *                    service, out of the maximum.
 *   state            to_address, planned: measured points;
 *                    third_party, alternate_mitigation: full points, marked;
 *                    risk_accepted: 0 points, stays in the maximum;
 *                    ignored: out of the maximum.
 *   exceptions       entities named by a state's excludes (user:UPN,
 *                    group:NAME, domain:NAME) leave count and total; a state
 *                    past its expiry stops applying and is reported expired.
 *
 * The scorecard owns its results; it borrows the catalog, snapshot and
 * states, which must outlive it.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/strv.h"
#include "base/time.h"
#include "catalog/catalog.h"
#include "score/facts.h"
#include "snapshot/snapshot.h"

/* An admin's decision on one control: the latest row of its history. */
struct ss_state {
	char *control; /* control id, owned */
	char *state;   /* to_address, planned, risk_accepted, third_party, alternate_mitigation, ignored */
	char *reason;  /* why, owned */
	char *by;      /* who, owned */
	char *assigned_to;	 /* who is to act on it, owned; NULL when nobody is named */
	ss_time_ms at;		 /* when it was set */
	ss_time_ms expires;	 /* 0 = never */
	struct ss_strv excludes; /* "user:UPN", "group:NAME", "domain:NAME" */
};

void ss_state_release(struct ss_state *st);
/* True when name is one of the six states. */
bool ss_state_valid(const char *name);

enum ss_status {
	SS_STATUS_PASSED,
	SS_STATUS_PARTIAL,
	SS_STATUS_FAILED,
	SS_STATUS_NOT_SCORED,
	SS_STATUS_NOT_APPLICABLE,
};

const char *ss_status_name(enum ss_status s);

struct ss_result {
	const struct ss_control *control; /* borrowed from the catalog */
	enum ss_status status;		  /* what measurement found */
	bool per_entity;		  /* count/total are entities (else 1/1 or 0/1) */
	long count;			  /* compliant entities */
	long total;			  /* entities in scope after exclusions */
	double measured;		  /* points the measure gave */
	double points;			  /* points after the state */
	double max;			  /* contribution to the maximum (0 when out of it) */
	const char *state;		  /* effective state (static string) */
	const struct ss_state *st;	  /* the state row applied, or NULL; borrowed */
	bool state_expired;		  /* a state existed but its expiry has passed */
	char *impl;			  /* implementationStatus text, owned */
	char *reason;			  /* notScored / notApplicable reason, owned or NULL */
	struct ss_strv offenders;	  /* entities failing the control */
	struct ss_strv excluded;	  /* entities left out by exceptions */
};

/* One finding as the review controls see it. */
struct ss_evidence_finding {
	char *rule;	       /* the rule that found it, owned */
	char *user;	       /* the user it is about, owned or NULL */
	ss_time_ms first;      /* first event */
	ss_time_ms last;       /* last event */
	bool handled;	       /* acknowledged, resolved or marked false positive */
	ss_time_ms handled_at; /* when, 0 when not */
	char *handled_by;      /* by whom, owned or NULL */
};

/*
 * What the audit log says, for the review and usage controls (loaded from the
 * store by the caller; NULL when there is none): how far the coverage
 * reaches, the findings, when the audit log was last analysed, and the
 * volume of each operation in the last 30 days.
 */
struct ss_evidence {
	ss_time_ms coverage_first;	      /* first day with records, 0 when none */
	ss_time_ms coverage_last;	      /* end of the last day with records */
	ss_time_ms last_run;		      /* the last ingest, 0 when none */
	struct ss_evidence_finding *findings; /* owned */
	size_t n_findings;
	struct ss_strv ops; /* "workload\037operation" seen in the last 30 days */
};

void ss_evidence_init(struct ss_evidence *ev);
void ss_evidence_release(struct ss_evidence *ev);

struct ss_scorecard {
	const struct ss_evidence *ev;	/* audit evidence, or NULL; borrowed */
	const struct ss_catalog *cat;	/* borrowed */
	const struct ss_snapshot *snap; /* borrowed */
	struct ss_facts facts;		/* derived tenant facts, owned */
	struct ss_result *results;	/* one per scored (non-deprecated) control, catalog order */
	size_t n;
	double current; /* points achieved */
	double max;	/* points available to this tenant */
	ss_time_ms now; /* when the scoring ran */
};

/*
 * Scores snap against cat with states (may be NULL / 0). now decides state
 * expiry and the age of sign-ins. Errors are about the catalog (a bad
 * parameter in a control): the snapshot's own gaps never fail the run, they
 * make controls Not scored.
 */
int ss_score_run(struct ss_scorecard *sc, const struct ss_catalog *cat, const struct ss_snapshot *snap,
		 const struct ss_state *states, size_t n_states, ss_time_ms now, struct ss_error *err);
/* The same with audit evidence for the review and usage controls (ev may be NULL). */
int ss_score_run_ev(struct ss_scorecard *sc, const struct ss_catalog *cat, const struct ss_snapshot *snap,
		    const struct ss_state *states, size_t n_states, const struct ss_evidence *ev,
		    ss_time_ms now, struct ss_error *err);
void ss_scorecard_release(struct ss_scorecard *sc);

/*
 * Checks that every control names a known measure and that its parameters
 * compile, so a broken catalog entry fails at start naming file and field.
 */
int ss_score_check_catalog(const struct ss_catalog *cat, struct ss_error *err);

#endif
