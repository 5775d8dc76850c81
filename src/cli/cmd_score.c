/* cmd_score.c - `secscore score SNAPSHOT`: score a snapshot directory and record it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "output/summary.h"

static const char usage[] =
	"usage: secscore score SNAPSHOT [--db FILE] [--json] [--no-save] [--catalog DIR] [--config FILE]\n"
	"\n"
	"Scores the snapshot directory SNAPSHOT (docs/snapshot.md) against the control catalog,\n"
	"applies the tenant's control states from the store and records the score there\n"
	"(unless --no-save). Re-scoring an unchanged snapshot records nothing new.\n"
	"\n"
	"  --json      print the score as a Graph secureScore object\n"
	"  --no-save   do not open or write the store (control states are not applied)\n";

int cmd_score(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {
		SS_COMMON_OPTIONS, {"no-save", no_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
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
	}
	if (optind != argc - 1)
		return ss_cli_usage_error(usage, "score needs exactly one SNAPSHOT directory");
	if (save) {
		rc = ss_cli_store(cli, true, &st, &err);
		if (rc)
			return ss_cli_fail(&err);
		have_store = true;
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
