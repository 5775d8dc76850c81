/* engine.c - running the measures, applying control states and exceptions, totalling. */
#include "score/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "score/measures.h"
#include "score/predicate.h"

static const char *const state_names[] = {
	"to_address", "planned", "risk_accepted", "third_party", "alternate_mitigation", "ignored", NULL};

bool ss_state_valid(const char *name)
{
	size_t i;

	for (i = 0; state_names[i]; i++)
		if (strcmp(state_names[i], name) == 0)
			return true;
	return false;
}

/* The static copy of a valid state name (results outlive nothing but the catalog). */
static const char *state_static(const char *name)
{
	size_t i;

	for (i = 0; state_names[i]; i++)
		if (strcmp(state_names[i], name) == 0)
			return state_names[i];
	return state_names[0];
}

void ss_state_release(struct ss_state *st)
{
	free(st->control);
	free(st->state);
	free(st->reason);
	free(st->by);
	free(st->assigned_to);
	ss_strv_release(&st->excludes);
	memset(st, 0, sizeof(*st));
}

const char *ss_status_name(enum ss_status s)
{
	switch (s) {
	case SS_STATUS_PASSED: return "passed";
	case SS_STATUS_PARTIAL: return "partial";
	case SS_STATUS_FAILED: return "failed";
	case SS_STATUS_NOT_SCORED: return "notScored";
	case SS_STATUS_NOT_APPLICABLE: return "notApplicable";
	}
	return "notScored";
}

/* Expands a state's excludes into users and domains (groups through graph/groups.json). */
static void build_exclusion(struct ss_exclusion *ex, const struct ss_state *st,
			    const struct ss_snapshot *snap)
{
	struct ss_buf scratch;
	size_t i;

	ss_strv_init(&ex->users);
	ss_strv_init(&ex->domains);
	ss_buf_init(&scratch, 1 << 20);
	for (i = 0; i < st->excludes.n; i++) {
		const char *e = st->excludes.v[i];
		if (strncmp(e, "user:", 5) == 0) {
			ss_strv_push(&ex->users, e + 5);
		} else if (strncmp(e, "domain:", 7) == 0) {
			ss_strv_push(&ex->domains, e + 7);
		} else if (strncmp(e, "group:", 6) == 0) {
			struct ss_items it;
			ss_jv g;
			if (!ss_items_begin(snap, "graph/groups.json", &it))
				continue;
			while ((g = ss_items_next(&it)) != SS_JNONE) {
				ss_jv members, mem;
				if (!ss_json_str_eqi(it.doc, ss_json_geti(it.doc, g, "displayName"), e + 6))
					continue;
				members = ss_json_geti(it.doc, g, "members");
				for (mem = ss_json_first(it.doc, members); mem != SS_JNONE;
				     mem = ss_json_next(it.doc, members, mem)) {
					bool ok;
					struct ss_slice upn = ss_json_str(
						it.doc, ss_json_geti(it.doc, mem, "userPrincipalName"),
						&scratch, &ok);
					if (ok && upn.len)
						ss_strv_pushn(&ex->users, upn.ptr, upn.len);
				}
			}
		}
	}
	ss_buf_release(&scratch);
}

static void release_exclusion(struct ss_exclusion *ex)
{
	ss_strv_release(&ex->users);
	ss_strv_release(&ex->domains);
}

static bool requires_met(const struct ss_control *c, const struct ss_facts *f, struct ss_result *r)
{
	struct ss_buf b;
	size_t i;

	if (!c->n_requires)
		return true;
	for (i = 0; i < c->n_requires; i++)
		if (ss_facts_has_service(f, c->requires[i]))
			return true;
	ss_buf_init(&b, 4096);
	ss_buf_adds(&b, "the tenant has no subscription with ");
	for (i = 0; i < c->n_requires; i++)
		ss_buf_printf(&b, "%s%s", i ? " or " : "", c->requires[i]);
	r->reason = ss_buf_detach(&b, NULL);
	return false;
}

