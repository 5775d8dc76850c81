/* cmd_diff.c - `secscore diff [OLD NEW]`: what changed between two scores, and why. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "output/summary.h"

static const char usage[] = "usage: secscore diff [OLD NEW] [--json] [--tenant T] [--db FILE]\n"
			    "\n"
			    "Compares two recorded scores (ids from 'secscore history', or their numbers);\n"
			    "without arguments the last two. Each changed control says why it moved: the\n"
			    "tenant's configuration, a control state, licences, input data or the catalog.\n";

int cmd_diff(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	struct ss_error err;
	struct ss_store st;
	json_t *a = NULL, *b = NULL, *d;
	const char *old_id = "previous", *new_id = "latest";
	int64_t tenant;
	char *tid = NULL;
	int c, rc;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		ss_cli_common(cli, c, usage);
	if (argc - optind == 2) {
		old_id = argv[optind];
		new_id = argv[optind + 1];
	} else if (argc - optind != 0) {
		return ss_cli_usage_error(usage, "diff takes two score ids or none");
	}
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc)
		rc = ss_store_load_score(&st, tenant, old_id, &a, &err);
	if (!rc)
		rc = ss_store_load_score(&st, tenant, new_id, &b, &err);
	ss_store_close(&st);
	free(tid);
	if (rc) {
		json_decref(a);
		json_decref(b);
		if (err.code == SS_ENOENT && argc - optind == 0)
			fprintf(stderr, "secscore: diff needs two recorded scores of the tenant\n");
		return ss_cli_fail(&err);
	}
	d = ss_score_diff(a, b);
	json_decref(a);
	json_decref(b);
	if (cli->json) {
		ss_cli_print_json(d);
	} else {
		ss_print_diff(stdout, d);
		json_decref(d);
	}
	return SS_EXIT_OK;
}
