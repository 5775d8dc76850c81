/* cmd_collect.c - `secscore collect snapshot|audit`: fetch a tenant's configuration and audit log ourselves. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/text.h"
#include "base/time.h"
#include "cli/cli.h"
#include "collect/activity.h"
#include "collect/auth.h"
#include "collect/config.h"
#include "collect/graph.h"
#include "collect/http.h"

static const char usage[] =
	"usage: secscore collect snapshot [--tenant T] [--out DIR] [--no-import] [--json]\n"
	"       secscore collect audit [--tenant T] [--since T1] [--content-types CT,...] [--parallel N]\n"
	"                              [--dry-run] [--progress | --no-progress] [--json]\n"
	"\n"
	"Fetches a tenant's data with an app registration (docs/collect.md): the credentials come from\n"
	"the \"collect\" object of the config file (--config FILE or $SECSCORE_CONFIG; mode 0600 when it\n"
	"holds the secret) or from $SECSCORE_TENANT_ID, $SECSCORE_CLIENT_ID, $SECSCORE_CLIENT_SECRET,\n"
	"$SECSCORE_CLIENT_CERT and $SECSCORE_CLIENT_KEY, $SECSCORE_CLOUD.\n"
	"\n"
	"  snapshot  the Microsoft Graph part of a snapshot (docs/snapshot.md), written atomically to DIR\n"
	"            (default: <store dir>/snapshots/<tenant>/<time>), then imported and scored\n"
	"  audit     the unified audit log from the Office 365 Management Activity API: starts the\n"
	"            subscriptions, lists content in windows of at most 24 hours (at most 7 days back),\n"
	"            downloads the blobs (kept as <store dir>/blobs/<tenant>/<type>/<id>.json.zst) and\n"
	"            ingests them exactly once; an interrupted run resumes where it stopped\n"
	"\n"
	"  --tenant T            the tenant id (a GUID for the Management API), or a stored tenant's name\n"
	"  --out DIR             snapshot directory to create\n"
	"  --no-import           snapshot: do not import and score it\n"
	"  --since T1            audit: first window start (ISO 8601; at most 7 days back)\n"
	"  --content-types LIST  audit: Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint,\n"
	"                        Audit.General (default: these four), DLP.All (needs ActivityFeed.ReadDlp)\n"
	"  --parallel N          audit: concurrent downloads (default 8)\n"
	"  --dry-run             audit: show the subscriptions to start and the windows to read; fetch "
	"nothing\n"
	"  --progress / --no-progress  progress bar on stderr (default: when stderr is a terminal)\n"
	"  --json                print the report as JSON\n"
	"\n"
	"Exit codes: 0 ok, 1 an error or lost coverage (expired content; the run says which), 2 usage.\n";

enum {
	OPT_OUT = 2000,
	OPT_NOIMPORT,
	OPT_SINCE,
	OPT_TYPES,
	OPT_PARALLEL,
	OPT_DRYRUN,
	OPT_PROGRESS,
	OPT_NOPROGRESS
};

/* The progress bar's state. */
struct bar {
	bool on;       /* drawing */
	double last;   /* monotonic time of the last draw */
	bool drawn;    /* something is on the line */
	char what[64]; /* what it counts */
};

static void human_bytes(uint64_t n, char out[32])
{
	if (n >= (uint64_t)1 << 30)
		snprintf(out, 32, "%.1f GiB", (double)n / (double)(1 << 30));
	else if (n >= (uint64_t)1 << 20)
		snprintf(out, 32, "%.1f MiB", (double)n / (double)(1 << 20));
	else if (n >= 1024)
		snprintf(out, 32, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(out, 32, "%llu B", (unsigned long long)n);
}

static void audit_progress(void *ctx, const struct ss_activity_progress *p)
{
	struct bar *b = ctx;
	double now = ss_time_monotonic();
	char bytes[32];

	if (!b->on || now - b->last < 0.1)
		return;
	b->last = now;
	b->drawn = true;
	human_bytes(p->http->bytes, bytes);
	fprintf(stderr, "\r\033[Kcollect: windows %llu/%llu  blobs %llu/%llu  records %llu  %s  retries %llu",
		(unsigned long long)p->windows_done, (unsigned long long)p->windows,
		(unsigned long long)p->blobs_done, (unsigned long long)p->blobs,
		(unsigned long long)p->records, bytes, (unsigned long long)p->http->retries);
}

static void snapshot_progress(void *ctx, const char *file, size_t done, size_t total)
{
	struct bar *b = ctx;

	if (!b->on)
		return;
	b->drawn = true;
	fprintf(stderr, "\r\033[Kcollect: graph %zu/%zu %s", done + 1, total, file);
}

static void bar_end(struct bar *b)
{
	if (b->drawn)
		fputs("\r\033[K", stderr);
	b->drawn = false;
}

/* The directory of the store file (owned). */
static char *store_dir(const struct ss_cli *cli)
{
	char *path = cli->db ? ss_xstrdup(cli->db) : ss_store_default_path();
	char *slash = strrchr(path, '/');

	if (!slash) {
		free(path);
		return ss_xstrdup(".");
	}
	if (slash == path)
		slash[1] = '\0';
	else
		*slash = '\0';
	return path;
}

/* A path component from s: [A-Za-z0-9._-] kept, others '_'; never "." or "..". */
static void component(struct ss_buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_' || (c == '.' && i > 0);
		ss_buf_addc(b, ok ? c : '_');
	}
	if (!i)
		ss_buf_addc(b, '_');
}

