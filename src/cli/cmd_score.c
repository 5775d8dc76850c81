/* cmd_score.c - `secscore score SNAPSHOT`: score a snapshot directory and record it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "output/summary.h"

static const char usage[] =
	"usage: secscore score SNAPSHOT [--db FILE] [--json] [--no-save] [--catalog DIR] [--config FILE]\n"
	"       secscore score --rescore-all [--tenant T] [--db FILE] [--json]\n"
	"\n"
	"Scores the snapshot directory SNAPSHOT (docs/snapshot.md) against the control catalog,\n"
	"applies the tenant's control states from the store and records the score there\n"
	"(unless --no-save). Re-scoring an unchanged snapshot records nothing new.\n"
	"\n"
	"  --json      print the score as a Graph secureScore object\n"
	"  --no-save   do not open or write the store (control states are not applied)\n"
	"  --rescore-all  re-score every snapshot kept by 'secscore import' (of --tenant, or all)\n"
	"              with the current catalog and control states; unchanged results add nothing\n";

/* Re-scores every stored snapshot; prints one line (or one JSON object) each. */
static int rescore_all(struct ss_cli *cli)
{
	struct ss_error err;
	struct ss_store st;
	json_t *list = NULL, *item, *results = json_array();
	int64_t tenant = 0;
	char *tid = NULL;
	size_t i, fresh = 0;
	int rc;

	ss_error_clear(&err);
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		goto out_noclose;
	if (cli->tenant)
		rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc)
		rc = ss_store_stored_snapshots(&st, tenant, &list, &err);
	json_array_foreach (list, i, item) {
		json_t *score = NULL;
		bool existed = false;
		if (rc)
			break;
		rc = ss_cli_rescore_stored(cli, &st, json_integer_value(json_object_get(item, "row")), &score,
					   &existed, &err);
		if (rc)
			break;
		fresh += !existed;
		if (!cli->json)
			printf("%s  %.19s  %7.1f / %-7.1f  %s %s\n",
			       json_string_value(json_object_get(item, "tenantId")),
			       json_string_value(json_object_get(item, "taken")),
			       json_number_value(json_object_get(score, "currentScore")),
			       json_number_value(json_object_get(score, "maxScore")),
			       existed ? "unchanged" : "recorded",
			       json_string_value(json_object_get(score, "id")));
		json_array_append_new(
			results, json_pack("{s:O, s:O, s:O, s:O, s:b}", "id", json_object_get(score, "id"),
					   "azureTenantId", json_object_get(score, "azureTenantId"),
					   "currentScore", json_object_get(score, "currentScore"), "maxScore",
					   json_object_get(score, "maxScore"), "recorded", !existed));
		json_decref(score);
	}
	ss_store_close(&st);
out_noclose:
	json_decref(list);
	free(tid);
	if (rc) {
		json_decref(results);
		return ss_cli_fail(&err);
	}
	if (cli->json)
		ss_cli_print_json(results);
	else {
		printf("%zu stored snapshot(s) re-scored, %zu new score(s) recorded\n",
		       json_array_size(results), fresh);
		json_decref(results);
	}
	return SS_EXIT_OK;
}

int cmd_score(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"no-save", no_argument, NULL, 'n'},
					     {"rescore-all", no_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	bool all = false;
	struct ss_error err;
	struct ss_store st;
	bool save = true, existed = false, have_store = false;
	json_t *score = NULL;
	int c, rc;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		if (c == 'n')
			save = false;
		if (c == 'r')
			all = true;
	}
	if (all) {
		if (optind != argc || !save)
			return ss_cli_usage_error(usage, "--rescore-all takes no SNAPSHOT and always saves");
		return rescore_all(cli);
	}
	if (optind != argc - 1)
		return ss_cli_usage_error(usage, "score needs exactly one SNAPSHOT directory");
	if (save) {
		rc = ss_cli_store(cli, true, &st, &err);
		if (rc)
			return ss_cli_fail(&err);
		have_store = true;
	} else {
		/* nothing is written, but an existing store still gives the states and the audit evidence */
		have_store = ss_cli_store(cli, false, &st, NULL) == 0;
	}
	rc = ss_cli_score_snapshot(cli, argv[optind], have_store ? &st : NULL, &score, &err);
	if (!rc && save)
		rc = ss_store_save_score(&st, score, &existed, &err);
	if (have_store)
		ss_store_close(&st);
	if (rc) {
		json_decref(score);
		return ss_cli_fail(&err);
	}
	if (cli->json) {
		ss_cli_print_json(score);
		return SS_EXIT_OK;
	}
	ss_print_summary(stdout, score, 5);
	if (save)
		printf("\n%s score %s\n", existed ? "Unchanged since the recorded" : "Recorded as",
		       json_string_value(json_object_get(score, "id")));
	json_decref(score);
	return SS_EXIT_OK;
}
