/* cmd_controls.c - `secscore controls [show ID | set ID ...]`: the catalog and the admin's states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/file.h"
#include "base/time.h"
#include "cli/cli.h"
#include "output/graph.h"
#include "output/summary.h"

static const char usage[] =
	"usage: secscore controls [--json]\n"
	"       secscore controls show ID [--json]\n"
	"       secscore controls set ID --state STATE --reason TEXT [--by NAME] [--expires DATE]\n"
	"                             [--assigned-to NAME] [--exclude user:UPN|group:NAME|domain:NAME]...\n"
	"\n"
	"Lists the control catalog as Graph secureScoreControlProfile objects, with the tenant's\n"
	"state history. 'set' records an admin decision (kept as history: who, when, why):\n"
	"  to_address            the default: points as measured\n"
	"  planned               as measured; counted in the planned score\n"
	"  risk_accepted         0 points, stays in the maximum and visible\n"
	"  third_party           full points, marked as resolved by a third party\n"
	"  alternate_mitigation  full points, marked as resolved by other means\n"
	"  ignored               out of the maximum\n"
	"--exclude scopes an exception to named entities, which leave the control's count and\n"
	"total; --expires DATE ends the state and its exceptions (reported as expired after);\n"
	"--assigned-to names who is to act on it (Graph's assignedTo).\n"
	"The latest snapshot of the tenant is re-scored at once when it is still on disk.\n";

/* Loads the tenant's state history for control id, or an empty array when there is no store/tenant. */
static json_t *history_for(struct ss_store *st, int64_t tenant, bool have_tenant, const char *id)
{
	json_t *h = NULL;

	if (!have_tenant || ss_store_state_history(st, tenant, id, &h, NULL) != 0)
		return json_array();
	return h;
}

static int list_controls(struct ss_cli *cli, const struct ss_catalog *cat, struct ss_store *st,
			 int64_t tenant, bool have_tenant)
{
	size_t i;

	if (cli->json) {
		json_t *doc = json_object(), *arr = json_array();
		for (i = 0; i < cat->n; i++)
			json_array_append_new(arr,
					      ss_graph_control_profile(cat, &cat->controls[i],
								       history_for(st, tenant, have_tenant,
										   cat->controls[i].id)));
		json_object_set_new(doc, "catalogVersion", json_string(cat->version));
		json_object_set_new(doc, "value", arr);
		ss_cli_print_json(doc);
		return SS_EXIT_OK;
	}
	printf("Catalog %s: %zu controls\n\n", cat->version, cat->n);
	printf("%-34s %-14s %-10s %6s %-8s %-8s %s\n", "id", "category", "service", "points", "type",
	       "impact", "title");
	for (i = 0; i < cat->n; i++) {
		const struct ss_control *c = &cat->controls[i];
		printf("%-34s %-14s %-10s %6.0f %-8s %-8s %s%s\n", c->id, c->category, c->service,
		       c->max_score, c->action_type, ss_level_name(c->user_impact), c->title,
		       c->deprecated ? " (deprecated)" : "");
	}
	return SS_EXIT_OK;
}

