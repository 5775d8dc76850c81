/* sigma_match.c - matching one record against a compiled Sigma rule: fields, values, the condition tree. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rules/sigma_int.h"

bool sg_field_text(struct ss_audit_rec *rec, const struct sg_fieldref *f, struct ss_slice *out)
{
	switch (f->f) {
	case SG_F_OPERATION: *out = rec->operation; return true;
	case SG_F_USERID: *out = rec->user; return true;
	case SG_F_WORKLOAD: *out = rec->workload; return true;
	case SG_F_RESULT: *out = rec->result; return true;
	case SG_F_ID: *out = rec->id; return true;
	case SG_F_CLIENTIP:
		out->ptr = rec->ip;
		out->len = strlen(rec->ip);
		return true;
	case SG_F_PATH: break;
	}
	return ss_audit_field_text(rec, f->path, f->len, out);
}

int sg_ip_bytes(const char *s, size_t len, unsigned char out[16])
{
	char canon[48];

	if (!ss_audit_ip((struct ss_slice){s, len}, canon))
		return 0;
	if (inet_pton(AF_INET, canon, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, canon, out) == 1)
		return 16;
	return 0;
}

/* Case-insensitive equality of n bytes; p is already lower-case. */
static bool eq_fold(const char *t, const char *p, size_t n, bool cased)
{
	size_t i;

	if (cased)
		return memcmp(t, p, n) == 0;
	for (i = 0; i < n; i++)
		if (sg_lower(t[i]) != p[i])
			return false;
	return true;
}

static bool contains_fold(const char *t, size_t tl, const char *p, size_t pl, bool cased)
{
	size_t i;

	if (pl == 0)
		return true;
	if (pl > tl)
		return false;
	for (i = 0; i + pl <= tl; i++) {
		char c = cased ? t[i] : sg_lower(t[i]);
		if (c == p[0] && eq_fold(t + i + 1, p + 1, pl - 1, cased))
			return true;
	}
	return false;
}

/* Iterative wildcard match with single-star backtracking: O(len(t) * len(p)) at worst. */
static bool glob_fold(const char *t, size_t tl, const char *p, const unsigned char *w, size_t pl, bool cased)
{
	size_t ti = 0, pi = 0, star_p = SIZE_MAX, star_t = 0;

	while (ti < tl) {
		if (pi < pl && w[pi] == SG_W_STAR) {
			star_p = pi++;
			star_t = ti;
		} else if (pi < pl && (w[pi] == SG_W_ONE || (cased ? t[ti] : sg_lower(t[ti])) == p[pi])) {
			ti++;
			pi++;
		} else if (star_p != SIZE_MAX) {
			pi = star_p + 1;
			ti = ++star_t;
		} else {
			return false;
		}
	}
	while (pi < pl && w[pi] == SG_W_STAR)
		pi++;
	return pi == pl;
}

static bool cidr_match(const struct sg_value *v, const char *s, size_t len)
{
	unsigned char b[16];
	int n = sg_ip_bytes(s, len, b), full, rest;

	if (n == 0 || (n == 4) != (v->family == AF_INET))
		return false;
	full = v->bits / 8;
	rest = v->bits % 8;
	if (memcmp(b, v->net, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));
		if ((b[full] & mask) != (v->net[full] & mask))
			return false;
	}
	return true;
}

static bool num_match(const struct sg_value *v, const char *s, size_t len)
{
	char buf[64];
	char *end;
	double d;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	d = strtod(buf, &end);
	if (end == buf || *end)
		return false;
	switch (v->numop) {
	case SG_GT: return d > v->num;
	case SG_GTE: return d >= v->num;
	case SG_LT: return d < v->num;
	case SG_LTE: return d <= v->num;
	}
	return false;
}

