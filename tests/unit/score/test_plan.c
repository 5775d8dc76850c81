/* test_plan.c - next-action ranking and the exact target planner, checked against brute force. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/plan.h"

static const char *const impacts[] = {"Low", "Moderate", "High"};

static json_t *control(const char *name, double score, double max, int impact, const char *state,
		       const char *status, int rank)
{
	return json_pack("{s:s, s:s, s:s, s:f, s:f, s:s, s:s, s:s, s:i, s:s}", "controlName", name, "title",
			 name, "service", "AzureAD", "score", score, "maxScore", max, "userImpact",
			 impacts[impact - 1], "state", state, "status", status, "rank", rank,
			 "implementationStatus", "");
}

static json_t *score_doc(json_t *controls)
{
	double cur = 0, max = 0;
	json_t *c;
	size_t i;

	json_array_foreach (controls, i, c) {
		cur += json_number_value(json_object_get(c, "score"));
		max += json_number_value(json_object_get(c, "maxScore"));
	}
	return json_pack("{s:f, s:f, s:o}", "currentScore", cur, "maxScore", max, "controlScores", controls);
}

static void test_next_actions_ranked_by_gain_per_impact(void **state)
{
	json_t *cs = json_array(), *doc;
	struct ss_action *a = NULL;
	size_t n;

	(void)state;
	json_array_append_new(cs, control("Big", 0, 30, 3, "to_address", "failed", 5));	  /* 10 per impact */
	json_array_append_new(cs, control("Small", 0, 12, 1, "to_address", "failed", 9)); /* 12 per impact */
	json_array_append_new(cs,
			      control("Done", 10, 10, 1, "to_address", "passed", 1)); /* nothing to gain */
	json_array_append_new(
		cs, control("Risk", 0, 50, 1, "risk_accepted", "failed", 1)); /* decided: not an action */
	json_array_append_new(cs, control("NoData", 0, 0, 1, "to_address", "notScored", 1));
	json_array_append_new(cs, control("Partial", 5, 10, 1, "planned", "partial", 2)); /* 5 per impact */
	doc = score_doc(cs);
	n = ss_next_actions(doc, &a);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].control, "Small");
	assert_string_equal(a[1].control, "Big");
	assert_string_equal(a[2].control, "Partial");
	assert_true(a[2].gain == 5.0);
	free(a);
	json_decref(doc);
}

/* Smallest total impact reaching need, by enumeration; ties broken by the most gain. */
static void brute(const double *gain, const int *impact, int n, double need, int *best_w, double *best_g)
{
	unsigned mask;

	*best_w = -1;
	*best_g = 0;
	for (mask = 0; mask < (1u << n); mask++) {
		double g = 0;
		int w = 0, i;
		for (i = 0; i < n; i++) {
			if (mask & (1u << i)) {
				g += gain[i];
				w += impact[i];
			}
		}
		if (g + 1e-9 < need)
			continue;
		if (*best_w < 0 || w < *best_w || (w == *best_w && g > *best_g)) {
			*best_w = w;
			*best_g = g;
		}
	}
}

static void test_plan_matches_brute_force(void **state)
{
	uint64_t seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 300; round++) {
		json_t *cs = json_array(), *doc;
		double gain[12], need, target;
		int impact[12], n, i, bw;
		double bg;
		struct ss_plan plan;
		char name[16];

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		n = 1 + (int)((seed >> 33) % 12);
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			gain[i] = (double)(1 + (seed >> 40) % 30);
			impact[i] = 1 + (int)((seed >> 20) % 3);
			snprintf(name, sizeof(name), "C%d", i);
			json_array_append_new(
				cs, control(name, 0, gain[i], impact[i], "to_address", "failed", i + 1));
		}
		/* A fixed control already passing gives the tenant a non-zero current score. */
		json_array_append_new(cs, control("Passing", 20, 20, 1, "to_address", "passed", 99));
		doc = score_doc(cs);
		target = (double)(round % 101);
		assert_int_equal(ss_plan_target(doc, target, &plan, NULL), 0);
		need = json_number_value(json_object_get(doc, "maxScore")) * target / 100.0 - 20;
		brute(gain, impact, n, need, &bw, &bg);
		if (need <= 0) {
			assert_true(plan.reachable);
			assert_int_equal(plan.n, 0);
		} else if (bw < 0) {
			assert_false(plan.reachable);
		} else {
			assert_true(plan.reachable);
			assert_int_equal(plan.impact, bw);
			assert_true(plan.reached + 1e-9 >=
				    json_number_value(json_object_get(doc, "maxScore")) * target / 100.0);
			assert_true(plan.reached - 20 == bg);
		}
		ss_plan_release(&plan);
		json_decref(doc);
	}
}

static void test_plan_rejects_bad_target(void **state)
{
	json_t *doc = score_doc(json_array());
	struct ss_plan plan;

	(void)state;
	assert_int_equal(ss_plan_target(doc, 101, &plan, NULL), SS_EUSAGE);
	assert_int_equal(ss_plan_target(doc, -1, &plan, NULL), SS_EUSAGE);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_actions_ranked_by_gain_per_impact),
		cmocka_unit_test(test_plan_matches_brute_force),
		cmocka_unit_test(test_plan_rejects_bad_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
