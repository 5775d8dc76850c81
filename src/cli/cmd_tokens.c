/* cmd_tokens.c - `secscore tokens create|list|revoke`: the bearer tokens of `secscore serve`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "server/auth.h"

static const char usage[] =
	"usage: secscore tokens create --name NAME --role read|admin\n"
	"       secscore tokens list [--json]\n"
	"       secscore tokens revoke NAME\n"
	"\n"
	"Bearer tokens for the HTTP API (secscore serve, docs/server.md). 'create' prints the new\n"
	"token once on stdout: the store keeps only its SHA-256. A read token may read everything; an\n"
	"admin token may also change control states and acknowledge findings, recorded under the\n"
	"token's name. 'revoke' ends a token at once; its name stays in the history.\n";

/* A cell of the table: the string or "-", padded to width. */
static void print_cell(json_t *v, int width)
{
	const char *s = json_string_value(v);

	printf("%-*s", width, s ? s : "-");
}

int cmd_tokens(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"name", required_argument, NULL, 'n'},
					     {"role", required_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	const char *name = NULL, *role_text = NULL, *sub;
	enum ss_token_role role;
	struct ss_store st;
	struct ss_error err;
	json_t *list = NULL, *t;
	char *token = NULL;
	size_t i;
	int c, rc = SS_EXIT_OK;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case 'n': name = optarg; break;
		case 'r': role_text = optarg; break;
		}
	}
	if (optind >= argc)
		return ss_cli_usage_error(usage, "tokens needs create, list or revoke");
	sub = argv[optind];
	if (strcmp(sub, "create") == 0) {
		if (optind + 1 != argc || !name || !role_text)
			return ss_cli_usage_error(usage, "tokens create needs --name and --role");
		if (ss_token_role_parse(role_text, &role) != 0)
			return ss_cli_usage_error(usage, "--role is read or admin");
	} else if (strcmp(sub, "list") == 0) {
		if (optind + 1 != argc)
			return ss_cli_usage_error(usage, "tokens list takes no arguments");
	} else if (strcmp(sub, "revoke") == 0) {
		if (optind + 2 != argc)
			return ss_cli_usage_error(usage, "tokens revoke needs one NAME");
	} else {
		return ss_cli_usage_error(usage, "'%s' is not a tokens subcommand (create, list, revoke)",
					  sub);
	}
	if (ss_cli_store(cli, strcmp(sub, "create") == 0, &st, &err) != 0)
		return ss_cli_fail(&err);
	if (strcmp(sub, "create") == 0) {
		if (ss_auth_token_create(&st, name, role, &token, &err) != 0) {
			rc = err.code == SS_EINVAL ? ss_cli_usage_error(usage, "%s", err.msg)
						   : ss_cli_fail(&err);
		} else {
			printf("%s\n", token);
			fprintf(stderr, "secscore: token '%s' (%s) created; it is shown only this once\n",
				name, ss_token_role_name(role));
		}
		ss_auth_token_wipe(token);
	} else if (strcmp(sub, "revoke") == 0) {
		if (ss_auth_token_revoke(&st, argv[optind + 1], &err) != 0)
			rc = ss_cli_fail(&err);
		else
			printf("Revoked token '%s'\n", argv[optind + 1]);
	} else if (ss_auth_token_list(&st, &list, &err) != 0) {
		rc = ss_cli_fail(&err);
	} else if (cli->json) {
		ss_cli_print_json(json_pack("{s:o}", "value", list));
	} else {
		printf("%-24s %-6s %-21s %-21s %s\n", "name", "role", "created", "last used", "revoked");
		json_array_foreach (list, i, t) {
			print_cell(json_object_get(t, "name"), 25);
			print_cell(json_object_get(t, "role"), 7);
			print_cell(json_object_get(t, "created"), 22);
			print_cell(json_object_get(t, "lastUsed"), 22);
			print_cell(json_object_get(t, "revoked"), 0);
			putchar('\n');
		}
		if (json_array_size(list) == 0)
			printf("No tokens: create one with 'secscore tokens create --name NAME --role "
			       "read'.\n");
		json_decref(list);
	}
	ss_store_close(&st);
	return rc;
}
