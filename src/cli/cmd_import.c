/* cmd_import.c - `secscore import SNAPSHOT`: keep a snapshot's raw inputs in the store, and score it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/file.h"
#include "base/time.h"
#include "cli/cli.h"
#include "output/summary.h"
#include "snapshot/snapshot.h"

static const char usage[] =
	"usage: secscore import SNAPSHOT [--tenant NAME] [--db FILE] [--json]\n"
	"\n"
	"Stores the raw inputs of SNAPSHOT (a snapshot directory or a ScubaGear\n"
	"ProviderSettingsExport.json), zstd-compressed, in the store, so any past snapshot can be\n"
	"re-scored when the catalog changes ('secscore score --rescore-all'), then scores it.\n"
	"Importing the same snapshot again stores nothing new.\n"
	"\n"
	"  --tenant NAME   the name to show for the tenant (default: the snapshot's display name)\n";

/* The files to keep: the manifest and every parsed document, or the export file itself. */
static int collect(const char *path, const struct ss_snapshot *snap, struct ss_stored_file **files, size_t *n,
		   struct ss_error *err)
{
	size_t i;
	int rc;

	*files = ss_xcalloc(snap->n_docs + 1, sizeof(**files));
	*n = 0;
	if (ss_file_exists(path)) {
		const char *base = strrchr(path, '/');
		(*files)[0].name = ss_xstrdup(base ? base + 1 : path);
		rc = ss_file_read(path, (size_t)4 << 30, &(*files)[0].data, &(*files)[0].len, err);
		*n = rc ? 0 : 1;
		if (rc)
			free((*files)[0].name);
		return rc;
	}
	{
		struct ss_buf m;
		ss_buf_init(&m, 8192);
		ss_buf_printf(&m, "%s/manifest.json", path);
		(*files)[0].name = ss_xstrdup("manifest.json");
		rc = ss_file_read(m.ptr, 1 << 20, &(*files)[0].data, &(*files)[0].len, err);
		ss_buf_release(&m);
		if (rc) {
			free((*files)[0].name);
			return rc;
		}
		*n = 1;
	}
	for (i = 0; i < snap->n_docs; i++) {
		struct ss_stored_file *f = &(*files)[(*n)++];
		f->name = ss_xstrdup(snap->docs[i].name);
		f->data = ss_xstrndup(snap->docs[i].data, snap->docs[i].len);
		f->len = snap->docs[i].len;
	}
	return 0;
}

int cmd_import(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	struct ss_error err;
	struct ss_store st;
	struct ss_snapshot snap;
	struct ss_stored_file *files = NULL;
	size_t n = 0, raw = 0, stored = 0, i;
	bool existed = false, score_existed = false;
	json_t *score = NULL;
	int64_t row;
	char taken[32];
	int c, rc;

	ss_error_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		ss_cli_common(cli, c, usage);
	if (optind != argc - 1)
		return ss_cli_usage_error(usage, "import needs exactly one SNAPSHOT");
	rc = ss_snapshot_open(&snap, argv[optind], &err);
	if (rc)
		return ss_cli_fail(&err);
	rc = collect(argv[optind], &snap, &files, &n, &err);
	if (!rc)
		rc = ss_cli_store(cli, true, &st, &err);
	if (rc) {
		ss_stored_files_free(files, n);
		ss_snapshot_release(&snap);
		return ss_cli_fail(&err);
	}
	for (i = 0; i < n; i++)
		raw += files[i].len;
	ss_time_format(snap.taken, taken);
	rc = ss_store_put_snapshot(&st, snap.tenant_id, cli->tenant ? cli->tenant : snap.display_name,
				   cli->tenant != NULL, snap.hash, taken, snap.dir, files, n, &row, &existed,
				   &stored, &err);
	ss_stored_files_free(files, n);
	ss_snapshot_release(&snap);
	if (!rc)
		rc = ss_cli_rescore_stored(cli, &st, row, &score, &score_existed, &err);
	ss_store_close(&st);
	if (rc)
		return ss_cli_fail(&err);
	if (cli->json) {
		json_t *o = json_pack("{s:I, s:b, s:I, s:I, s:I, s:O}", "snapshot", (json_int_t)row,
				      "alreadyStored", existed, "files", (json_int_t)n, "bytes",
				      (json_int_t)raw, "storedBytes", (json_int_t)stored, "score", score);
		ss_cli_print_json(o);
	} else if (existed) {
		printf("Already stored as snapshot %lld; score %s: %.1f / %.1f\n", (long long)row,
		       json_string_value(json_object_get(score, "id")),
		       json_number_value(json_object_get(score, "currentScore")),
		       json_number_value(json_object_get(score, "maxScore")));
	} else {
		printf("Stored snapshot %lld: %zu files, %zu bytes kept as %zu compressed\n", (long long)row,
		       n, raw, stored);
		printf("%s score %s: %.1f / %.1f\n",
		       score_existed ? "Unchanged since the recorded" : "Recorded as",
		       json_string_value(json_object_get(score, "id")),
		       json_number_value(json_object_get(score, "currentScore")),
		       json_number_value(json_object_get(score, "maxScore")));
	}
	json_decref(score);
	return SS_EXIT_OK;
}
