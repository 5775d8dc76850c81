/* sigma_eval.c - the per-thread evaluation state: feeding records, merging states, findings after the pass. */

/*
 * Design. A state is a hash table of groups keyed by (rule, group key) plus
 * an arena for the strings it keeps. A simple rule's group is its user
 * (lower-cased UserId, "" when none) and holds first/last time, a count and
 * the 50 earliest evidence ids ordered by (time, id): each of these merges
 * by min/max/sum/smallest-50, so the result does not depend on order or on
 * the split of records between states. A correlation's group (its group-by
 * values joined with 0x1f) holds every event the correlation needs: time,
 * record id, the position of the matching rule in its rules: list, and for
 * value_count the counted value. Windows are evaluated only in
 * ss_rules_findings: events are sorted by (time, id, ...), then a two-
 * pointer sweep tests the window ending at each event, and satisfied
 * windows that overlap in time merge into one finding. Correlations over
 * correlations run children first; each occurrence of a child becomes one
 * event (at its last time) of the parent.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/text.h"
#include "rules/sigma_int.h"

#define ARENA_MAX ((size_t)1 << 40)

struct sg_evid {
	ss_time_ms t; /* record time */
	char *id;     /* record id (owned) */
};

struct sg_ev {
	ss_time_ms t;	  /* record time */
	uint64_t id_off;  /* record id in the arena */
	uint32_t id_len;  /* its length */
	uint32_t ref;	  /* position of the matching rule in the correlation's rules: */
	uint64_t val_off; /* value_count: the value in the arena */
	uint32_t val_len; /* its length */
};

struct sg_group {
	uint32_t rule;		/* rule index */
	uint32_t key_len;	/* group key length */
	uint64_t key_off;	/* group key in the arena */
	uint64_t hash;		/* hash of (rule, key) */
	ss_time_ms first, last; /* simple: time span */
	uint64_t count;		/* simple: matches */
	struct sg_evid *evid;	/* simple: earliest evidence, sorted (owned, SG_MAX_EVIDENCE slots) */
	uint32_t nevid;		/* used */
	struct sg_ev *evs;	/* correlation: events (owned) */
	size_t nevs, capevs;	/* used, allocated */
};

struct ss_rules_state {
	struct ss_buf arena;  /* keys, ids and values */
	struct sg_group *g;   /* groups (owned) */
	size_t ng, capg;      /* used, allocated */
	uint32_t *slots;      /* hash table: group index + 1, 0 = empty (owned) */
	size_t nslots;	      /* power of two */
	pcre2_match_data *md; /* for regex matches (owned) */
	struct ss_buf key;    /* scratch: the group key being built */
};

struct ss_rules_state *ss_rules_state_new(const struct ss_rules *rs)
{
	struct ss_rules_state *st = ss_xcalloc(1, sizeof(*st));

	(void)rs;
	ss_buf_init(&st->arena, ARENA_MAX);
	ss_buf_init(&st->key, (size_t)1 << 20);
	st->md = pcre2_match_data_create(1, NULL);
	if (!st->md)
		ss_die("out of memory (pcre2)");
	return st;
}

void ss_rules_state_free(struct ss_rules_state *st)
{
	size_t i, k;

	if (!st)
		return;
	for (i = 0; i < st->ng; i++) {
		for (k = 0; k < st->g[i].nevid; k++)
			free(st->g[i].evid[k].id);
		free(st->g[i].evid);
		free(st->g[i].evs);
	}
	free(st->g);
	free(st->slots);
	ss_buf_release(&st->arena);
	ss_buf_release(&st->key);
	pcre2_match_data_free(st->md);
	free(st);
}

