/* cmd_demo.c - `secscore demo`: write a realistic demo tenant, score it, record it, summarise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/time.h"
#include "cli/cli.h"
#include "demo/demo.h"
#include "output/summary.h"

static const char usage[] =
	"usage: secscore demo [--out DIR] [--db FILE] [--seed N] [--users N] [--json]\n"
	"\n"
	"Writes a realistic demo tenant's snapshot to DIR/snapshot/ (default ./secscore-demo),\n"
	"scores it, records the score in the store and prints the summary. The same seed and\n"
	"user count give the same tenant (set SECSCORE_NOW to fix the clock as well).\n"
	"\n"
	"  --out DIR    where to write (default ./secscore-demo)\n"
	"  --seed N     random seed (default 1)\n"
	"  --users N    number of users (default 800, at most 10,000,000)\n"
	"  --json       print the score as a Graph secureScore object instead of the summary\n";

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_demo(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"out", required_argument, NULL, 'o'},
					     {"seed", required_argument, NULL, 's'},
					     {"users", required_argument, NULL, 'u'},
					     {NULL, 0, NULL, 0}};
	struct ss_demo_opts d = {.seed = 1, .users = 800};
	const char *out = "secscore-demo";
	struct ss_error err;
	struct ss_store st;
	struct ss_buf snapdir;
	unsigned long long v;
	json_t *score = NULL;
	bool existed = false;
	int c, rc;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case 'o': out = optarg; break;
		case 's':
			if (parse_u64(optarg, ~0ull, &v))
				return ss_cli_usage_error(usage, "--seed needs a non-negative integer");
			d.seed = v;
			break;
		case 'u':
			if (parse_u64(optarg, 10000000ull, &v) || v < 10)
				return ss_cli_usage_error(usage,
							  "--users needs a number from 10 to 10000000");
			d.users = (unsigned)v;
			break;
		}
	}
	if (optind != argc)
		return ss_cli_usage_error(usage, "demo takes no arguments");
	d.now = ss_time_now();
	rc = ss_demo_write_snapshot(out, &d, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_cli_store(cli, true, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	ss_buf_init(&snapdir, 8192);
	ss_buf_printf(&snapdir, "%s/snapshot", out);
	rc = ss_cli_score_snapshot(cli, snapdir.ptr, &st, &score, &err);
	if (!rc)
		rc = ss_store_save_score(&st, score, &existed, &err);
	ss_store_close(&st);
	if (rc) {
		ss_buf_release(&snapdir);
		json_decref(score);
		return ss_cli_fail(&err);
	}
	if (cli->json) {
		ss_cli_print_json(score);
	} else {
		printf("Demo tenant written to %s (%u users, seed %llu)\n\n", snapdir.ptr, d.users,
		       (unsigned long long)d.seed);
		ss_print_summary(stdout, score, 5);
		printf("\n%s score %s\n", existed ? "Unchanged since the recorded" : "Recorded as",
		       json_string_value(json_object_get(score, "id")));
		printf("Next: 'secscore score %s --json', 'secscore controls show ID', 'secscore plan "
		       "--target 80'\n",
		       snapdir.ptr);
		json_decref(score);
	}
	ss_buf_release(&snapdir);
	return SS_EXIT_OK;
}
