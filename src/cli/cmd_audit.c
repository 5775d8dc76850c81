/* cmd_audit.c - `secscore audit ingest|stats|grep`: the audit log read, remembered and searched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/text.h"
#include "base/time.h"
#include "cli/cli.h"
#include "analytics/inactive.h"
#include "audit/geo.h"
#include "ingest/ingest.h"
#include "snapshot/snapshot.h"
#include "store/audit_store.h"
#include "store/finding_store.h"

static const char usage[] =
	"usage: secscore audit ingest PATH... [--threads N] [--memory SIZE] [--max-record SIZE]\n"
	"                             [--snapshot DIR] [--geoip FILE] [--rules PATH] [--no-detections] "
	"[--json]\n"
	"       secscore audit stats [--json]\n"
	"       secscore audit findings [--since T] [--severity S] [--json]\n"
	"       secscore audit findings ack ID --by NAME [--note TEXT] [--status S]\n"
	"       secscore audit inactive [--days N] [--json]\n"
	"       secscore audit grep [--op OP] [--user U] [--ip IP] [--since T] [--until T]\n"
	"                           [--field PATH=VALUE]... [--all] PATH...\n"
	"\n"
	"Reads unified audit log exports - Management Activity API content blobs (JSON arrays),\n"
	"newline-delimited JSON, Purview / Search-UnifiedAuditLog CSV exports, Sentinel OfficeActivity -\n"
	"plain, .gz or .zst, files, directories or - for stdin; the format is detected from the content.\n"
	"\n"
	"  ingest   read into the store (--db, --tenant): records are deduplicated on Id, across runs too;\n"
	"           inputs already read are skipped, grown NDJSON files are read from where the last run\n"
	"           stopped. Prints records, duplicates, rejected records (file:line:column: reason).\n"
	"  stats    coverage and data quality of the stored audit data: per day and workload, gaps,\n"
	"           duplicates, rejects, inputs, truncation warnings.\n"
	"  grep     stream the matching records as NDJSON to stdout, deduplicated (--all keeps copies).\n"
	"  findings the findings of the detections (newest first); 'ack' records who acknowledged one\n"
	"           (--status acknowledged (default), resolved, false_positive or open), with history.\n"
	"  inactive users without a successful sign-in in the last N days (default 90), with their\n"
	"           licences, as far as the audit coverage reaches.\n"
	"\n"
	"  --threads N        worker threads (default: one per core)\n"
	"  --memory SIZE      memory budget of the dedup set, e.g. 512M, 2G (default 1G, at least 64K)\n"
	"  --max-record SIZE  longest record accepted (default 16M); longer ones are rejected\n"
	"  --progress / --no-progress  progress bar on stderr (default: when stderr is a terminal)\n"
	"  --op OP            Operation equals OP (case-insensitive)\n"
	"  --user U           UserId equals U (case-insensitive)\n"
	"  --ip IP            client IP equals IP (ports and brackets removed)\n"
	"  --since T, --until T  CreationTime >= T / < T (ISO 8601 or a date)\n"
	"  --field PATH=VALUE a field equals VALUE (case-insensitive); PATH may name Name/Value\n"
	"                     entries: Parameters.ForwardTo, ExtendedProperties.RequestType\n"
	"  --snapshot DIR     the tenant's snapshot (accepted domains, users, password policy) for the\n"
	"                     detections (default: the snapshot the tenant was last scored from)\n"
	"  --geoip FILE       a MaxMind-format country database (.mmdb) for new-country and\n"
	"                     impossible-travel detections (docs/geoip.md); without it they are off\n"
	"  --rules PATH       run the Sigma rules in PATH (a file or a directory) instead of the\n"
	"                     built-in ones of rules/ (docs/rules.md)\n"
	"  --no-detections    read and count only (no C detections, no rules)\n"
	"  --json             print the result as JSON\n"
	"\n"
	"Exit codes: 0 ok (rejected records are reported, not an error), 1 an input broke or the store\n"
	"failed, 2 usage.\n";

enum {
	OPT_THREADS = 2000,
	OPT_MEMORY,
	OPT_MAXREC,
	OPT_PROGRESS,
	OPT_NOPROGRESS,
	OPT_OP,
	OPT_USER,
	OPT_IP,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_FIELD,
	OPT_ALL,
	OPT_SNAPSHOT,
	OPT_GEOIP,
	OPT_NODETECT,
	OPT_SEVERITY,
	OPT_BY,
	OPT_NOTE,
	OPT_STATUS,
	OPT_DAYS,
	OPT_RULES
};

struct field_filter {
	const char *path;  /* borrowed from argv */
	size_t pathlen;	   /* bytes of the path */
	const char *value; /* the wanted value */
};