/*
 * Loads the config; a --tenant that names a stored tenant (by id or display
 * name) stands for that tenant's id.
 */
static int load(const struct ss_cli *cli, struct ss_store *st, struct ss_collect_config *cfg,
		struct ss_error *err)
{
	const char *path = cli->config ? cli->config : getenv("SECSCORE_CONFIG");
	char *tid = NULL;
	int64_t row;
	int rc;

	if (cli->tenant && ss_store_find_tenant(st, cli->tenant, &row, &tid, NULL) != 0) {
		free(tid);
		tid = NULL;
	}
	rc = ss_collect_config_load(cfg, path, tid ? tid : cli->tenant, err);
	free(tid);
	return rc;
}

/* What the ingest callback needs. */
struct ingest_ctx {
	struct ss_cli cli; /* a copy with tenant set to the collected tenant's id */
};

static int ingest(void *ctx, char *const *paths, size_t n, json_t **summary, struct ss_error *err)
{
	struct ingest_ctx *ic = ctx;

	*summary = NULL;
	ss_cli_audit_ingest_ex(&ic->cli, paths, n, 0, 0, 0, 0, NULL, NULL, NULL, true, summary);
	if (!*summary)
		return ss_error_set(err, SS_ESTORE, "the audit pipeline failed (see above)");
	return 0;
}

static int parse_types(const char *s, const char ***types, size_t *n)
{
	char *copy = ss_xstrdup(s), *p = copy, *save = NULL, *tok;
	const char **out = ss_xcalloc(8, sizeof(*out));
	size_t k = 0, i;

	while ((tok = strtok_r(p, ",", &save))) {
		bool dup = false;
		p = NULL;
		while (*tok == ' ')
			tok++;
		if (!ss_activity_known_type(tok)) {
			fprintf(stderr, "secscore: unknown content type '%.100s'\n", tok);
			free(copy);
			free(out);
			return -1;
		}
		for (i = 0; ss_activity_types[i]; i++)
			if (strcmp(tok, ss_activity_types[i]) == 0)
				tok = (char *)ss_activity_types[i];
		for (i = 0; i < k; i++)
			dup = dup || strcmp(out[i], tok) == 0;
		if (!dup && k < 7)
			out[k++] = tok;
	}
	free(copy);
	if (!k) {
		free(out);
		return -1;
	}
	*types = out;
	*n = k;
	return 0;
}

