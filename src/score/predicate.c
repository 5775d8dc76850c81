/* predicate.c - compiling and evaluating catalog conditions over the JSON tape. */
#include "score/predicate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"

enum pred_op {
	OP_ALL,
	OP_ANY,
	OP_NOT,
	OP_EQ,
	OP_NE,
	OP_IN,
	OP_CONTAINS,
	OP_ANY_STARTS_WITH,
	OP_ANY_CONTAINS,
	OP_GT,
	OP_GE,
	OP_LT,
	OP_LE,
	OP_EXISTS,
	OP_EMPTY,
	OP_OLDER_THAN_DAYS,
};

struct ss_pred {
	enum pred_op op;       /* operator */
	char *path;	       /* dotted path for leaves, owned */
	json_t *value;	       /* operand with parameters resolved, owned reference */
	struct ss_pred **kids; /* operands of all/any/not, owned */
	size_t n_kids;
};

static const struct {
	const char *name;
	enum pred_op op;
} leaf_ops[] = {
	{"eq", OP_EQ},
	{"ne", OP_NE},
	{"in", OP_IN},
	{"contains", OP_CONTAINS},
	{"anyStartsWith", OP_ANY_STARTS_WITH},
	{"anyContains", OP_ANY_CONTAINS},
	{"gt", OP_GT},
	{"ge", OP_GE},
	{"lt", OP_LT},
	{"le", OP_LE},
	{"exists", OP_EXISTS},
	{"empty", OP_EMPTY},
	{"olderThanDays", OP_OLDER_THAN_DAYS},
};

void ss_pred_free(struct ss_pred *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_kids; i++)
		ss_pred_free(p->kids[i]);
	free(p->kids);
	free(p->path);
	json_decref(p->value);
	free(p);
}

static int bad(struct ss_error *err, const char *where, const char *msg, const char *arg)
{
	ss_error_set(err, SS_EINVAL, msg, arg);
	ss_error_field(err, where);
	return SS_EINVAL;
}

/* Resolves "$name" operands (also inside arrays) against params; new reference or NULL. */
static json_t *resolve(json_t *v, json_t *params, const char *where, struct ss_error *err)
{
	if (json_is_string(v) && json_string_value(v)[0] == '$') {
		json_t *p = json_object_get(params, json_string_value(v) + 1);
		if (!p) {
			bad(err, where, "unknown parameter '%s'", json_string_value(v));
			return NULL;
		}
		return json_incref(p);
	}
	if (json_is_array(v)) {
		json_t *out = json_array(), *e, *r;
		size_t i;
		json_array_foreach (v, i, e) {
			r = resolve(e, params, where, err);
			if (!r) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, r);
		}
		return out;
	}
	return json_incref(v);
}

struct ss_pred *ss_pred_compile(json_t *spec, json_t *params, const char *where, struct ss_error *err)
{
	struct ss_pred *p;
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(spec)) {
		bad(err, where, "a condition must be an object%s", "");
		return NULL;
	}
	p = ss_xcalloc(1, sizeof(*p));
	if ((v = json_object_get(spec, "all")) != NULL || (v = json_object_get(spec, "any")) != NULL) {
		p->op = json_object_get(spec, "all") ? OP_ALL : OP_ANY;
		if (!json_is_array(v) || json_object_size(spec) != 1) {
			bad(err, where, "'all' / 'any' take an array of conditions and nothing else%s", "");
			goto fail;
		}
		p->kids = ss_xcalloc(json_array_size(v) + 1, sizeof(*p->kids));
		for (i = 0; i < json_array_size(v); i++) {
			p->kids[i] = ss_pred_compile(json_array_get(v, i), params, where, err);
			if (!p->kids[i])
				goto fail;
			p->n_kids++;
		}
		return p;
	}
	if ((v = json_object_get(spec, "not")) != NULL) {
		p->op = OP_NOT;
		if (json_object_size(spec) != 1) {
			bad(err, where, "'not' takes one condition and nothing else%s", "");
			goto fail;
		}
		p->kids = ss_xcalloc(1, sizeof(*p->kids));
		p->kids[0] = ss_pred_compile(v, params, where, err);
		if (!p->kids[0])
			goto fail;
		p->n_kids = 1;
		return p;
	}
	v = json_object_get(spec, "path");
	if (!json_is_string(v) || json_object_size(spec) != 2) {
		bad(err, where, "a condition needs \"path\" and exactly one operator%s", "");
		goto fail;
	}
	p->path = ss_xstrdup(json_string_value(v));
	json_object_foreach (spec, key, v) {
		if (strcmp(key, "path") == 0)
			continue;
		for (i = 0; i < SS_ARRAY_LEN(leaf_ops); i++)
			if (strcmp(key, leaf_ops[i].name) == 0)
				break;
		if (i == SS_ARRAY_LEN(leaf_ops)) {
			bad(err, where, "unknown operator '%s'", key);
			goto fail;
		}
		p->op = leaf_ops[i].op;
		p->value = resolve(v, params, where, err);
		if (!p->value)
			goto fail;
	}
	switch (p->op) {
	case OP_GT:
	case OP_GE:
	case OP_LT:
	case OP_LE:
	case OP_OLDER_THAN_DAYS:
		if (!json_is_number(p->value)) {
			bad(err, where, "operator on '%s' needs a number", p->path);
			goto fail;
		}
		break;
	case OP_IN:
		if (!json_is_array(p->value)) {
			bad(err, where, "'in' on '%s' needs an array", p->path);
			goto fail;
		}
		break;
	case OP_EXISTS:
	case OP_EMPTY:
		if (!json_is_boolean(p->value)) {
			bad(err, where, "'exists' / 'empty' on '%s' need true or false", p->path);
			goto fail;
		}
		break;
	case OP_ANY_STARTS_WITH:
	case OP_ANY_CONTAINS:
		if (!json_is_string(p->value)) {
			bad(err, where, "'anyStartsWith' on '%s' needs a string", p->path);
			goto fail;
		}
		break;
	default: break;
	}
	return p;
