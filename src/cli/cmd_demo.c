/* cmd_demo.c - `secscore demo`: write a demo tenant and its audit log, score it, record it, summarise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/time.h"
#include "cli/cli.h"
#include "demo/audit.h"
#include "demo/geodb.h"
#include "demo/demo.h"
#include "output/summary.h"
#include "server/auth.h"

static const char usage[] =
	"usage: secscore demo [--out DIR] [--db FILE] [--seed N] [--users N] [--days N]\n"
	"                     [--events-per-user-day N] [--audit-only | --no-audit] [--no-stories]\n"
	"                     [--tenants N] [--history WEEKS] [--json]\n"
	"\n"
	"Writes a realistic demo tenant's snapshot to DIR/snapshot/ (default ./secscore-demo) and\n"
	"its unified audit log to DIR/audit/ (one NDJSON file per day, with planted attack\n"
	"stories), scores the snapshot, records the score in the store and prints the summary.\n"
	"The same seed and user count give the same tenant (set SECSCORE_NOW to fix the clock\n"
	"as well); the same options give byte-identical files.\n"
	"\n"
	"  --out DIR                 where to write (default ./secscore-demo)\n"
	"  --geoip FILE              a country database (.mmdb) for the geo detections (default\n"
	"                            $SECSCORE_GEOIP, else ~/.local/share/secscore/country.mmdb if present)\n"
	"  --seed N                  random seed (default 1)\n"
	"  --users N                 number of users (default 800, at most 10,000,000)\n"
	"  --days N                  days of audit log before today (default 30, 1 to 400)\n"
	"  --events-per-user-day N   average audit records per user and day (default 3 for the demo,\n"
	"                            20 with --audit-only; 1 to 10000)\n"
	"  --audit-only              write only DIR/audit/: no snapshot, no score, no store; print\n"
	"                            the files, records, bytes and the planted stories\n"
	"  --no-audit                do not write the audit log\n"
	"  --no-stories              no attack stories in the audit log\n"
	"  --history WEEKS           also a snapshot of each of the WEEKS weeks before (DIR/history/),\n"
	"                            scored oldest first, as the MFA roll-out progressed: the trend\n"
	"                            and 'secscore diff' have a past (default 6, 0 to 52)\n"
	"  --tenants N               also N-1 smaller and larger neighbours (Fabrikam Demo, ...: a\n"
	"                            snapshot each in DIR/tenants/, scored, no audit log), so the\n"
	"                            store holds several tenants as a provider's would (default 1)\n"
	"  --json                    print the score as a Graph secureScore object instead of the\n"
	"                            summary (with --audit-only: what was written, as JSON)\n";

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

enum {
	OPT_DAYS = 2000,
	OPT_EVENTS,
	OPT_AUDIT_ONLY,
	OPT_NO_AUDIT,
	OPT_NO_STORIES,
	OPT_TENANTS,
	OPT_HISTORY
};

static void print_stories(const struct ss_demo_audit_result *res)
{
	unsigned i;

	if (!res->nstories)
		return;
	printf("\nAttack stories planted (UTC):\n");
	for (i = 0; i < res->nstories; i++) {
		const struct ss_demo_story *s = &res->stories[i];
		char start[32], end[32];
		ss_time_format(s->start, start);
		ss_time_format(s->end, end);
		printf("  %u. %-29s %.10s %.8s-%.8s  %-15s %s\n", s->number, s->title, start, start + 11,
		       end + 11, s->ip, s->user);
		printf("     %s\n", s->detail);
	}
}

static json_t *result_json(const char *dir, const struct ss_demo_audit_result *res)
{
	json_t *stories = json_array();
	unsigned i;

	for (i = 0; i < res->nstories; i++) {
		const struct ss_demo_story *s = &res->stories[i];
		char start[32], end[32];
		ss_time_format(s->start, start);
		ss_time_format(s->end, end);
		json_array_append_new(stories,
				      json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "number",
						(int)s->number, "title", s->title, "start", start, "end", end,
						"user", s->user, "ip", s->ip, "detail", s->detail));
	}
	return json_pack("{s:s, s:i, s:I, s:I, s:I, s:o}", "dir", dir, "files", (int)res->files, "records",
			 (json_int_t)res->records, "duplicates", (json_int_t)res->duplicates, "bytes",
			 (json_int_t)res->bytes, "stories", stories);
}

/* The audit-only mode: write DIR/audit/ and say what was written. */
static int audit_only(const char *out, const struct ss_demo_audit_opts *a, const struct ss_cli *cli)
{
	struct ss_demo_audit_result res;
	struct ss_error err;
	struct ss_buf dir;
	int rc;

	ss_error_clear(&err);
	rc = ss_demo_audit_generate(out, a, &res, &err);
	if (rc)
		return ss_cli_fail(&err);
	ss_buf_init(&dir, 8192);
	ss_buf_printf(&dir, "%s/audit", out);
	if (cli->json) {
		ss_cli_print_json(result_json(dir.ptr, &res));
	} else {
		printf("Audit log written to %s (%u users, seed %llu, %u days, %u events per user and day)\n",
		       dir.ptr, a->users, (unsigned long long)a->seed, a->days, a->events_per_user_day);
		printf("  files       %u\n  records     %llu (%llu duplicates)\n  bytes       %llu (%.1f "
		       "MB)\n",
		       res.files, (unsigned long long)res.records, (unsigned long long)res.duplicates,
		       (unsigned long long)res.bytes, (double)res.bytes / 1e6);
		print_stories(&res);
	}
	ss_buf_release(&dir);
	return SS_EXIT_OK;
}

