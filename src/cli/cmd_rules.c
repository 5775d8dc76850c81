/* cmd_rules.c - `secscore rules check|test`: validate Sigma rules, and run them over audit logs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/text.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "rules/sigma.h"

static const char usage[] =
	"usage: secscore rules check FILE|DIR... | --builtin\n"
	"       secscore rules test RULE PATH... [--threads N] [--json]\n"
	"       secscore rules test --builtin PATH... [--threads N] [--json]\n"
	"\n"
	"Sigma rules for the unified audit log (logsource product m365), with correlation rules\n"
	"(event_count, value_count, temporal, temporal_ordered); the supported subset is in docs/rules.md.\n"
	"\n"
	"  check    load and compile each argument (a file, or a directory of *.yml / *.yaml searched\n"
	"           recursively; rules in one directory may refer to each other). Prints 'ok: N rules',\n"
	"           or one 'FILE:LINE:COLUMN: message' per broken argument, and exits 1.\n"
	"  test     run RULE (a file or a directory; every rule in it, so correlations find the rules\n"
	"           they refer to) over the audit exports under PATH... (any format 'audit ingest'\n"
	"           reads; records deduplicated on Id; nothing is stored) and print the findings, one\n"
	"           line each, or the JSON array with --json.\n"
	"\n"
	"  --builtin    the rules shipped with secscore instead of RULE / FILE\n"
	"  --threads N  worker threads (default: one per core)\n"
	"  --json       findings as a JSON array\n";

enum {
	OPT_BUILTIN = 2000,
	OPT_THREADS
};

static const struct option options[] = {
	SS_COMMON_OPTIONS,
	{"builtin", no_argument, NULL, OPT_BUILTIN},
	{"threads", required_argument, NULL, OPT_THREADS},
	{NULL, 0, NULL, 0},
};

static void print_term(FILE *f, const char *s)
{
	struct ss_buf b;

	ss_buf_init(&b, (size_t)1 << 20);
	ss_text_terminal(&b, s ? s : "", s ? strlen(s) : 0);
	fputs(ss_buf_cstr(&b), f);
	ss_buf_release(&b);
}

static void print_error(const struct ss_error *err)
{
	char line[2048];

	ss_error_format(err, line, sizeof(line));
	print_term(stderr, line);
	fputc('\n', stderr);
}

static int rules_check(char **paths, size_t n, bool builtin)
{
	struct ss_error err;
	struct ss_rules *rs;
	size_t i, total = 0;
	int bad = 0;

	if (builtin) {
		ss_error_clear(&err);
		if (ss_rules_load_builtin(&rs, &err) != 0) {
			print_error(&err);
			return SS_EXIT_ERROR;
		}
		printf("ok: %zu rules\n", ss_rules_count(rs));
		ss_rules_free(rs);
		return SS_EXIT_OK;
	}
	for (i = 0; i < n; i++) {
		ss_error_clear(&err);
		if (ss_rules_load(&rs, &paths[i], 1, &err) != 0) {
			print_error(&err);
			bad++;
			continue;
		}
		total += ss_rules_count(rs);
		ss_rules_free(rs);
	}
	if (bad)
		return SS_EXIT_ERROR;
	printf("ok: %zu rules\n", total);
	return SS_EXIT_OK;
}

/*
 * The ingest workers call match() concurrently; each worker thread gets a
 * state of its own on its first record (found again through a thread-local
 * pointer), and the states are merged after the pass, as the ingest pass
 * itself does.
 */
struct test_ctx {
	const struct ss_rules *rules;
	pthread_mutex_t lock;
	struct ss_rules_state **states; /* one per worker thread (owned) */
	size_t n;			/* their number */
};

static _Thread_local struct ss_rules_state *tls_state;
static _Thread_local const struct test_ctx *tls_owner;