static int show_control(struct ss_cli *cli, const struct ss_catalog *cat, const char *id, struct ss_store *st,
			int64_t tenant, bool have_tenant)
{
	const struct ss_control *c = ss_catalog_find(cat, id);
	json_t *prof, *h, *u, *score = NULL, *cs = NULL, *v;
	size_t i;

	if (!c) {
		fprintf(stderr, "secscore: no control '%s' in the catalog (see 'secscore controls')\n", id);
		return SS_EXIT_ERROR;
	}
	prof = ss_graph_control_profile(cat, c, history_for(st, tenant, have_tenant, id));
	if (have_tenant && ss_store_load_score(st, tenant, NULL, &score, NULL) == 0) {
		json_array_foreach (json_object_get(score, "controlScores"), i, v) {
			if (strcmp(json_string_value(json_object_get(v, "controlName")), id) == 0)
				cs = v;
		}
		if (cs)
			json_object_set(prof, "latestScore", cs);
	}
	json_decref(score);
	if (cli->json) {
		ss_cli_print_json(prof);
		return SS_EXIT_OK;
	}
	printf("%s - ", c->id);
	ss_fputs_safe(stdout, c->title);
	printf("\n  %s | %s | %s | %.0f points | tier %s | user impact %s | cost %s | rank %d%s\n",
	       c->category, c->service, c->action_type, c->max_score, c->tier, ss_level_name(c->user_impact),
	       ss_level_name(c->implementation_cost), c->rank, c->deprecated ? " | deprecated" : "");
	printf("\nRemediation\n  ");
	ss_fputs_safe(stdout, json_string_value(json_object_get(c->doc, "remediation")));
	fputc('\n', stdout);
	v = json_object_get(prof, "latestScore");
	if (v) {
		printf("\nLatest score: %.1f of %.1f (%s, state %s)\n  ",
		       json_number_value(json_object_get(v, "score")),
		       json_number_value(json_object_get(v, "controlMaxScore")),
		       json_string_value(json_object_get(v, "status")),
		       json_string_value(json_object_get(v, "state")));
		ss_fputs_safe(stdout, json_string_value(json_object_get(v, "implementationStatus")));
		fputc('\n', stdout);
		json_array_foreach (json_object_get(v, "offenders"), i, u) {
			if (i == 20) {
				printf("  ... and %zu more (--json lists all)\n",
				       json_array_size(json_object_get(v, "offenders")) - 20);
				break;
			}
			fputs("  - ", stdout);
			ss_fputs_safe(stdout, json_string_value(u));
			fputc('\n', stdout);
		}
	}
	h = json_object_get(prof, "controlStateUpdates");
	printf("\nState history (%zu change%s)\n", json_array_size(h), json_array_size(h) == 1 ? "" : "s");
	json_array_foreach (h, i, u) {
		printf("  %s  %-20s by ", json_string_value(json_object_get(u, "updatedDateTime")),
		       json_string_value(json_object_get(u, "state")));
		ss_fputs_safe(stdout, json_string_value(json_object_get(u, "updatedBy")));
		fputs(": ", stdout);
		ss_fputs_safe(stdout, json_string_value(json_object_get(u, "comment")));
		if (json_object_get(u, "expires"))
			printf(" (until %s)", json_string_value(json_object_get(u, "expires")));
		if (json_string_value(json_object_get(u, "assignedTo"))) {
			fputs(" (assigned to ", stdout);
			ss_fputs_safe(stdout, json_string_value(json_object_get(u, "assignedTo")));
			fputc(')', stdout);
		}
		fputc('\n', stdout);
	}
	json_decref(prof);
	return SS_EXIT_OK;
}

/* Re-scores the tenant's latest snapshot when it is still on disk, so a state change shows at once. */
static void rescore_latest(struct ss_cli *cli, struct ss_store *st, int64_t tenant)
{
	struct ss_error err;
	json_t *last = NULL, *fresh = NULL;
	const char *path;
	bool existed;

	ss_error_clear(&err);
	if (ss_store_load_score(st, tenant, NULL, &last, NULL) != 0)
		return;
	path = json_string_value(json_object_get(last, "snapshotPath"));
	if (!path || !ss_dir_exists(path)) {
		printf("Re-score the tenant's next snapshot to apply it.\n");
		json_decref(last);
		return;
	}
	if (ss_cli_score_snapshot(cli, path, st, &fresh, &err) == 0 &&
	    ss_store_save_score(st, fresh, &existed, &err) == 0) {
		printf("Re-scored %s: %.1f / %.1f (was %.1f)\n", path,
		       json_number_value(json_object_get(fresh, "currentScore")),
		       json_number_value(json_object_get(fresh, "maxScore")),
		       json_number_value(json_object_get(last, "currentScore")));
	} else {
		ss_error_print(&err);
	}
	json_decref(fresh);
	json_decref(last);
}

