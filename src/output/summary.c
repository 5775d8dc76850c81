/* summary.c - printing scores, history, diffs and plans for people at a terminal. */
#include "output/summary.h"

#include <math.h>
#include <string.h>

#include "base/buf.h"
#include "base/text.h"

void ss_fputs_safe(FILE *out, const char *s)
{
	struct ss_buf b;

	if (!s)
		return;
	ss_buf_init(&b, (size_t)64 << 20);
	ss_text_terminal(&b, s, strlen(s));
	fwrite(ss_buf_cstr(&b), 1, b.len, out);
	ss_buf_release(&b);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static double pct(double a, double b)
{
	return b > 0 ? 100.0 * a / b : 0;
}

/* Prints "name  score / max  pct%" rows of a breakdown array. */
static void breakdown(FILE *out, const char *heading, json_t *rows)
{
	json_t *r;
	size_t i;

	fprintf(out, "%s\n", heading);
	json_array_foreach (rows, i, r) {
		int pad = 18 - (int)strlen(str(r, "name"));
		fputs("  ", out);
		ss_fputs_safe(out, str(r, "name"));
		fprintf(out, "%*s%6.1f / %-6.1f %5.1f%%\n", pad > 1 ? pad : 1, "", num(r, "score"),
			num(r, "maxScore"), pct(num(r, "score"), num(r, "maxScore")));
	}
}

/*
 * Not-scored controls grouped by what would score them: one line per missing
 * input, one for everything waiting for the audit analytics.
 */
static void print_not_scored(FILE *out, json_t *controls)
{
	json_t *groups = json_object(), *cs, *names;
	const char *reason;
	size_t i;

	json_array_foreach (controls, i, cs) {
		if (strcmp(str(cs, "status"), "notScored"))
			continue;
		reason = str(cs, "notScoredReason");
		if (strstr(reason, "no detection covers this review yet") ||
		    strstr(reason, "no operation is mapped to it yet"))
			reason =
				"audit evidence that no detection of this version produces (review and usage "
				"controls)";
		else if (strncmp(reason, "measured by evidence", 20) == 0 ||
			 strncmp(reason, "measured from the audit log", 27) == 0 ||
			 strstr(reason, "audit data"))
			reason = "audit data in the store covering the review window ('secscore audit "
				 "ingest')";
		names = json_object_get(groups, reason);
		if (!names) {
			names = json_array();
			json_object_set_new(groups, reason, names);
		}
		json_array_append_new(names, json_string(str(cs, "controlName")));
	}
	fputs("\nNot scored, and what would score them\n", out);
	json_object_foreach (groups, reason, names) {
		size_t k;
		json_t *n;
		fputs("  ", out);
		ss_fputs_safe(out, reason);
		fprintf(out, " (%zu): ", json_array_size(names));
		json_array_foreach (names, k, n) {
			if (k == 6) {
				fprintf(out, ", ... %zu more", json_array_size(names) - 6);
				break;
			}
			fputs(k ? ", " : "", out);
			ss_fputs_safe(out, json_string_value(n));
		}
		fputc('\n', out);
	}
	json_decref(groups);
}

void ss_print_summary(FILE *out, json_t *score, size_t n_actions)
{
	struct ss_action *acts = NULL;
	json_t *cs;
	size_t n, i, scored = 0, failing = 0;
	char date[32];

	json_array_foreach (json_object_get(score, "controlScores"), i, cs) {
		const char *st = str(cs, "status");
		if (strcmp(st, "notScored") && strcmp(st, "notApplicable")) {
			scored++;
			if (strcmp(st, "passed"))
				failing++;
		}
	}
	snprintf(date, sizeof(date), "%.10s %.5s UTC", str(score, "createdDateTime"),
		 str(score, "createdDateTime") + 11);
	ss_fputs_safe(out, str(score, "tenantDisplayName"));
	fputs(" (tenant ", out);
	ss_fputs_safe(out, str(score, "azureTenantId"));
	fputs(")\n\n", out);
	fprintf(out, "  Secure score   %.0f / %.0f points   %.1f%%\n", num(score, "currentScore"),
		num(score, "maxScore"), pct(num(score, "currentScore"), num(score, "maxScore")));
	fprintf(out, "  Measured       %s", date);
	fputs("   (catalog ", out);
	ss_fputs_safe(out, str(score, "catalogVersion"));
	fputs(")\n", out);
	fprintf(out,
		"  Controls       %zu scored, %zu to improve, %lld not scored, %lld not applicable to this "
		"tenant\n",
		scored, failing, (long long)json_integer_value(json_object_get(score, "notScoredCount")),
		(long long)json_integer_value(json_object_get(score, "notApplicableCount")));
	if (num(score, "plannedScore") > num(score, "currentScore"))
		fprintf(out, "  Planned score  %.0f (when the planned actions are done)\n",
			num(score, "plannedScore"));
	if (!json_is_true(json_object_get(score, "servicesKnown")))
		fputs("  Note           no graph/subscribedSkus.json: every service assumed licensed\n", out);
	fputc('\n', out);
	breakdown(out, "Points by category", json_object_get(score, "categories"));
	fputc('\n', out);
	breakdown(out, "Points by service", json_object_get(score, "services"));
	fputc('\n', out);

	n = ss_next_actions(score, &acts);
	if (n == 0) {
		fputs("Next actions: none - every scored control has all its points.\n", out);
	} else {
		fprintf(out,
			"Next actions (points gained per unit of user impact; %zu in all, 'secscore plan' "
			"picks a set)\n",
			n);
		for (i = 0; i < n && i < n_actions; i++) {
			fprintf(out, "  %zu. +%-5.1f ", i + 1, acts[i].gain);
			ss_fputs_safe(out, acts[i].title);
			fputs("\n            ", out);
			ss_fputs_safe(out, acts[i].control);
			fputs(" | ", out);
			ss_fputs_safe(out, acts[i].service);
			fprintf(out, " | user impact %s | ",
				acts[i].impact == 3   ? "High"
				: acts[i].impact == 2 ? "Moderate"
						      : "Low");
			ss_fputs_safe(out, acts[i].impl);
			fputc('\n', out);
		}
	}
	free(acts);
	if (json_integer_value(json_object_get(score, "notScoredCount")) > 0)
		print_not_scored(out, json_object_get(score, "controlScores"));
}

void ss_print_history(FILE *out, json_t *history)
{
	json_t *h, *prev = NULL;
	size_t i, n = json_array_size(history);

	if (!n) {
		fputs("No scores recorded yet.\n", out);
		return;
	}
	fprintf(out, "%-20s  %8s  %8s  %7s  %7s  %s\n", "measured", "score", "max", "percent", "change",
		"id");
	for (i = 0; i < n; i++) {
		h = json_array_get(history, i);
		prev = i + 1 < n ? json_array_get(history, i + 1) : NULL;
		fprintf(out, "%-20.20s  %8.1f  %8.1f  %6.1f%%  ", str(h, "createdDateTime"),
			num(h, "currentScore"), num(h, "maxScore"), num(h, "percentage"));
		if (prev)
			fprintf(out, "%+7.1f  ", num(h, "currentScore") - num(prev, "currentScore"));
		else
			fprintf(out, "%7s  ", "");
		ss_fputs_safe(out, str(h, "id"));
		if (prev && strcmp(str(h, "catalogVersion"), str(prev, "catalogVersion")))
			fprintf(out, "  (catalog changed: %s -> %s)", str(prev, "catalogVersion"),
				str(h, "catalogVersion"));
		fputc('\n', out);
	}
}

static json_t *find_control(json_t *score, const char *name)
{
	json_t *cs;
	size_t i;

	json_array_foreach (json_object_get(score, "controlScores"), i, cs)
		if (strcmp(str(cs, "controlName"), name) == 0)
			return cs;
	return NULL;
}

/* Why a control's points moved: the first difference that explains it. */
static const char *why(json_t *a, json_t *b, bool catalog_changed)
{
	if (!a)
		return catalog_changed ? "control added to the catalog" : "control newly scored";
	if (!b)
		return catalog_changed ? "control removed from the catalog" : "control no longer scored";
	if (strcmp(str(a, "state"), str(b, "state")))
		return "control state changed";
	if (strcmp(str(a, "status"), str(b, "status")) &&
	    (!strcmp(str(b, "status"), "notScored") || !strcmp(str(a, "status"), "notScored")))
		return "input data appeared or disappeared";
	if (!strcmp(str(b, "status"), "notApplicable") || !strcmp(str(a, "status"), "notApplicable"))
		return "licences changed";
	if (num(a, "controlMaxScore") != num(b, "controlMaxScore"))
		return "catalog changed the control's points";
	if (json_integer_value(json_object_get(a, "count")) !=
		    json_integer_value(json_object_get(b, "count")) ||
	    json_integer_value(json_object_get(a, "total")) !=
		    json_integer_value(json_object_get(b, "total")))
		return "tenant configuration changed";
	if (strcmp(str(a, "status"), str(b, "status")))
		return "tenant configuration changed";
	return "unchanged";
}

json_t *ss_score_diff(json_t *old_score, json_t *new_score)
{
	json_t *d = json_object(), *changes = json_array(), *cs;
	bool catalog_changed =
		strcmp(str(old_score, "catalogVersion"), str(new_score, "catalogVersion")) != 0;
	size_t i;

	json_object_set_new(d, "from",
			    json_pack("{s:s, s:s, s:f, s:f, s:s}", "id", str(old_score, "id"),
				      "createdDateTime", str(old_score, "createdDateTime"), "currentScore",
				      num(old_score, "currentScore"), "maxScore", num(old_score, "maxScore"),
				      "catalogVersion", str(old_score, "catalogVersion")));
	json_object_set_new(d, "to",
			    json_pack("{s:s, s:s, s:f, s:f, s:s}", "id", str(new_score, "id"),
				      "createdDateTime", str(new_score, "createdDateTime"), "currentScore",
				      num(new_score, "currentScore"), "maxScore", num(new_score, "maxScore"),
				      "catalogVersion", str(new_score, "catalogVersion")));
	json_object_set_new(d, "scoreDelta",
			    json_real(num(new_score, "currentScore") - num(old_score, "currentScore")));
	json_object_set_new(d, "maxScoreDelta",
			    json_real(num(new_score, "maxScore") - num(old_score, "maxScore")));
	json_object_set_new(d, "catalogChanged", json_boolean(catalog_changed));
	json_array_foreach (json_object_get(new_score, "controlScores"), i, cs) {
		json_t *old = find_control(old_score, str(cs, "controlName"));
		double before = old ? num(old, "score") : 0, after = num(cs, "score");
		double maxb = old ? num(old, "maxScore") : 0, maxa = num(cs, "maxScore");
		const char *reason = why(old, cs, catalog_changed);
		if (old && before == after && maxb == maxa &&
		    !strcmp(str(old, "status"), str(cs, "status")) &&
		    !strcmp(str(old, "state"), str(cs, "state")) &&
		    json_integer_value(json_object_get(old, "count")) ==
			    json_integer_value(json_object_get(cs, "count")))
			continue;
		json_array_append_new(
			changes,
			json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:s, s:s, s:s, s:s, s:s}",
				  "controlName", str(cs, "controlName"), "title", str(cs, "title"),
				  "scoreBefore", before, "scoreAfter", after, "maxScoreBefore", maxb,
				  "maxScoreAfter", maxa, "statusBefore", old ? str(old, "status") : "",
				  "statusAfter", str(cs, "status"), "stateBefore",
				  old ? str(old, "state") : "", "stateAfter", str(cs, "state"),
				  "implementationStatus", str(cs, "implementationStatus"), "reason", reason));
	}
	json_array_foreach (json_object_get(old_score, "controlScores"), i, cs) {
		if (find_control(new_score, str(cs, "controlName")))
			continue;
		json_array_append_new(changes,
				      json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:s, s:s}",
						"controlName", str(cs, "controlName"), "title",
						str(cs, "title"), "scoreBefore", num(cs, "score"),
						"scoreAfter", 0.0, "maxScoreBefore", num(cs, "maxScore"),
						"maxScoreAfter", 0.0, "statusBefore", str(cs, "status"),
						"statusAfter", "", "reason", why(cs, NULL, catalog_changed)));
	}
	json_object_set_new(d, "changes", changes);
	return d;
}