static void print_audit(json_t *rep)
{
	json_t *subs = json_object_get(rep, "subscriptions"), *e, *w = json_object_get(rep, "windows");
	json_t *b = json_object_get(rep, "blobs");
	char bytes[32];
	size_t i;

	if (json_array_size(json_object_get(subs, "started"))) {
		printf("Subscriptions %s:",
		       json_is_true(json_object_get(rep, "dryRun")) ? "to start" : "started");
		json_array_foreach (json_object_get(subs, "started"), i, e)
			printf(" %s", json_string_value(e));
		putchar('\n');
	}
	if (json_is_true(json_object_get(rep, "dryRun"))) {
		printf("Windows to read: %zu\n", json_array_size(json_object_get(rep, "plan")));
		json_array_foreach (json_object_get(rep, "plan"), i, e)
			printf("  %-28s %s .. %s  %s\n", json_string_value(json_object_get(e, "contentType")),
			       json_string_value(json_object_get(e, "start")),
			       json_string_value(json_object_get(e, "end")),
			       json_string_value(json_object_get(e, "state")));
		printf("Blobs listed earlier and not yet ingested: %lld\n",
		       (long long)json_integer_value(json_object_get(rep, "pending_blobs")));
		return;
	}
	human_bytes((uint64_t)json_integer_value(json_object_get(rep, "bytes")), bytes);
	printf("Windows: %lld closed, %lld open, %lld lost\n",
	       (long long)json_integer_value(json_object_get(w, "closed")),
	       (long long)json_integer_value(json_object_get(w, "open")),
	       (long long)json_integer_value(json_object_get(w, "lost")));
	printf("Blobs: %lld ingested, %lld waiting, %lld lost\n",
	       (long long)json_integer_value(json_object_get(b, "ingested")),
	       (long long)(json_integer_value(json_object_get(b, "listed")) +
			   json_integer_value(json_object_get(b, "fetched"))),
	       (long long)json_integer_value(json_object_get(b, "lost")));
	printf("Records: %lld new, %lld duplicates dropped, %lld already stored\n",
	       (long long)json_integer_value(json_object_get(rep, "records")),
	       (long long)json_integer_value(json_object_get(rep, "duplicates")),
	       (long long)json_integer_value(json_object_get(rep, "already_ingested")));
	printf("Requests: %lld (%lld retries, %lld throttled), %s\n",
	       (long long)json_integer_value(json_object_get(rep, "requests")),
	       (long long)json_integer_value(json_object_get(rep, "retries")),
	       (long long)json_integer_value(json_object_get(rep, "throttled")), bytes);
	json_array_foreach (json_object_get(rep, "errors"), i, e) {
		struct ss_buf t;
		ss_buf_init(&t, 8192);
		ss_text_terminal(&t, json_string_value(e), strlen(json_string_value(e)));
		printf("problem: %s\n", ss_buf_cstr(&t));
		ss_buf_release(&t);
	}
}

/* Lost coverage goes to stderr whatever the output format: it must not go unnoticed. */
static void report_lost(json_t *rep)
{
	json_t *e;
	size_t i;

	json_array_foreach (json_object_get(rep, "lost"), i, e) {
		const char *id = json_string_value(json_object_get(e, "contentId"));
		const char *win = json_string_value(json_object_get(e, "window"));
		struct ss_buf t;
		ss_buf_init(&t, 8192);
		ss_buf_printf(&t, "%s %s %s: %s", json_string_value(json_object_get(e, "contentType")),
			      id ? "blob" : "window",
			      id    ? id
			      : win ? win
				    : "?",
			      json_string_value(json_object_get(e, "reason")));
		fputs("secscore: LOST COVERAGE: ", stderr);
		{
			struct ss_buf u;
			ss_buf_init(&u, 16384);
			ss_text_terminal(&u, t.ptr, t.len);
			fprintf(stderr, "%s\n", ss_buf_cstr(&u));
			ss_buf_release(&u);
		}
		ss_buf_release(&t);
	}
}

static int run_audit(const struct ss_cli *cli, struct ss_store *st, struct ss_collect_config *cfg,
		     struct ss_http *http, const char **types, size_t n_types, ss_time_ms since,
		     unsigned parallel, bool dry_run, int progress, struct ss_error *err)
{
	struct ss_activity_opts o = {0};
	struct ss_auth auth;
	struct ingest_ctx ic;
	struct bar bar = {0};
	struct ss_buf dir;
	json_t *rep = NULL;
	char *sdir = store_dir(cli);
	size_t lost = 0;
	int64_t row;
	int rc;

	ss_buf_init(&dir, 1 << 16);
	ss_buf_printf(&dir, "%s/blobs/", sdir);
	component(&dir, cfg->tenant);
	free(sdir);
	rc = ss_store_tenant(st, cfg->tenant, cfg->tenant, false, &row, err);
	if (rc)
		goto out_buf;
	rc = ss_auth_init(&auth, cfg, http, cfg->manage_scope, err);
	if (rc)
		goto out_buf;
	ic.cli = *cli;
	ic.cli.tenant = cfg->tenant;
	ic.cli.json = false;
	bar.on = progress < 0 ? isatty(STDERR_FILENO) : progress;
	o.st = st;
	o.tenant = row;
	o.cfg = cfg;
	o.http = http;
	o.auth = &auth;
	o.types = types;
	o.n_types = n_types;
	o.since = since;
	o.parallel = parallel;
	o.dry_run = dry_run;
	o.blob_dir = ss_buf_cstr(&dir);
	o.ingest = ingest;
	o.ingest_ctx = &ic;
	o.progress = audit_progress;
	o.progress_ctx = &bar;
	rc = ss_activity_collect(&o, &rep, &lost, err);
	bar_end(&bar);
	ss_auth_release(&auth);
	if (rep) {
		report_lost(rep);
		if (cli->json) {
			ss_cli_print_json(json_incref(rep));
		} else {
			print_audit(rep);
		}
	}
	if (!rc && lost) {
		fprintf(stderr,
			"secscore: %zu blob%s or window%s of audit content could not be collected "
			"(see LOST COVERAGE above)\n",
			lost, lost == 1 ? "" : "s", lost == 1 ? "" : "s");
		rc = SS_ENOENT;
		ss_error_clear(err);
	}
	json_decref(rep);
out_buf:
	ss_buf_release(&dir);
	return rc;
}

