/* report.c - gathering the report document from the store, and what its renderers share. */
#include "output/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/text.h"
#include "base/time.h"
#include "output/graph.h"
#include "score/plan.h"
#include "store/audit_store.h"
#include "store/finding_store.h"

const char *ss_report_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

double ss_report_num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

double ss_report_pct(double a, double b)
{
	return b > 0 ? 100.0 * a / b : 0;
}

const char *ss_report_status_label(const char *status)
{
	static const char *const names[][2] = {{"passed", "Passed"},
					       {"partial", "Partial"},
					       {"failed", "Failed"},
					       {"notScored", "Not scored"},
					       {"notApplicable", "Not applicable"}};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(status, names[i][0]) == 0)
			return names[i][1];
	return "Unknown";
}

const char *ss_report_state_label(const char *state)
{
	static const char *const names[][2] = {{"to_address", "To address"},
					       {"planned", "Planned"},
					       {"risk_accepted", "Risk accepted"},
					       {"third_party", "Resolved by a third party"},
					       {"alternate_mitigation", "Resolved by other means"},
					       {"ignored", "Ignored"}};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(state, names[i][0]) == 0)
			return names[i][1];
	return "Unknown state";
}

int ss_report_clean(struct ss_buf *out, const char *s)
{
	size_t i = 0, n;
	int rc = 0;

	if (!s)
		return 0;
	/* TAB and LF are kept (text layout); every other byte goes through the terminal filter. */
	while (s[i] && !rc) {
		n = strcspn(s + i, "\t\n");
		rc = ss_text_terminal(out, s + i, n);
		i += n;
		if (!rc && s[i])
			rc = ss_buf_addc(out, s[i++]);
	}
	return rc;
}

static const char *impact_name(int impact)
{
	return impact == 3 ? "High" : impact == 2 ? "Moderate" : "Low";
}

static json_t *action_json(const struct ss_action *a)
{
	return json_pack("{s:s, s:s, s:s, s:f, s:s, s:s}", "controlName", a->control, "title", a->title,
			 "service", a->service, "scoreGain", a->gain, "userImpact", impact_name(a->impact),
			 "implementationStatus", a->impl ? a->impl : "");
}

/* The next actions of score, best first, as JSON. */
static json_t *next_actions_json(json_t *score)
{
	struct ss_action *acts = NULL;
	json_t *a = json_array();
	size_t n = ss_next_actions(score, &acts), i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, action_json(&acts[i]));
	free(acts);
	return a;
}

/* The target plan of score as JSON (cmd_plan's --json shape without the score fields). */
static int plan_json(json_t *score, double target_pct, json_t **out, struct ss_error *err)
{
	struct ss_plan plan;
	json_t *acts;
	size_t i;
	int rc;

	rc = ss_plan_target(score, target_pct, &plan, err);
	if (rc)
		return rc;
	acts = json_array();
	for (i = 0; i < plan.n; i++)
		json_array_append_new(acts, action_json(&plan.actions[i]));
	*out = json_pack("{s:f, s:f, s:b, s:f, s:i, s:o}", "targetPercentage", target_pct, "targetScore",
			 plan.target, "reachable", plan.reachable, "reachedScore", plan.reached,
			 "totalUserImpact", plan.impact, "actions", acts);
	ss_plan_release(&plan);
	return 0;
}

/* secureScoreControlProfile objects of the catalog with the tenant's state history. */
static json_t *profiles_json(struct ss_store *st, int64_t tenant, const struct ss_catalog *cat)
{
	json_t *a = json_array(), *h;
	size_t i;

	for (i = 0; cat && i < cat->n; i++) {
		h = NULL;
		if (ss_store_state_history(st, tenant, cat->controls[i].id, &h, NULL) != 0)
			h = NULL;
		json_array_append_new(a, ss_graph_control_profile(cat, &cat->controls[i], h));
	}
	return a;
}

