/* sigma_parse.c - reading Sigma rules (libyaml) and compiling them: values, conditions, correlations. */

/*
 * Design. A rule file holds one or more YAML documents; each is a simple
 * rule (logsource + detection) or a correlation rule (correlation:). The
 * loader walks libyaml's node tree once per document and compiles it
 * directly: every value becomes a struct sg_value (literal text lower-cased,
 * wildcards marked, regexes compiled with PCRE2, networks parsed), the
 * condition string becomes a small tree over selection indices, and each
 * rule gets the set of Operation values it requires so ss_rules_feed can
 * skip it with one hash lookup per record. Anything outside the supported
 * subset (docs/rules.md) is an error naming the file, the line and column of
 * the YAML node (libyaml marks are 0-based; we print them 1-based) and the
 * construct. After all files, correlation references are resolved by id or
 * name, cycles rejected, and correlations ordered children first.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "base/alloc.h"
#include "base/file.h"
#include "rules/embedded.h"
#include "rules/sigma_int.h"

struct loader {
	struct sg_rule *rules; /* rules so far (owned) */
	size_t n, cap;	       /* used, allocated */
	struct ss_error *err;  /* where errors go */
	const char *file;      /* current file name */
	yaml_document_t *doc;  /* current document */
	size_t nvalues;	       /* values compiled in the current rule */
};

/* Records an error at a node's position; returns SS_EINVAL. */
static int fail_at(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(struct loader *L, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ss_error_set(L->err, SS_EINVAL, "%s", msg);
	if (L->err && L->err->file[0] == 0)
		ss_error_at(L->err, L->file, n ? (long)n->start_mark.line + 1 : 0,
			    n ? (long)n->start_mark.column + 1 : 0);
	return SS_EINVAL;
}

/* ---- YAML helpers ---- */

static bool is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static size_t slen(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

/* A plain scalar meaning null: null, Null, NULL, ~ or nothing. */
static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = sval(n);
	return slen(n) == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

static yaml_node_t *node(struct loader *L, int ix)
{
	return yaml_document_get_node(L->doc, ix);
}

/* The value of key in a mapping, or NULL. */
static yaml_node_t *map_get(struct loader *L, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(L, p->key);
		if (is_scalar(k) && strlen(sval(k)) == slen(k) && strcmp(sval(k), key) == 0)
			return node(L, p->value);
	}
	return NULL;
}

/* Fails on a key given twice in a mapping (YAML would silently keep one of them). */
static int no_dup_keys(struct loader *L, yaml_node_t *map)
{
	yaml_node_pair_t *p, *q;

	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(L, p->key);
		if (!is_scalar(k))
			continue;
		for (q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node(L, q->key);
			if (is_scalar(k2) && slen(k2) == slen(k) && memcmp(sval(k2), sval(k), slen(k)) == 0)
				return fail_at(L, k, "key '%s' given twice", sval(k));
		}
	}
	return 0;
}

/* A required or optional scalar string member; copies it into *out (owned). */
static int get_str(struct loader *L, yaml_node_t *map, const char *key, bool required, char **out)
{
	yaml_node_t *v = map_get(L, map, key);

	*out = NULL;
	if (!v) {
		if (required)
			return fail_at(L, map, "rule has no '%s'", key);
		return 0;
	}
	if (!is_scalar(v) || is_null(v))
		return fail_at(L, v, "'%s' must be a string", key);
	if (strlen(sval(v)) != slen(v))
		return fail_at(L, v, "'%s' holds a NUL byte", key);
	*out = ss_xstrndup(sval(v), slen(v));
	return 0;
}

/* ---- fields ---- */

static void fieldref_set(struct sg_fieldref *f, const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum sg_field f;
	} known[] = {
		{"Operation", SG_F_OPERATION}, {"UserId", SG_F_USERID},	    {"Workload", SG_F_WORKLOAD},
		{"ResultStatus", SG_F_RESULT}, {"ClientIP", SG_F_CLIENTIP}, {"Id", SG_F_ID},
	};
	size_t i;

	f->f = SG_F_PATH;
	f->path = ss_xstrndup(name, len);
	f->len = len;
	for (i = 0; i < SS_ARRAY_LEN(known); i++)
		if (strlen(known[i].name) == len && strncasecmp(known[i].name, name, len) == 0)
			f->f = known[i].f;
}

static int fieldref_from(struct loader *L, yaml_node_t *n, const char *what, struct sg_fieldref *f)
{
	if (!is_scalar(n) || is_null(n) || slen(n) == 0 || strlen(sval(n)) != slen(n))
		return fail_at(L, n, "%s must be a field name", what);
	if (memchr(sval(n), '|', slen(n)))
		return fail_at(L, n, "%s '%s': modifiers are not allowed here", what, sval(n));
	fieldref_set(f, sval(n), slen(n));
	return 0;
}

/* ---- values ---- */

enum vmod {
	VM_PLAIN,
	VM_CONTAINS,
	VM_STARTS,
	VM_ENDS
};

struct mods {
	enum vmod pos;	     /* contains / startswith / endswith */
	bool all;	     /* |all */
	bool re;	     /* |re */
	uint32_t re_flags;   /* |re|i |re|m |re|s */
	bool cidr;	     /* |cidr */
	bool exists;	     /* |exists */
	bool cased;	     /* |cased */
	bool num;	     /* gt/gte/lt/lte */
	enum sg_numop numop; /* which */
};

static void value_release(struct sg_value *v)
{
	free(v->pat);
	free(v->wild);
	if (v->re)
		pcre2_code_free(v->re);
}

/* Turns a plain Sigma value (with \* \? \\ escapes and * ? wildcards) into a pattern. */
static void compile_glob(struct sg_value *v, const char *s, size_t len, enum vmod pos, bool cased)
{
	size_t i, n = 0, cap = len + 3, k;
	char *p = ss_xmalloc(cap);
	unsigned char *w = ss_xmalloc(cap);
	bool inner_wild = false;

	if (pos == VM_CONTAINS || pos == VM_ENDS) {
		p[n] = '*';
		w[n++] = SG_W_STAR;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
			p[n] = s[++i];
			w[n++] = SG_W_LIT;
		} else if (c == '*' || c == '?') {
			p[n] = c;
			w[n++] = c == '*' ? SG_W_STAR : SG_W_ONE;
		} else {
			p[n] = cased ? c : sg_lower(c);
			w[n++] = SG_W_LIT;
		}
	}
	if (pos == VM_CONTAINS || pos == VM_STARTS) {
		p[n] = '*';
		w[n++] = SG_W_STAR;
	}
	v->cased = cased;
	/* the common shapes get a fast path: lit, lit*, *lit, *lit* */
	{
		size_t a = 0, b = n;
		bool lead = n > 0 && w[0] == SG_W_STAR, trail = n > 1 && w[n - 1] == SG_W_STAR;
		if (lead)
			a = 1;
		if (trail && b > a)
			b--;
		for (k = a; k < b; k++)
			if (w[k] != SG_W_LIT)
				inner_wild = true;
		if (!inner_wild) {
			v->kind = lead && trail ? SG_CONTAINS
				  : lead	? SG_SUFFIX
				  : trail	? SG_PREFIX
						: SG_EXACT;
			v->pat = ss_xstrndup(p + a, b - a);
			v->len = b - a;
			free(p);
			free(w);
			return;
		}
	}
	v->kind = SG_GLOB;
	v->pat = p;
	v->wild = w;
	v->len = n;
}