static bool inputs_present(const struct ss_control *c, const struct ss_snapshot *snap, struct ss_result *r)
{
	struct ss_buf b;
	size_t i, missing = 0;

	ss_buf_init(&b, 4096);
	for (i = 0; i < c->n_inputs; i++) {
		if (ss_snapshot_doc(snap, c->inputs[i]))
			continue;
		ss_buf_printf(&b, "%s%s", missing++ ? ", " : "needs ", c->inputs[i]);
	}
	if (!missing) {
		ss_buf_release(&b);
		return true;
	}
	r->reason = ss_buf_detach(&b, NULL);
	return false;
}

static const struct ss_state *find_state(const struct ss_state *states, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(states[i].control, id) == 0)
			return &states[i];
	return NULL;
}

/*
 * Behaviour: a configuration control whose check lists audit_rules also
 * answers to what the audit log saw. A finding of those rules in the last 30
 * days that nobody has handled (acknowledged, resolved, false positive) is an
 * offender, and the control fails: the setting may look right now, but the
 * tenant forwarded mail outside, or switched auditing off, and nobody looked.
 */
static void behaviour(const struct ss_scorecard *sc, const struct ss_control *c, struct ss_result *r)
{
	json_t *rules = json_object_get(json_object_get(c->doc, "check"), "audit_rules");
	size_t i, k, open = 0;

	if (!sc->ev || !json_is_array(rules) ||
	    (r->status != SS_STATUS_PASSED && r->status != SS_STATUS_PARTIAL &&
	     r->status != SS_STATUS_FAILED))
		return;
	for (i = 0; i < sc->ev->n_findings; i++) {
		const struct ss_evidence_finding *f = &sc->ev->findings[i];
		bool listed = false;
		json_t *v;
		if (f->handled || f->last < sc->now - 30 * SS_DAY_MS || f->last > sc->now)
			continue;
		json_array_foreach (rules, k, v) {
			if (json_is_string(v) && strcmp(json_string_value(v), f->rule) == 0)
				listed = true;
		}
		if (!listed)
			continue;
		open++;
		{
			char when[32];
			ss_time_format(f->last, when);
			ss_strv_pushf(&r->offenders, "audit log: %s%s%s on %s, not handled", f->rule,
				      f->user ? " by " : "", f->user ? f->user : "", when);
		}
	}
	if (!open)
		return;
	r->measured = 0;
	r->status = SS_STATUS_FAILED;
	{
		char *old = r->impl;
		size_t n = (old ? strlen(old) : 0) + 200;
		r->impl = ss_xmalloc(n);
		snprintf(r->impl, n, "%s%s%zu finding(s) of the audit log in the last 30 days not handled",
			 old ? old : "", old ? "; " : "", open);
		free(old);
	}
}

/* Measures one control and applies its state. */
static int score_one(struct ss_scorecard *sc, const struct ss_control *c, struct ss_result *r,
		     const struct ss_state *st, struct ss_error *err)
{
	const struct ss_measure *ms = ss_measure_find(c->measure);
	struct ss_exclusion ex;
	struct ss_mctx m;
	bool active = false;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->control = c;
	ss_strv_init(&r->offenders);
	ss_strv_init(&r->excluded);
	r->state = state_names[0];
	r->st = st;
	if (st) {
		active = st->expires == 0 || sc->now < st->expires;
		if (active)
			r->state = state_static(st->state);
		else
			r->state_expired = true;
	}
	if (!ms) {
		ss_error_set(err, SS_EINVAL, "unknown measure '%s'", c->measure);
		ss_error_at(err, c->file, 0, 0);
		ss_error_field(err, "measure");
		return SS_EINVAL;
	}
	if (!requires_met(c, &sc->facts, r)) {
		r->status = SS_STATUS_NOT_APPLICABLE;
	} else if (!ms->any_input && !inputs_present(c, sc->snap, r)) {
		r->status = SS_STATUS_NOT_SCORED;
	} else {
		memset(&m, 0, sizeof(m));
		m.sc = sc;
		m.c = c;
		m.r = r;
		m.err = err;
		ss_buf_init(&m.scratch, (size_t)16 << 20);
		if (active && st->excludes.n) {
			build_exclusion(&ex, st, sc->snap);
			m.ex = &ex;
		}
		rc = ms->run(&m);
		if (m.ex)
			release_exclusion(&ex);
		ss_buf_release(&m.scratch);
		if (rc)
			return rc;
		behaviour(sc, c, r);
	}

	if (r->status == SS_STATUS_NOT_SCORED || r->status == SS_STATUS_NOT_APPLICABLE ||
	    strcmp(r->state, "ignored") == 0) {
		r->points = 0;
		r->max = 0;
	} else if (strcmp(r->state, "third_party") == 0 || strcmp(r->state, "alternate_mitigation") == 0) {
		r->points = c->max_score;
		r->max = c->max_score;
	} else if (strcmp(r->state, "risk_accepted") == 0) {
		r->points = 0;
		r->max = c->max_score;
	} else {
		r->points = r->measured;
		r->max = c->max_score;
	}
	return 0;
}