static bool test_match(void *arg, struct ss_audit_rec *rec)
{
	struct test_ctx *c = arg;

	if (tls_owner != c) {
		pthread_mutex_lock(&c->lock);
		c->states = ss_xrealloc(c->states, ss_mul_sz(c->n + 1, sizeof(*c->states)));
		c->states[c->n] = ss_rules_state_new(c->rules);
		tls_state = c->states[c->n++];
		tls_owner = c;
		pthread_mutex_unlock(&c->lock);
	}
	ss_rules_feed(c->rules, tls_state, rec);
	return false;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static int rules_test(const struct ss_cli *cli, char **args, size_t n, bool builtin, unsigned threads)
{
	struct ss_error err;
	struct ss_rules *rs = NULL;
	struct ss_ingest_opts o = {0};
	struct test_ctx ctx = {0};
	struct ss_rules_state *total;
	json_t *sum = NULL, *findings, *f;
	size_t i;
	int rc;

	ss_error_clear(&err);
	rc = builtin ? ss_rules_load_builtin(&rs, &err) : ss_rules_load(&rs, args, 1, &err);
	if (rc) {
		print_error(&err);
		return SS_EXIT_ERROR;
	}
	if (!builtin) {
		args++;
		n--;
	}
	ctx.rules = rs;
	pthread_mutex_init(&ctx.lock, NULL);
	o.threads = threads;
	o.dedup = true;
	o.match = test_match;
	o.match_ctx = &ctx;
	o.out = stdout;
	rc = ss_ingest_run(args, n, &o, &sum, &err);
	total = ss_rules_state_new(rs);
	for (i = 0; i < ctx.n; i++) {
		ss_rules_merge(rs, total, ctx.states[i]);
		ss_rules_state_free(ctx.states[i]);
	}
	free(ctx.states);
	pthread_mutex_destroy(&ctx.lock);
	if (rc) {
		json_decref(sum);
		ss_rules_state_free(total);
		ss_rules_free(rs);
		return ss_cli_fail(&err);
	}
	if (json_integer_value(json_object_get(sum, "rejected")) > 0)
		fprintf(stderr, "secscore: warning: %lld records rejected (see 'secscore audit grep')\n",
			(long long)json_integer_value(json_object_get(sum, "rejected")));
	findings = ss_rules_findings(rs, total);
	if (cli->json) {
		ss_cli_print_json(findings);
	} else {
		json_array_foreach (findings, i, f) {
			printf("%-13s ", jstr(f, "severity"));
			print_term(stdout, jstr(f, "summary"));
			printf(" [%s]\n", jstr(f, "id"));
		}
		if (json_array_size(findings) == 0)
			printf("no findings (%lld records)\n",
			       (long long)json_integer_value(json_object_get(sum, "records")));
		json_decref(findings);
	}
	json_decref(sum);
	ss_rules_state_free(total);
	ss_rules_free(rs);
	return SS_EXIT_OK;
}

int cmd_rules(int argc, char **argv, struct ss_cli *cli)
{
	const char *sub;
	bool builtin = false;
	unsigned threads = 0;
	int c;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return SS_EXIT_OK;
	}
	if (argc < 2 || argv[1][0] == '-')
		return ss_cli_usage_error(usage, "rules needs a subcommand: check or test");
	sub = argv[1];
	if (strcmp(sub, "check") != 0 && strcmp(sub, "test") != 0)
		return ss_cli_usage_error(usage, "'%s' is not a rules subcommand (check, test)", sub);
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		if (c == OPT_BUILTIN) {
			builtin = true;
		} else if (c == OPT_THREADS) {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 1024)
				return ss_cli_usage_error(usage, "--threads takes a number from 1 to 1024");
			threads = (unsigned)v;
		} else {
			return ss_cli_usage_error(usage, "unknown option");
		}
	}
	if (strcmp(sub, "check") == 0) {
		if (!builtin && optind >= argc)
			return ss_cli_usage_error(usage, "rules check needs FILE... or --builtin");
		return rules_check(argv + optind, (size_t)(argc - optind), builtin);
	}
	if (argc - optind < (builtin ? 1 : 2))
		return ss_cli_usage_error(usage, "rules test needs %sPATH...", builtin ? "" : "RULE and ");
	return rules_test(cli, argv + optind, (size_t)(argc - optind), builtin, threads);
}
