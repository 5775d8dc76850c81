/* report_md.c - the report as Markdown: tables a ticket system renders, strings that cannot inject markup. */
#include "output/report_md.h"

#include <stdio.h>
#include <string.h>

#include "output/report.h"

#define MD_OFFENDERS 5	/* offenders shown per control */
#define MD_EVIDENCE  3	/* evidence ids shown per finding */
#define MD_TREND     12 /* scores in the trend table */

int ss_report_md_text(struct ss_buf *out, const char *s)
{
	struct ss_buf tmp;
	size_t i;
	int rc;

	ss_buf_init(&tmp, SS_REPORT_MAX);
	rc = ss_report_clean(&tmp, s);
	for (i = 0; i < tmp.len && !rc; i++) {
		char c = tmp.ptr[i];
		switch (c) {
		case '&': rc = ss_buf_adds(out, "&amp;"); break;
		case '<': rc = ss_buf_adds(out, "&lt;"); break;
		case '>': rc = ss_buf_adds(out, "&gt;"); break;
		case '"': rc = ss_buf_adds(out, "&quot;"); break;
		case '\n':
		case '\t': rc = ss_buf_addc(out, ' '); break;
		default:
			if (strchr("\\`*_[]|~$", c))
				rc = ss_buf_addc(out, '\\');
			if (!rc)
				rc = ss_buf_addc(out, c);
			break;
		}
	}
	ss_buf_release(&tmp);
	return rc;
}

/* Shorthands: escaped text, and formatted text of our own (no tenant data). */
#define T(s)   ss_report_md_text(out, (s))
#define P(...) ss_buf_printf(out, __VA_ARGS__)

static void md_summary(struct ss_buf *out, json_t *doc)
{
	json_t *score = json_object_get(doc, "secureScore"), *r;
	double cur = ss_report_num(score, "currentScore"), max = ss_report_num(score, "maxScore");
	char when[32], gen[32];
	size_t i, counts[5] = {0};
	static const char *const sevs[] = {"critical", "high", "medium", "low", "informational"};

	ss_report_when(ss_report_str(score, "createdDateTime"), when);
	ss_report_when(ss_report_str(doc, "generatedDateTime"), gen);
	ss_buf_adds(out, "# Security report: ");
	T(ss_report_str(score, "tenantDisplayName"));
	ss_buf_adds(out, "\n\nTenant ");
	T(ss_report_str(score, "azureTenantId"));
	P(" · measured %s · generated %s · catalog ", when, gen);
	T(ss_report_str(score, "catalogVersion"));
	P("\n\n**Secure score: %.0f of %.0f points (%.1f%%)**", cur, max, ss_report_pct(cur, max));
	if (ss_report_num(score, "plannedScore") > cur)
		P(" · planned score %.0f", ss_report_num(score, "plannedScore"));
	json_array_foreach (json_object_get(doc, "findings"), i, r) {
		size_t k;
		for (k = 0; k < 5; k++)
			if (strcmp(ss_report_str(r, "severity"), sevs[k]) == 0)
				counts[k]++;
	}
	P("\n\nFindings of the audit log: %zu", json_array_size(json_object_get(doc, "findings")));
	for (i = 0; i < 5; i++)
		if (counts[i])
			P(" · %zu %s", counts[i], sevs[i]);
	ss_buf_adds(out, "\n\n| points by category | score | max | % |\n|---|---:|---:|---:|\n");
	json_array_foreach (json_object_get(score, "categories"), i, r) {
		ss_buf_adds(out, "| ");
		T(ss_report_str(r, "name"));
		P(" | %.0f | %.0f | %.1f%% |\n", ss_report_num(r, "score"), ss_report_num(r, "maxScore"),
		  ss_report_pct(ss_report_num(r, "score"), ss_report_num(r, "maxScore")));
	}
	ss_buf_adds(out, "\n| points by service | score | max | % |\n|---|---:|---:|---:|\n");
	json_array_foreach (json_object_get(score, "services"), i, r) {
		ss_buf_adds(out, "| ");
		T(ss_report_str(r, "name"));
		P(" | %.0f | %.0f | %.1f%% |\n", ss_report_num(r, "score"), ss_report_num(r, "maxScore"),
		  ss_report_pct(ss_report_num(r, "score"), ss_report_num(r, "maxScore")));
	}
}