fail:
	ss_pred_free(p);
	return NULL;
}

ss_jv ss_json_path(const struct ss_json *doc, ss_jv v, const char *path)
{
	char seg[256];
	const char *p = path;

	while (*p && v != SS_JNONE) {
		/* A member whose name holds dots ("@odata.type") is matched whole first. */
		ss_jv whole = strchr(p, '.') ? ss_json_geti(doc, v, p) : SS_JNONE;
		if (whole != SS_JNONE)
			return whole;
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(seg))
			return SS_JNONE;
		memcpy(seg, p, n);
		seg[n] = '\0';
		v = ss_json_geti(doc, v, seg);
		p += n + (dot ? 1 : 0);
	}
	return v;
}

bool ss_json_truthy(const struct ss_json *doc, ss_jv v)
{
	double d;

	switch (ss_json_type(doc, v)) {
	case SS_JTRUE: return true;
	case SS_JSTRING: return ss_json_str_eqi(doc, v, "true");
	case SS_JNUMBER: return ss_json_num(doc, v, &d) && d != 0;
	default: return false;
	}
}

/* A number from a JSON number or a numeric string. */
static bool as_number(const struct ss_json *doc, ss_jv v, struct ss_buf *scratch, double *out)
{
	struct ss_slice s;
	char tmp[64], *end;
	bool ok;

	if (ss_json_num(doc, v, out))
		return true;
	s = ss_json_str(doc, v, scratch, &ok);
	if (!ok || !s.len || s.len >= sizeof(tmp))
		return false;
	memcpy(tmp, s.ptr, s.len);
	tmp[s.len] = '\0';
	*out = strtod(tmp, &end);
	return end != tmp && *end == '\0' && isfinite(*out);
}

/* Does snapshot value v equal the catalog operand want? */
static bool value_eq(const struct ss_json *doc, ss_jv v, json_t *want, struct ss_buf *scratch)
{
	enum ss_jtype t = ss_json_type(doc, v);
	double d;

	switch (json_typeof(want)) {
	case JSON_NULL: return v == SS_JNONE || t == SS_JNULL;
	case JSON_TRUE:
	case JSON_FALSE:
		if (t == SS_JTRUE || t == SS_JFALSE)
			return (t == SS_JTRUE) == json_is_true(want);
		if (t == SS_JSTRING)
			return ss_json_str_eqi(doc, v, json_is_true(want) ? "true" : "false");
		return false;
	case JSON_INTEGER:
	case JSON_REAL: return as_number(doc, v, scratch, &d) && d == json_number_value(want);
	case JSON_STRING:
		if (t == SS_JSTRING)
			return ss_json_str_eqi(doc, v, json_string_value(want));
		if (t == SS_JNUMBER) {
			struct ss_slice raw = ss_json_raw(doc, v);
			return ss_slice_eqi(raw, json_string_value(want));
		}
		if (t == SS_JTRUE || t == SS_JFALSE)
			return strcasecmp(json_string_value(want), t == SS_JTRUE ? "true" : "false") == 0;
		return false;
	default: return false;
	}
}

