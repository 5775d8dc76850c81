/* plan.c - ranking next actions and solving the target plan as an exact knapsack. */
#include "score/plan.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define EPS 1e-9

static int impact_of(const char *s)
{
	if (s && strcmp(s, "High") == 0)
		return 3;
	if (s && strcmp(s, "Moderate") == 0)
		return 2;
	return 1;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int cmp_actions(const void *a, const void *b)
{
	const struct ss_action *x = a, *y = b;
	double rx = x->gain / x->impact, ry = y->gain / y->impact;

	if (rx > ry + EPS)
		return -1;
	if (ry > rx + EPS)
		return 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->control, y->control);
}

size_t ss_next_actions(json_t *score, struct ss_action **out)
{
	json_t *scores = json_object_get(score, "controlScores"), *cs;
	size_t i, n = 0;

	*out = ss_xcalloc(json_array_size(scores) + 1, sizeof(**out));
	json_array_foreach (scores, i, cs) {
		const char *state = str(cs, "state"), *status = str(cs, "status");
		double max = json_number_value(json_object_get(cs, "maxScore"));
		double pts = json_number_value(json_object_get(cs, "score"));
		struct ss_action *a;
		if (strcmp(state, "to_address") != 0 && strcmp(state, "planned") != 0)
			continue;
		if (strcmp(status, "notScored") == 0 || strcmp(status, "notApplicable") == 0)
			continue;
		if (max - pts <= EPS)
			continue;
		a = &(*out)[n++];
		a->control = str(cs, "controlName");
		a->title = str(cs, "title");
		a->service = str(cs, "service");
		a->impl = str(cs, "implementationStatus");
		a->gain = max - pts;
		a->impact = impact_of(str(cs, "userImpact"));
		a->rank = (int)json_integer_value(json_object_get(cs, "rank"));
	}
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_actions);
	return n;
}

int ss_plan_target(json_t *score, double target_pct, struct ss_plan *plan, struct ss_error *err)
{
	struct ss_action *acts = NULL;
	double current = json_number_value(json_object_get(score, "currentScore"));
	double max = json_number_value(json_object_get(score, "maxScore"));
	double need, *best = NULL;
	unsigned char *keep = NULL;
	size_t n, i, w, wmax = 0, chosen_w;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	if (!(target_pct >= 0 && target_pct <= 100))
		return ss_error_set(err, SS_EUSAGE, "the target must be a percentage between 0 and 100");
	n = ss_next_actions(score, &acts);
	plan->target = max * target_pct / 100.0;
	need = plan->target - current;
	plan->reached = current;
	if (need <= EPS) {
		plan->reachable = true;
		plan->actions = acts;
		plan->n = 0;
		return 0;
	}
	for (i = 0; i < n; i++)
		wmax += (size_t)acts[i].impact;
	/* best[w]: most points reachable with total impact <= w; keep[i][w]: item i taken there. */
	best = ss_xcalloc(wmax + 1, sizeof(double));
	keep = ss_xcalloc(ss_mul_sz(n + 1, wmax + 1), 1);
	for (i = 0; i < n; i++) {
		size_t wi = (size_t)acts[i].impact;
		for (w = wmax; w >= wi; w--) {
			double cand = best[w - wi] + acts[i].gain;
			if (cand > best[w] + EPS) {
				best[w] = cand;
				keep[i * (wmax + 1) + w] = 1;
			}
			if (w == wi)
				break;
		}
	}
	for (chosen_w = 0; chosen_w <= wmax; chosen_w++)
		if (best[chosen_w] + EPS >= need)
			break;
	if (chosen_w > wmax) {
		/* Unreachable: every action, and say so. */
		plan->reachable = false;
		for (i = 0; i < n; i++) {
			plan->reached += acts[i].gain;
			plan->impact += acts[i].impact;
		}
		plan->actions = acts;
		plan->n = n;
		goto out;
	}
	plan->reachable = true;
	{
		unsigned char *take = ss_xcalloc(n + 1, 1);
		size_t k, m = 0;
		w = chosen_w;
		for (k = n; k-- > 0;) {
			if (keep[k * (wmax + 1) + w]) {
				take[k] = 1;
				w -= (size_t)acts[k].impact;
			}
		}
		for (k = 0; k < n; k++) {
			if (!take[k])
				continue;
			acts[m++] = acts[k];
			plan->reached += acts[k].gain;
			plan->impact += acts[k].impact;
		}
		free(take);
		plan->actions = acts;
		plan->n = m;
	}
out:
	free(best);
	free(keep);
	return rc;
}

void ss_plan_release(struct ss_plan *plan)
{
	free(plan->actions);
	memset(plan, 0, sizeof(*plan));
}