static void md_trend(struct ss_buf *out, json_t *doc)
{
	json_t *hist = json_object_get(doc, "history"), *h, *prev;
	size_t n = json_array_size(hist), i;
	char when[32];

	P("\n## Trend (%zu score%s recorded)\n\n", n, n == 1 ? "" : "s");
	ss_buf_adds(out, "| measured | score | max | % | change |\n|---|---:|---:|---:|---:|\n");
	for (i = 0; i < n && i < MD_TREND; i++) {
		h = json_array_get(hist, i);
		prev = i + 1 < n ? json_array_get(hist, i + 1) : NULL;
		ss_report_when(ss_report_str(h, "createdDateTime"), when);
		P("| %s | %.1f | %.1f | %.1f%% | ", when, ss_report_num(h, "currentScore"),
		  ss_report_num(h, "maxScore"), ss_report_num(h, "percentage"));
		if (prev)
			P("%+.1f |\n",
			  ss_report_num(h, "currentScore") - ss_report_num(prev, "currentScore"));
		else
			ss_buf_adds(out, " |\n");
	}
	if (n > MD_TREND)
		P("\n%zu older scores: `secscore history`.\n", n - MD_TREND);
}

static void md_actions(struct ss_buf *out, json_t *doc)
{
	json_t *acts = json_object_get(doc, "nextActions"), *a, *plan = json_object_get(doc, "plan");
	json_t *score = json_object_get(doc, "secureScore");
	double max = ss_report_num(score, "maxScore");
	size_t i;

	ss_buf_adds(out, "\n## Next actions\n\n");
	if (!json_array_size(acts)) {
		ss_buf_adds(out, "None: every scored control has all its points.\n");
	} else {
		ss_buf_adds(out, "| # | gain | action | control | service | user impact | now |\n"
				 "|---:|---:|---|---|---|---|---|\n");
		json_array_foreach (acts, i, a) {
			if (i == 10)
				break;
			P("| %zu | +%.1f | ", i + 1, ss_report_num(a, "scoreGain"));
			T(ss_report_str(a, "title"));
			ss_buf_adds(out, " | ");
			T(ss_report_str(a, "controlName"));
			ss_buf_adds(out, " | ");
			T(ss_report_str(a, "service"));
			ss_buf_adds(out, " | ");
			T(ss_report_str(a, "userImpact"));
			ss_buf_adds(out, " | ");
			T(ss_report_str(a, "implementationStatus"));
			ss_buf_adds(out, " |\n");
		}
		if (json_array_size(acts) > 10)
			P("\n%zu more in the controls table.\n", json_array_size(acts) - 10);
	}
	P("\n## Target plan: %.0f%%\n\n", ss_report_num(plan, "targetPercentage"));
	P("Target %.1f of %.1f points; now %.1f (%.1f%%). ", ss_report_num(plan, "targetScore"), max,
	  ss_report_num(score, "currentScore"), ss_report_pct(ss_report_num(score, "currentScore"), max));
	if (!json_is_true(json_object_get(plan, "reachable"))) {
		P("Not reachable: every action together reaches %.1f points (%.1f%%).\n",
		  ss_report_num(plan, "reachedScore"),
		  ss_report_pct(ss_report_num(plan, "reachedScore"), max));
		return;
	}
	if (!json_array_size(json_object_get(plan, "actions"))) {
		ss_buf_adds(out, "Already reached: nothing to do.\n");
		return;
	}
	P("%zu action(s) with a total user impact of %.0f reach %.1f points (%.1f%%):\n\n",
	  json_array_size(json_object_get(plan, "actions")), ss_report_num(plan, "totalUserImpact"),
	  ss_report_num(plan, "reachedScore"), ss_report_pct(ss_report_num(plan, "reachedScore"), max));
	json_array_foreach (json_object_get(plan, "actions"), i, a) {
		P("%zu. +%.1f, user impact ", i + 1, ss_report_num(a, "scoreGain"));
		T(ss_report_str(a, "userImpact"));
		ss_buf_adds(out, ": ");
		T(ss_report_str(a, "title"));
		ss_buf_adds(out, " (");
		T(ss_report_str(a, "controlName"));
		ss_buf_adds(out, ")\n");
	}
}

