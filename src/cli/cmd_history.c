/* cmd_history.c - `secscore history`: the recorded scores of a tenant, newest first. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "output/summary.h"

static const char usage[] = "usage: secscore history [--json] [--tenant T] [--db FILE]\n"
			    "\n"
			    "Lists the tenant's recorded scores, newest first, with the change from the one\n"
			    "before and a note where the catalog version changed.\n";

int cmd_history(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	struct ss_error err;
	struct ss_store st;
	json_t *hist = NULL;
	int64_t tenant;
	char *tid = NULL;
	int c, rc;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		ss_cli_common(cli, c, usage);
	if (optind != argc)
		return ss_cli_usage_error(usage, "history takes no arguments");
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc)
		rc = ss_store_history(&st, tenant, &hist, &err);
	ss_store_close(&st);
	free(tid);
	if (rc)
		return ss_cli_fail(&err);
	if (cli->json) {
		ss_cli_print_json(hist);
	} else {
		ss_print_history(stdout, hist);
		json_decref(hist);
	}
	return SS_EXIT_OK;
}
