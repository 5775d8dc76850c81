/* graph.c - building Graph-shaped JSON documents with jansson. */
#include "output/graph.h"

#include <math.h>
#include <string.h>

#include "base/time.h"

static json_t *strv_json(const struct ss_strv *sv)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *time_json(ss_time_ms t)
{
	char buf[32];

	ss_time_format(t, buf);
	return json_string(buf);
}

static double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

/* Adds points to the {name, score, maxScore} entry of name in array a. */
static void tally(json_t *a, const char *name, double score, double max)
{
	json_t *e;
	size_t i;

	json_array_foreach (a, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0) {
			json_object_set_new(
				e, "score",
				json_real(json_number_value(json_object_get(e, "score")) + score));
			json_object_set_new(
				e, "maxScore",
				json_real(json_number_value(json_object_get(e, "maxScore")) + max));
			return;
		}
	}
	json_array_append_new(a, json_pack("{s:s, s:f, s:f}", "name", name, "score", score, "maxScore", max));
}

static json_t *control_score(const struct ss_scorecard *sc, const struct ss_result *r)
{
	const struct ss_control *c = r->control;
	char syncd[32];
	json_t *o = json_object();

	ss_time_format(sc->snap->taken, syncd);
	json_object_set_new(o, "controlName", json_string(c->id));
	json_object_set_new(o, "controlCategory", json_string(c->category));
	json_object_set_new(o, "description", json_string(c->title));
	json_object_set_new(o, "title", json_string(c->title));
	json_object_set_new(o, "service", json_string(c->service));
	json_object_set_new(o, "actionType", json_string(c->action_type));
	json_object_set_new(o, "score", json_real(r->points));
	json_object_set_new(o, "maxScore", json_real(r->max));
	json_object_set_new(o, "controlMaxScore", json_real(c->max_score));
	json_object_set_new(o, "measuredScore", json_real(r->measured));
	json_object_set_new(o, "count", json_integer(r->count));
	json_object_set_new(o, "total", json_integer(r->total));
	json_object_set_new(o, "perEntity", json_boolean(r->per_entity));
	json_object_set_new(o, "scoreInPercentage",
			    json_real(c->max_score > 0 ? round2(100.0 * r->points / c->max_score) : 0));
	json_object_set_new(o, "implementationStatus",
			    json_string(r->impl	    ? r->impl
					: r->reason ? r->reason
						    : ""));
	json_object_set_new(o, "status", json_string(ss_status_name(r->status)));
	json_object_set_new(o, "state", json_string(r->state));
	json_object_set_new(o, "on", json_boolean(r->status == SS_STATUS_PASSED));
	json_object_set_new(o, "lastSynced", json_string(syncd));
	json_object_set_new(o, "userImpact", json_string(ss_level_name(c->user_impact)));
	json_object_set_new(o, "implementationCost", json_string(ss_level_name(c->implementation_cost)));
	json_object_set_new(o, "rank", json_integer(c->rank));
	json_object_set_new(o, "tier", json_string(c->tier));
	if (r->reason)
		json_object_set_new(o, "notScoredReason", json_string(r->reason));
	json_object_set_new(o, "offenders", strv_json(&r->offenders));
	if (r->excluded.n)
		json_object_set_new(o, "excluded", strv_json(&r->excluded));
	if (r->st) {
		json_t *s = json_object();
		json_object_set_new(s, "state", json_string(r->st->state));
		json_object_set_new(s, "reason", json_string(r->st->reason));
		json_object_set_new(s, "updatedBy", json_string(r->st->by));
		if (r->st->assigned_to)
			json_object_set_new(s, "assignedTo", json_string(r->st->assigned_to));
		json_object_set_new(s, "updatedDateTime", time_json(r->st->at));
		if (r->st->expires)
			json_object_set_new(s, "expires", time_json(r->st->expires));
		json_object_set_new(s, "expired", json_boolean(r->state_expired));
		json_object_set_new(s, "excludes", strv_json(&r->st->excludes));
		json_object_set_new(o, "stateDetail", s);
	}
	if (r->state_expired)
		json_object_set_new(o, "stateExpired", json_true());
	json_object_set_new(o, "remediation", json_incref(json_object_get(c->doc, "remediation")));
	return o;
}