/* Runs `secscore import DIR` for the collected snapshot; with --json its output is dropped. */
static int import_snapshot(struct ss_cli *cli, const char *dir)
{
	char *argv[] = {"import", (char *)dir, NULL};
	struct ss_cli c = *cli;
	int saved = -1, rc;

	c.json = false;
	fflush(stdout);
	if (cli->json) {
		int fd = open("/dev/null", O_WRONLY);
		saved = dup(STDOUT_FILENO);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
	}
	optind = 1;
	rc = cmd_import(2, argv, &c);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	return rc;
}

static int run_snapshot(struct ss_cli *cli, struct ss_collect_config *cfg, struct ss_http *http,
			const char *out, bool do_import, int progress, struct ss_error *err)
{
	struct ss_graph_opts o = {0};
	struct ss_auth auth;
	struct bar bar = {0};
	struct ss_buf dir;
	json_t *rep = NULL, *e;
	size_t i;
	int rc;

	ss_buf_init(&dir, 1 << 16);
	if (out) {
		ss_buf_adds(&dir, out);
	} else {
		char *sdir = store_dir(cli), t[32];
		ss_time_format(ss_time_now(), t);
		ss_buf_printf(&dir, "%s/snapshots/", sdir);
		component(&dir, cfg->tenant);
		ss_buf_printf(&dir, "/%.4s%.2s%.2sT%.2s%.2s%.2sZ", t, t + 5, t + 8, t + 11, t + 14, t + 17);
		free(sdir);
	}
	rc = ss_auth_init(&auth, cfg, http, cfg->graph_scope, err);
	if (rc)
		goto out;
	bar.on = progress < 0 ? isatty(STDERR_FILENO) : progress;
	o.cfg = cfg;
	o.http = http;
	o.auth = &auth;
	o.out = ss_buf_cstr(&dir);
	o.progress = snapshot_progress;
	o.progress_ctx = &bar;
	rc = ss_graph_snapshot(&o, &rep, err);
	bar_end(&bar);
	ss_auth_release(&auth);
	if (rc)
		goto out;
	json_array_foreach (json_object_get(rep, "skipped"), i, e)
		fprintf(stderr,
			"secscore: warning: skipped graph/%s (HTTP %lld %s): its controls are Not scored\n",
			json_string_value(json_object_get(e, "file")),
			(long long)json_integer_value(json_object_get(e, "status")),
			json_string_value(json_object_get(e, "code")));
	if (!cli->json) {
		printf("Snapshot written to %s: %zu files, %zu skipped (%lld requests, %lld retries)\n",
		       ss_buf_cstr(&dir), json_array_size(json_object_get(rep, "files")),
		       json_array_size(json_object_get(rep, "skipped")),
		       (long long)json_integer_value(json_object_get(rep, "requests")),
		       (long long)json_integer_value(json_object_get(rep, "retries")));
	}
	if (do_import) {
		int irc = import_snapshot(cli, ss_buf_cstr(&dir));
		json_object_set_new(rep, "imported", json_boolean(irc == SS_EXIT_OK));
		if (irc != SS_EXIT_OK)
			rc = ss_error_set(err, SS_EIO, "the snapshot was collected but importing it failed");
	}
	if (cli->json)
		ss_cli_print_json(json_incref(rep));
out:
	json_decref(rep);
	ss_buf_release(&dir);
	return rc;
}