static bool value_match(const struct ss_rules *rs, const struct sg_value *v, struct ss_slice t,
			pcre2_match_data *md)
{
	const char *s = t.ptr ? t.ptr : "";

	switch (v->kind) {
	case SG_EXACT: return t.len == v->len && eq_fold(s, v->pat, v->len, v->cased);
	case SG_PREFIX: return t.len >= v->len && eq_fold(s, v->pat, v->len, v->cased);
	case SG_SUFFIX: return t.len >= v->len && eq_fold(s + t.len - v->len, v->pat, v->len, v->cased);
	case SG_CONTAINS: return contains_fold(s, t.len, v->pat, v->len, v->cased);
	case SG_GLOB: return glob_fold(s, t.len, v->pat, v->wild, v->len, v->cased);
	case SG_RE: return pcre2_match(v->re, (PCRE2_SPTR)s, t.len, 0, 0, md, rs->mctx) >= 0;
	case SG_CIDR:
		return cidr_match(v, s, t.len); /* ClientIP is rec->ip; other fields are canonicalised */
	case SG_NUM: return num_match(v, s, t.len);
	case SG_NULL: return false; /* handled by the caller */
	}
	return false;
}

/* Is the field absent or JSON null? */
static bool field_null(struct ss_audit_rec *rec, const struct sg_fieldref *f)
{
	ss_jv v = ss_audit_field(rec, f->path, f->len);

	return v == SS_JNONE || ss_json_type(&rec->doc, v) == SS_JNULL;
}

static bool cond_match(const struct ss_rules *rs, const struct sg_cond *c, struct ss_audit_rec *rec,
		       pcre2_match_data *md)
{
	struct ss_slice t = {NULL, 0};
	bool have = false, fetched = false;
	size_t i;

	if (c->exists >= 0)
		return (ss_audit_field(rec, c->field.path, c->field.len) != SS_JNONE) == (c->exists == 1);
	for (i = 0; i < c->nv; i++) {
		const struct sg_value *v = &c->v[i];
		bool m;
		if (v->kind == SG_NULL) {
			m = field_null(rec, &c->field);
		} else {
			if (!fetched) {
				have = sg_field_text(rec, &c->field, &t);
				fetched = true;
			}
			m = have && value_match(rs, v, t, md);
		}
		if (c->all && !m)
			return false;
		if (!c->all && m)
			return true;
	}
	return c->all && c->nv > 0;
}

static bool sel_match(const struct ss_rules *rs, const struct sg_sel *s, struct ss_audit_rec *rec,
		      pcre2_match_data *md)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		const struct sg_map *m = &s->maps[i];
		for (j = 0; j < m->n; j++)
			if (!cond_match(rs, &m->c[j], rec, md))
				break;
		if (j == m->n)
			return true;
	}
	return false;
}

struct eval {
	const struct ss_rules *rs;
	const struct sg_rule *r;
	struct ss_audit_rec *rec;
	pcre2_match_data *md;
	uint64_t done; /* selections evaluated */
	uint64_t val;  /* their results */
};

static bool node_eval(struct eval *e, const struct sg_node *n)
{
	size_t i;

	switch (n->op) {
	case SG_N_SEL: {
		uint64_t bit = (uint64_t)1 << n->sel;
		if (!(e->done & bit)) {
			e->done |= bit;
			if (sel_match(e->rs, &e->r->sels[n->sel], e->rec, e->md))
				e->val |= bit;
		}
		return (e->val & bit) != 0;
	}
	case SG_N_NOT: return !node_eval(e, n->kids[0]);
	case SG_N_AND:
		for (i = 0; i < n->n; i++)
			if (!node_eval(e, n->kids[i]))
				return false;
		return true;
	case SG_N_OR:
		for (i = 0; i < n->n; i++)
			if (node_eval(e, n->kids[i]))
				return true;
		return false;
	}
	return false;
}

bool sg_rule_match(const struct ss_rules *rs, const struct sg_rule *r, struct ss_audit_rec *rec,
		   pcre2_match_data *md)
{
	struct eval e = {rs, r, rec, md, 0, 0};

	return node_eval(&e, r->cond);
}
