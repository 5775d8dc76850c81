/* plan.h - next actions and the target planner, over a Graph-shaped score document. */
#ifndef SS_PLAN_H
#define SS_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* A failing control an admin can act on. Strings are borrowed from the score document. */
struct ss_action {
	const char *control; /* controlName */
	const char *title;   /* title */
	const char *service; /* service */
	const char *impl;    /* implementationStatus */
	double gain;	     /* points the fix would add */
	int impact;	     /* userImpact: 1 Low, 2 Moderate, 3 High */
	int rank;	     /* Microsoft's stack rank (tie-break) */
};

/*
 * Lists the failing controls of score (state to_address or planned, scored,
 * points below their maximum), ranked by points gained per unit of user
 * impact, ties by rank. *out is owned by the caller (free()); its strings
 * are borrowed from score. Returns the count.
 */
size_t ss_next_actions(json_t *score, struct ss_action **out);

struct ss_plan {
	struct ss_action *actions; /* chosen actions in next-action order, owned (free()) */
	size_t n;
	double target;	/* points needed in total (target% of maxScore) */
	double reached; /* currentScore + gains of the chosen actions */
	int impact;	/* total user impact of the chosen set */
	bool reachable; /* false when even every action falls short */
};

/*
 * Chooses the set of next actions that reaches target_pct percent of the
 * maximum with the least total user impact (a 0/1 knapsack over impact
 * weights, solved exactly; among equal impact, the most points). When the
 * target is unreachable, plan->reachable is false and the plan holds every
 * action. target_pct outside 0..100 is SS_EUSAGE.
 */
int ss_plan_target(json_t *score, double target_pct, struct ss_plan *plan, struct ss_error *err);
void ss_plan_release(struct ss_plan *plan);

#endif