/* The demo's neighbours for --tenants: a name and a size relative to the main tenant. */
static const struct {
	const char *name, *slug;
	double size;
} neighbours[] = {
	{"Fabrikam Demo", "fabrikam", 0.3},
	{"Northwind Traders Demo", "northwind", 2.5},
	{"Tailspin Toys Demo", "tailspin", 0.05},
	{"Woodgrove Bank Demo", "woodgrove", 1.2},
	{"Adventure Works Demo", "adventureworks", 8},
	{"Litware Demo", "litware", 0.6},
	{"Proseware Demo", "proseware", 0.02},
};

/*
 * Writes the snapshot of o to dir/snapshot, scores it and records the score
 * (*score, owned by the caller). dir is extended with "/snapshot".
 */
static int write_and_score(struct ss_cli *cli, struct ss_buf *dir, const struct ss_demo_opts *o,
			   json_t **score, struct ss_error *err)
{
	struct ss_store st;
	bool existed;
	int rc;

	*score = NULL;
	rc = ss_demo_write_snapshot(dir->ptr, o, err);
	ss_buf_adds(dir, "/snapshot");
	if (!rc)
		rc = ss_cli_store(cli, true, &st, err);
	if (rc)
		return rc;
	rc = ss_cli_score_snapshot(cli, dir->ptr, &st, score, err);
	if (!rc)
		rc = ss_store_save_score(&st, *score, &existed, err);
	ss_store_close(&st);
	return rc;
}

/*
 * Writes and scores the neighbour tenants (DIR/tenants/SLUG/snapshot), before
 * the main tenant so that it stays the one scored last (the default of every
 * command). Each has its own seed, size and tenant id.
 */
static int write_neighbours(struct ss_cli *cli, const char *out, const struct ss_demo_opts *main_opts,
			    unsigned n, struct ss_error *err)
{
	struct ss_buf dir;
	unsigned i;
	int rc = 0;

	ss_buf_init(&dir, 8192);
	for (i = 0; i + 1 < n && !rc; i++) {
		struct ss_demo_opts o = *main_opts;
		json_t *score;
		double users = main_opts->users * neighbours[i].size;
		o.seed = main_opts->seed + 1000 * (i + 1);
		o.users = users < 10 ? 10 : users > 200000 ? 200000 : (unsigned)users;
		o.name = neighbours[i].name;
		ss_buf_clear(&dir);
		ss_buf_printf(&dir, "%s/tenants/%s", out, neighbours[i].slug);
		rc = write_and_score(cli, &dir, &o, &score, err);
		if (!rc && !cli->json)
			printf("Neighbour tenant %s: %u users, %.0f of %.0f points (%s)\n", o.name, o.users,
			       json_real_value(json_object_get(score, "currentScore")),
			       json_real_value(json_object_get(score, "maxScore")), dir.ptr);
		json_decref(score);
	}
	ss_buf_release(&dir);
	return rc;
}