struct filter {
	const char *op, *user;
	char ip[48];
	bool has_ip;
	ss_time_ms since, until;
	bool has_since, has_until;
	struct field_filter fields[32];
	size_t nfields;
};

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned long long mult = 1;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1ull << 10;
	else if (*end == 'm' || *end == 'M')
		mult = 1ull << 20;
	else if (*end == 'g' || *end == 'G')
		mult = 1ull << 30;
	else if (*end)
		return -1;
	if (*end && end[1] && !(end[1] == 'B' || end[1] == 'b'))
		return -1;
	if (v > (unsigned long long)SIZE_MAX / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

static bool match(void *ctx, struct ss_audit_rec *r)
{
	struct filter *f = ctx;
	size_t i;

	if (f->op && !ss_slice_eqi(r->operation, f->op))
		return false;
	if (f->user && !ss_slice_eqi(r->user, f->user))
		return false;
	if (f->has_ip && strcmp(r->ip, f->ip) != 0)
		return false;
	if (f->has_since && r->time < f->since)
		return false;
	if (f->has_until && r->time >= f->until)
		return false;
	for (i = 0; i < f->nfields; i++) {
		struct ss_slice v;
		if (!ss_audit_field_text(r, f->fields[i].path, f->fields[i].pathlen, &v))
			return false;
		if (!ss_slice_eqi(v, f->fields[i].value))
			return false;
	}
	return true;
}

static void print_term(FILE *out, const char *s)
{
	struct ss_buf b;

	ss_buf_init(&b, (size_t)1 << 20);
	ss_text_terminal(&b, s, strlen(s));
	fputs(ss_buf_cstr(&b), out);
	ss_buf_release(&b);
}

static void print_summary(json_t *sum)
{
	json_t *rejects = json_object_get(sum, "rejects"), *warnings = json_object_get(sum, "warnings"), *e;
	json_t *inputs = json_object_get(sum, "inputs");
	size_t i, skipped = 0;

	json_array_foreach (inputs, i, e) {
		if (json_object_get(e, "skipped"))
			skipped++;
	}
	printf("Read %zu input%s (%.1f MB) in %.2f s: %lld records, %lld duplicates dropped, %lld already "
	       "ingested, %lld rejected\n",
	       json_array_size(inputs), json_array_size(inputs) == 1 ? "" : "s",
	       (double)json_integer_value(json_object_get(sum, "bytes")) / 1e6,
	       json_real_value(json_object_get(sum, "seconds")),
	       (long long)json_integer_value(json_object_get(sum, "records")),
	       (long long)json_integer_value(json_object_get(sum, "duplicates")),
	       (long long)json_integer_value(json_object_get(sum, "already_ingested")),
	       (long long)json_integer_value(json_object_get(sum, "rejected")));
	if (skipped)
		printf("%zu input%s unchanged since the last run, not read again\n", skipped,
		       skipped == 1 ? "" : "s");
	if (json_is_string(json_object_get(sum, "first")))
		printf("Span of the new records: %s .. %s, %lld users\n",
		       json_string_value(json_object_get(sum, "first")),
		       json_string_value(json_object_get(sum, "last")),
		       (long long)json_integer_value(json_object_get(sum, "users")));
	if (json_array_size(rejects)) {
		printf("Rejected records%s:\n", json_array_size(rejects) > 20 ? " (first 20)" : "");
		json_array_foreach (rejects, i, e) {
			char pos[64];
			if (i >= 20)
				break;
			fputs("  ", stdout);
			print_term(stdout, json_string_value(json_object_get(e, "file")));
			if (json_integer_value(json_object_get(e, "column")))
				snprintf(pos, sizeof(pos), ":%lld:%lld: ",
					 (long long)json_integer_value(json_object_get(e, "line")),
					 (long long)json_integer_value(json_object_get(e, "column")));
			else
				snprintf(pos, sizeof(pos), ":%lld: ",
					 (long long)json_integer_value(json_object_get(e, "line")));
			fputs(pos, stdout);
			print_term(stdout, json_string_value(json_object_get(e, "reason")));
			fputc('\n', stdout);
		}
	}
	json_array_foreach (warnings, i, e) {
		fputs("warning: ", stdout);
		print_term(stdout, json_string_value(e));
		fputc('\n', stdout);
	}
}

static bool any_input_error(json_t *sum)
{
	json_t *e;
	size_t i;

	json_array_foreach (json_object_get(sum, "inputs"), i, e) {
		if (json_object_get(e, "error"))
			return true;
	}
	return false;
}

/* The tenant audit data belongs to: --tenant (created when new), else the latest, else "default". */
static int audit_tenant(const struct ss_cli *cli, struct ss_store *st, int64_t *row, struct ss_error *err)
{
	char *tid = NULL;
	int rc = ss_store_find_tenant(st, cli->tenant, row, &tid, err);

	free(tid);
	if (rc == SS_ENOENT) {
		ss_error_clear(err);
		rc = ss_store_tenant(st, cli->tenant ? cli->tenant : "default",
				     cli->tenant ? cli->tenant : "default", false, row, err);
	}
	return rc;
}

/* What the detections read besides the records; lives for one ingest. */
struct detect_env {
	struct ss_detect_config cfg;
	struct ss_catalog cat;
	struct ss_snapshot snap;
	struct ss_facts facts;
	bool have_cat, have_snap, have_facts;
	struct ss_geo *geo;
	struct ss_rules *rules; /* built-in rules, and the user's (--rules) */
};

/* The shortest password lifetime among the tenant's domains (graph/domains.json), 0 when none expire. */
static int password_validity(const struct ss_snapshot *snap)
{
	struct ss_items it;
	ss_jv v;
	int best = 0;

	if (!ss_items_begin(snap, "graph/domains.json", &it))
		return 0;
	while ((v = ss_items_next(&it)) != SS_JNONE) {
		int64_t d;
		if (ss_json_int(it.doc, ss_json_geti(it.doc, v, "passwordValidityPeriodInDays"), &d) &&
		    d > 0 && d < 2147483647 && (best == 0 || d < best))
			best = (int)d;
	}
	return best;
}

/* $SECSCORE_GEOIP, else the country database in secscore's data folder when one is there, else NULL. */
static const char *default_geoip(char *buf, size_t len)
{
	const char *env = getenv("SECSCORE_GEOIP"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (env && *env)
		return env;
	if (xdg && *xdg)
		snprintf(buf, len, "%s/secscore/country.mmdb", xdg);
	else
		snprintf(buf, len, "%s/.local/share/secscore/country.mmdb", home && *home ? home : ".");
	return ss_file_exists(buf) ? buf : NULL;
}

static void detect_env_release(struct detect_env *e)
{
	if (e->have_facts)
		ss_facts_release(&e->facts);
	if (e->have_snap)
		ss_snapshot_release(&e->snap);
	if (e->have_cat)
		ss_catalog_release(&e->cat);
	ss_geo_close(e->geo);
	ss_rules_free(e->rules);
	ss_detect_config_release(&e->cfg);
}

static int detect_env_init(struct detect_env *e, const struct ss_cli *cli, struct ss_store *st,
			   int64_t tenant, const char *snapdir, const char *geoip, const char *rules,
			   struct ss_error *err)
{
	const char *config = cli->config ? cli->config : getenv("SECSCORE_CONFIG");
	json_t *cfg = NULL;
	char *dir = NULL, geobuf[4096];
	size_t i;
	int rc;

	memset(e, 0, sizeof(*e));
	if (config && *config) {
		json_error_t je;
		cfg = json_load_file(config, 0, &je);
		if (!cfg) {
			rc = ss_error_set(err, SS_EPARSE, "%s", je.text);
			ss_error_at(err, config, je.line, je.column);
			return rc;
		}
	}
	rc = ss_detect_config_init(&e->cfg, json_object_get(cfg, "detections"), err);
	if (rc && config)
		ss_error_at(err, config, 0, 0);
	json_decref(cfg);
	if (rc)
		return rc;
	dir = snapdir ? ss_xstrdup(snapdir) : ss_store_latest_snapshot(st, tenant);
	if (dir) {
		rc = ss_cli_catalog(cli, &e->cat, err);
		if (rc)
			goto out;
		e->have_cat = true;
		rc = ss_snapshot_open(&e->snap, dir, err);
		if (rc)
			goto out;
		e->have_snap = true;
		ss_facts_build(&e->facts, &e->snap, &e->cat);
		e->have_facts = true;
		for (i = 0; i < e->facts.domains.n; i++)
			ss_strv_push(&e->cfg.domains, e->facts.domains.v[i]);
		e->cfg.domains_known = e->facts.domains.n > 0;
		e->cfg.facts = e->facts.have_users ? &e->facts : NULL;
		e->cfg.password_validity_days = password_validity(&e->snap);
	} else {
		fputs("secscore: note: no snapshot for this tenant: forwarding targets are judged 'unknown' "
		      "(no "
		      "accepted domains) and the expired-password check is off (--snapshot DIR)\n",
		      stderr);
	}
	if (rules) {
		char *paths[1] = {(char *)rules};
		rc = ss_rules_load(&e->rules, paths, 1, err);
	} else {
		rc = ss_rules_load_builtin(&e->rules, err);
	}
	if (rc)
		goto out;
	if (!geoip)
		geoip = default_geoip(geobuf, sizeof(geobuf));
	if (geoip) {
		rc = ss_geo_open(&e->geo, geoip, err);
		if (rc)
			goto out;
		e->cfg.geo = e->geo;
	} else {
		fputs("secscore: note: no country database (--geoip FILE, $SECSCORE_GEOIP or "
		      "~/.local/share/secscore/country.mmdb): the new-country and impossible-travel "
		      "detections are "
		      "off (docs/geoip.md)\n",
		      stderr);
	}
out:
	free(dir);
	if (rc)
		detect_env_release(e);
	return rc;
}

int ss_cli_audit_ingest(const struct ss_cli *cli, char *const *paths, size_t n, unsigned threads,
			size_t memory, size_t max_record, int progress, json_t **summary)
{
	return ss_cli_audit_ingest_ex(cli, paths, n, threads, memory, max_record, progress, NULL, NULL, NULL,
				      true, summary);
}

int ss_cli_audit_ingest_ex(const struct ss_cli *cli, char *const *paths, size_t n, unsigned threads,
			   size_t memory, size_t max_record, int progress, const char *snapdir,
			   const char *geoip, const char *rules, bool detections, json_t **summary)
{
	struct ss_error err;
	struct ss_store st;
	struct ss_ingest_opts o = {0};
	struct detect_env env;
	bool have_env = false;
	json_t *sum = NULL;
	int rc;

	ss_error_clear(&err);
	rc = ss_cli_store(cli, true, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = audit_tenant(cli, &st, &o.tenant, &err);
	if (rc) {
		ss_store_close(&st);
		return ss_cli_fail(&err);
	}
	o.threads = threads;
	o.memory = memory;
	o.max_record = max_record;
	o.progress = progress < 0 ? isatty(STDERR_FILENO) : progress;
	o.dedup = true;
	o.st = &st;
	if (detections) {
		rc = detect_env_init(&env, cli, &st, o.tenant, snapdir, geoip, rules, &err);
		if (rc) {
			ss_store_close(&st);
			return ss_cli_fail(&err);
		}
		have_env = true;
		o.detect = &env.cfg;
		o.rules = env.rules;
	}
	rc = ss_ingest_run(paths, n, &o, &sum, &err);
	if (have_env)
		detect_env_release(&env);
	ss_store_close(&st);
	if (rc) {
		json_decref(sum);
		return ss_cli_fail(&err);
	}
	rc = any_input_error(sum) ? SS_EXIT_ERROR : SS_EXIT_OK;
	if (summary) {
		*summary = sum;
		return rc;
	}
	if (cli->json) {
		ss_cli_print_json(sum);
	} else {
		print_summary(sum);
		json_decref(sum);
	}
	return rc;
}

static void print_stats(json_t *doc)
{
	json_t *e, *g;
	size_t i, j;

	printf("Audit records: %lld, %s .. %s (%lld days, %lld with records)\n",
	       (long long)json_integer_value(json_object_get(doc, "records")),
	       json_is_string(json_object_get(doc, "first"))
		       ? json_string_value(json_object_get(doc, "first"))
		       : "-",
	       json_is_string(json_object_get(doc, "last")) ? json_string_value(json_object_get(doc, "last"))
							    : "-",
	       (long long)json_integer_value(json_object_get(doc, "days_covered")),
	       (long long)json_integer_value(json_object_get(doc, "days_with_records")));
	printf("Duplicates dropped: %lld; rejected records: %lld; runs: %lld\n",
	       (long long)json_integer_value(json_object_get(doc, "duplicates")),
	       (long long)json_integer_value(json_object_get(doc, "rejected")),
	       (long long)json_integer_value(json_object_get(doc, "runs")));
	g = json_object_get(doc, "gaps");
	if (json_array_size(g)) {
		printf("Days without any record: ");
		json_array_foreach (g, i, e) {
			if (i >= 20) {
				printf(" ... (%zu in all)", json_array_size(g));
				break;
			}
			printf("%s%s", i ? ", " : "", json_string_value(e));
		}
		putchar('\n');
	} else if (json_integer_value(json_object_get(doc, "records"))) {
		printf("No day without records inside the span.\n");
	}
	printf("\n%-28s %12s %6s %s\n", "workload", "records", "days", "gaps");
	json_array_foreach (json_object_get(doc, "workloads"), i, e) {
		struct ss_buf b;
		ss_buf_init(&b, 4096);
		ss_text_terminal(&b, json_string_value(json_object_get(e, "workload")),
				 strlen(json_string_value(json_object_get(e, "workload"))));
		printf("%-28.28s %12lld %6lld %zu\n", ss_buf_cstr(&b),
		       (long long)json_integer_value(json_object_get(e, "records")),
		       (long long)json_integer_value(json_object_get(e, "days")),
		       json_array_size(json_object_get(e, "gaps")));
		ss_buf_release(&b);
	}
	json_array_foreach (json_object_get(doc, "recent_rejects"), i, e) {
		if (i == 0)
			printf("\nRecent rejected records:\n");
		if (i >= 10)
			break;
		fputs("  ", stdout);
		print_term(stdout, json_string_value(json_object_get(e, "file")));
		printf(":%lld: ", (long long)json_integer_value(json_object_get(e, "line")));
		print_term(stdout, json_string_value(json_object_get(e, "reason")));
		putchar('\n');
	}
	j = 0;
	json_array_foreach (json_object_get(doc, "warnings"), i, e) {
		if (!j++)
			putchar('\n');
		fputs("warning: ", stdout);
		print_term(stdout, json_string_value(e));
		putchar('\n');
	}
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void print_one_finding(json_t *f)
{
	printf("  %-8.8s %-13s ", jstr(f, "id"), jstr(f, "severity"));
	print_term(stdout, jstr(f, "title"));
	if (json_is_string(json_object_get(f, "status")) && strcmp(jstr(f, "status"), "open") != 0)
		printf(" [%s]", jstr(f, "status"));
	fputs("\n           ", stdout);
	print_term(stdout, jstr(f, "summary"));
	printf(" (%s .. %s, %lld)\n", jstr(f, "first"), jstr(f, "last"),
	       (long long)json_integer_value(json_object_get(f, "count")));
}

static int sev_desc(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int rx = ss_severity_rank(jstr(x, "severity")), ry = ss_severity_rank(jstr(y, "severity"));

	if (rx != ry)
		return ry - rx;
	return strcmp(jstr(y, "last"), jstr(x, "last"));
}

void ss_cli_print_findings(json_t *arr, size_t max)
{
	size_t i, n = json_array_size(arr);
	json_t **v = ss_xcalloc(n ? n : 1, sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), sev_desc);
	for (i = 0; i < n && i < max; i++)
		print_one_finding(v[i]);
	if (n > max)
		printf("  ... %zu more ('secscore audit findings')\n", n - max);
	if (!n)
		printf("  No findings.\n");
	free(v);
}

static void print_findings(json_t *arr, size_t max)
{
	json_t *f;
	size_t i;

	if (!json_array_size(arr)) {
		printf("No findings.\n");
		return;
	}
	json_array_foreach (arr, i, f) {
		if (i >= max) {
			printf("  ... %zu more ('secscore audit findings')\n", json_array_size(arr) - max);
			break;
		}
		print_one_finding(f);
	}
}

static int audit_findings(const struct ss_cli *cli, int argc, char **argv, const char *since,
			  const char *severity, const char *by, const char *note, const char *status)
{
	struct ss_error err;
	struct ss_store st;
	json_t *out = NULL;
	int64_t tenant;
	char *tid = NULL;
	ss_time_ms t = 0;
	int rc, rank = 0;

	ss_error_clear(&err);
	if (since && ss_time_parse(since, strlen(since), &t))
		return ss_cli_usage_error(usage, "--since needs a date or time like 2026-11-01");
	if (severity && (rank = ss_severity_rank(severity)) < 0)
		return ss_cli_usage_error(usage,
					  "--severity is one of informational, low, medium, high, critical");
	if (argc > 0 && strcmp(argv[0], "ack") != 0)
		return ss_cli_usage_error(usage, "'%s': audit findings takes 'ack ID' or nothing", argv[0]);
	if (argc > 0 && (argc != 2 || !by || !*by))
		return ss_cli_usage_error(usage, "audit findings ack needs one ID and --by NAME");
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	free(tid);
	if (!rc && argc > 0)
		rc = ss_store_finding_ack(&st, tenant, argv[1], status ? status : "acknowledged", by, note,
					  &err);
	else if (!rc)
		rc = ss_store_findings(&st, tenant, t, rank, &out, &err);
	ss_store_close(&st);
	if (rc)
		return rc == SS_EINVAL ? ss_cli_usage_error(usage, "%s", err.msg) : ss_cli_fail(&err);
	if (argc > 0) {
		printf("Finding %s: %s by ", argv[1], status ? status : "acknowledged");
		print_term(stdout, by);
		putchar('\n');
		return SS_EXIT_OK;
	}
	if (cli->json) {
		ss_cli_print_json(json_pack("{s:o}", "value", out));
	} else {
		print_findings(out, 1000);
		json_decref(out);
	}
	return SS_EXIT_OK;
}

/*
 * Inactive users (analytics/inactive.c): no successful sign-in in the audit
 * data within the last `days` days, joined with the snapshot's users.
 */
static int audit_inactive(const struct ss_cli *cli, long days)
{
	struct ss_error err;
	struct ss_store st;
	struct ss_catalog cat;
	bool have_cat;
	json_t *doc = NULL, *e;
	int64_t tenant;
	char *tid = NULL;
	size_t i;
	int rc;

	ss_error_clear(&err);
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc) {
		/* without a usable catalog the users come from the audit log itself */
		have_cat = ss_cli_catalog(cli, &cat, NULL) == 0;
		rc = ss_inactive_users(&st, tenant, tid, have_cat ? &cat : NULL, days, ss_time_now(), &doc,
				       &err);
		if (have_cat)
			ss_catalog_release(&cat);
	}
	free(tid);
	ss_store_close(&st);
	if (rc)
		return ss_cli_fail(&err);
	if (cli->json) {
		ss_cli_print_json(doc);
		return SS_EXIT_OK;
	}
	printf("%lld users %s (users from the %s; audit coverage %s .. %s)",
	       (long long)json_integer_value(json_object_get(doc, "count")), jstr(doc, "statement"),
	       strcmp(jstr(doc, "source"), "snapshot") == 0 ? "snapshot" : "audit log",
	       json_is_string(json_object_get(doc, "coverage_first")) ? jstr(doc, "coverage_first") : "-",
	       json_is_string(json_object_get(doc, "coverage_last")) ? jstr(doc, "coverage_last") : "-");
	if (json_object_get(doc, "licensed"))
		printf("; %lld of them licensed: licences that could be recovered",
		       (long long)json_integer_value(json_object_get(doc, "licensed")));
	putchar('\n');
	json_array_foreach (json_object_get(doc, "users"), i, e) {
		fputs("  ", stdout);
		print_term(stdout, jstr(e, "upn"));
		printf("  last sign-in %s", json_is_string(json_object_get(e, "last_signin"))
						    ? jstr(e, "last_signin")
						    : "none seen");
		if (json_is_true(json_object_get(e, "licensed")))
			fputs(", licensed", stdout);
		if (json_is_false(json_object_get(e, "enabled")))
			fputs(", disabled", stdout);
		putchar('\n');
	}
	json_decref(doc);
	return SS_EXIT_OK;
}

static int audit_stats(const struct ss_cli *cli)
{
	struct ss_error err;
	struct ss_store st;
	json_t *doc = NULL;
	int64_t tenant;
	char *tid = NULL;
	int rc;

	ss_error_clear(&err);
	rc = ss_cli_store(cli, false, &st, &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err);
	if (!rc)
		rc = ss_store_audit_stats(&st, tenant, &doc, &err);
	ss_store_close(&st);
	if (rc) {
		free(tid);
		return ss_cli_fail(&err);
	}
	json_object_set_new(doc, "tenant", json_string(tid));
	free(tid);
	if (cli->json) {
		ss_cli_print_json(doc);
	} else {
		print_stats(doc);
		json_decref(doc);
	}
	return SS_EXIT_OK;
}

static int audit_grep(char *const *paths, size_t n, struct filter *f, unsigned threads, size_t max_record,
		      bool all)
{
	struct ss_error err;
	struct ss_ingest_opts o = {0};
	json_t *sum = NULL;
	int rc;

	ss_error_clear(&err);
	o.threads = threads;
	o.max_record = max_record;
	o.dedup = !all;
	o.match = match;
	o.match_ctx = f;
	o.out = stdout;
	rc = ss_ingest_run(paths, n, &o, &sum, &err);
	if (rc) {
		json_decref(sum);
		return ss_cli_fail(&err);
	}
	/* what could not be read goes to stderr, so stdout stays clean NDJSON */
	if (json_integer_value(json_object_get(sum, "rejected")) || any_input_error(sum)) {
		json_t *e;
		size_t i;
		fprintf(stderr, "secscore: %lld records rejected\n",
			(long long)json_integer_value(json_object_get(sum, "rejected")));
		json_array_foreach (json_object_get(sum, "rejects"), i, e) {
			if (i >= 20)
				break;
			fputs("  ", stderr);
			print_term(stderr, json_string_value(json_object_get(e, "file")));
			fprintf(stderr, ":%lld: ", (long long)json_integer_value(json_object_get(e, "line")));
			print_term(stderr, json_string_value(json_object_get(e, "reason")));
			fputc('\n', stderr);
		}
		json_array_foreach (json_object_get(sum, "warnings"), i, e) {
			fputs("secscore: warning: ", stderr);
			print_term(stderr, json_string_value(e));
			fputc('\n', stderr);
		}
	}
	rc = any_input_error(sum) ? SS_EXIT_ERROR : SS_EXIT_OK;
	json_decref(sum);
	return rc;
}

int cmd_audit(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"threads", required_argument, NULL, OPT_THREADS},
					     {"memory", required_argument, NULL, OPT_MEMORY},
					     {"max-record", required_argument, NULL, OPT_MAXREC},
					     {"progress", no_argument, NULL, OPT_PROGRESS},
					     {"no-progress", no_argument, NULL, OPT_NOPROGRESS},
					     {"op", required_argument, NULL, OPT_OP},
					     {"user", required_argument, NULL, OPT_USER},
					     {"ip", required_argument, NULL, OPT_IP},
					     {"since", required_argument, NULL, OPT_SINCE},
					     {"until", required_argument, NULL, OPT_UNTIL},
					     {"field", required_argument, NULL, OPT_FIELD},
					     {"all", no_argument, NULL, OPT_ALL},
					     {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
					     {"geoip", required_argument, NULL, OPT_GEOIP},
					     {"no-detections", no_argument, NULL, OPT_NODETECT},
					     {"severity", required_argument, NULL, OPT_SEVERITY},
					     {"by", required_argument, NULL, OPT_BY},
					     {"note", required_argument, NULL, OPT_NOTE},
					     {"status", required_argument, NULL, OPT_STATUS},
					     {"days", required_argument, NULL, OPT_DAYS},
					     {"rules", required_argument, NULL, OPT_RULES},
					     {NULL, 0, NULL, 0}};
	struct filter f;
	const char *sub, *snapdir = NULL, *geoip = NULL, *rules = NULL, *severity = NULL, *by = NULL,
			 *note = NULL, *status = NULL, *since_text = NULL;
	bool detections = true;
	long days = 90;
	unsigned threads = 0;
	size_t memory = 0, max_record = 0;
	int progress = -1, c;
	bool all = false, grep_opts = false;
	char *endp;

	memset(&f, 0, sizeof(f));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc >= 2) {
			fputs(usage, stdout);
			return SS_EXIT_OK;
		}
		return ss_cli_usage_error(usage, "audit needs a subcommand: ingest, stats or grep");
	}
	sub = argv[1];
	if (strcmp(sub, "ingest") != 0 && strcmp(sub, "stats") != 0 && strcmp(sub, "grep") != 0 &&
	    strcmp(sub, "findings") != 0 && strcmp(sub, "inactive") != 0)
		return ss_cli_usage_error(
			usage, "'%s' is not an audit subcommand (ingest, stats, grep, findings, inactive)",
			sub);
	optind = 1;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case OPT_THREADS: {
			unsigned long v;
			errno = 0;
			v = strtoul(optarg, &endp, 10);
			if (errno || *endp || v < 1 || v > 256 || optarg[0] == '-')
				return ss_cli_usage_error(usage, "--threads needs a number from 1 to 256");
			threads = (unsigned)v;
			break;
		}
		case OPT_MEMORY:
			if (parse_size(optarg, &memory) || memory < ((size_t)64 << 10))
				return ss_cli_usage_error(
					usage, "--memory needs a size of at least 64K, like 512M or 2G");
			break;
		case OPT_MAXREC:
			if (parse_size(optarg, &max_record) || max_record < 1024 ||
			    max_record > ((size_t)1 << 30))
				return ss_cli_usage_error(usage, "--max-record needs a size from 1K to 1G");
			break;
		case OPT_PROGRESS: progress = 1; break;
		case OPT_NOPROGRESS: progress = 0; break;
		case OPT_OP:
			f.op = optarg;
			grep_opts = true;
			break;
		case OPT_USER:
			f.user = optarg;
			grep_opts = true;
			break;
		case OPT_IP:
			if (!ss_audit_ip((struct ss_slice){optarg, strlen(optarg)}, f.ip))
				return ss_cli_usage_error(usage, "--ip needs an IPv4 or IPv6 address");
			f.has_ip = true;
			grep_opts = true;
			break;
		case OPT_SINCE:
		case OPT_UNTIL: {
			ss_time_ms t;
			if (ss_time_parse(optarg, strlen(optarg), &t))
				return ss_cli_usage_error(usage,
							  "--%s needs a date or time like 2026-11-01T08:00",
							  c == OPT_SINCE ? "since" : "until");
			if (c == OPT_SINCE) {
				since_text = optarg;
				f.since = t;
				f.has_since = true;
			} else {
				f.until = t;
				f.has_until = true;
			}
			grep_opts = true;
			break;
		}
		case OPT_FIELD: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				return ss_cli_usage_error(usage, "--field needs PATH=VALUE");
			if (f.nfields == SS_ARRAY_LEN(f.fields))
				return ss_cli_usage_error(usage, "at most 32 --field filters");
			f.fields[f.nfields++] = (struct field_filter){optarg, (size_t)(eq - optarg), eq + 1};
			grep_opts = true;
			break;
		}
		case OPT_ALL:
			all = true;
			grep_opts = true;
			break;
		case OPT_SNAPSHOT: snapdir = optarg; break;
		case OPT_GEOIP: geoip = optarg; break;
		case OPT_RULES: rules = optarg; break;
		case OPT_NODETECT: detections = false; break;
		case OPT_SEVERITY: severity = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_NOTE: note = optarg; break;
		case OPT_STATUS: status = optarg; break;
		case OPT_DAYS:
			errno = 0;
			days = strtol(optarg, &endp, 10);
			if (errno || *endp || days < 1 || days > 3650)
				return ss_cli_usage_error(usage, "--days needs a number from 1 to 3650");
			break;
		}
	}
	if (strcmp(sub, "findings") == 0)
		return audit_findings(cli, argc - optind, argv + optind, since_text, severity, by, note,
				      status);
	if (strcmp(sub, "inactive") == 0) {
		if (optind != argc)
			return ss_cli_usage_error(usage, "audit inactive takes no paths");
		return audit_inactive(cli, days);
	}
	if (strcmp(sub, "stats") == 0) {
		if (optind != argc)
			return ss_cli_usage_error(usage, "audit stats takes no paths");
		return audit_stats(cli);
	}
	if (optind >= argc)
		return ss_cli_usage_error(usage,
					  "audit %s needs at least one PATH (a file, a directory or -)", sub);
	if (strcmp(sub, "ingest") == 0) {
		if (grep_opts)
			return ss_cli_usage_error(usage, "filters are for 'audit grep'");
		return ss_cli_audit_ingest_ex(cli, argv + optind, (size_t)(argc - optind), threads, memory,
					      max_record, progress, snapdir, geoip, rules, detections, NULL);
	}
	return audit_grep(argv + optind, (size_t)(argc - optind), &f, threads, max_record, all);
}