int cmd_collect(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"out", required_argument, NULL, OPT_OUT},
					     {"no-import", no_argument, NULL, OPT_NOIMPORT},
					     {"since", required_argument, NULL, OPT_SINCE},
					     {"content-types", required_argument, NULL, OPT_TYPES},
					     {"parallel", required_argument, NULL, OPT_PARALLEL},
					     {"dry-run", no_argument, NULL, OPT_DRYRUN},
					     {"progress", no_argument, NULL, OPT_PROGRESS},
					     {"no-progress", no_argument, NULL, OPT_NOPROGRESS},
					     {NULL, 0, NULL, 0}};
	struct ss_collect_config cfg;
	struct ss_error err;
	struct ss_store st;
	struct ss_http http;
	const char *sub, *out = NULL, **types = NULL;
	size_t n_types = 0;
	ss_time_ms since = 0;
	unsigned long parallel = 8;
	bool do_import = true, dry_run = false, have_types = false, snapshot;
	int c, rc, progress = -1;

	ss_error_clear(&err);
	if (argc < 2)
		return ss_cli_usage_error(usage, "collect needs 'snapshot' or 'audit'");
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(usage, stdout);
		return SS_EXIT_OK;
	}
	if (strcmp(sub, "snapshot") != 0 && strcmp(sub, "audit") != 0)
		return ss_cli_usage_error(usage, "collect: unknown subcommand '%.100s'", sub);
	snapshot = strcmp(sub, "snapshot") == 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		char *end;
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case OPT_OUT: out = optarg; break;
		case OPT_NOIMPORT: do_import = false; break;
		case OPT_DRYRUN: dry_run = true; break;
		case OPT_PROGRESS: progress = 1; break;
		case OPT_NOPROGRESS: progress = 0; break;
		case OPT_SINCE:
			if (ss_time_parse(optarg, strlen(optarg), &since))
				return ss_cli_usage_error(usage, "--since: not a time: '%.100s'", optarg);
			break;
		case OPT_PARALLEL:
			errno = 0;
			parallel = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || parallel < 1 || parallel > 64)
				return ss_cli_usage_error(usage, "--parallel: a number from 1 to 64");
			break;
		case OPT_TYPES:
			free(types);
			types = NULL;
			if (parse_types(optarg, &types, &n_types))
				return ss_cli_usage_error(usage,
							  "--content-types: a comma-separated list of %s",
							  "Audit.AzureActiveDirectory, Audit.Exchange, "
							  "Audit.SharePoint, Audit.General, DLP.All");
			have_types = true;
			break;
		default: break;
		}
	}
	if (optind != argc - 1) {
		free(types);
		return ss_cli_usage_error(usage, "collect %s takes no arguments", sub);
	}
	if (snapshot && (have_types || since || dry_run || parallel != 8)) {
		free(types);
		return ss_cli_usage_error(usage,
					  "--since, --content-types, --parallel, --dry-run are for 'audit'");
	}
	if (!snapshot && (out || !do_import)) {
		free(types);
		return ss_cli_usage_error(usage, "--out and --no-import are for 'snapshot'");
	}
	if (!have_types) {
		/* DLP.All needs ActivityFeed.ReadDlp besides ActivityFeed.Read: asked for by name only */
		types = ss_xcalloc(8, sizeof(*types));
		for (n_types = 0; ss_activity_types[n_types] && strcmp(ss_activity_types[n_types], "DLP.All");
		     n_types++)
			types[n_types] = ss_activity_types[n_types];
	}

	rc = ss_cli_store(cli, true, &st, &err);
	if (rc) {
		free(types);
		return ss_cli_fail(&err);
	}
	rc = load(cli, &st, &cfg, &err);
	if (rc) {
		ss_store_close(&st);
		free(types);
		return ss_cli_fail(&err);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = ss_error_set(&err, SS_EIO, "cannot initialise libcurl");
		goto out_cfg;
	}
	rc = ss_http_init(&http, &err);
	if (!rc) {
		if (snapshot) {
			ss_store_close(&st); /* import opens it again */
			st.db = NULL;
			rc = run_snapshot(cli, &cfg, &http, out, do_import, progress, &err);
		} else {
			rc = run_audit(cli, &st, &cfg, &http, types, n_types, since, (unsigned)parallel,
				       dry_run, progress, &err);
		}
		ss_http_release(&http);
	}
	curl_global_cleanup();
out_cfg:
	ss_collect_config_release(&cfg);
	if (st.db)
		ss_store_close(&st);
	free(types);
	if (rc == SS_ENOENT && !err.msg[0])
		return SS_EXIT_ERROR; /* lost coverage, reported */
	if (rc)
		return ss_cli_fail(&err);
	return SS_EXIT_OK;
}