static bool starts_with_ci(struct ss_slice s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.len >= n && strncasecmp(s.ptr, prefix, n) == 0;
}

static bool contains_ci(struct ss_slice hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return true;
	for (i = 0; i + n <= hay.len; i++)
		if (strncasecmp(hay.ptr + i, needle, n) == 0)
			return true;
	return false;
}

/* anyStartsWith / anyContains on one string. */
static bool text_match(const struct ss_pred *p, struct ss_slice s)
{
	if (p->op == OP_ANY_CONTAINS)
		return contains_ci(s, json_string_value(p->value));
	return starts_with_ci(s, json_string_value(p->value));
}

static bool leaf_eval(const struct ss_pred *p, const struct ss_json *doc, ss_jv item, ss_time_ms now,
		      struct ss_buf *scratch)
{
	ss_jv v = ss_json_path(doc, item, p->path);
	enum ss_jtype t = ss_json_type(doc, v);
	bool absent = v == SS_JNONE || t == SS_JNULL;
	double d;
	size_t i;

	switch (p->op) {
	case OP_EQ: return value_eq(doc, v, p->value, scratch);
	case OP_NE: return !value_eq(doc, v, p->value, scratch);
	case OP_IN:
		for (i = 0; i < json_array_size(p->value); i++)
			if (value_eq(doc, v, json_array_get(p->value, i), scratch))
				return true;
		return false;
	case OP_CONTAINS:
		if (t == SS_JARRAY) {
			ss_jv e;
			for (e = ss_json_first(doc, v); e != SS_JNONE; e = ss_json_next(doc, v, e))
				if (value_eq(doc, e, p->value, scratch))
					return true;
			return false;
		}
		if (t == SS_JSTRING && json_is_string(p->value)) {
			struct ss_slice s = ss_json_str(doc, v, scratch, NULL);
			return contains_ci(s, json_string_value(p->value));
		}
		return false;
	case OP_ANY_STARTS_WITH:
	case OP_ANY_CONTAINS:
		if (t == SS_JARRAY) {
			ss_jv e;
			for (e = ss_json_first(doc, v); e != SS_JNONE; e = ss_json_next(doc, v, e)) {
				bool ok;
				struct ss_slice s = ss_json_str(doc, e, scratch, &ok);
				if (ok && text_match(p, s))
					return true;
			}
			return false;
		}
		if (t == SS_JSTRING)
			return text_match(p, ss_json_str(doc, v, scratch, NULL));
		return false;
	case OP_GT: return as_number(doc, v, scratch, &d) && d > json_number_value(p->value);
	case OP_GE: return as_number(doc, v, scratch, &d) && d >= json_number_value(p->value);
	case OP_LT: return as_number(doc, v, scratch, &d) && d < json_number_value(p->value);
	case OP_LE: return as_number(doc, v, scratch, &d) && d <= json_number_value(p->value);
	case OP_EXISTS: return json_is_true(p->value) ? !absent : absent;
	case OP_EMPTY: {
		bool empty = absent || (t == SS_JARRAY && ss_json_len(doc, v) == 0) ||
			     (t == SS_JSTRING && ss_json_str(doc, v, scratch, NULL).len == 0);
		return json_is_true(p->value) ? empty : !empty;
	}
	case OP_OLDER_THAN_DAYS: {
		/* Absent means "never": older than any window. */
		struct ss_slice s;
		ss_time_ms t0;
		bool ok;
		if (absent)
			return true;
		s = ss_json_str(doc, v, scratch, &ok);
		if (!ok || ss_time_parse(s.ptr, s.len, &t0) != 0)
			return false;
		return (double)(now - t0) > json_number_value(p->value) * (double)SS_DAY_MS;
	}
	default: return false;
	}
}

bool ss_pred_eval(const struct ss_pred *p, const struct ss_json *doc, ss_jv item, ss_time_ms now,
		  struct ss_buf *scratch)
{
	size_t i;

	switch (p->op) {
	case OP_ALL:
		for (i = 0; i < p->n_kids; i++)
			if (!ss_pred_eval(p->kids[i], doc, item, now, scratch))
				return false;
		return true;
	case OP_ANY:
		for (i = 0; i < p->n_kids; i++)
			if (ss_pred_eval(p->kids[i], doc, item, now, scratch))
				return true;
		return false;
	case OP_NOT: return !ss_pred_eval(p->kids[0], doc, item, now, scratch);
	default: return leaf_eval(p, doc, item, now, scratch);
	}
}