void ss_print_diff(FILE *out, json_t *diff)
{
	json_t *from = json_object_get(diff, "from"), *to = json_object_get(diff, "to"), *c;
	size_t i;

	fprintf(out, "Score %.1f / %.1f  ->  %.1f / %.1f   (%+.1f points)\n", num(from, "currentScore"),
		num(from, "maxScore"), num(to, "currentScore"), num(to, "maxScore"), num(diff, "scoreDelta"));
	fputs("  from ", out);
	ss_fputs_safe(out, str(from, "id"));
	fputs("\n  to   ", out);
	ss_fputs_safe(out, str(to, "id"));
	fputc('\n', out);
	if (json_is_true(json_object_get(diff, "catalogChanged")))
		fprintf(out,
			"  The catalog changed (%s -> %s): some movement is the catalog's, not the "
			"tenant's.\n",
			str(from, "catalogVersion"), str(to, "catalogVersion"));
	if (!json_array_size(json_object_get(diff, "changes"))) {
		fputs("No control changed.\n", out);
		return;
	}
	fputs("\nChanged controls\n", out);
	json_array_foreach (json_object_get(diff, "changes"), i, c) {
		fprintf(out, "  %+6.1f  ", num(c, "scoreAfter") - num(c, "scoreBefore"));
		ss_fputs_safe(out, str(c, "controlName"));
		fputs(": ", out);
		ss_fputs_safe(out, str(c, "reason"));
		if (strcmp(str(c, "statusBefore"), str(c, "statusAfter"))) {
			fputs(" (", out);
			ss_fputs_safe(out, str(c, "statusBefore")[0] ? str(c, "statusBefore") : "absent");
			fputs(" -> ", out);
			ss_fputs_safe(out, str(c, "statusAfter")[0] ? str(c, "statusAfter") : "absent");
			fputc(')', out);
		}
		if (str(c, "implementationStatus")[0]) {
			fputs("; now: ", out);
			ss_fputs_safe(out, str(c, "implementationStatus"));
		}
		fputc('\n', out);
	}
}

