/* cli.h - what the subcommands share: options, exit codes, loading the catalog and the store. */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "catalog/catalog.h"
#include "store/store.h"

/* Exit codes scripts can rely on (docs/cli.md). */
enum {
	SS_EXIT_OK = 0,
	SS_EXIT_ERROR = 1,
	SS_EXIT_USAGE = 2
};

/* Options every subcommand accepts, before or after its name. */
struct ss_cli {
	const char *db;	     /* --db FILE, or NULL for the default */
	const char *catalog; /* --catalog DIR, or NULL for the built-in catalog */
	const char *config;  /* --config FILE, or NULL ($SECSCORE_CONFIG) */
	const char *tenant;  /* --tenant ID|NAME, or NULL for the most recent tenant */
	bool json;	     /* --json */
};

/* Long-option codes of the common options (above any character). */
enum {
	SS_OPT_DB = 1000,
	SS_OPT_CATALOG,
	SS_OPT_CONFIG,
	SS_OPT_TENANT,
	SS_OPT_JSON,
	SS_OPT_HELP
};

#define SS_COMMON_OPTIONS                                                                                    \
	{"db", required_argument, NULL, SS_OPT_DB}, {"catalog", required_argument, NULL, SS_OPT_CATALOG},    \
		{"config", required_argument, NULL, SS_OPT_CONFIG},                                          \
		{"tenant", required_argument, NULL, SS_OPT_TENANT},                                          \
		{"json", no_argument, NULL, SS_OPT_JSON},                                                    \
	{                                                                                                    \
		"help", no_argument, NULL, 'h'                                                               \
	}

/*
 * Handles a common option code c. Returns 1 when it was one, 0 when not.
 * For 'h' it prints usage to stdout and exits 0; for '?' (getopt's error) it
 * prints the usage hint to stderr and exits 2.
 */
int ss_cli_common(struct ss_cli *cli, int c, const char *usage);

/* Prints "secscore: MSG" and the usage hint to stderr; returns SS_EXIT_USAGE. */
int ss_cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints err and returns SS_EXIT_ERROR. */
int ss_cli_fail(const struct ss_error *err);

/* Loads and checks the catalog (--catalog or built-in) and applies the config file. */
int ss_cli_catalog(const struct ss_cli *cli, struct ss_catalog *cat, struct ss_error *err);

/* Opens the store (--db or the default); create makes it when absent. */
int ss_cli_store(const struct ss_cli *cli, bool create, struct ss_store *st, struct ss_error *err);

/* Prints a JSON document to stdout, indented, with a newline; steals doc. */
void ss_cli_print_json(json_t *doc);

/* The subcommands: argv[0] is the subcommand's name. */
int cmd_demo(int argc, char **argv, struct ss_cli *cli);
int cmd_score(int argc, char **argv, struct ss_cli *cli);
int cmd_controls(int argc, char **argv, struct ss_cli *cli);
int cmd_history(int argc, char **argv, struct ss_cli *cli);
int cmd_diff(int argc, char **argv, struct ss_cli *cli);
int cmd_plan(int argc, char **argv, struct ss_cli *cli);
int cmd_import(int argc, char **argv, struct ss_cli *cli);
int cmd_audit(int argc, char **argv, struct ss_cli *cli);
int cmd_notify(int argc, char **argv, struct ss_cli *cli);
int cmd_rules(int argc, char **argv, struct ss_cli *cli);
int cmd_collect(int argc, char **argv, struct ss_cli *cli);
int cmd_report(int argc, char **argv, struct ss_cli *cli);
int cmd_serve(int argc, char **argv, struct ss_cli *cli);
int cmd_tokens(int argc, char **argv, struct ss_cli *cli);

/*
 * Writes the HTML report (cmd_report.c) of tenant (an id or name; NULL: the
 * tenant scored most recently) to path, with the default plan target.
 * Shared by `report` and `demo`.
 */
int ss_cli_report_html(const struct ss_cli *cli, const char *tenant, const char *path, struct ss_error *err);

/*
 * Ingests audit inputs into the store (the tenant of --tenant, else the
 * latest, else "default"). Without summary, prints the run's summary
 * (--json: the document); with it, prints nothing and hands the document
 * over (new reference). progress: 1 on, 0 off, -1 when stderr is a
 * terminal. Returns an exit code. Shared by `audit ingest` and `demo`.
 */
int ss_cli_audit_ingest(const struct ss_cli *cli, char *const *paths, size_t n, unsigned threads,
			size_t memory, size_t max_record, int progress, json_t **summary);

/* Prints findings, most severe first, at most max of them (terminal escapes neutralised). */
void ss_cli_print_findings(json_t *findings, size_t max);

/*
 * The same with the detection inputs: a snapshot directory, a country
 * database and Sigma rules (NULL: the latest snapshot, the default database
 * when present, the built-in rules).
 */
int ss_cli_audit_ingest_ex(const struct ss_cli *cli, char *const *paths, size_t n, unsigned threads,
			   size_t memory, size_t max_record, int progress, const char *snapdir,
			   const char *geoip, const char *rules, bool detections, json_t **summary);

/*
 * Re-scores the stored snapshot `row` (its files written to a private
 * temporary directory, removed afterwards) with the current catalog and the
 * tenant's states, and records the result (idempotently). *out is the score
 * (new reference), *existed whether it was already recorded.
 */
int ss_cli_rescore_stored(const struct ss_cli *cli, struct ss_store *st, int64_t row, json_t **out,
			  bool *existed, struct ss_error *err);

/*
 * Scores the snapshot at dir with the tenant's states from st (NULL: none)
 * and returns the Graph-shaped score (new reference) in *out. Shared by
 * `score` and `demo`.
 */
int ss_cli_score_snapshot(const struct ss_cli *cli, const char *dir, struct ss_store *st, json_t **out,
			  struct ss_error *err);

#endif
