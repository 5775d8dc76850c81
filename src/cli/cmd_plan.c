/* cmd_plan.c - `secscore plan --target P`: the least-impact set of actions reaching P percent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "output/summary.h"
#include "score/plan.h"

static const char usage[] =
	"usage: secscore plan --target PERCENT [--json] [--tenant T] [--db FILE]\n"
	"\n"
	"From the tenant's latest score, picks the set of next actions that reaches PERCENT of\n"
	"the maximum with the least total user impact (Low 1, Moderate 2, High 3), solved\n"
	"exactly. Exits 1 when even every action together falls short.\n";

int cmd_plan(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {
		SS_COMMON_OPTIONS, {"target", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
	struct ss_error err;
	struct ss_store st;
	struct ss_plan plan;
	json_t *score = NULL;
	double target = -1;
	int64_t tenant;
	char *tid = NULL, *end;
	int c, rc;
	size_t i;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		if (c == 't') {
			target = strtod(optarg, &end);
			if (end == optarg || (*end && *end != '%') || !isfinite(target))
				return ss_cli_usage_error(usage, "--target needs a percentage, e.g. 80");
		}
	}
	if (optind != argc)
		return ss_cli_usage_error(usage, "plan takes no arguments");
	if (target < 0 || target > 100)
		return ss_cli_usage_error(usage, "--target PERCENT (0 to 100) is required");
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc)
		rc = ss_store_load_score(&st, tenant, NULL, &score, &err);
	ss_store_close(&st);
	free(tid);
	if (!rc)
		rc = ss_plan_target(score, target, &plan, &err);
	if (rc) {
		json_decref(score);
		return ss_cli_fail(&err);
	}
	if (cli->json) {
		json_t *o = json_object(), *acts = json_array();
		for (i = 0; i < plan.n; i++)
			json_array_append_new(acts, json_pack("{s:s, s:s, s:s, s:f, s:s}", "controlName",
							      plan.actions[i].control, "title",
							      plan.actions[i].title, "service",
							      plan.actions[i].service, "scoreGain",
							      plan.actions[i].gain, "userImpact",
							      plan.actions[i].impact == 3   ? "High"
							      : plan.actions[i].impact == 2 ? "Moderate"
											    : "Low"));
		json_object_set_new(o, "scoreId", json_incref(json_object_get(score, "id")));
		json_object_set_new(o, "targetPercentage", json_real(target));
		json_object_set_new(o, "targetScore", json_real(plan.target));
		json_object_set_new(o, "currentScore", json_incref(json_object_get(score, "currentScore")));
		json_object_set_new(o, "maxScore", json_incref(json_object_get(score, "maxScore")));
		json_object_set_new(o, "reachable", json_boolean(plan.reachable));
		json_object_set_new(o, "reachedScore", json_real(plan.reached));
		json_object_set_new(o, "totalUserImpact", json_integer(plan.impact));
		json_object_set_new(o, "actions", acts);
		ss_cli_print_json(o);
	} else {
		ss_print_plan(stdout, score, &plan, target);
	}
	rc = plan.reachable ? SS_EXIT_OK : SS_EXIT_ERROR;
	ss_plan_release(&plan);
	json_decref(score);
	return rc;
}