/*
 * Writes and scores the main tenant as it was 1 to weeks weeks ago
 * (DIR/history/DATE/snapshot), oldest first, before today's snapshot is
 * scored: the store gets a score history that climbs as the roll-outs
 * landed (demo.h, behind).
 */
static int write_history(struct ss_cli *cli, const char *out, const struct ss_demo_opts *main_opts,
			 unsigned weeks, struct ss_error *err)
{
	struct ss_buf dir;
	unsigned k;
	int rc = 0;

	ss_buf_init(&dir, 8192);
	for (k = weeks; k >= 1 && !rc; k--) {
		struct ss_demo_opts o = *main_opts;
		json_t *score;
		char day[32];
		o.now = main_opts->now - (ss_time_ms)k * 7 * SS_DAY_MS;
		o.behind = k;
		ss_time_format(o.now, day);
		ss_buf_clear(&dir);
		ss_buf_printf(&dir, "%s/history/%.10s", out, day);
		rc = write_and_score(cli, &dir, &o, &score, err);
		json_decref(score);
	}
	ss_buf_release(&dir);
	return rc;
}

/*
 * Leaves an admin token for the dashboard in DIR/admin.token (mode 0600): the
 * one already there when the store still accepts it, else a new token named
 * demo-dashboard (a previous one of that name is revoked first).
 */
static int dashboard_token(struct ss_cli *cli, const char *out, struct ss_buf *path, struct ss_error *err)
{
	struct ss_token_info who;
	struct ss_store st;
	struct ss_buf line;
	char *old = NULL, *token = NULL;
	size_t n = 0;
	int rc;

	ss_buf_printf(path, "%s/admin.token", out);
	rc = ss_cli_store(cli, true, &st, err);
	if (rc)
		return rc;
	if (ss_file_exists(path->ptr) && ss_file_read(path->ptr, 4096, &old, &n, NULL) == 0)
		while (n > 0 && (old[n - 1] == '\n' || old[n - 1] == '\r'))
			n--;
	if (n > 0 && ss_auth_verify(&st, old, n, &who, NULL) == 0 && who.role == SS_TOKEN_ADMIN) {
		ss_store_close(&st);
		ss_auth_token_wipe(old);
		return 0;
	}
	ss_auth_token_wipe(old);
	ss_auth_token_revoke(&st, "demo-dashboard", NULL);
	rc = ss_auth_token_create(&st, "demo-dashboard", SS_TOKEN_ADMIN, &token, err);
	ss_store_close(&st);
	if (rc)
		return rc;
	ss_buf_init(&line, 4096);
	ss_buf_printf(&line, "%s\n", token);
	ss_auth_token_wipe(token);
	rc = ss_file_write_private(path->ptr, line.ptr, line.len, err);
	explicit_bzero(line.ptr, line.len);
	ss_buf_release(&line);
	return rc;
}

