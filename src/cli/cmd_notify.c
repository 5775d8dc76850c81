/* cmd_notify.c - `secscore notify`: deliver the tenant's findings to the configured channels, once each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/file.h"
#include "cli/cli.h"
#include "notify/notify.h"
#include "output/summary.h"
#include "store/finding_store.h"

#define CONFIG_MAX (1 << 20) /* bytes of a config file */

static const char usage[] =
	"usage: secscore notify [--dry-run] [--json] [--config FILE] [--tenant T] [--db FILE]\n"
	"\n"
	"Sends the tenant's findings at or above the configured severity to the channels of the\n"
	"config's \"notify\" object (--config FILE or $SECSCORE_CONFIG; docs/notify.md): a webhook\n"
	"(JSON POST with an Idempotency-Key), e-mail over SMTP, syslog. Each finding goes to each\n"
	"channel once, across runs too; failed deliveries are retried by the next run.\n"
	"\n"
	"  --dry-run  list what would be sent; send and record nothing\n"
	"  --json     print the report as JSON\n"
	"\n"
	"Exit codes: 0 everything due was delivered, 1 a delivery failed (see the report) or an error,\n"
	"2 usage.\n";

enum {
	OPT_DRY_RUN = 2000
};

/* Reads the config file at path into *out (new reference). */
static int load_config(const char *path, json_t **out, struct ss_error *err)
{
	json_error_t je;
	char *data = NULL;
	size_t len = 0;
	int rc = ss_file_read(path, CONFIG_MAX, &data, &len, err);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	free(data);
	if (!*out) {
		rc = ss_error_set(err, SS_EPARSE, "%s", je.text);
		ss_error_at(err, path, je.line, je.column);
	} else if (!json_is_object(*out)) {
		rc = ss_error_set(err, SS_EINVAL, "the config must be a JSON object");
		ss_error_at(err, path, 0, 0);
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static void print_text(json_t *rep)
{
	json_t *channels = json_object_get(rep, "channels"), *ch, *v;
	bool dry = json_is_true(json_object_get(rep, "dry_run"));
	const char *name;
	size_t i;

	printf("%lld finding(s) at or above %s (%lld below)%s\n",
	       (long long)json_integer_value(json_object_get(rep, "considered")),
	       json_string_value(json_object_get(rep, "min_severity")),
	       (long long)json_integer_value(json_object_get(rep, "below_threshold")),
	       dry ? ", dry run" : "");
	json_object_foreach (channels, name, ch) {
		if (dry)
			printf("  %-8s would send %zu, already delivered %zu\n", name,
			       json_array_size(json_object_get(ch, "pending")),
			       json_array_size(json_object_get(ch, "skipped")));
		else
			printf("  %-8s sent %zu, already delivered %zu, failed %zu (%lld attempts)\n", name,
			       json_array_size(json_object_get(ch, "sent")),
			       json_array_size(json_object_get(ch, "skipped")),
			       json_array_size(json_object_get(ch, "failed")),
			       (long long)json_integer_value(json_object_get(ch, "attempts")));
	}
	json_object_foreach (channels, name, ch) {
		json_array_foreach (json_object_get(ch, "failed"), i, v) {
			printf("failed: %s ", name);
			ss_fputs_safe(stdout, json_string_value(json_object_get(v, "id")));
			fputs(": ", stdout);
			ss_fputs_safe(stdout, json_string_value(json_object_get(v, "reason")));
			fputc('\n', stdout);
		}
	}
}

int cmd_notify(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {
		SS_COMMON_OPTIONS, {"dry-run", no_argument, NULL, OPT_DRY_RUN}, {NULL, 0, NULL, 0}};
	struct ss_notify_config cfg;
	struct ss_error err;
	struct ss_store st;
	const char *path;
	json_t *doc = NULL, *findings = NULL, *report = NULL, *f;
	bool dry_run = false, have_cfg = false, have_store = false;
	int64_t tenant;
	char *tid = NULL;
	size_t i;
	int c, rc;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		if (c == OPT_DRY_RUN)
			dry_run = true;
	}
	if (optind != argc)
		return ss_cli_usage_error(usage, "notify takes no arguments");
	path = cli->config ? cli->config : getenv("SECSCORE_CONFIG");
	if (!path || !*path)
		return ss_cli_usage_error(usage,
					  "notify needs a config file: --config FILE or $SECSCORE_CONFIG");

	rc = load_config(path, &doc, &err);
	if (!rc) {
		rc = ss_notify_config_parse(doc, &cfg, &err);
		if (rc)
			ss_error_at(&err, path, 0, 0);
		have_cfg = !rc;
	}
	if (!rc) {
		cfg.dry_run = dry_run;
		rc = ss_cli_store(cli, false, &st, &err);
		have_store = !rc;
	}
	if (!rc)
		rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc)
		rc = ss_store_findings(&st, tenant, 0, 0, &findings, &err);
	if (!rc) {
		json_array_foreach (findings, i, f)
			json_object_set_new(f, "tenant", json_string(tid));
		rc = ss_notify_deliver(&st, tenant, findings, &cfg, &report, &err);
	}
	if (have_store)
		ss_store_close(&st);
	if (have_cfg)
		ss_notify_config_release(&cfg);
	json_decref(doc);
	json_decref(findings);
	free(tid);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_notify_report_failures(report) ? SS_EXIT_ERROR : SS_EXIT_OK;
	if (cli->json) {
		ss_cli_print_json(report);
	} else {
		print_text(report);
		json_decref(report);
	}
	return rc;
}