json_t *ss_graph_secure_score(const struct ss_scorecard *sc)
{
	const struct ss_snapshot *snap = sc->snap;
	json_t *o = json_object(), *scores = json_array(), *cats = json_array(), *svcs = json_array();
	size_t i, not_scored = 0, not_applicable = 0;
	double planned = sc->current;

	json_object_set_new(o, "id", json_null());
	json_object_set_new(o, "azureTenantId", json_string(snap->tenant_id));
	json_object_set_new(o, "tenantDisplayName", json_string(snap->display_name));
	json_object_set_new(o, "createdDateTime", time_json(snap->taken));
	json_object_set_new(o, "scoredDateTime", time_json(sc->now));
	json_object_set_new(o, "currentScore", json_real(sc->current));
	json_object_set_new(o, "maxScore", json_real(sc->max));
	json_object_set_new(o, "percentage",
			    json_real(sc->max > 0 ? round2(100.0 * sc->current / sc->max) : 0));
	json_object_set_new(o, "enabledServices", strv_json(&sc->facts.services));
	json_object_set_new(o, "servicesKnown", json_boolean(sc->facts.services_known));
	json_object_set_new(o, "licensedUserCount", json_integer(sc->facts.licensed_users));
	json_object_set_new(o, "activeUserCount", json_integer(sc->facts.active_users));
	json_object_set_new(o, "averageComparativeScores", json_array());
	json_object_set_new(o, "catalogVersion", json_string(sc->cat->version));
	json_object_set_new(o, "snapshotHash", json_string(snap->hash));
	json_object_set_new(o, "snapshotPath", json_string(snap->dir));
	for (i = 0; i < sc->n; i++) {
		const struct ss_result *r = &sc->results[i];
		json_array_append_new(scores, control_score(sc, r));
		if (r->status == SS_STATUS_NOT_SCORED)
			not_scored++;
		if (r->status == SS_STATUS_NOT_APPLICABLE)
			not_applicable++;
		if (r->max > 0) {
			tally(cats, r->control->category, r->points, r->max);
			tally(svcs, r->control->service, r->points, r->max);
		}
		if (strcmp(r->state, "planned") == 0)
			planned += r->max - r->points;
	}
	json_object_set_new(o, "plannedScore", json_real(planned));
	json_object_set_new(o, "notScoredCount", json_integer((json_int_t)not_scored));
	json_object_set_new(o, "notApplicableCount", json_integer((json_int_t)not_applicable));
	json_object_set_new(o, "categories", cats);
	json_object_set_new(o, "services", svcs);
	json_object_set_new(o, "controlScores", scores);
	json_object_set_new(o, "warnings", strv_json(&sc->facts.warnings));
	json_object_set_new(o, "warningCount", json_integer(sc->facts.n_warnings));
	json_object_set_new(o, "vendorInformation",
			    json_pack("{s:s, s:s, s:s, s:n}", "vendor", "secscore", "provider", "secscore",
				      "providerVersion", SS_VERSION, "subProvider"));
	return o;
}

json_t *ss_graph_control_profile(const struct ss_catalog *cat, const struct ss_control *c, json_t *history)
{
	static const char *const copied[] = {"remediationImpact", "actionUrl", "complianceInformation",
					     "remediationCommands", "references"};
	json_t *o = json_object(), *v;
	size_t i;

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "controlName", json_string(c->id));
	json_object_set_new(o, "title", json_string(c->title));
	json_object_set_new(o, "service", json_string(c->service));
	json_object_set_new(o, "controlCategory", json_string(c->category));
	json_object_set_new(o, "actionType", json_string(c->action_type));
	json_object_set_new(o, "maxScore", json_real(c->max_score));
	json_object_set_new(o, "tier", json_string(c->tier));
	json_object_set_new(o, "userImpact", json_string(ss_level_name(c->user_impact)));
	json_object_set_new(o, "implementationCost", json_string(ss_level_name(c->implementation_cost)));
	json_object_set_new(o, "rank", json_integer(c->rank));
	json_object_set_new(o, "threats", json_deep_copy(json_object_get(c->doc, "threats")));
	json_object_set_new(o, "deprecated", json_boolean(c->deprecated));
	json_object_set_new(o, "remediation", json_incref(json_object_get(c->doc, "remediation")));
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		v = json_object_get(c->doc, copied[i]);
		if (v)
			json_object_set_new(o, copied[i], json_deep_copy(v));
	}
	if (!json_object_get(o, "complianceInformation"))
		json_object_set_new(o, "complianceInformation", json_array());
	json_object_set_new(o, "controlStateUpdates", history ? history : json_array());
	json_object_set_new(o, "catalogVersion", json_string(cat->version));
	json_object_set_new(o, "measure", json_string(c->measure));
	json_object_set_new(o, "parameters", json_deep_copy(c->params));
	v = json_array();
	for (i = 0; i < c->n_inputs; i++)
		json_array_append_new(v, json_string(c->inputs[i]));
	json_object_set_new(o, "inputs", v);
	v = json_array();
	for (i = 0; i < c->n_requires; i++)
		json_array_append_new(v, json_string(c->requires[i]));
	json_object_set_new(o, "requires", v);
	json_object_set_new(o, "vendorInformation",
			    json_pack("{s:s, s:s, s:s, s:n}", "vendor", "secscore", "provider", "secscore",
				      "providerVersion", SS_VERSION, "subProvider"));
	return o;
}