static int parse_cidr(struct loader *L, yaml_node_t *n, struct sg_value *v)
{
	char buf[64];
	const char *slash;
	char *end;
	long bits;
	int max;

	if (slen(n) >= sizeof(buf))
		return fail_at(L, n, "'%s' is not a network (cidr)", sval(n));
	memcpy(buf, sval(n), slen(n) + 1);
	slash = strchr(buf, '/');
	if (slash)
		buf[slash - buf] = 0;
	if (inet_pton(AF_INET, buf, v->net) == 1) {
		v->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, v->net) == 1) {
		v->family = AF_INET6;
		max = 128;
	} else {
		return fail_at(L, n, "'%s' is not a network (cidr)", sval(n));
	}
	bits = max;
	if (slash) {
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || bits < 0 || bits > max)
			return fail_at(L, n, "'%s': bad prefix length (cidr)", sval(n));
	}
	v->bits = (int)bits;
	v->kind = SG_CIDR;
	return 0;
}

static int compile_value(struct loader *L, yaml_node_t *n, const struct mods *m, struct sg_value *v)
{
	memset(v, 0, sizeof(*v));
	if (++L->nvalues > SG_MAX_VALUES)
		return fail_at(L, n, "more than %d values in one rule", SG_MAX_VALUES);
	if (!is_scalar(n))
		return fail_at(L, n, "a value must be a string, a number or null (not a %s)",
			       n->type == YAML_MAPPING_NODE ? "mapping" : "list");
	if (strlen(sval(n)) != slen(n))
		return fail_at(L, n, "a value holds a NUL byte");
	if (is_null(n)) {
		if (m->pos != VM_PLAIN || m->re || m->cidr || m->num)
			return fail_at(L, n, "null cannot take modifiers");
		v->kind = SG_NULL;
		return 0;
	}
	if (m->re) {
		int ec;
		PCRE2_SIZE off;
		v->kind = SG_RE;
		v->re = pcre2_compile((PCRE2_SPTR)sval(n), slen(n), m->re_flags | PCRE2_NEVER_BACKSLASH_C,
				      &ec, &off, NULL);
		if (!v->re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return fail_at(L, n, "bad regular expression at offset %zu: %s (re)", (size_t)off,
				       (const char *)msg);
		}
		return 0;
	}
	if (m->cidr)
		return parse_cidr(L, n, v);
	if (m->num) {
		char *end;
		errno = 0;
		v->num = strtod(sval(n), &end);
		if (errno || end == sval(n) || *end)
			return fail_at(L, n, "'%s' is not a number (gt/gte/lt/lte)", sval(n));
		v->kind = SG_NUM;
		v->numop = m->numop;
		return 0;
	}
	compile_glob(v, sval(n), slen(n), m->pos, m->cased);
	return 0;
}

/* Parses "Field|mod|mod" into the field and the modifiers. */
static int parse_key(struct loader *L, yaml_node_t *k, struct sg_cond *c, struct mods *m)
{
	const char *s = sval(k), *bar;
	size_t len = slen(k);
	const char *p, *end = s + len;

	memset(m, 0, sizeof(*m));
	if (strlen(s) != len)
		return fail_at(L, k, "a field name holds a NUL byte");
	bar = memchr(s, '|', len);
	if ((bar ? (size_t)(bar - s) : len) == 0)
		return fail_at(L, k, "keyword searches (values without a field name) are not supported");
	fieldref_set(&c->field, s, bar ? (size_t)(bar - s) : len);
	p = bar;
	while (p && p < end) {
		const char *q = memchr(p + 1, '|', (size_t)(end - p - 1));
		size_t n = q ? (size_t)(q - p - 1) : (size_t)(end - p - 1);
		const char *mod = p + 1;
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(mod, lit, n) == 0)
		if (IS("contains") || IS("startswith") || IS("endswith")) {
			if (m->pos != VM_PLAIN)
				return fail_at(L, k, "'%s': only one of contains, startswith, endswith", s);
			m->pos = IS("contains") ? VM_CONTAINS : IS("startswith") ? VM_STARTS : VM_ENDS;
		} else if (IS("all")) {
			m->all = true;
		} else if (IS("re")) {
			m->re = true;
		} else if (m->re && (IS("i") || IS("m") || IS("s"))) {
			m->re_flags |= IS("i") ? PCRE2_CASELESS : IS("m") ? PCRE2_MULTILINE : PCRE2_DOTALL;
		} else if (IS("cidr")) {
			m->cidr = true;
		} else if (IS("exists")) {
			m->exists = true;
		} else if (IS("cased")) {
			m->cased = true;
		} else if (IS("gt") || IS("gte") || IS("lt") || IS("lte")) {
			m->num = true;
			m->numop = IS("gt") ? SG_GT : IS("gte") ? SG_GTE : IS("lt") ? SG_LT : SG_LTE;
		} else {
			return fail_at(L, k, "unsupported modifier '%.*s' in '%s'", (int)n, mod, s);
		}
#undef IS
		p = q;
	}
	if ((m->re || m->cidr || m->num || m->exists) && (m->pos != VM_PLAIN || m->cased))
		return fail_at(L, k,
			       "'%s': re, cidr, exists and gt/lt cannot be combined with "
			       "contains/startswith/endswith/cased",
			       s);
	if ((m->re + m->cidr + m->num + m->exists) > 1)
		return fail_at(L, k, "'%s': re, cidr, exists and gt/lt exclude each other", s);
	return 0;
}

static void cond_release(struct sg_cond *c)
{
	size_t i;

	for (i = 0; i < c->nv; i++)
		value_release(&c->v[i]);
	free(c->v);
	free(c->field.path);
}