static uint64_t hash_key(uint32_t rule, const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ rule;
	size_t i;

	h *= 1099511628211ULL;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t arena_add(struct ss_rules_state *st, const char *s, size_t n)
{
	uint64_t off = st->arena.len;

	if (ss_buf_add(&st->arena, s ? s : "", n) != 0)
		ss_die("rule state over %zu bytes", (size_t)ARENA_MAX);
	return off;
}

static const char *arena_at(const struct ss_rules_state *st, uint64_t off)
{
	return st->arena.ptr ? st->arena.ptr + off : "";
}

static void rehash(struct ss_rules_state *st)
{
	size_t i, n = st->nslots ? st->nslots * 2 : 64;

	free(st->slots);
	st->slots = ss_xcalloc(n, sizeof(*st->slots));
	st->nslots = n;
	for (i = 0; i < st->ng; i++) {
		size_t s = st->g[i].hash & (n - 1);
		while (st->slots[s])
			s = (s + 1) & (n - 1);
		st->slots[s] = (uint32_t)(i + 1);
	}
}

/* The group (rule, key), created empty when absent. */
static struct sg_group *group_get(struct ss_rules_state *st, uint32_t rule, const char *key, size_t len)
{
	uint64_t h = hash_key(rule, key, len);
	struct sg_group *g;
	size_t s;

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	if ((st->ng + 1) * 2 > st->nslots)
		rehash(st);
	for (s = h & (st->nslots - 1); st->slots[s]; s = (s + 1) & (st->nslots - 1)) {
		g = &st->g[st->slots[s] - 1];
		if (g->hash == h && g->rule == rule && g->key_len == len &&
		    memcmp(arena_at(st, g->key_off), key, len) == 0)
			return g;
	}
	if (st->ng == st->capg) {
		st->capg = st->capg ? st->capg * 2 : 32;
		st->g = ss_xrealloc(st->g, ss_mul_sz(st->capg, sizeof(*st->g)));
	}
	g = &st->g[st->ng];
	memset(g, 0, sizeof(*g));
	g->rule = rule;
	g->hash = h;
	g->key_off = arena_add(st, key, len);
	g->key_len = (uint32_t)len;
	st->slots[s] = (uint32_t)(++st->ng);
	return g;
}

static int evid_cmp(ss_time_ms t1, const char *a, ss_time_ms t2, const char *b)
{
	if (t1 != t2)
		return t1 < t2 ? -1 : 1;
	return strcmp(a, b);
}

/* Keeps the SG_MAX_EVIDENCE earliest (time, id) pairs; id is copied when kept. */
static void evid_add(struct sg_group *g, ss_time_ms t, const char *id, size_t len)
{
	char tmp[128];
	const char *s = id;
	char *dyn = NULL;
	uint32_t i;

	if (len == 0)
		return;
	if (len < sizeof(tmp)) {
		memcpy(tmp, id, len);
		tmp[len] = 0;
		s = tmp;
	} else {
		dyn = ss_xstrndup(id, len);
		s = dyn;
	}
	if (g->nevid == SG_MAX_EVIDENCE &&
	    evid_cmp(t, s, g->evid[g->nevid - 1].t, g->evid[g->nevid - 1].id) >= 0)
		goto out;
	for (i = 0; i < g->nevid; i++) {
		int c = evid_cmp(t, s, g->evid[i].t, g->evid[i].id);
		if (c == 0)
			goto out; /* the same record again */
		if (c < 0)
			break;
	}
	if (!g->evid)
		g->evid = ss_xmalloc(SG_MAX_EVIDENCE * sizeof(*g->evid));
	if (g->nevid == SG_MAX_EVIDENCE)
		free(g->evid[--g->nevid].id);
	memmove(&g->evid[i + 1], &g->evid[i], (g->nevid - i) * sizeof(*g->evid));
	g->evid[i].t = t;
	g->evid[i].id = dyn ? dyn : ss_xstrdup(s);
	dyn = NULL;
	g->nevid++;
out:
	free(dyn);
}

static void simple_add(struct sg_group *g, ss_time_ms first, ss_time_ms last, uint64_t count)
{
	if (g->count == 0 || first < g->first)
		g->first = first;
	if (g->count == 0 || last > g->last)
		g->last = last;
	g->count += count;
}

static void ev_push(struct sg_group *g, const struct sg_ev *e)
{
	if (g->nevs == g->capevs) {
		g->capevs = g->capevs ? g->capevs * 2 : 8;
		g->evs = ss_xrealloc(g->evs, ss_mul_sz(g->capevs, sizeof(*g->evs)));
	}
	g->evs[g->nevs++] = *e;
}

/* Builds the group key of correlation c for rec into st->key. */
static void build_key(struct ss_rules_state *st, const struct sg_rule *c, struct ss_audit_rec *rec)
{
	size_t i;

	ss_buf_clear(&st->key);
	for (i = 0; i < c->ngroupby; i++) {
		struct ss_slice t;
		if (i)
			ss_buf_addc(&st->key, '\x1f');
		if (sg_field_text(rec, &c->groupby[i], &t) && t.len)
			ss_buf_add(&st->key, t.ptr, t.len);
	}
}

static void on_match(const struct ss_rules *rs, struct ss_rules_state *st, uint32_t ri,
		     struct ss_audit_rec *rec)
{
	const struct sg_rule *r = &rs->rules[ri];
	size_t u;

	if (r->generate) {
		struct sg_group *g = group_get(st, ri, rec->user.ptr ? rec->user.ptr : "", rec->user.len);
		simple_add(g, rec->time, rec->time, 1);
		evid_add(g, rec->time, rec->id.ptr, rec->id.len);
	}
	for (u = 0; u < r->nuses; u++) {
		const struct sg_rule *c = &rs->rules[r->uses[u].corr];
		struct sg_group *g;
		struct sg_ev e = {0};
		e.t = rec->time;
		e.ref = r->uses[u].ref;
		if (c->ctype == SG_C_VALUE_COUNT) {
			struct ss_slice v;
			if (!sg_field_text(rec, &c->vfield, &v) || v.len == 0)
				continue; /* no value: nothing to count */
			e.val_len = v.len > UINT32_MAX ? UINT32_MAX : (uint32_t)v.len;
			e.val_off = arena_add(st, v.ptr, e.val_len);
		}
		e.id_len = rec->id.len > UINT32_MAX ? UINT32_MAX : (uint32_t)rec->id.len;
		e.id_off = arena_add(st, rec->id.ptr, e.id_len);
		build_key(st, c, rec);
		g = group_get(st, r->uses[u].corr, st->key.ptr ? st->key.ptr : "", st->key.len);
		ev_push(g, &e);
	}
}

void ss_rules_feed(const struct ss_rules *rs, struct ss_rules_state *st, struct ss_audit_rec *rec)
{
	char op[256];
	const uint32_t *l;
	uint32_t ix;
	size_t i;

	if (rec->operation.len < sizeof(op)) {
		for (i = 0; i < rec->operation.len; i++)
			op[i] = sg_lower(rec->operation.ptr[i]);
		if (ss_strmap_get(&rs->opmap, op, rec->operation.len, &ix))
			for (l = rs->oplists[ix]; *l != UINT32_MAX; l++)
				if (sg_rule_match(rs, &rs->rules[*l], rec, st->md))
					on_match(rs, st, *l, rec);
	}
	for (l = rs->anyrules; *l != UINT32_MAX; l++)
		if (sg_rule_match(rs, &rs->rules[*l], rec, st->md))
			on_match(rs, st, *l, rec);
}

void ss_rules_merge(const struct ss_rules *rs, struct ss_rules_state *dst, const struct ss_rules_state *src)
{
	size_t i, k;

	(void)rs;
	for (i = 0; i < src->ng; i++) {
		const struct sg_group *s = &src->g[i];
		struct sg_group *d;
		/* copy the key first: group_get may grow dst's arena */
		char *key = ss_xstrndup(arena_at(src, s->key_off), s->key_len);
		d = group_get(dst, s->rule, key, s->key_len);
		free(key);
		if (s->count)
			simple_add(d, s->first, s->last, s->count);
		for (k = 0; k < s->nevid; k++)
			evid_add(d, s->evid[k].t, s->evid[k].id, strlen(s->evid[k].id));
		for (k = 0; k < s->nevs; k++) {
			struct sg_ev e = s->evs[k];
			e.id_off = arena_add(dst, arena_at(src, s->evs[k].id_off), e.id_len);
			if (e.val_len)
				e.val_off = arena_add(dst, arena_at(src, s->evs[k].val_off), e.val_len);
			ev_push(d, &e);
		}
	}
}

/* ---- findings ---- */

/* An event during window evaluation: pointers into the state's arena or into occurrences. */
struct lev {
	ss_time_ms t;
	const char *id;
	size_t idlen;
	uint32_t ref;
	const char *val;
	size_t vallen;
	uint32_t vid; /* value_count: dense value number */
};

/* One satisfied (merged) window of a correlation, kept for correlations over it. */
struct occ {
	char *key;     /* group key (owned) */
	size_t keylen; /* its length */
	ss_time_ms t;  /* time of its last event */
	char *id;      /* id of its last event (owned) */
};

struct occs {
	struct occ *v;
	size_t n, cap;
};

/* A finding waiting to be sorted. */
struct pend {
	uint32_t rule;
	ss_time_ms first;
	char *key;
	json_t *doc;
};

struct pends {
	struct pend *v;
	size_t n, cap;
};

static int slice_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

static int lev_cmp(const void *pa, const void *pb)
{
	const struct lev *a = pa, *b = pb;
	int c;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if ((c = slice_cmp(a->id, a->idlen, b->id, b->idlen)))
		return c;
	if (a->ref != b->ref)
		return a->ref < b->ref ? -1 : 1;
	return slice_cmp(a->val ? a->val : "", a->vallen, b->val ? b->val : "", b->vallen);
}

static int lev_val_cmp(const void *pa, const void *pb)
{
	const struct lev *a = *(const struct lev *const *)pa, *b = *(const struct lev *const *)pb;
	return slice_cmp(a->val ? a->val : "", a->vallen, b->val ? b->val : "", b->vallen);
}

static void stable_id(const char *rule_id, const char *key, size_t keylen, ss_time_ms first, char out[33])
{
	struct ss_sha256 *h = ss_sha256_new();
	char iso[32], hex[65];

	ss_time_format(first, iso);
	ss_sha256_update(h, rule_id, strlen(rule_id));
	ss_sha256_update(h, "\n", 1);
	ss_sha256_update(h, key, keylen);
	ss_sha256_update(h, "\n", 1);
	ss_sha256_update(h, iso, strlen(iso));
	ss_sha256_final(h, hex);
	memcpy(out, hex, 32);
	out[32] = 0;
}

static json_t *json_slice(const char *s, size_t n)
{
	json_t *j = json_stringn_nocheck(s, n);
	return j ? j : json_string("");
}

static void pend_add(struct pends *p, uint32_t rule, ss_time_ms first, const char *key, size_t keylen,
		     json_t *doc)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->v = ss_xrealloc(p->v, ss_mul_sz(p->cap, sizeof(*p->v)));
	}
	p->v[p->n].rule = rule;
	p->v[p->n].first = first;
	p->v[p->n].key = ss_xstrndup(key, keylen);
	p->v[p->n].doc = doc;
	p->n++;
}