static void md_controls(struct ss_buf *out, json_t *doc)
{
	json_t *sorted = ss_report_controls_sorted(json_object_get(doc, "secureScore")), *c, *o;
	size_t i, k, n;

	P("\n## Controls (%zu)\n\n", json_array_size(sorted));
	ss_buf_adds(out, "| control | category | service | status | points | offenders | remediation |\n"
			 "|---|---|---|---|---:|---|---|\n");
	json_array_foreach (sorted, i, c) {
		ss_buf_adds(out, "| **");
		T(ss_report_str(c, "title"));
		ss_buf_adds(out, "**<br>");
		T(ss_report_str(c, "controlName"));
		ss_buf_adds(out, " | ");
		T(ss_report_str(c, "controlCategory"));
		ss_buf_adds(out, " | ");
		T(ss_report_str(c, "service"));
		P(" | %s", ss_report_status_label(ss_report_str(c, "status")));
		if (strcmp(ss_report_str(c, "state"), "to_address") != 0)
			P(" (%s)", ss_report_state_label(ss_report_str(c, "state")));
		if (ss_report_str(c, "implementationStatus")[0]) {
			ss_buf_adds(out, ": ");
			T(ss_report_str(c, "implementationStatus"));
		}
		P(" | %.1f / %.1f | ", ss_report_num(c, "score"), ss_report_num(c, "maxScore"));
		n = json_array_size(json_object_get(c, "offenders"));
		json_array_foreach (json_object_get(c, "offenders"), k, o) {
			if (k == MD_OFFENDERS) {
				P(" and %zu more", n - MD_OFFENDERS);
				break;
			}
			ss_buf_adds(out, k ? ", " : "");
			T(json_string_value(o));
		}
		ss_buf_adds(out, " | ");
		T(ss_report_str(c, "remediation"));
		ss_buf_adds(out, " |\n");
	}
	json_decref(sorted);
}

static void md_findings(struct ss_buf *out, json_t *doc)
{
	json_t *fs = ss_report_findings_sorted(doc), *f, *e;
	size_t i, k, n;

	P("\n## Findings of the audit log (%zu)\n\n", json_array_size(fs));
	if (!json_array_size(fs)) {
		ss_buf_adds(out, "No findings.\n");
		json_decref(fs);
		return;
	}
	ss_buf_adds(out, "| severity | finding | user | first | last | count | status | evidence |\n"
			 "|---|---|---|---|---|---:|---|---|\n");
	json_array_foreach (fs, i, f) {
		ss_buf_adds(out, "| ");
		T(ss_report_str(f, "severity"));
		ss_buf_adds(out, " | **");
		T(ss_report_str(f, "title"));
		ss_buf_adds(out, "**<br>");
		T(ss_report_str(f, "summary"));
		ss_buf_adds(out, " | ");
		T(ss_report_str(f, "user"));
		ss_buf_adds(out, " | ");
		T(ss_report_str(f, "first"));
		ss_buf_adds(out, " | ");
		T(ss_report_str(f, "last"));
		P(" | %lld | ", (long long)json_integer_value(json_object_get(f, "count")));
		T(ss_report_str(f, "status"));
		ss_buf_adds(out, " | ");
		n = json_array_size(json_object_get(f, "evidence"));
		json_array_foreach (json_object_get(f, "evidence"), k, e) {
			if (k == MD_EVIDENCE) {
				P(" and %zu more", n - MD_EVIDENCE);
				break;
			}
			ss_buf_adds(out, k ? ", " : "");
			T(json_string_value(e));
		}
		ss_buf_adds(out, " |\n");
	}
	json_decref(fs);
}