static int compile_cond(struct loader *L, yaml_node_t *k, yaml_node_t *val, struct sg_cond *c)
{
	struct mods m;
	int rc;

	memset(c, 0, sizeof(*c));
	c->exists = -1;
	if (!is_scalar(k))
		return fail_at(L, k, "a field name must be a string");
	rc = parse_key(L, k, c, &m);
	if (rc)
		return rc;
	c->all = m.all;
	if (m.exists) {
		if (!is_scalar(val) ||
		    (strcasecmp(sval(val), "true") != 0 && strcasecmp(sval(val), "false") != 0))
			return fail_at(L, val, "'%s': exists takes true or false", sval(k));
		c->exists = strcasecmp(sval(val), "true") == 0;
		return 0;
	}
	if (val->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;
		size_t n = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
		if (n == 0)
			return fail_at(L, val, "'%s': an empty list of values", sval(k));
		c->v = ss_xcalloc(n, sizeof(*c->v));
		for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
			rc = compile_value(L, node(L, *it), &m, &c->v[c->nv]);
			c->nv++;
			if (rc)
				return rc;
		}
	} else {
		c->v = ss_xcalloc(1, sizeof(*c->v));
		c->nv = 1;
		rc = compile_value(L, val, &m, &c->v[0]);
		if (rc)
			return rc;
	}
	return 0;
}

static void map_release(struct sg_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		cond_release(&m->c[i]);
	free(m->c);
}

static int compile_map(struct loader *L, yaml_node_t *n, struct sg_map *m)
{
	yaml_node_pair_t *p;
	size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	int rc;

	if (cnt == 0)
		return fail_at(L, n, "an empty selection");
	m->c = ss_xcalloc(cnt, sizeof(*m->c));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		rc = compile_cond(L, node(L, p->key), node(L, p->value), &m->c[m->n]);
		m->n++;
		if (rc)
			return rc;
	}
	return 0;
}

static void sel_release(struct sg_sel *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		map_release(&s->maps[i]);
	free(s->maps);
	free(s->name);
}

static int compile_sel(struct loader *L, yaml_node_t *v, struct sg_sel *s)
{
	int rc;

	if (v->type == YAML_MAPPING_NODE) {
		s->maps = ss_xcalloc(1, sizeof(*s->maps));
		s->n = 1;
		return compile_map(L, v, &s->maps[0]);
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;
		size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		if (n == 0)
			return fail_at(L, v, "selection '%s' is an empty list", s->name);
		s->maps = ss_xcalloc(n, sizeof(*s->maps));
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = node(L, *it);
			if (e->type != YAML_MAPPING_NODE)
				return fail_at(L, e,
					       "selection '%s': keyword lists (values without a field name) "
					       "are not supported",
					       s->name);
			rc = compile_map(L, e, &s->maps[s->n]);
			s->n++;
			if (rc)
				return rc;
		}
		return 0;
	}
	return fail_at(L, v,
		       "selection '%s': keyword searches (values without a field name) are not supported",
		       s->name);
}

/* ---- conditions ---- */