void ss_evidence_init(struct ss_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ss_strv_init(&ev->ops);
}

void ss_evidence_release(struct ss_evidence *ev)
{
	size_t i;

	for (i = 0; i < ev->n_findings; i++) {
		free(ev->findings[i].rule);
		free(ev->findings[i].user);
		free(ev->findings[i].handled_by);
	}
	free(ev->findings);
	ss_strv_release(&ev->ops);
	memset(ev, 0, sizeof(*ev));
}

int ss_score_run(struct ss_scorecard *sc, const struct ss_catalog *cat, const struct ss_snapshot *snap,
		 const struct ss_state *states, size_t n_states, ss_time_ms now, struct ss_error *err)
{
	return ss_score_run_ev(sc, cat, snap, states, n_states, NULL, now, err);
}

int ss_score_run_ev(struct ss_scorecard *sc, const struct ss_catalog *cat, const struct ss_snapshot *snap,
		    const struct ss_state *states, size_t n_states, const struct ss_evidence *ev,
		    ss_time_ms now, struct ss_error *err)
{
	size_t i;
	int rc = 0;

	memset(sc, 0, sizeof(*sc));
	sc->ev = ev;
	sc->cat = cat;
	sc->snap = snap;
	sc->now = now;
	ss_facts_build(&sc->facts, snap, cat);
	sc->results = ss_xcalloc(cat->n + 1, sizeof(*sc->results));
	for (i = 0; i < cat->n; i++) {
		const struct ss_control *c = &cat->controls[i];
		struct ss_result *r;
		if (c->deprecated)
			continue;
		r = &sc->results[sc->n++];
		rc = score_one(sc, c, r, find_state(states, n_states, c->id), err);
		if (rc)
			break;
		sc->current += r->points;
		sc->max += r->max;
	}
	if (rc)
		ss_scorecard_release(sc);
	return rc;
}

void ss_scorecard_release(struct ss_scorecard *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		free(sc->results[i].impl);
		free(sc->results[i].reason);
		ss_strv_release(&sc->results[i].offenders);
		ss_strv_release(&sc->results[i].excluded);
	}
	free(sc->results);
	ss_facts_release(&sc->facts);
	memset(sc, 0, sizeof(*sc));
}

int ss_score_check_catalog(const struct ss_catalog *cat, struct ss_error *err)
{
	static const char *const pred_keys[] = {"where", "compliant"};
	size_t i, k;

	for (i = 0; i < cat->n; i++) {
		const struct ss_control *c = &cat->controls[i];
		json_t *check = json_object_get(c->doc, "check");
		if (!ss_measure_find(c->measure)) {
			ss_error_set(err, SS_EINVAL, "unknown measure '%s'", c->measure);
			ss_error_at(err, c->file, 0, 0);
			ss_error_field(err, "measure");
			return SS_EINVAL;
		}
		if (check && !json_is_object(check)) {
			ss_error_set(err, SS_EINVAL, "must be an object");
			ss_error_at(err, c->file, 0, 0);
			ss_error_field(err, "check");
			return SS_EINVAL;
		}
		for (k = 0; k < SS_ARRAY_LEN(pred_keys); k++) {
			json_t *spec = json_object_get(check, pred_keys[k]);
			char where[64];
			struct ss_pred *p;
			if (!spec)
				continue;
			snprintf(where, sizeof(where), "check.%s", pred_keys[k]);
			p = ss_pred_compile(spec, c->params, where, err);
			if (!p) {
				ss_error_at(err, c->file, 0, 0);
				return SS_EINVAL;
			}
			ss_pred_free(p);
		}
	}
	return 0;
}