static int set_control(int argc, char **argv, struct ss_cli *cli, const struct ss_catalog *cat)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"state", required_argument, NULL, 's'},
					     {"reason", required_argument, NULL, 'r'},
					     {"by", required_argument, NULL, 'b'},
					     {"expires", required_argument, NULL, 'e'},
					     {"exclude", required_argument, NULL, 'x'},
					     {"assigned-to", required_argument, NULL, 'a'},
					     {NULL, 0, NULL, 0}};
	struct ss_state s;
	struct ss_store st;
	struct ss_error err;
	const char *state = NULL, *reason = NULL, *by = NULL, *expires = NULL, *assigned = NULL;
	int64_t tenant;
	char *tid = NULL;
	int c, rc = SS_EXIT_OK;

	ss_error_clear(&err);
	memset(&s, 0, sizeof(s));
	ss_strv_init(&s.excludes);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case 's': state = optarg; break;
		case 'r': reason = optarg; break;
		case 'b': by = optarg; break;
		case 'e': expires = optarg; break;
		case 'a': assigned = optarg; break;
		case 'x':
			if (strncmp(optarg, "user:", 5) && strncmp(optarg, "group:", 6) &&
			    strncmp(optarg, "domain:", 7)) {
				ss_strv_release(&s.excludes);
				return ss_cli_usage_error(
					usage, "--exclude takes user:UPN, group:NAME or domain:NAME");
			}
			ss_strv_push(&s.excludes, optarg);
			break;
		}
	}
	if (optind != argc - 1 || !state || !reason || !*reason) {
		ss_strv_release(&s.excludes);
		return ss_cli_usage_error(usage, "controls set needs ID, --state and a non-empty --reason");
	}
	if (!ss_state_valid(state)) {
		ss_strv_release(&s.excludes);
		return ss_cli_usage_error(usage, "unknown state '%s'", state);
	}
	if (!ss_catalog_find(cat, argv[optind])) {
		ss_strv_release(&s.excludes);
		fprintf(stderr, "secscore: no control '%s' in the catalog\n", argv[optind]);
		return SS_EXIT_ERROR;
	}
	if (expires) {
		if (ss_time_parse(expires, strlen(expires), &s.expires) != 0) {
			ss_strv_release(&s.excludes);
			return ss_cli_usage_error(usage, "--expires needs a date such as 2026-12-31");
		}
		if (strlen(expires) == 10)
			s.expires += SS_DAY_MS; /* a date means the end of that day */
	}
	if (!by)
		by = getenv("USER");
	s.control = ss_xstrdup(argv[optind]);
	s.state = ss_xstrdup(state);
	s.reason = ss_xstrdup(reason);
	s.by = ss_xstrdup(by && *by ? by : "unknown");
	s.assigned_to = assigned && *assigned ? ss_xstrdup(assigned) : NULL;
	s.at = ss_time_now();
	if (ss_cli_store(cli, false, &st, &err) != 0) {
		ss_state_release(&s);
		return ss_cli_fail(&err);
	}
	if (ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, &err) != 0 ||
	    ss_store_set_state(&st, tenant, &s, &err) != 0) {
		rc = ss_cli_fail(&err);
	} else {
		printf("%s is now '%s' for tenant %s (by ", s.control, s.state, tid);
		ss_fputs_safe(stdout, s.by);
		printf(")\n");
		rescore_latest(cli, &st, tenant);
	}
	free(tid);
	ss_store_close(&st);
	ss_state_release(&s);
	return rc;
}

int cmd_controls(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	struct ss_catalog cat;
	struct ss_error err;
	struct ss_store st;
	bool have_store = false, have_tenant = false;
	int64_t tenant = 0;
	char *tid = NULL;
	int c, rc;

	ss_error_clear(&err);
	if (argc >= 2 && strcmp(argv[1], "set") == 0) {
		if (ss_cli_catalog(cli, &cat, &err) != 0)
			return ss_cli_fail(&err);
		rc = set_control(argc - 1, argv + 1, cli, &cat);
		ss_catalog_release(&cat);
		return rc;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		ss_cli_common(cli, c, usage);
	if (!(optind == argc || (argc - optind == 2 && strcmp(argv[optind], "show") == 0)))
		return ss_cli_usage_error(usage, "unexpected arguments");
	if (ss_cli_catalog(cli, &cat, &err) != 0)
		return ss_cli_fail(&err);
	{
		char *path = cli->db ? ss_xstrdup(cli->db) : ss_store_default_path();
		if (ss_file_exists(path) && ss_store_open(&st, path, false, &err) == 0) {
			have_store = true;
			have_tenant = ss_store_find_tenant(&st, cli->tenant, &tenant, &tid, NULL) == 0;
		} else if (err.code) {
			free(path);
			ss_catalog_release(&cat);
			return ss_cli_fail(&err);
		}
		free(path);
	}
	if (optind == argc)
		rc = list_controls(cli, &cat, &st, tenant, have_tenant);
	else
		rc = show_control(cli, &cat, argv[optind + 1], &st, tenant, have_tenant);
	if (have_store)
		ss_store_close(&st);
	free(tid);
	ss_catalog_release(&cat);
	return rc;
}