int ss_report_build(struct ss_store *st, int64_t tenant, const struct ss_catalog *cat, double target_pct,
		    json_t **out, struct ss_error *err)
{
	json_t *score = NULL, *hist = NULL, *findings = NULL, *cov = NULL, *plan = NULL, *doc;
	char now[32];
	int rc;

	*out = NULL;
	if (!isfinite(target_pct) || target_pct < 0 || target_pct > 100)
		return ss_error_set(err, SS_EUSAGE, "the target must be a percentage from 0 to 100");
	rc = ss_store_load_score(st, tenant, NULL, &score, err);
	if (!rc)
		rc = ss_store_history(st, tenant, &hist, err);
	if (!rc)
		rc = ss_store_findings(st, tenant, 0, 0, &findings, err);
	if (!rc)
		rc = ss_store_audit_stats(st, tenant, &cov, err);
	if (!rc)
		rc = plan_json(score, target_pct, &plan, err);
	if (rc)
		goto out;
	ss_time_format(ss_time_now(), now);
	doc = json_object();
	json_object_set(doc, "secureScore", score);
	json_object_set_new(doc, "secureScoreControlProfiles", profiles_json(st, tenant, cat));
	json_object_set(doc, "findings", findings);
	json_object_set(doc, "coverage", cov);
	json_object_set(doc, "history", hist);
	json_object_set_new(doc, "nextActions", next_actions_json(score));
	json_object_set(doc, "plan", plan);
	json_object_set_new(doc, "generatedDateTime", json_string(now));
	json_object_set_new(doc, "vendorInformation",
			    json_pack("{s:s, s:s, s:s, s:n}", "vendor", "secscore", "provider", "secscore",
				      "providerVersion", SS_VERSION, "subProvider"));
	*out = doc;
out:
	json_decref(score);
	json_decref(hist);
	json_decref(findings);
	json_decref(cov);
	json_decref(plan);
	return rc;
}

/* Reading order of a status: 0 for controls missing points, then passed, not scored, not applicable. */
static int status_order(json_t *c)
{
	const char *s = ss_report_str(c, "status");

	if (strcmp(s, "notApplicable") == 0)
		return 3;
	if (strcmp(s, "notScored") == 0)
		return 2;
	if (ss_report_num(c, "score") < ss_report_num(c, "maxScore"))
		return 0;
	return 1;
}

static int control_cmp(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int oa = status_order(a), ob = status_order(b);
	double ma = ss_report_num(a, "maxScore") - ss_report_num(a, "score");
	double mb = ss_report_num(b, "maxScore") - ss_report_num(b, "score");

	if (oa != ob)
		return oa < ob ? -1 : 1;
	if (ma != mb)
		return ma > mb ? -1 : 1;
	return strcmp(ss_report_str(a, "controlName"), ss_report_str(b, "controlName"));
}

json_t *ss_report_controls_sorted(json_t *score)
{
	json_t *cs = json_object_get(score, "controlScores"), *out = json_array();
	size_t n = json_array_size(cs), i;
	json_t **v;

	if (!n)
		return out;
	v = ss_xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(cs, i);
	qsort(v, n, sizeof(*v), control_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* A finding with its position in the store's order (newest first), for a stable sort. */
struct ranked {
	json_t *f;
	int sev;
	size_t pos;
};

static int finding_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

json_t *ss_report_findings_sorted(json_t *doc)
{
	json_t *fs = json_object_get(doc, "findings"), *out = json_array();
	size_t n = json_array_size(fs), i;
	struct ranked *v;

	if (!n)
		return out;
	v = ss_xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].f = json_array_get(fs, i);
		v[i].sev = ss_severity_rank(ss_report_str(v[i].f, "severity"));
		v[i].pos = i;
	}
	qsort(v, n, sizeof(*v), finding_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i].f);
	free(v);
	return out;
}

void ss_report_when(const char *iso, char out[static 32])
{
	if (strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(out, 32, "%.10s %.5s UTC", iso, iso + 11);
	else
		snprintf(out, 32, "%.20s", iso);
}