static void node_free(struct sg_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

static struct sg_node *node_new(enum sg_op op)
{
	struct sg_node *n = ss_xcalloc(1, sizeof(*n));
	n->op = op;
	return n;
}

static void node_add(struct sg_node *p, struct sg_node *k)
{
	p->kids = ss_xrealloc(p->kids, ss_mul_sz(p->n + 1, sizeof(*p->kids)));
	p->kids[p->n++] = k;
}

struct cparse {
	struct loader *L;
	yaml_node_t *at;	 /* the condition node (for error positions) */
	const struct sg_rule *r; /* the rule (selections) */
	const char *s;		 /* the condition text */
	size_t pos, len;	 /* cursor */
	char tok[256];		 /* current token */
	int depth;		 /* nesting */
};

/* Reads the next token into c->tok: "(", ")", "|" or a word; "" at the end. */
static int next_tok(struct cparse *c)
{
	size_t n = 0;

	while (c->pos < c->len &&
	       (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' || c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
		c->pos++;
	if (c->pos >= c->len) {
		c->tok[0] = 0;
		return 0;
	}
	if (c->s[c->pos] == '(' || c->s[c->pos] == ')' || c->s[c->pos] == '|') {
		c->tok[0] = c->s[c->pos++];
		c->tok[1] = 0;
		return 0;
	}
	while (c->pos < c->len && !strchr(" \t\r\n()|", c->s[c->pos])) {
		if (n + 1 >= sizeof(c->tok))
			return fail_at(c->L, c->at, "condition: a name longer than %zu bytes",
				       sizeof(c->tok) - 1);
		c->tok[n++] = c->s[c->pos++];
	}
	c->tok[n] = 0;
	return 0;
}

static bool name_match(const char *pat, const char *name)
{
	size_t pl = strlen(pat);

	if (pl && pat[pl - 1] == '*')
		return strncmp(pat, name, pl - 1) == 0;
	return strcmp(pat, name) == 0;
}

static int parse_or(struct cparse *c, struct sg_node **out);

static int parse_atom(struct cparse *c, struct sg_node **out);

static int parse_atom_inner(struct cparse *c, struct sg_node **out)
{
	int rc;
	size_t i;

	*out = NULL;
	if (++c->depth > 64)
		return fail_at(c->L, c->at, "condition nested too deeply");
	if (strcmp(c->tok, "not") == 0) {
		struct sg_node *k, *n;
		if ((rc = next_tok(c)) || (rc = parse_atom(c, &k)))
			return rc;
		n = node_new(SG_N_NOT);
		node_add(n, k);
		*out = n;
	} else if (strcmp(c->tok, "(") == 0) {
		if ((rc = next_tok(c)) || (rc = parse_or(c, out)))
			return rc;
		if (strcmp(c->tok, ")") != 0)
			return fail_at(c->L, c->at, "condition: missing ')'");
		if ((rc = next_tok(c)))
			return rc;
	} else if (strcmp(c->tok, "1") == 0 || strcmp(c->tok, "all") == 0 || strcmp(c->tok, "any") == 0) {
		bool all = strcmp(c->tok, "all") == 0;
		struct sg_node *n;
		if (strcmp(c->tok, "any") == 0)
			return fail_at(c->L, c->at, "condition: 'any of' is not Sigma; use '1 of'");
		if ((rc = next_tok(c)))
			return rc;
		if (strcmp(c->tok, "of") != 0)
			return fail_at(c->L, c->at, "condition: expected 'of' after '%s'", all ? "all" : "1");
		if ((rc = next_tok(c)))
			return rc;
		if (!c->tok[0] || strchr("()|", c->tok[0]))
			return fail_at(c->L, c->at,
				       "condition: expected a selection pattern or 'them' after 'of'");
		n = node_new(all ? SG_N_AND : SG_N_OR);
		for (i = 0; i < c->r->nsels; i++) {
			const char *nm = c->r->sels[i].name;
			bool hit = strcmp(c->tok, "them") == 0 ? nm[0] != '_' : name_match(c->tok, nm);
			if (hit) {
				struct sg_node *k = node_new(SG_N_SEL);
				k->sel = (uint32_t)i;
				node_add(n, k);
			}
		}
		if (n->n == 0) {
			node_free(n);
			return fail_at(c->L, c->at, "condition: no selection matches '%s'", c->tok);
		}
		*out = n;
		if ((rc = next_tok(c)))
			return rc;
	} else if (c->tok[0] == 0 || strchr("()|", c->tok[0]) || strcmp(c->tok, "and") == 0 ||
		   strcmp(c->tok, "or") == 0) {
		if (strcmp(c->tok, "|") == 0)
			return fail_at(c->L, c->at,
				       "condition: aggregations ('| count() ...') are not supported; use a "
				       "correlation rule");
		return fail_at(c->L, c->at, "condition: expected a selection, got '%s'",
			       c->tok[0] ? c->tok : "the end");
	} else {
		struct sg_node *n;
		if (strchr(c->tok, '*'))
			return fail_at(c->L, c->at,
				       "condition: a wildcard name '%s' needs '1 of' or 'all of'", c->tok);
		if (strcmp(c->tok, "near") == 0)
			return fail_at(c->L, c->at, "condition: 'near' is not supported");
		for (i = 0; i < c->r->nsels; i++)
			if (strcmp(c->r->sels[i].name, c->tok) == 0)
				break;
		if (i == c->r->nsels)
			return fail_at(c->L, c->at, "condition: unknown selection '%s'", c->tok);
		n = node_new(SG_N_SEL);
		n->sel = (uint32_t)i;
		*out = n;
		if ((rc = next_tok(c)))
			return rc;
	}
	c->depth--;
	return 0;
}

/* An operand: on error nothing it built is left behind (*out is NULL). */
static int parse_atom(struct cparse *c, struct sg_node **out)
{
	int rc = parse_atom_inner(c, out);

	if (rc) {
		node_free(*out);
		*out = NULL;
	}
	return rc;
}

static int parse_and(struct cparse *c, struct sg_node **out)
{
	struct sg_node *first, *n = NULL, *k;
	int rc;

	if ((rc = parse_atom(c, &first)))
		return rc;
	while (strcmp(c->tok, "and") == 0) {
		if (!n) {
			n = node_new(SG_N_AND);
			node_add(n, first);
		}
		if ((rc = next_tok(c)) || (rc = parse_atom(c, &k))) {
			node_free(n);
			return rc;
		}
		node_add(n, k);
	}
	*out = n ? n : first;
	return 0;
}

static int parse_or(struct cparse *c, struct sg_node **out)
{
	struct sg_node *first, *n = NULL, *k;
	int rc;

	*out = NULL;
	if ((rc = parse_and(c, &first)))
		return rc;
	while (strcmp(c->tok, "or") == 0) {
		if (!n) {
			n = node_new(SG_N_OR);
			node_add(n, first);
		}
		if ((rc = next_tok(c)) || (rc = parse_and(c, &k))) {
			node_free(n);
			return rc;
		}
		node_add(n, k);
	}
	*out = n ? n : first;
	return 0;
}

static int compile_condition_text(struct loader *L, yaml_node_t *at, struct sg_rule *r, struct sg_node **out)
{
	struct cparse c = {L, at, r, sval(at), 0, slen(at), "", 0};
	int rc;

	*out = NULL;
	if (strlen(sval(at)) != slen(at))
		return fail_at(L, at, "condition holds a NUL byte");
	if ((rc = next_tok(&c)) || (rc = parse_or(&c, out)))
		goto fail;
	if (c.tok[0]) {
		if (strcmp(c.tok, "|") == 0)
			rc = fail_at(L, at,
				     "condition: aggregations ('| count() ...') are not supported; use a "
				     "correlation rule");
		else
			rc = fail_at(L, at, "condition: unexpected '%s'", c.tok);
		goto fail;
	}
	return 0;
fail:
	node_free(*out);
	*out = NULL;
	return rc ? rc : SS_EINVAL;
}

/* ---- the Operation index ---- */

/* The Operation values a selection requires, or false when it may match any. */
static bool sel_ops(const struct sg_sel *s, struct ss_strv *out)
{
	size_t i, j, k;

	for (i = 0; i < s->n; i++) {
		const struct sg_map *m = &s->maps[i];
		const struct sg_cond *op = NULL;
		for (j = 0; j < m->n; j++) {
			const struct sg_cond *c = &m->c[j];
			if (c->field.f != SG_F_OPERATION || c->exists >= 0 || c->all)
				continue;
			for (k = 0; k < c->nv; k++)
				if (c->v[k].kind != SG_EXACT || c->v[k].cased)
					break;
			if (k == c->nv) {
				op = c;
				break;
			}
		}
		if (!op)
			return false;
		for (k = 0; k < op->nv; k++)
			if (!ss_strv_has(out, op->v[k].pat))
				ss_strv_pushn(out, op->v[k].pat, op->v[k].len);
	}
	return true;
}

static bool node_ops(const struct sg_rule *r, const struct sg_node *n, struct ss_strv *out)
{
	size_t i;

	switch (n->op) {
	case SG_N_SEL: return sel_ops(&r->sels[n->sel], out);
	case SG_N_NOT: return false;
	case SG_N_AND:
		for (i = 0; i < n->n; i++) {
			struct ss_strv t;
			ss_strv_init(&t);
			if (node_ops(r, n->kids[i], &t)) {
				size_t k;
				for (k = 0; k < t.n; k++)
					ss_strv_push(out, t.v[k]);
				ss_strv_release(&t);
				return true;
			}
			ss_strv_release(&t);
		}
		return false;
	case SG_N_OR:
		for (i = 0; i < n->n; i++)
			if (!node_ops(r, n->kids[i], out))
				return false;
		return true;
	}
	return false;
}

/* ---- rules ---- */

void sg_rule_release(struct sg_rule *r)
{
	size_t i;

	free(r->file);
	free(r->id);
	free(r->name);
	free(r->title);
	free(r->level);
	for (i = 0; i < r->nsels; i++)
		sel_release(&r->sels[i]);
	free(r->sels);
	node_free(r->cond);
	ss_strv_release(&r->ops);
	free(r->uses);
	ss_strv_release(&r->refnames);
	free(r->refline);
	free(r->refs);
	for (i = 0; i < r->ngroupby; i++)
		free(r->groupby[i].path);
	free(r->groupby);
	free(r->vfield.path);
}

static int parse_detection(struct loader *L, yaml_node_t *det, struct sg_rule *r)
{
	yaml_node_pair_t *p;
	yaml_node_t *cond = NULL;
	size_t cnt;
	int rc;

	if (!det || det->type != YAML_MAPPING_NODE)
		return fail_at(L, det, "'detection' must be a mapping");
	cnt = (size_t)(det->data.mapping.pairs.top - det->data.mapping.pairs.start);
	r->sels = ss_xcalloc(cnt ? cnt : 1, sizeof(*r->sels));
	for (p = det->data.mapping.pairs.start; p < det->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
		size_t i;
		if (!is_scalar(k) || strlen(sval(k)) != slen(k) || slen(k) == 0)
			return fail_at(L, k, "a selection name must be a string");
		if (strcmp(sval(k), "condition") == 0) {
			cond = v;
			continue;
		}
		if (strcmp(sval(k), "timeframe") == 0)
			return fail_at(L, k,
				       "'timeframe' (aggregations) is not supported; use a correlation rule");
		if (strchr(sval(k), ' ') || strchr(sval(k), '(') || strchr(sval(k), ')') ||
		    strchr(sval(k), '|'))
			return fail_at(L, k, "selection name '%s' cannot be used in a condition", sval(k));
		for (i = 0; i < r->nsels; i++)
			if (strcmp(r->sels[i].name, sval(k)) == 0)
				return fail_at(L, k, "selection '%s' defined twice", sval(k));
		if (r->nsels >= SG_MAX_SELECTIONS)
			return fail_at(L, k, "more than %d selections", SG_MAX_SELECTIONS);
		r->sels[r->nsels].name = ss_xstrndup(sval(k), slen(k));
		r->nsels++;
		rc = compile_sel(L, v, &r->sels[r->nsels - 1]);
		if (rc)
			return rc;
	}
	if (!cond)
		return fail_at(L, det, "detection has no 'condition'");
	if (r->nsels == 0)
		return fail_at(L, det, "detection has no selection");
	if (is_scalar(cond) && !is_null(cond))
		return compile_condition_text(L, cond, r, &r->cond);
	if (cond->type == YAML_SEQUENCE_NODE) {
		/* a list of conditions: any of them (old Sigma) */
		yaml_node_item_t *it;
		r->cond = node_new(SG_N_OR);
		for (it = cond->data.sequence.items.start; it < cond->data.sequence.items.top; it++) {
			yaml_node_t *e = node(L, *it);
			struct sg_node *k;
			if (!is_scalar(e) || is_null(e))
				return fail_at(L, e, "a condition must be a string");
			if ((rc = compile_condition_text(L, e, r, &k)))
				return rc;
			node_add(r->cond, k);
		}
		if (r->cond->n == 0)
			return fail_at(L, cond, "an empty list of conditions");
		return 0;
	}
	return fail_at(L, cond, "'condition' must be a string");
}

static int parse_timespan(struct loader *L, yaml_node_t *n, ss_time_ms *out)
{
	char *end;
	long long v;
	ss_time_ms unit;

	if (!is_scalar(n) || is_null(n) || strlen(sval(n)) != slen(n))
		return fail_at(L, n, "'timespan' must be a duration such as 5m");
	errno = 0;
	v = strtoll(sval(n), &end, 10);
	if (errno || end == sval(n) || v <= 0)
		return fail_at(L, n, "timespan '%s': expected a positive number and s, m, h or d", sval(n));
	if (strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60000;
	else if (strcmp(end, "h") == 0)
		unit = 3600000;
	else if (strcmp(end, "d") == 0)
		unit = SS_DAY_MS;
	else
		return fail_at(L, n, "timespan '%s': expected a positive number and s, m, h or d", sval(n));
	if (v > (long long)(INT64_MAX / SS_DAY_MS / 2))
		return fail_at(L, n, "timespan '%s' is too long", sval(n));
	*out = (ss_time_ms)v * unit;
	return 0;
}

static int parse_count(struct loader *L, yaml_node_t *n, int64_t *out)
{
	char *end;
	long long v;

	if (!is_scalar(n) || is_null(n) || strlen(sval(n)) != slen(n))
		return fail_at(L, n, "a count must be a number");
	errno = 0;
	v = strtoll(sval(n), &end, 10);
	if (errno || end == sval(n) || *end || v < 0 || v > INT32_MAX)
		return fail_at(L, n, "'%s' is not a count", sval(n));
	*out = v;
	return 0;
}

static int parse_correlation(struct loader *L, yaml_node_t *co, struct sg_rule *r)
{
	yaml_node_pair_t *p;
	yaml_node_t *type = NULL, *rules = NULL, *gb = NULL, *ts = NULL, *cond = NULL, *field = NULL;
	int rc;

	if (co->type != YAML_MAPPING_NODE)
		return fail_at(L, co, "'correlation' must be a mapping");
	for (p = co->data.mapping.pairs.start; p < co->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
		const char *s;
		if (!is_scalar(k))
			return fail_at(L, k, "correlation keys must be strings");
		s = sval(k);
		if (strcmp(s, "type") == 0)
			type = v;
		else if (strcmp(s, "rules") == 0)
			rules = v;
		else if (strcmp(s, "group-by") == 0)
			gb = v;
		else if (strcmp(s, "timespan") == 0)
			ts = v;
		else if (strcmp(s, "condition") == 0)
			cond = v;
		else if (strcmp(s, "field") == 0)
			field = v;
		else if (strcmp(s, "generate") == 0)
			r->gen_refs = is_scalar(v) && strcasecmp(sval(v), "true") == 0;
		else
			return fail_at(L, k, "correlation: '%s' is not supported", s);
	}
	if (!type || !is_scalar(type))
		return fail_at(L, type ? type : co, "correlation has no 'type'");
	if (strcmp(sval(type), "event_count") == 0)
		r->ctype = SG_C_EVENT_COUNT;
	else if (strcmp(sval(type), "value_count") == 0)
		r->ctype = SG_C_VALUE_COUNT;
	else if (strcmp(sval(type), "temporal") == 0)
		r->ctype = SG_C_TEMPORAL;
	else if (strcmp(sval(type), "temporal_ordered") == 0)
		r->ctype = SG_C_TEMPORAL_ORDERED;
	else
		return fail_at(L, type, "correlation type '%s' is not supported", sval(type));
	if (!rules)
		return fail_at(L, co, "correlation has no 'rules'");
	if (is_scalar(rules) && !is_null(rules)) {
		ss_strv_pushn(&r->refnames, sval(rules), slen(rules));
		r->refline = ss_xcalloc(1, sizeof(long));
		r->refline[0] = (long)rules->start_mark.line + 1;
	} else if (rules->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;
		size_t n = (size_t)(rules->data.sequence.items.top - rules->data.sequence.items.start);
		r->refline = ss_xcalloc(n ? n : 1, sizeof(long));
		for (it = rules->data.sequence.items.start; it < rules->data.sequence.items.top; it++) {
			yaml_node_t *e = node(L, *it);
			if (!is_scalar(e) || is_null(e) || strlen(sval(e)) != slen(e))
				return fail_at(L, e, "correlation rules: expected a rule id or name");
			r->refline[r->refnames.n] = (long)e->start_mark.line + 1;
			ss_strv_pushn(&r->refnames, sval(e), slen(e));
		}
	} else {
		return fail_at(L, rules, "correlation 'rules' must be a list of rule ids or names");
	}
	if (r->refnames.n == 0)
		return fail_at(L, rules, "correlation 'rules' is empty");
	if ((r->ctype == SG_C_TEMPORAL || r->ctype == SG_C_TEMPORAL_ORDERED) && r->refnames.n < 2)
		return fail_at(L, rules, "a temporal correlation needs at least two rules");
	if (r->refnames.n > 32)
		return fail_at(L, rules, "more than 32 rules in one correlation");
	if (!ts)
		return fail_at(L, co, "correlation has no 'timespan'");
	if ((rc = parse_timespan(L, ts, &r->span)))
		return rc;
	r->user_ix = -1;
	if (gb) {
		size_t n = 1;
		yaml_node_item_t *it;
		if (gb->type == YAML_SEQUENCE_NODE)
			n = (size_t)(gb->data.sequence.items.top - gb->data.sequence.items.start);
		if (n > 8)
			return fail_at(L, gb, "more than 8 group-by fields");
		r->groupby = ss_xcalloc(n ? n : 1, sizeof(*r->groupby));
		if (gb->type == YAML_SEQUENCE_NODE) {
			for (it = gb->data.sequence.items.start; it < gb->data.sequence.items.top; it++) {
				rc = fieldref_from(L, node(L, *it), "group-by", &r->groupby[r->ngroupby]);
				if (rc)
					return rc;
				r->ngroupby++;
			}
		} else {
			if ((rc = fieldref_from(L, gb, "group-by", &r->groupby[0])))
				return rc;
			r->ngroupby = 1;
		}
		for (n = 0; n < r->ngroupby; n++)
			if (r->groupby[n].f == SG_F_USERID && r->user_ix < 0)
				r->user_ix = (int)n;
	}
	r->cmin = 1;
	r->cmax = INT64_MAX;
	if (cond) {
		bool any = false;
		if ((rc = no_dup_keys(L, cond)))
			return rc;
		if (r->ctype == SG_C_TEMPORAL || r->ctype == SG_C_TEMPORAL_ORDERED)
			return fail_at(L, cond, "a condition on a temporal correlation is not supported");
		if (cond->type != YAML_MAPPING_NODE)
			return fail_at(L, cond, "correlation condition must be a mapping such as {gte: 10}");
		for (p = cond->data.mapping.pairs.start; p < cond->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
			int64_t c = 0;
			const char *s = is_scalar(k) ? sval(k) : "";
			if (strcmp(s, "field") == 0) {
				field = v;
				continue;
			}
			if (strcmp(s, "gt") && strcmp(s, "gte") && strcmp(s, "lt") && strcmp(s, "lte") &&
			    strcmp(s, "eq"))
				return fail_at(L, k,
					       "correlation condition '%s' is not supported (gt, gte, lt, "
					       "lte, eq, field)",
					       s);
			if ((rc = parse_count(L, v, &c)))
				return rc;
			any = true;
			if (strcmp(s, "gt") == 0 && c + 1 > r->cmin)
				r->cmin = c + 1;
			else if (strcmp(s, "gte") == 0 && c > r->cmin)
				r->cmin = c;
			else if (strcmp(s, "lt") == 0 && c - 1 < r->cmax)
				r->cmax = c - 1;
			else if (strcmp(s, "lte") == 0 && c < r->cmax)
				r->cmax = c;
			else if (strcmp(s, "eq") == 0) {
				r->cmin = c > r->cmin ? c : r->cmin;
				r->cmax = c < r->cmax ? c : r->cmax;
			}
		}
		if (!any)
			return fail_at(L, cond, "correlation condition has no comparison (gte: N ...)");
		if (r->cmin < 1)
			r->cmin = 1; /* a window holds at least the event it ends on */
	} else if (r->ctype == SG_C_EVENT_COUNT || r->ctype == SG_C_VALUE_COUNT) {
		return fail_at(L, co, "correlation has no 'condition'");
	}
	if (r->ctype == SG_C_VALUE_COUNT) {
		if (!field)
			return fail_at(L, cond ? cond : co, "value_count needs 'field' in its condition");
		if ((rc = fieldref_from(L, field, "field", &r->vfield)))
			return rc;
	} else if (field) {
		return fail_at(L, field, "'field' is only for value_count");
	}
	return 0;
}

static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};

static int parse_rule(struct loader *L, yaml_node_t *root, struct sg_rule *r)
{
	yaml_node_t *ls, *det, *co, *v;
	size_t i;
	int rc;

	r->file = ss_xstrdup(L->file);
	r->line = (long)root->start_mark.line + 1;
	ss_strv_init(&r->ops);
	ss_strv_init(&r->refnames);
	r->user_ix = -1;
	L->nvalues = 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail_at(L, root, "a rule must be a mapping");
	if ((rc = no_dup_keys(L, root)) || (rc = no_dup_keys(L, map_get(L, root, "logsource"))) ||
	    (rc = no_dup_keys(L, map_get(L, root, "correlation"))))
		return rc;
	if (map_get(L, root, "action"))
		return fail_at(L, map_get(L, root, "action"),
			       "rule collections ('action') are not supported");
	if ((rc = get_str(L, root, "title", true, &r->title)) ||
	    (rc = get_str(L, root, "id", false, &r->id)) ||
	    (rc = get_str(L, root, "name", false, &r->name)) ||
	    (rc = get_str(L, root, "level", false, &r->level)))
		return rc;
	if (!r->id)
		return fail_at(L, root, "rule '%s' has no 'id'", r->title);
	if (!r->level)
		r->level = ss_xstrdup("medium");
	for (i = 0; i < SS_ARRAY_LEN(levels); i++)
		if (strcmp(r->level, levels[i]) == 0)
			break;
	if (i == SS_ARRAY_LEN(levels))
		return fail_at(L, map_get(L, root, "level"),
			       "level '%s' is not one of informational, low, medium, high, critical",
			       r->level);
	r->generate = true;
	co = map_get(L, root, "correlation");
	det = map_get(L, root, "detection");
	if (co) {
		if (det)
			return fail_at(L, det, "a rule has either 'detection' or 'correlation', not both");
		r->correlation = true;
		return parse_correlation(L, co, r);
	}
	ls = map_get(L, root, "logsource");
	if (!ls || ls->type != YAML_MAPPING_NODE)
		return fail_at(L, ls ? ls : root, "rule has no 'logsource' mapping");
	v = map_get(L, ls, "product");
	if (!v || !is_scalar(v) || strcasecmp(sval(v), "m365") != 0)
		return fail_at(L, v ? v : ls, "logsource product '%s' is not supported (only m365)",
			       v && is_scalar(v) ? sval(v) : "");
	/* service and category narrow nothing here: the records say what they are */
	if (!det)
		return fail_at(L, root, "rule has no 'detection'");
	if ((rc = parse_detection(L, det, r)))
		return rc;
	if (!node_ops(r, r->cond, &r->ops))
		ss_strv_release(&r->ops);
	return 0;
}

/* Parses every document of one file's text into L. */
static int load_text(struct loader *L, const char *name, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 0;

	L->file = name;
	if (!yaml_parser_initialize(&parser))
		ss_die("out of memory (yaml)");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_node_t *root;
		if (!yaml_parser_load(&parser, &doc)) {
			ss_error_set(L->err, SS_EPARSE, "YAML: %s%s%s",
				     parser.problem ? parser.problem : "error", parser.context ? " " : "",
				     parser.context ? parser.context : "");
			ss_error_at(L->err, name, (long)parser.problem_mark.line + 1,
				    (long)parser.problem_mark.column + 1);
			rc = SS_EPARSE;
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		if (L->n == L->cap) {
			L->cap = L->cap ? L->cap * 2 : 16;
			L->rules = ss_xrealloc(L->rules, ss_mul_sz(L->cap, sizeof(*L->rules)));
		}
		memset(&L->rules[L->n], 0, sizeof(L->rules[L->n]));
		L->doc = &doc;
		rc = parse_rule(L, root, &L->rules[L->n]);
		L->n++;
		L->doc = NULL;
		yaml_document_delete(&doc);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_rule_file(const char *name)
{
	size_t n = strlen(name);
	return (n > 4 && strcmp(name + n - 4, ".yml") == 0) || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

/* Collects rule files under path (a file, or a directory searched recursively, sorted). */
static int collect(const char *path, struct ss_strv *out, int depth, struct ss_error *err)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	struct ss_strv names;
	size_t i;
	int rc = 0;

	if (stat(path, &sb) != 0) {
		ss_error_set(err, SS_EIO, "cannot open '%s': %s", path, strerror(errno));
		ss_error_at(err, path, 0, 0);
		return SS_EIO;
	}
	if (!S_ISDIR(sb.st_mode)) {
		ss_strv_push(out, path);
		return 0;
	}
	if (depth > 32)
		return 0;
	d = opendir(path);
	if (!d) {
		ss_error_set(err, SS_EIO, "cannot open '%s': %s", path, strerror(errno));
		ss_error_at(err, path, 0, 0);
		return SS_EIO;
	}
	ss_strv_init(&names);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		ss_strv_pushf(&names, "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n && !rc; i++) {
		if (stat(names.v[i], &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = collect(names.v[i], out, depth + 1, err);
		else if (is_rule_file(names.v[i]))
			ss_strv_push(out, names.v[i]);
	}
	ss_strv_release(&names);
	return rc;
}

static int fail_rule(struct ss_error *err, const struct sg_rule *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_rule(struct ss_error *err, const struct sg_rule *r, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ss_error_set(err, SS_EINVAL, "%s", msg);
	ss_error_at(err, r->file, line, 0);
	return SS_EINVAL;
}

/* Depth-first: appends correlation i to rs->order after the correlations it refers to. */
static int visit(struct ss_rules *rs, uint32_t i, uint8_t *mark, int depth, struct ss_error *err)
{
	struct sg_rule *c = &rs->rules[i];
	size_t k;
	int rc;

	if (mark[i] == 2)
		return 0;
	if (mark[i] == 1 || depth > 64)
		return fail_rule(err, c, c->line, "correlation '%s' refers to itself through other rules",
				 c->id);
	mark[i] = 1;
	for (k = 0; k < c->refnames.n; k++)
		if (rs->rules[c->refs[k]].correlation && (rc = visit(rs, c->refs[k], mark, depth + 1, err)))
			return rc;
	mark[i] = 2;
	rs->order[rs->norder++] = i;
	return 0;
}

/* The Operation index: rules requiring Operation values under each value, the others in anyrules. */
static void build_index(struct ss_rules *rs)
{
	size_t i, k, nany = 0;
	size_t *counts = NULL;

	ss_strmap_init(&rs->opmap);
	ss_strv_init(&rs->opkeys);
	for (i = 0; i < rs->n; i++) {
		const struct sg_rule *r = &rs->rules[i];
		if (r->correlation)
			continue;
		if (r->nsels > rs->max_sels)
			rs->max_sels = r->nsels;
		if (r->ops.n == 0) {
			nany++;
			continue;
		}
		for (k = 0; k < r->ops.n; k++) {
			uint32_t ix;
			if (!ss_strmap_get(&rs->opmap, r->ops.v[k], strlen(r->ops.v[k]), &ix)) {
				ss_strv_push(&rs->opkeys, r->ops.v[k]);
				ix = (uint32_t)(rs->opkeys.n - 1);
				counts = ss_xrealloc(counts, ss_mul_sz(rs->opkeys.n, sizeof(*counts)));
				counts[ix] = 0;
				/* keys are borrowed: they live in rs->opkeys, whose strings never move */
				ss_strmap_put(&rs->opmap, rs->opkeys.v[ix], strlen(rs->opkeys.v[ix]), ix);
			}
			counts[ix]++;
		}
	}
	rs->oplists = ss_xcalloc(rs->opkeys.n ? rs->opkeys.n : 1, sizeof(*rs->oplists));
	for (k = 0; k < rs->opkeys.n; k++) {
		rs->oplists[k] = ss_xmalloc(ss_mul_sz(counts[k] + 1, sizeof(uint32_t)));
		counts[k] = 0;
	}
	rs->anyrules = ss_xmalloc(ss_mul_sz(nany + 1, sizeof(uint32_t)));
	nany = 0;
	for (i = 0; i < rs->n; i++) {
		const struct sg_rule *r = &rs->rules[i];
		if (r->correlation)
			continue;
		if (r->ops.n == 0)
			rs->anyrules[nany++] = (uint32_t)i;
		for (k = 0; k < r->ops.n; k++) {
			uint32_t ix;
			if (ss_strmap_get(&rs->opmap, r->ops.v[k], strlen(r->ops.v[k]), &ix))
				rs->oplists[ix][counts[ix]++] = (uint32_t)i;
		}
	}
	rs->anyrules[nany] = UINT32_MAX;
	for (k = 0; k < rs->opkeys.n; k++)
		rs->oplists[k][counts[k]] = UINT32_MAX;
	free(counts);
}

static bool same_groupby(const struct sg_rule *a, const struct sg_rule *b)
{
	size_t i;

	if (a->ngroupby != b->ngroupby)
		return false;
	for (i = 0; i < a->ngroupby; i++)
		if (a->groupby[i].len != b->groupby[i].len ||
		    strncasecmp(a->groupby[i].path, b->groupby[i].path, a->groupby[i].len) != 0)
			return false;
	return true;
}

/* Resolves references, checks for cycles, orders correlations, builds the Operation index. */
static int link_rules(struct ss_rules *rs, struct ss_error *err)
{
	size_t i, j, k;
	uint8_t *mark;
	int rc = 0;

	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(rs->rules[i].id, rs->rules[j].id) == 0)
				return fail_rule(err, &rs->rules[i], rs->rules[i].line,
						 "rule id '%s' is used twice (also in '%s')", rs->rules[i].id,
						 rs->rules[j].file);
	}
	for (i = 0; i < rs->n; i++) {
		struct sg_rule *c = &rs->rules[i];
		if (!c->correlation)
			continue;
		c->refs = ss_xcalloc(c->refnames.n, sizeof(*c->refs));
		for (k = 0; k < c->refnames.n; k++) {
			const char *nm = c->refnames.v[k];
			for (j = 0; j < rs->n; j++)
				if (strcmp(rs->rules[j].id, nm) == 0 ||
				    (rs->rules[j].name && strcmp(rs->rules[j].name, nm) == 0))
					break;
			if (j == rs->n)
				return fail_rule(err, c, c->refline[k],
						 "correlation: no rule with id or name '%s'", nm);
			if (j == i)
				return fail_rule(err, c, c->refline[k], "correlation: '%s' refers to itself",
						 nm);
			for (size_t q = 0; q < k; q++)
				if (c->refs[q] == j)
					return fail_rule(err, c, c->refline[k],
							 "correlation: rule '%s' listed twice", nm);
			c->refs[k] = (uint32_t)j;
			if (rs->rules[j].correlation && !same_groupby(c, &rs->rules[j]))
				return fail_rule(err, c, c->refline[k],
						 "correlation over correlation '%s' needs the same group-by",
						 nm);
		}
	}
	/*
	 * A detection rule referenced by correlations keeps its own findings only when one of them
	 * says generate: true; correlation rules always report.
	 */
	mark = ss_xcalloc(rs->n ? rs->n : 1, 1);
	for (i = 0; i < rs->n; i++) {
		struct sg_rule *c = &rs->rules[i];
		if (!c->correlation)
			continue;
		for (k = 0; k < c->refnames.n; k++) {
			struct sg_rule *b = &rs->rules[c->refs[k]];
			mark[c->refs[k]] |= c->gen_refs ? 2 : 1;
			if (!b->correlation) {
				b->uses = ss_xrealloc(b->uses, ss_mul_sz(b->nuses + 1, sizeof(*b->uses)));
				b->uses[b->nuses].corr = (uint32_t)i;
				b->uses[b->nuses].ref = (uint32_t)k;
				b->nuses++;
			}
		}
	}
	for (i = 0; i < rs->n; i++)
		rs->rules[i].generate = rs->rules[i].correlation || mark[i] == 0 || (mark[i] & 2);
	/* correlations, children first; a cycle is an error */
	memset(mark, 0, rs->n ? rs->n : 1);
	rs->order = ss_xcalloc(rs->n ? rs->n : 1, sizeof(*rs->order));
	for (i = 0; i < rs->n && !rc; i++)
		if (rs->rules[i].correlation)
			rc = visit(rs, (uint32_t)i, mark, 0, err);
	free(mark);
	if (rc)
		return rc;
	build_index(rs);
	return 0;
}

void ss_rules_free(struct ss_rules *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		sg_rule_release(&rs->rules[i]);
	free(rs->rules);
	if (rs->oplists) {
		for (i = 0; i < rs->opkeys.n; i++)
			free(rs->oplists[i]);
		free(rs->oplists);
		ss_strmap_release(&rs->opmap);
		ss_strv_release(&rs->opkeys);
	}
	free(rs->anyrules);
	free(rs->order);
	if (rs->mctx)
		pcre2_match_context_free(rs->mctx);
	free(rs);
}

size_t ss_rules_count(const struct ss_rules *rs)
{
	return rs->n;
}

/* Turns the loader's rules into a struct ss_rules (or frees them on error). */
static int finish(struct loader *L, int rc, struct ss_rules **out)
{
	struct ss_rules *rs = ss_xcalloc(1, sizeof(*rs));

	rs->rules = L->rules;
	rs->n = L->n;
	if (!rc)
		rc = link_rules(rs, L->err);
	if (rc) {
		ss_rules_free(rs);
		*out = NULL;
		return rc;
	}
	rs->mctx = pcre2_match_context_create(NULL);
	if (!rs->mctx)
		ss_die("out of memory (pcre2)");
	pcre2_set_match_limit(rs->mctx, SG_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, SG_RE_DEPTH_LIMIT);
	*out = rs;
	return 0;
}

int ss_rules_load_mem(struct ss_rules **out, const char *name, const char *data, size_t len,
		      struct ss_error *err)
{
	struct loader L = {0};

	L.err = err;
	*out = NULL;
	if (len > SG_MAX_FILE) {
		ss_error_set(err, SS_ETOOBIG, "rule file larger than %zu bytes", SG_MAX_FILE);
		ss_error_at(err, name, 0, 0);
		return finish(&L, SS_ETOOBIG, out);
	}
	return finish(&L, load_text(&L, name, data, len), out);
}

int ss_rules_load(struct ss_rules **out, char *const *paths, size_t n, struct ss_error *err)
{
	struct loader L = {0};
	struct ss_strv files;
	size_t i;
	int rc = 0;

	L.err = err;
	*out = NULL;
	ss_strv_init(&files);
	for (i = 0; i < n && !rc; i++)
		rc = collect(paths[i], &files, 0, err);
	for (i = 0; i < files.n && !rc; i++) {
		char *text = NULL;
		size_t len = 0;
		rc = ss_file_read(files.v[i], SG_MAX_FILE, &text, &len, err);
		if (!rc)
			rc = load_text(&L, files.v[i], text, len);
		free(text);
	}
	ss_strv_release(&files);
	return finish(&L, rc, out);
}

int ss_rules_load_builtin(struct ss_rules **out, struct ss_error *err)
{
	struct loader L = {0};
	const struct ss_embedded_file *f;
	char name[512];
	int rc = 0;

	L.err = err;
	*out = NULL;
	for (f = ss_embedded_rules; f->name && !rc; f++) {
		snprintf(name, sizeof(name), "rules/%s", f->name);
		rc = load_text(&L, name, f->data, f->len);
	}
	return finish(&L, rc, out);
}
