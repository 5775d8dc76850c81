/* main.c - the secscore command: global options, then one subcommand from the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv, struct ss_cli *cli);
	const char *summary;
} commands[] = {
	{"demo", cmd_demo, "write a demo tenant snapshot, score it and print the summary"},
	{"score", cmd_score, "score a snapshot directory and record the score"},
	{"import", cmd_import,
	 "keep a snapshot's raw inputs in the store (for re-scoring later) and score it"},
	{"controls", cmd_controls, "list the control catalog; show a control; set a control's state"},
	{"history", cmd_history, "list the recorded scores of a tenant"},
	{"diff", cmd_diff, "show what changed between two scores and why"},
	{"audit", cmd_audit,
	 "read audit log exports into the store; coverage; search them (ingest, stats, grep)"},
	{"plan", cmd_plan, "pick the actions that reach a target percentage with the least user impact"},
	{"notify", cmd_notify, "send new findings to a webhook, by e-mail and to syslog, once each"},
	{"rules", cmd_rules, "check Sigma rules; run rules over audit logs and print the findings"},
	{"collect", cmd_collect,
	 "fetch the snapshot (Graph) and the audit log (Management Activity API) with an app"},
	{"report", cmd_report,
	 "write the tenant's report: one HTML page with charts, Markdown, CSV or Graph-shaped JSON"},
	{"serve", cmd_serve, "serve the store over HTTP in Microsoft Graph's shapes (docs/server.md)"},
	{"tokens", cmd_tokens, "create, list and revoke the bearer tokens of 'secscore serve'"},
};

static void help(FILE *out)
{
	size_t i;

	fputs("usage: secscore [--db FILE] [--catalog DIR] [--config FILE] [--tenant T] <command> "
	      "[options]\n\n"
	      "secscore gives a Microsoft 365 tenant a security score.\n\ncommands:\n",
	      out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("  help       show this help\n\n"
	      "global options (also accepted after the command):\n"
	      "  --db FILE       the store (default $SECSCORE_DB, else $XDG_DATA_HOME/secscore/secscore.db)\n"
	      "  --catalog DIR   load the control catalog from DIR instead of the built-in one\n"
	      "  --config FILE   parameter overrides (default $SECSCORE_CONFIG)\n"
	      "  --tenant T      tenant id or name (default: the tenant scored most recently)\n\n"
	      "'secscore <command> --help' describes a command. Exit codes: 0 ok, 1 error, 2 usage.\n",
	      out);
}

int main(int argc, char **argv)
{
	struct ss_cli cli = {0};
	int i = 1;
	size_t k;

	/* Global options before the command name. */
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("secscore %s\n", SS_VERSION);
			return SS_EXIT_OK;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help(stdout);
			return SS_EXIT_OK;
		}
		if (strcmp(a, "--db") == 0)
			slot = &cli.db;
		else if (strcmp(a, "--catalog") == 0)
			slot = &cli.catalog;
		else if (strcmp(a, "--config") == 0)
			slot = &cli.config;
		else if (strcmp(a, "--tenant") == 0)
			slot = &cli.tenant;
		if (!slot || i + 1 >= argc) {
			fprintf(stderr, "secscore: unknown or incomplete global option '%s'\n", a);
			help(stderr);
			return SS_EXIT_USAGE;
		}
		*slot = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		help(stderr);
		return SS_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 < argc) {
			for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
				if (strcmp(argv[i + 1], commands[k].name) == 0) {
					char *hargv[] = {argv[i + 1], "--help", NULL};
					return commands[k].run(2, hargv, &cli);
				}
			}
		}
		help(stdout);
		return SS_EXIT_OK;
	}
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].run(argc - i, argv + i, &cli);
	fprintf(stderr, "secscore: '%s' is not a secscore command (see 'secscore help')\n", argv[i]);
	return SS_EXIT_USAGE;
}
