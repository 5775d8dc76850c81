/* cmd_report.c - `secscore report`: the tenant's report as one HTML page, Markdown, CSV or Graph-shaped JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "cli/cli.h"
#include "output/report.h"
#include "output/report_csv.h"
#include "output/report_html.h"
#include "output/report_md.h"

static const char usage[] =
	"usage: secscore report [--format html|md|json|csv] [--out FILE] [--target PERCENT]\n"
	"                       [--tenant T] [--db FILE]\n"
	"\n"
	"Builds the tenant's report from the store: the latest score with its controls, the\n"
	"trend over the recorded scores, points by category and service, the next actions and\n"
	"the plan to reach PERCENT (default 80), the findings of the audit log with their\n"
	"evidence, and the audit coverage with its gaps.\n"
	"\n"
	"  --format html   one self-contained page (inline CSS and SVG charts; loads nothing);\n"
	"                  the default. Written to ./secscore-report.html unless --out is given\n"
	"  --format md     Markdown for tickets, to stdout unless --out is given\n"
	"  --format json   {secureScore, secureScoreControlProfiles, findings, coverage, history,\n"
	"                  nextActions, plan} in Microsoft Graph's shapes, to stdout unless --out\n"
	"  --format csv    the controls, then the findings: with --out FILE the controls go to FILE\n"
	"                  and the findings to FILE with -findings before its extension\n"
	"                  (report.csv, report-findings.csv); on stdout the two tables follow each\n"
	"                  other, separated by an empty line. Cells beginning with = + - @ are\n"
	"                  prefixed with a quote so spreadsheets do not run them\n"
	"  --out FILE      where to write ('-': stdout); files are replaced atomically\n"
	"  --target P      the plan's target percentage (0 to 100, default 80)\n"
	"  --json          the same as --format json\n";

enum {
	FMT_HTML,
	FMT_MD,
	FMT_JSON,
	FMT_CSV
};

/* Builds the report document of the tenant named tenant (NULL: the latest scored). */
static int build(const struct ss_cli *cli, const char *tenant, double target, json_t **doc,
		 struct ss_error *err)
{
	struct ss_catalog cat;
	struct ss_store st;
	int64_t row;
	char *tid = NULL;
	int rc;

	*doc = NULL;
	rc = ss_cli_catalog(cli, &cat, err);
	if (rc)
		return rc;
	rc = ss_cli_store(cli, false, &st, err);
	if (rc)
		goto out_cat;
	rc = ss_store_find_tenant(&st, tenant, &row, &tid, err);
	if (!rc)
		rc = ss_report_build(&st, row, &cat, target, doc, err);
	free(tid);
	ss_store_close(&st);
out_cat:
	ss_catalog_release(&cat);
	return rc;
}

/* FILE with "-findings" before its extension (the extension of its last component only); owned. */
static char *findings_path(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	struct ss_buf b;

	ss_buf_init(&b, ss_add_sz(strlen(path), 64));
	if (dot && dot > (slash ? slash + 1 : path))
		ss_buf_printf(&b, "%.*s-findings%s", (int)(dot - path), path, dot);
	else
		ss_buf_printf(&b, "%s-findings", path);
	return ss_buf_detach(&b, NULL);
}

static int emit(const char *path, struct ss_buf *b, struct ss_error *err)
{
	if (!path || strcmp(path, "-") == 0) {
		if (fwrite(ss_buf_cstr(b), 1, b->len, stdout) != b->len || fflush(stdout) != 0)
			return ss_error_set(err, SS_EIO, "cannot write the report to stdout");
		return 0;
	}
	return ss_file_write_atomic(path, ss_buf_cstr(b), b->len, err);
}

int ss_cli_report_html(const struct ss_cli *cli, const char *tenant, const char *path, struct ss_error *err)
{
	struct ss_buf b;
	json_t *doc = NULL;
	int rc;

	rc = build(cli, tenant, SS_REPORT_DEFAULT_TARGET, &doc, err);
	if (rc)
		return rc;
	ss_buf_init(&b, SS_REPORT_MAX);
	rc = ss_report_html(doc, &b);
	if (rc)
		rc = ss_error_set(err, rc, "the report is larger than %zu bytes", (size_t)SS_REPORT_MAX);
	else
		rc = emit(path, &b, err);
	ss_buf_release(&b);
	json_decref(doc);
	return rc;
}

int cmd_report(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"format", required_argument, NULL, 'f'},
					     {"out", required_argument, NULL, 'o'},
					     {"target", required_argument, NULL, 't'},
					     {NULL, 0, NULL, 0}};
	struct ss_error err;
	struct ss_buf b, b2;
	const char *out = NULL;
	char *end, *fpath = NULL;
	double target = SS_REPORT_DEFAULT_TARGET;
	json_t *doc = NULL;
	int c, rc, fmt = FMT_HTML;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case 'f':
			if (strcmp(optarg, "html") == 0)
				fmt = FMT_HTML;
			else if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
				fmt = FMT_MD;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else
				return ss_cli_usage_error(
					usage, "--format takes html, md, json or csv, not '%s'", optarg);
			break;
		case 'o':
			if (!*optarg)
				return ss_cli_usage_error(usage, "--out needs a file name");
			out = optarg;
			break;
		case 't':
			target = strtod(optarg, &end);
			if (end == optarg || (*end && strcmp(end, "%") != 0) || !isfinite(target) ||
			    target < 0 || target > 100)
				return ss_cli_usage_error(usage, "--target needs a percentage from 0 to 100");
			break;
		}
	}
	if (optind != argc)
		return ss_cli_usage_error(usage, "report takes no arguments");
	if (cli->json)
		fmt = FMT_JSON;
	if (fmt == FMT_HTML && !out)
		out = "secscore-report.html";

	rc = build(cli, cli->tenant, target, &doc, &err);
	if (rc)
		return ss_cli_fail(&err);
	ss_buf_init(&b, SS_REPORT_MAX);
	ss_buf_init(&b2, SS_REPORT_MAX);
	switch (fmt) {
	case FMT_HTML: rc = ss_report_html(doc, &b); break;
	case FMT_MD: rc = ss_report_md(doc, &b); break;
	case FMT_JSON: {
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		rc = s ? ss_buf_adds(&b, s) : SS_ETOOBIG;
		if (!rc)
			rc = ss_buf_addc(&b, '\n');
		free(s);
		break;
	}
	case FMT_CSV:
		rc = ss_report_csv_controls(doc, &b);
		if (!rc && out && strcmp(out, "-") != 0) {
			rc = ss_report_csv_findings(doc, &b2);
		} else if (!rc) {
			rc = ss_buf_adds(&b, "\r\n");
			if (!rc)
				rc = ss_report_csv_findings(doc, &b);
		}
		break;
	}
	if (rc)
		rc = ss_error_set(&err, SS_ETOOBIG, "the report is larger than %zu bytes",
				  (size_t)SS_REPORT_MAX);
	if (!rc)
		rc = emit(out, &b, &err);
	if (!rc && b2.len) {
		fpath = findings_path(out);
		rc = emit(fpath, &b2, &err);
	}
	if (!rc && out && strcmp(out, "-") != 0) {
		printf("Report written to %s\n", out);
		if (fpath)
			printf("Findings written to %s\n", fpath);
	}
	free(fpath);
	ss_buf_release(&b);
	ss_buf_release(&b2);
	json_decref(doc);
	return rc ? ss_cli_fail(&err) : SS_EXIT_OK;
}