void ss_print_plan(FILE *out, json_t *score, const struct ss_plan *plan, double target_pct)
{
	double max = num(score, "maxScore");
	size_t i;

	fprintf(out, "Target %.1f%% = %.1f of %.1f points; now %.1f (%.1f%%)\n", target_pct, plan->target,
		max, num(score, "currentScore"), pct(num(score, "currentScore"), max));
	if (!plan->reachable) {
		fprintf(out, "Not reachable: every action together reaches %.1f points (%.1f%%).\n",
			plan->reached, pct(plan->reached, max));
		return;
	}
	if (!plan->n) {
		fputs("Already reached: nothing to do.\n", out);
		return;
	}
	fprintf(out, "Plan: %zu action(s), total user impact %d, reaching %.1f points (%.1f%%)\n", plan->n,
		plan->impact, plan->reached, pct(plan->reached, max));
	for (i = 0; i < plan->n; i++) {
		const struct ss_action *a = &plan->actions[i];
		fprintf(out, "  %zu. +%-5.1f impact %-8s ", i + 1, a->gain,
			a->impact == 3	 ? "High"
			: a->impact == 2 ? "Moderate"
					 : "Low");
		ss_fputs_safe(out, a->control);
		fputs(": ", out);
		ss_fputs_safe(out, a->title);
		fputc('\n', out);
	}
}