static void md_list(struct ss_buf *out, json_t *a)
{
	json_t *v;
	size_t i;

	if (!json_array_size(a)) {
		ss_buf_adds(out, "none");
		return;
	}
	json_array_foreach (a, i, v) {
		if (i == 20) {
			P(" and %zu more", json_array_size(a) - 20);
			break;
		}
		ss_buf_adds(out, i ? ", " : "");
		T(json_string_value(v));
	}
}

static void md_coverage(struct ss_buf *out, json_t *doc)
{
	json_t *cov = json_object_get(doc, "coverage"), *w, *r;
	size_t i;

	ss_buf_adds(out, "\n## Audit log coverage\n\n");
	if (!json_integer_value(json_object_get(cov, "records"))) {
		ss_buf_adds(out, "No audit data in the store (`secscore audit ingest`).\n");
		return;
	}
	P("- %lld records from ", (long long)json_integer_value(json_object_get(cov, "records")));
	T(ss_report_str(cov, "first"));
	ss_buf_adds(out, " to ");
	T(ss_report_str(cov, "last"));
	P("; %lld of %lld days have records\n- days without records: ",
	  (long long)json_integer_value(json_object_get(cov, "days_with_records")),
	  (long long)json_integer_value(json_object_get(cov, "days_covered")));
	md_list(out, json_object_get(cov, "gaps"));
	P("\n- %lld ingest runs, %lld duplicates dropped, %lld records rejected\n",
	  (long long)json_integer_value(json_object_get(cov, "runs")),
	  (long long)json_integer_value(json_object_get(cov, "duplicates")),
	  (long long)json_integer_value(json_object_get(cov, "rejected")));
	json_array_foreach (json_object_get(cov, "warnings"), i, w) {
		ss_buf_adds(out, "- warning: ");
		T(json_string_value(w));
		ss_buf_addc(out, '\n');
	}
	ss_buf_adds(out, "\n| workload | records | days | days without records |\n|---|---:|---:|---|\n");
	json_array_foreach (json_object_get(cov, "workloads"), i, w) {
		ss_buf_adds(out, "| ");
		T(ss_report_str(w, "workload"));
		P(" | %lld | %lld | ", (long long)json_integer_value(json_object_get(w, "records")),
		  (long long)json_integer_value(json_object_get(w, "days")));
		md_list(out, json_object_get(w, "gaps"));
		ss_buf_adds(out, " |\n");
	}
	if (json_array_size(json_object_get(cov, "recent_rejects"))) {
		ss_buf_adds(out, "\n| rejected in | line | reason |\n|---|---:|---|\n");
		json_array_foreach (json_object_get(cov, "recent_rejects"), i, r) {
			if (i == 20)
				break;
			ss_buf_adds(out, "| ");
			T(ss_report_str(r, "file"));
			P(" | %lld | ", (long long)json_integer_value(json_object_get(r, "line")));
			T(ss_report_str(r, "reason"));
			ss_buf_adds(out, " |\n");
		}
	}
}

int ss_report_md(json_t *doc, struct ss_buf *out)
{
	/* The appends above only fail at the ceiling; the buffer then stops growing, checked here. */
	md_summary(out, doc);
	md_trend(out, doc);
	md_actions(out, doc);
	md_controls(out, doc);
	md_findings(out, doc);
	md_coverage(out, doc);
	P("\n---\nsecscore %s\n", SS_VERSION);
	return out->len + 4096 >= out->max ? SS_ETOOBIG : 0;
}