static int pend_cmp(const void *pa, const void *pb)
{
	const struct pend *a = pa, *b = pb;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* The common part of a finding; steals evidence and group. */
static json_t *finding(const struct sg_rule *r, const char *key, size_t keylen, const char *user,
		       size_t userlen, ss_time_ms first, ss_time_ms last, uint64_t count, const char *summary,
		       json_t *evidence, json_t *group)
{
	char id[33], f[32], l[32];
	json_t *o = json_object(), *sum = json_string(summary);

	stable_id(r->id, key, keylen, first, id);
	ss_time_format(first, f);
	ss_time_format(last, l);
	json_object_set_new(o, "id", json_string(id));
	/* the rule's name when it has one (readable, and what the catalog's review controls list), else its id */
	json_object_set_new(
		o, "rule", r->name ? json_slice(r->name, strlen(r->name)) : json_slice(r->id, strlen(r->id)));
	json_object_set_new(o, "title", json_slice(r->title, strlen(r->title)));
	json_object_set_new(o, "severity", json_string(r->level));
	json_object_set_new(o, "user", userlen ? json_slice(user, userlen) : json_null());
	json_object_set_new(o, "first", json_string(f));
	json_object_set_new(o, "last", json_string(l));
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	if (!sum) {
		/* a cut in the middle of a UTF-8 sequence (summaries are bounded): keep the valid prefix */
		size_t n = strlen(summary), i = 0, k;
		while (i < n && (k = ss_utf8_seq((const unsigned char *)summary + i, n - i)) > 0)
			i += k;
		sum = json_stringn(summary, i);
	}
	json_object_set_new(o, "summary", sum ? sum : json_string(""));
	json_object_set_new(o, "evidence", evidence);
	json_object_set_new(o, "group", group);
	return o;
}

static void simple_findings(const struct ss_rules *rs, const struct ss_rules_state *st, struct pends *out)
{
	size_t i, k;

	for (i = 0; i < st->ng; i++) {
		const struct sg_group *g = &st->g[i];
		const struct sg_rule *r = &rs->rules[g->rule];
		const char *key = arena_at(st, g->key_off);
		char f[32], l[32], summary[1024];
		json_t *ev, *group;
		if (r->correlation || !g->count)
			continue;
		ev = json_array();
		for (k = 0; k < g->nevid; k++)
			json_array_append_new(ev, json_slice(g->evid[k].id, strlen(g->evid[k].id)));
		group = json_object();
		if (g->key_len)
			json_object_set_new(group, "UserId", json_slice(key, g->key_len));
		ss_time_format(g->first, f);
		ss_time_format(g->last, l);
		snprintf(summary, sizeof(summary), "%s: %llu matching record%s by %.*s between %s and %s",
			 r->title, (unsigned long long)g->count, g->count == 1 ? "" : "s",
			 g->key_len ? (int)(g->key_len > 200 ? 200 : g->key_len) : 10,
			 g->key_len ? key : "any user", f, l);
		pend_add(out, g->rule, g->first, key, g->key_len,
			 finding(r, key, g->key_len, key, g->key_len, g->first, g->last, g->count, summary,
				 ev, group));
	}
}

/* Merged intervals of satisfied windows over sorted events e[0..n); returns their number in iv (pairs). */
static size_t windows(const struct sg_rule *c, struct lev *e, size_t n, size_t *iv)
{
	size_t i, j = 0, niv = 0, nvals = 0, distinct = 0, nz = 0, k;
	uint32_t *cnt = NULL;

#define ADD(s_, e_)                                                                                          \
	do {                                                                                                 \
		size_t s0 = (s_), e0 = (e_);                                                                 \
		if (niv && e[s0].t <= e[iv[2 * niv - 1]].t) {                                                \
			if (s0 < iv[2 * niv - 2])                                                            \
				iv[2 * niv - 2] = s0;                                                        \
			if (e0 > iv[2 * niv - 1])                                                            \
				iv[2 * niv - 1] = e0;                                                        \
		} else {                                                                                     \
			iv[2 * niv] = s0;                                                                    \
			iv[2 * niv + 1] = e0;                                                                \
			niv++;                                                                               \
		}                                                                                            \
	} while (0)

	if (c->ctype == SG_C_VALUE_COUNT) {
		struct lev **byval = ss_xmalloc(ss_mul_sz(n, sizeof(*byval)));
		for (i = 0; i < n; i++)
			byval[i] = &e[i];
		qsort(byval, n, sizeof(*byval), lev_val_cmp);
		for (i = 0; i < n; i++) {
			if (i && lev_val_cmp(&byval[i - 1], &byval[i]) != 0)
				nvals++;
			byval[i]->vid = (uint32_t)nvals;
		}
		free(byval);
		cnt = ss_xcalloc(nvals + 1, sizeof(*cnt));
	} else if (c->ctype == SG_C_TEMPORAL) {
		cnt = ss_xcalloc(c->refnames.n, sizeof(*cnt));
	}
	for (i = 0; i < n; i++) {
		switch (c->ctype) {
		case SG_C_EVENT_COUNT:
			while (e[i].t - e[j].t > c->span)
				j++;
			if ((int64_t)(i - j + 1) >= c->cmin && (int64_t)(i - j + 1) <= c->cmax)
				ADD(j, i);
			break;
		case SG_C_VALUE_COUNT:
			if (cnt[e[i].vid]++ == 0)
				distinct++;
			while (e[i].t - e[j].t > c->span) {
				if (--cnt[e[j].vid] == 0)
					distinct--;
				j++;
			}
			if ((int64_t)distinct >= c->cmin && (int64_t)distinct <= c->cmax)
				ADD(j, i);
			break;
		case SG_C_TEMPORAL:
			if (cnt[e[i].ref]++ == 0)
				nz++;
			while (e[i].t - e[j].t > c->span) {
				if (--cnt[e[j].ref] == 0)
					nz--;
				j++;
			}
			if (nz == c->refnames.n)
				ADD(j, i);
			break;
		case SG_C_TEMPORAL_ORDERED: {
			size_t p = i, lo = i, hi = i;
			long q;
			bool ok = true;
			if (e[i].ref != c->refnames.n - 1)
				break;
			while (p + 1 < n && e[p + 1].t == e[i].t)
				p++;
			q = (long)p;
			for (k = c->refnames.n - 1; k-- > 0;) {
				while (q >= 0 && e[i].t - e[q].t <= c->span &&
				       (e[q].ref != k || (size_t)q == i))
					q--;
				if (q < 0 || e[i].t - e[q].t > c->span) {
					ok = false;
					break;
				}
				if ((size_t)q < lo)
					lo = (size_t)q;
				if ((size_t)q > hi)
					hi = (size_t)q;
				q--;
			}
			if (ok)
				ADD(lo, hi);
			break;
		}
		}
	}
#undef ADD
	free(cnt);
	return niv;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Distinct values among e[s..end]. */
static size_t distinct_in(const struct lev *e, size_t s, size_t end)
{
	size_t n = end - s + 1, i, d = 0;
	uint32_t *v = ss_xmalloc(ss_mul_sz(n, sizeof(*v)));

	for (i = 0; i < n; i++)
		v[i] = e[s + i].vid;
	qsort(v, n, sizeof(*v), u32_cmp);
	for (i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			d++;
	free(v);
	return d;
}

static const char *ctype_name(enum sg_ctype t)
{
	switch (t) {
	case SG_C_EVENT_COUNT: return "event_count";
	case SG_C_VALUE_COUNT: return "value_count";
	case SG_C_TEMPORAL: return "temporal";
	case SG_C_TEMPORAL_ORDERED: return "temporal_ordered";
	}
	return "";
}

/* Finds or adds the local group of key in a correlation's gathering. */
struct cgroup {
	const char *key;
	size_t keylen;
	struct lev *e;
	size_t n, cap;
};

struct cgroups {
	struct cgroup *v;
	size_t n, cap;
	struct ss_strmap map; /* key -> index */
};

static struct cgroup *cg_get(struct cgroups *cg, const char *key, size_t len)
{
	uint32_t ix;

	if (ss_strmap_get(&cg->map, key, len, &ix))
		return &cg->v[ix];
	if (cg->n == cg->cap) {
		cg->cap = cg->cap ? cg->cap * 2 : 16;
		cg->v = ss_xrealloc(cg->v, ss_mul_sz(cg->cap, sizeof(*cg->v)));
	}
	memset(&cg->v[cg->n], 0, sizeof(cg->v[cg->n]));
	cg->v[cg->n].key = key;
	cg->v[cg->n].keylen = len;
	ss_strmap_put(&cg->map, key, len, (uint32_t)cg->n);
	return &cg->v[cg->n++];
}

static void lev_push(struct cgroup *g, const struct lev *e)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->e = ss_xrealloc(g->e, ss_mul_sz(g->cap, sizeof(*g->e)));
	}
	g->e[g->n++] = *e;
}

static void corr_findings(const struct ss_rules *rs, const struct ss_rules_state *st, uint32_t ci,
			  struct occs *all_occs, struct pends *out)
{
	const struct sg_rule *c = &rs->rules[ci];
	struct cgroups cg = {0};
	size_t i, k, gi;

	ss_strmap_init(&cg.map);
	for (i = 0; i < st->ng; i++) {
		const struct sg_group *g = &st->g[i];
		struct cgroup *d;
		if (g->rule != ci)
			continue;
		d = cg_get(&cg, arena_at(st, g->key_off), g->key_len);
		for (k = 0; k < g->nevs; k++) {
			struct lev e = {0};
			e.t = g->evs[k].t;
			e.id = arena_at(st, g->evs[k].id_off);
			e.idlen = g->evs[k].id_len;
			e.ref = g->evs[k].ref;
			e.val = arena_at(st, g->evs[k].val_off);
			e.vallen = g->evs[k].val_len;
			lev_push(d, &e);
		}
	}
	for (k = 0; k < c->refnames.n; k++) {
		const struct occs *o = &all_occs[c->refs[k]];
		if (!rs->rules[c->refs[k]].correlation)
			continue;
		for (i = 0; i < o->n; i++) {
			struct lev e = {0};
			struct cgroup *d = cg_get(&cg, o->v[i].key, o->v[i].keylen);
			e.t = o->v[i].t;
			e.id = o->v[i].id;
			e.idlen = strlen(o->v[i].id);
			e.ref = (uint32_t)k;
			e.val = o->v[i].id; /* a child occurrence counts as its own value */
			e.vallen = e.idlen;
			lev_push(d, &e);
		}
	}
	for (gi = 0; gi < cg.n; gi++) {
		struct cgroup *g = &cg.v[gi];
		size_t *iv, niv;
		if (!g->n)
			continue;
		qsort(g->e, g->n, sizeof(*g->e), lev_cmp);
		iv = ss_xmalloc(ss_mul_sz(g->n, 2 * sizeof(*iv)));
		niv = windows(c, g->e, g->n, iv);
		for (i = 0; i < niv; i++) {
			size_t s = iv[2 * i], end = iv[2 * i + 1], q;
			size_t count = c->ctype == SG_C_VALUE_COUNT ? distinct_in(g->e, s, end) : end - s + 1;
			struct occs *o = &all_occs[ci];
			json_t *ev = json_array(), *group = json_object();
			char f[32], l[32], summary[1024], gdesc[512];
			const char *user = NULL;
			size_t userlen = 0, pos = 0, fi, gl = 0;
			for (q = s; q <= end && json_array_size(ev) < SG_MAX_EVIDENCE; q++)
				if (g->e[q].idlen)
					json_array_append_new(ev, json_slice(g->e[q].id, g->e[q].idlen));
			gdesc[0] = 0;
			for (fi = 0; fi < c->ngroupby; fi++) {
				const char *sep = memchr(g->key + pos, '\x1f', g->keylen - pos);
				size_t vl = sep ? (size_t)(sep - (g->key + pos)) : g->keylen - pos;
				json_object_set_new(group, c->groupby[fi].path, json_slice(g->key + pos, vl));
				if ((int)fi == c->user_ix) {
					user = g->key + pos;
					userlen = vl;
				}
				if (gl < sizeof(gdesc))
					gl += (size_t)snprintf(gdesc + gl, sizeof(gdesc) - gl, "%s%s=%.*s",
							       fi ? ", " : "", c->groupby[fi].path,
							       (int)(vl > 200 ? 200 : vl), g->key + pos);
				pos += vl + (sep ? 1 : 0);
				if (pos > g->keylen)
					pos = g->keylen;
			}
			ss_time_format(g->e[s].t, f);
			ss_time_format(g->e[end].t, l);
			snprintf(summary, sizeof(summary), "%s: %zu %s%s%s for %s between %s and %s (%s)",
				 c->title, count,
				 c->ctype == SG_C_VALUE_COUNT	? "distinct "
				 : c->ctype == SG_C_EVENT_COUNT ? "events"
								: "events in sequence",
				 c->ctype == SG_C_VALUE_COUNT ? c->vfield.path : "",
				 c->ctype == SG_C_VALUE_COUNT ? " values" : "",
				 gdesc[0] ? gdesc : "all records", f, l, ctype_name(c->ctype));
			if (c->generate)
				pend_add(out, ci, g->e[s].t, g->key, g->keylen,
					 finding(c, g->key, g->keylen, user, userlen, g->e[s].t, g->e[end].t,
						 count, summary, ev, group));
			else {
				json_decref(ev);
				json_decref(group);
			}
			if (o->n == o->cap) {
				o->cap = o->cap ? o->cap * 2 : 8;
				o->v = ss_xrealloc(o->v, ss_mul_sz(o->cap, sizeof(*o->v)));
			}
			o->v[o->n].key = ss_xstrndup(g->key, g->keylen);
			o->v[o->n].keylen = g->keylen;
			o->v[o->n].t = g->e[end].t;
			o->v[o->n].id = ss_xstrndup(g->e[end].id, g->e[end].idlen);
			o->n++;
		}
		free(iv);
	}
	for (gi = 0; gi < cg.n; gi++)
		free(cg.v[gi].e);
	free(cg.v);
	ss_strmap_release(&cg.map);
}

json_t *ss_rules_findings(const struct ss_rules *rs, struct ss_rules_state *st)
{
	struct pends p = {0};
	struct occs *occ = ss_xcalloc(rs->n ? rs->n : 1, sizeof(*occ));
	json_t *arr = json_array();
	size_t i, k;

	simple_findings(rs, st, &p);
	for (i = 0; i < rs->norder; i++)
		corr_findings(rs, st, rs->order[i], occ, &p);
	if (p.n > 1)
		qsort(p.v, p.n, sizeof(*p.v), pend_cmp);
	for (i = 0; i < p.n; i++) {
		json_array_append_new(arr, p.v[i].doc);
		free(p.v[i].key);
	}
	free(p.v);
	for (i = 0; i < rs->n; i++) {
		for (k = 0; k < occ[i].n; k++) {
			free(occ[i].v[k].key);
			free(occ[i].v[k].id);
		}
		free(occ[i].v);
	}
	free(occ);
	return arr;
}
