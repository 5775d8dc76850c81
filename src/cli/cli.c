/* cli.c - shared option handling and helpers of the subcommands. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "cli/cli.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/file.h"
#include "base/time.h"
#include "output/graph.h"
#include "output/summary.h"
#include "score/engine.h"
#include "snapshot/snapshot.h"
#include "store/finding_store.h"

int ss_cli_common(struct ss_cli *cli, int c, const char *usage)
{
	switch (c) {
	case SS_OPT_DB: cli->db = optarg; return 1;
	case SS_OPT_CATALOG: cli->catalog = optarg; return 1;
	case SS_OPT_CONFIG: cli->config = optarg; return 1;
	case SS_OPT_TENANT: cli->tenant = optarg; return 1;
	case SS_OPT_JSON: cli->json = true; return 1;
	case 'h': fputs(usage, stdout); exit(SS_EXIT_OK);
	case '?': fprintf(stderr, "%s", usage); exit(SS_EXIT_USAGE);
	default: return 0;
	}
}

int ss_cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("secscore: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return SS_EXIT_USAGE;
}

int ss_cli_fail(const struct ss_error *err)
{
	ss_error_print(err);
	return SS_EXIT_ERROR;
}

int ss_cli_catalog(const struct ss_cli *cli, struct ss_catalog *cat, struct ss_error *err)
{
	const char *dir = cli->catalog ? cli->catalog : getenv("SECSCORE_CATALOG");
	const char *config = cli->config ? cli->config : getenv("SECSCORE_CONFIG");
	int rc;

	rc = ss_catalog_load(cat, dir && *dir ? dir : NULL, err);
	if (rc)
		return rc;
	if (config && *config) {
		rc = ss_catalog_apply_config(cat, config, err);
		if (rc)
			goto fail;
	}
	rc = ss_score_check_catalog(cat, err);
	if (rc)
		goto fail;
	return 0;
fail:
	ss_catalog_release(cat);
	return rc;
}

int ss_cli_store(const struct ss_cli *cli, bool create, struct ss_store *st, struct ss_error *err)
{
	char *path = cli->db ? ss_xstrdup(cli->db) : ss_store_default_path();
	int rc = ss_store_open(st, path, create, err);

	free(path);
	return rc;
}

void ss_cli_print_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	json_decref(doc);
}

int ss_cli_score_snapshot(const struct ss_cli *cli, const char *dir, struct ss_store *st, json_t **out,
			  struct ss_error *err)
{
	struct ss_catalog cat;
	struct ss_snapshot snap;
	struct ss_scorecard sc;
	struct ss_state *states = NULL;
	size_t n_states = 0, i;
	struct ss_evidence ev;
	bool have_tenant = false, have_ev = false;
	int64_t tenant;
	char *tid = NULL;
	int rc;

	*out = NULL;
	rc = ss_cli_catalog(cli, &cat, err);
	if (rc)
		return rc;
	rc = ss_snapshot_open(&snap, dir, err);
	if (rc)
		goto out_cat;
	if (st && ss_store_find_tenant(st, snap.tenant_id, &tenant, &tid, NULL) == 0) {
		have_tenant = true;
		rc = ss_store_states(st, tenant, &states, &n_states, err);
		if (rc)
			goto out_snap;
	}
	if (have_tenant) {
		ss_evidence_init(&ev);
		have_ev = ss_store_evidence(st, tenant, ss_time_now(), &ev, NULL) == 0 && ev.coverage_first;
		if (!have_ev)
			ss_evidence_release(&ev);
	}
	rc = ss_score_run_ev(&sc, &cat, &snap, states, n_states, have_ev ? &ev : NULL, ss_time_now(), err);
	if (have_ev)
		ss_evidence_release(&ev);
	if (rc)
		goto out_states;
	*out = ss_graph_secure_score(&sc);
	for (i = 0; i < sc.facts.warnings.n; i++) {
		fputs("secscore: warning: ", stderr);
		ss_fputs_safe(stderr, sc.facts.warnings.v[i]);
		fputc('\n', stderr);
	}
	if (sc.facts.n_warnings > (long)sc.facts.warnings.n)
		fprintf(stderr, "secscore: warning: ... and %ld more\n",
			sc.facts.n_warnings - (long)sc.facts.warnings.n);
	ss_scorecard_release(&sc);
out_states:
	for (i = 0; i < n_states; i++)
		ss_state_release(&states[i]);
	free(states);
	free(tid);
out_snap:
	ss_snapshot_release(&snap);
out_cat:
	ss_catalog_release(&cat);
	return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Writes the stored files under dir; refuses names that would leave it. */
static int materialise(const char *dir, const struct ss_stored_file *files, size_t n, struct ss_error *err)
{
	struct ss_buf path;
	size_t i;
	int rc = 0;

	ss_buf_init(&path, 8192);
	for (i = 0; i < n && !rc; i++) {
		char *slash;
		if (files[i].name[0] == '/' || strstr(files[i].name, "..")) {
			rc = ss_error_set(err, SS_ESTORE, "a stored file name is unsafe: %s", files[i].name);
			break;
		}
		ss_buf_clear(&path);
		ss_buf_printf(&path, "%s/%s", dir, files[i].name);
		slash = strrchr(path.ptr, '/');
		*slash = '\0';
		rc = ss_mkdir_p(path.ptr, true, err);
		*slash = '/';
		if (!rc)
			rc = ss_file_write_atomic(path.ptr, files[i].data, files[i].len, err);
	}
	ss_buf_release(&path);
	return rc;
}

int ss_cli_rescore_stored(const struct ss_cli *cli, struct ss_store *st, int64_t row, json_t **out,
			  bool *existed, struct ss_error *err)
{
	struct ss_stored_file *files = NULL;
	struct ss_buf dir, snap;
	const char *tmp = getenv("TMPDIR");
	size_t n = 0, i;
	int rc;

	*out = NULL;
	ss_buf_init(&dir, 8192);
	ss_buf_init(&snap, 8192);
	rc = ss_store_snapshot_files(st, row, &files, &n, err);
	if (rc)
		goto out;
	ss_buf_printf(&dir, "%s/secscore-rescore-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir.ptr)) {
		rc = ss_error_set(err, SS_EIO, "cannot create a temporary directory");
		goto out;
	}
	rc = materialise(dir.ptr, files, n, err);
	if (!rc) {
		/* A directory snapshot has a manifest; otherwise the one file is the export. */
		bool is_dir = false;
		for (i = 0; i < n; i++)
			is_dir = is_dir || strcmp(files[i].name, "manifest.json") == 0;
		ss_buf_printf(&snap, "%s%s%s", dir.ptr, is_dir ? "" : "/",
			      is_dir ? "" : (n ? files[0].name : ""));
		rc = ss_cli_score_snapshot(cli, snap.ptr, st, out, err);
	}
	nftw(dir.ptr, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (!rc) {
		char label[64];
		snprintf(label, sizeof(label), "store:snapshot/%lld", (long long)row);
		json_object_set_new(*out, "snapshotPath", json_string(label));
		rc = ss_store_save_score(st, *out, existed, err);
	}
out:
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	ss_stored_files_free(files, n);
	ss_buf_release(&dir);
	ss_buf_release(&snap);
	return rc;
}