int cmd_demo(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"out", required_argument, NULL, 'o'},
					     {"geoip", required_argument, NULL, 'g'},
					     {"seed", required_argument, NULL, 's'},
					     {"users", required_argument, NULL, 'u'},
					     {"days", required_argument, NULL, OPT_DAYS},
					     {"events-per-user-day", required_argument, NULL, OPT_EVENTS},
					     {"audit-only", no_argument, NULL, OPT_AUDIT_ONLY},
					     {"no-audit", no_argument, NULL, OPT_NO_AUDIT},
					     {"no-stories", no_argument, NULL, OPT_NO_STORIES},
					     {"tenants", required_argument, NULL, OPT_TENANTS},
					     {"history", required_argument, NULL, OPT_HISTORY},
					     {NULL, 0, NULL, 0}};
	struct ss_demo_opts d = {.seed = 1, .users = 800};
	struct ss_demo_audit_opts a = {.days = 30, .events_per_user_day = 0, .stories = true};
	struct ss_demo_audit_result ares;
	json_t *ingested = NULL;
	bool only_audit = false, no_audit = false;
	unsigned tenants = 1, history = 6;
	const char *out = "secscore-demo";
	struct ss_error err;
	struct ss_store st;
	char geopath[4200];
	const char *geoip = NULL;
	struct ss_buf snapdir, report = {0}, tokpath = {0};
	char *dbpath;
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
		case 'g': geoip = optarg; break;
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
		case OPT_DAYS:
			if (parse_u64(optarg, 400, &v) || v < 1)
				return ss_cli_usage_error(usage, "--days needs a number from 1 to 400");
			a.days = (unsigned)v;
			break;
		case OPT_EVENTS:
			if (parse_u64(optarg, 10000, &v) || v < 1)
				return ss_cli_usage_error(
					usage, "--events-per-user-day needs a number from 1 to 10000");
			a.events_per_user_day = (unsigned)v;
			break;
		case OPT_AUDIT_ONLY: only_audit = true; break;
		case OPT_NO_AUDIT: no_audit = true; break;
		case OPT_NO_STORIES: a.stories = false; break;
		case OPT_TENANTS:
			if (parse_u64(optarg, SS_ARRAY_LEN(neighbours) + 1, &v) || v < 1)
				return ss_cli_usage_error(usage, "--tenants needs a number from 1 to %zu",
							  SS_ARRAY_LEN(neighbours) + 1);
			tenants = (unsigned)v;
			break;
		case OPT_HISTORY:
			if (parse_u64(optarg, 52, &v))
				return ss_cli_usage_error(usage,
							  "--history needs a number of weeks from 0 to 52");
			history = (unsigned)v;
			break;
		}
	}
	if (optind != argc)
		return ss_cli_usage_error(usage, "demo takes no arguments");
	if (only_audit && no_audit)
		return ss_cli_usage_error(usage, "--audit-only and --no-audit exclude each other");
	d.now = ss_time_now();
	a.seed = d.seed;
	a.users = d.users;
	a.now = d.now;
	if (!a.events_per_user_day)
		a.events_per_user_day =
			only_audit ? 20 : 3; /* the demo stays quick; the generator is for volume */
	if (only_audit)
		return audit_only(out, &a, cli);
	rc = ss_demo_write_snapshot(out, &d, &err);
	if (rc)
		return ss_cli_fail(&err);
	memset(&ares, 0, sizeof(ares));
	if (!no_audit) {
		rc = ss_demo_audit_generate(out, &a, &ares, &err);
		if (rc)
			return ss_cli_fail(&err);
	}
	if (tenants > 1 && (rc = write_neighbours(cli, out, &d, tenants, &err)) != 0)
		return ss_cli_fail(&err);
	ss_buf_init(&snapdir, 8192);
	ss_buf_printf(&snapdir, "%s/snapshot", out);
	if (!no_audit) {
		/*
		 * The audit log first, into the demo tenant (made from the manifest), so that the
		 * score's review and usage controls are measured from its evidence.
		 */
		struct ss_cli acli = *cli;
		char *paths[1];
		struct ss_buf adir, man;
		json_t *manifest;
		int64_t row;
		int arc;
		ss_buf_init(&man, 8192);
		ss_buf_printf(&man, "%s/manifest.json", snapdir.ptr);
		manifest = json_load_file(man.ptr, 0, NULL);
		ss_buf_release(&man);
		rc = ss_cli_store(cli, true, &st, &err);
		if (!rc)
			rc = ss_store_tenant(&st, json_string_value(json_object_get(manifest, "tenantId")),
					     json_string_value(json_object_get(manifest, "displayName")),
					     false, &row, &err);
		if (!rc)
			ss_store_close(&st);
		if (rc || !manifest) {
			json_decref(manifest);
			ss_buf_release(&snapdir);
			return ss_cli_fail(&err);
		}
		ss_buf_init(&adir, 8192);
		if (!geoip && !getenv("SECSCORE_GEOIP")) {
			/* no country database given: the demo's own, which knows its address plan */
			struct ss_demo_net nets[64];
			size_t nn = ss_demo_audit_networks(nets, SS_ARRAY_LEN(nets));
			snprintf(geopath, sizeof(geopath), "%s/country.mmdb", out);
			if (ss_demo_write_geodb(geopath, nets,
						nn < SS_ARRAY_LEN(nets) ? nn : SS_ARRAY_LEN(nets), &err) == 0)
				geoip = geopath;
			ss_error_clear(&err);
		}
		ss_buf_printf(&adir, "%s/audit", out);
		paths[0] = adir.ptr;
		acli.tenant = json_string_value(json_object_get(manifest, "tenantId"));
		arc = ss_cli_audit_ingest_ex(&acli, paths, 1, 0, 0, 0, 0, snapdir.ptr, geoip, NULL, true,
					     &ingested);
		ss_buf_release(&adir);
		json_decref(manifest);
		if (arc != SS_EXIT_OK) {
			ss_buf_release(&snapdir);
			json_decref(ingested);
			return arc;
		}
	}
	/* the weeks before, scored after the audit log is in so that they read its evidence too */
	rc = history > 0 ? write_history(cli, out, &d, history, &err) : 0;
	if (!rc)
		rc = ss_cli_store(cli, true, &st, &err);
	if (rc) {
		ss_buf_release(&snapdir);
		json_decref(ingested);
		return ss_cli_fail(&err);
	}
	rc = ss_cli_score_snapshot(cli, snapdir.ptr, &st, &score, &err);
	if (!rc)
		rc = ss_store_save_score(&st, score, &existed, &err);
	ss_store_close(&st);
	if (!rc) {
		/* The tenant's HTML report (cmd_report.c) beside its snapshot; its path ends the output. */
		ss_buf_init(&report, 8192);
		ss_buf_printf(&report, "%s/report.html", out);
		rc = ss_cli_report_html(cli, json_string_value(json_object_get(score, "azureTenantId")),
					report.ptr, &err);
	}
	ss_buf_init(&tokpath, 8192);
	if (!rc)
		rc = dashboard_token(cli, out, &tokpath, &err);
	if (rc) {
		ss_buf_release(&snapdir);
		ss_buf_release(&report);
		ss_buf_release(&tokpath);
		json_decref(score);
		json_decref(ingested);
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
		if (!no_audit)
			printf("Audit log written to %s/audit (%u days, %llu records, %.1f MB, %u attack "
			       "stories: --audit-only with the same options lists them)\n"
			       "Ingested: %lld records, %lld duplicates dropped, %lld already in the store "
			       "('secscore audit stats' for coverage)\n",
			       out, a.days, (unsigned long long)ares.records, (double)ares.bytes / 1e6,
			       ares.nstories,
			       (long long)json_integer_value(json_object_get(ingested, "records")),
			       (long long)json_integer_value(json_object_get(ingested, "duplicates")),
			       (long long)json_integer_value(json_object_get(ingested, "already_ingested")));
		if (!no_audit) {
			json_t *found = json_object_get(ingested, "findings");
			printf("\nFindings in the audit log (%zu; 'secscore audit findings' lists them, "
			       "'ack' "
			       "acknowledges):\n",
			       json_array_size(found));
			ss_cli_print_findings(found, 12);
			putchar('\n');
		}
		printf("Next: 'secscore score %s --json', 'secscore controls show ID', 'secscore plan "
		       "--target 80'\n",
		       snapdir.ptr);
		json_decref(score);
	}
	dbpath = cli->db ? ss_xstrdup(cli->db) : ss_store_default_path();
	fprintf(cli->json ? stderr : stdout,
		"Report: %s (one self-contained page; 'secscore report' makes it again)\n"
		"Dashboard: secscore serve --db %s\n"
		"           then open http://127.0.0.1:8080/ and sign in with the token in %s\n",
		report.ptr, dbpath, tokpath.ptr);
	free(dbpath);
	ss_buf_release(&tokpath);
	ss_buf_release(&report);
	ss_buf_release(&snapdir);
	json_decref(ingested);
	return SS_EXIT_OK;
}
