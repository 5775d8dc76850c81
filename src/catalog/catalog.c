/* catalog.c - loading and validating the control catalog (jansson documents). */
#include "catalog/catalog.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "catalog/embedded.h"

#define CATALOG_FILE_MAX (4u << 20)

static const char *const action_types[] = {"Config", "Review", "Behavior", NULL};
static const char *const categories[] = {"Identity", "Data", "Device", "Apps", "Infrastructure", NULL};
static const char *const tiers[] = {"Core", "Defense in Depth", "Advanced", NULL};
static const char *const threats[] = {
	"accountBreach",    "dataDeletion",	"dataExfiltration",  "dataSpillage", "elevationOfPrivilege",
	"maliciousInsider", "passwordCracking", "phishingOrWhaling", "spoofing",     NULL};

const char *ss_level_name(enum ss_level l)
{
	switch (l) {
	case SS_LEVEL_LOW: return "Low";
	case SS_LEVEL_MODERATE: return "Moderate";
	case SS_LEVEL_HIGH: return "High";
	}
	return "Low";
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int field_error(struct ss_error *err, const char *file, const char *field, const char *fmt,
		       const char *arg)
{
	ss_error_set(err, SS_EINVAL, fmt, arg);
	ss_error_at(err, file, 0, 0);
	ss_error_field(err, field);
	return SS_EINVAL;
}

static int need_string(json_t *o, const char *key, const char *file, const char **out, struct ss_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return field_error(err, file, key, "missing required field%s", "");
	if (!json_is_string(v) || json_string_length(v) == 0)
		return field_error(err, file, key, "must be a non-empty string%s", "");
	*out = json_string_value(v);
	return 0;
}

static int need_enum(json_t *o, const char *key, const char *file, const char *const *allowed,
		     const char **out, struct ss_error *err)
{
	int rc = need_string(o, key, file, out, err);

	if (rc)
		return rc;
	if (!one_of(*out, allowed))
		return field_error(err, file, key, "unknown value '%s'", *out);
	return 0;
}

static int need_level(json_t *o, const char *key, const char *file, enum ss_level *out, struct ss_error *err)
{
	const char *s;
	static const char *const levels[] = {"Low", "Moderate", "High", NULL};
	int rc = need_enum(o, key, file, levels, &s, err);

	if (rc)
		return rc;
	*out = strcmp(s, "Low") == 0	    ? SS_LEVEL_LOW
	       : strcmp(s, "Moderate") == 0 ? SS_LEVEL_MODERATE
					    : SS_LEVEL_HIGH;
	return 0;
}

static int string_list(json_t *o, const char *key, const char *file, bool required, const char ***out,
		       size_t *n, struct ss_error *err)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!v) {
		if (required)
			return field_error(err, file, key, "missing required field%s", "");
		return 0;
	}
	if (!json_is_array(v))
		return field_error(err, file, key, "must be an array of strings%s", "");
	*out = ss_xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach (v, i, e) {
		if (!json_is_string(e)) {
			free(*out);
			*out = NULL;
			return field_error(err, file, key, "must be an array of strings%s", "");
		}
		(*out)[i] = json_string_value(e);
	}
	*n = json_array_size(v);
	return 0;
}

/* Validates entry and fills c; on success c->doc holds a new reference to entry. */
static int parse_control(json_t *entry, const char *file, struct ss_control *c, struct ss_error *err)
{
	json_t *v, *t;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	c->file = file;
	if (!json_is_object(entry))
		return field_error(err, file, "", "a control must be a JSON object%s", "");
	if ((rc = need_string(entry, "id", file, &c->id, err)) ||
	    (rc = need_string(entry, "title", file, &c->title, err)) ||
	    (rc = need_string(entry, "service", file, &c->service, err)) ||
	    (rc = need_enum(entry, "controlCategory", file, categories, &c->category, err)) ||
	    (rc = need_enum(entry, "actionType", file, action_types, &c->action_type, err)) ||
	    (rc = need_enum(entry, "tier", file, tiers, &c->tier, err)) ||
	    (rc = need_level(entry, "userImpact", file, &c->user_impact, err)) ||
	    (rc = need_level(entry, "implementationCost", file, &c->implementation_cost, err)) ||
	    (rc = need_string(entry, "remediation", file, &(const char *){NULL}, err)) ||
	    (rc = need_string(entry, "measure", file, &c->measure, err)))
		return rc;
	v = json_object_get(entry, "maxScore");
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1000)
		return field_error(err, file, "maxScore", "must be a number between 0 and 1000%s", "");
	c->max_score = json_number_value(v);
	v = json_object_get(entry, "rank");
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return field_error(err, file, "rank", "must be a positive integer%s", "");
	c->rank = (int)json_integer_value(v);
	v = json_object_get(entry, "deprecated");
	if (v && !json_is_boolean(v))
		return field_error(err, file, "deprecated", "must be true or false%s", "");
	c->deprecated = json_is_true(v);
	v = json_object_get(entry, "threats");
	if (!json_is_array(v))
		return field_error(err, file, "threats", "must be an array%s", "");
	json_array_foreach (v, i, t) {
		if (!json_is_string(t) || !one_of(json_string_value(t), threats))
			return field_error(err, file, "threats", "unknown threat '%s'",
					   json_is_string(t) ? json_string_value(t) : "(not a string)");
	}
	v = json_object_get(entry, "parameters");
	if (v && !json_is_object(v))
		return field_error(err, file, "parameters", "must be an object%s", "");
	v = json_object_get(entry, "complianceInformation");
	if (v && !json_is_array(v))
		return field_error(err, file, "complianceInformation", "must be an array%s", "");
	if ((rc = string_list(entry, "inputs", file, true, &c->inputs, &c->n_inputs, err)))
		return rc;
	if ((rc = string_list(entry, "requires", file, false, &c->requires, &c->n_requires, err))) {
		free(c->inputs);
		c->inputs = NULL;
		return rc;
	}
	c->doc = json_incref(entry);
	v = json_object_get(entry, "parameters");
	c->params = v ? json_deep_copy(v) : json_object();
	return 0;
}

static void control_release(struct ss_control *c)
{
	json_decref(c->doc);
	json_decref(c->params);
	free(c->inputs);
	free(c->requires);
}

static int cmp_controls(const void *a, const void *b)
{
	const struct ss_control *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* One file's content, by name relative to the catalog root. */
struct cat_file {
	char *name;
	char *data;
	size_t len;
};

static int collect_dir(const char *dir, struct cat_file **files, size_t *n, struct ss_error *err)
{
	static const char *const top[] = {"catalog.json", "services.json"};
	struct ss_buf path;
	DIR *d;
	struct dirent *e;
	size_t i;
	int rc = 0;

	ss_buf_init(&path, 8192);
	for (i = 0; i < SS_ARRAY_LEN(top) && !rc; i++) {
		*files = ss_xrealloc(*files, ss_mul_sz(*n + 1, sizeof(**files)));
		ss_buf_clear(&path);
		ss_buf_printf(&path, "%s/%s", dir, top[i]);
		(*files)[*n].name = ss_xstrdup(top[i]);
		rc = ss_file_read(path.ptr, CATALOG_FILE_MAX, &(*files)[*n].data, &(*files)[*n].len, err);
		(*n)++;
	}
	if (rc)
		goto out;
	ss_buf_clear(&path);
	ss_buf_printf(&path, "%s/controls", dir);
	d = opendir(path.ptr);
	if (!d) {
		rc = ss_error_set(err, SS_ENOENT, "cannot open the catalog's controls directory");
		ss_error_at(err, path.ptr, 0, 0);
		goto out;
	}
	while ((e = readdir(d)) != NULL && !rc) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		*files = ss_xrealloc(*files, ss_mul_sz(*n + 1, sizeof(**files)));
		ss_buf_clear(&path);
		ss_buf_printf(&path, "%s/controls/%s", dir, e->d_name);
		(*files)[*n].name = ss_xstrdup(path.ptr + strlen(dir) + 1);
		rc = ss_file_read(path.ptr, CATALOG_FILE_MAX, &(*files)[*n].data, &(*files)[*n].len, err);
		(*n)++;
	}
	closedir(d);
out:
	ss_buf_release(&path);
	return rc;
}

static json_t *load_json(const struct cat_file *f, const char *label, struct ss_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je);

	if (!j) {
		ss_error_set(err, SS_EPARSE, "%s", je.text);
		ss_error_at(err, label, je.line, je.column);
	}
	return j;
}

int ss_catalog_load(struct ss_catalog *cat, const char *dir, struct ss_error *err)
{
	struct cat_file *files = NULL;
	struct ss_buf label;
	size_t n = 0, i, cap = 0;
	json_t *meta = NULL;
	int rc = 0;

	memset(cat, 0, sizeof(*cat));
	ss_buf_init(&label, 8192);
	if (dir) {
		rc = collect_dir(dir, &files, &n, err);
		if (rc)
			goto out;
	} else {
		const struct ss_embedded_file *e;
		for (e = ss_embedded_catalog; e->name; e++) {
			files = ss_xrealloc(files, ss_mul_sz(n + 1, sizeof(*files)));
			files[n].name = ss_xstrdup(e->name);
			files[n].data = ss_xstrndup(e->data, e->len);
			files[n].len = e->len;
			n++;
		}
	}
	cat->source = ss_xstrdup(dir ? dir : "built-in");
	for (i = 0; i < n; i++) {
		json_t *j;
		ss_buf_clear(&label);
		ss_buf_printf(&label, "%s%s%s", dir ? dir : "catalog", "/", files[i].name);
		j = load_json(&files[i], label.ptr, err);
		if (!j) {
			rc = SS_EPARSE;
			goto out;
		}
		if (strcmp(files[i].name, "catalog.json") == 0) {
			json_t *v = json_object_get(j, "catalogVersion");
			if (!json_is_string(v)) {
				json_decref(j);
				rc = field_error(err, label.ptr, "catalogVersion",
						 "missing required string%s", "");
				goto out;
			}
			cat->version = ss_xstrdup(json_string_value(v));
			meta = j;
		} else if (strcmp(files[i].name, "services.json") == 0) {
			if (!json_is_object(j)) {
				json_decref(j);
				rc = field_error(err, label.ptr, "",
						 "must be an object of service -> service plans%s", "");
				goto out;
			}
			cat->services = j;
		} else {
			struct ss_control c;
			char *stored_name;
			if (cat->n == cap) {
				cap = cap ? cap * 2 : 64;
				cat->controls =
					ss_xrealloc(cat->controls, ss_mul_sz(cap, sizeof(*cat->controls)));
			}
			/* The label outlives this loop: errors found later (measure checks) name it. */
			stored_name = ss_xstrdup(label.ptr);
			json_object_set_new(j, "_file", json_string(stored_name));
			free(stored_name);
			rc = parse_control(j, json_string_value(json_object_get(j, "_file")), &c, err);
			json_decref(j);
			if (rc)
				goto out;
			if (ss_catalog_find(cat, c.id)) {
				rc = field_error(err, c.file, "id", "duplicate control id '%s'", c.id);
				control_release(&c);
				goto out;
			}
			cat->controls[cat->n++] = c;
		}
	}
	if (!cat->version) {
		rc = ss_error_set(err, SS_EINVAL, "the catalog has no catalog.json with catalogVersion");
		goto out;
	}
	if (!cat->services)
		cat->services = json_object();
	qsort(cat->controls, cat->n, sizeof(*cat->controls), cmp_controls);
out:
	json_decref(meta);
	for (i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].data);
	}
	free(files);
	ss_buf_release(&label);
	if (rc)
		ss_catalog_release(cat);
	return rc;
}

const struct ss_control *ss_catalog_find(const struct ss_catalog *cat, const char *id)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (strcmp(cat->controls[i].id, id) == 0)
			return &cat->controls[i];
	return NULL;
}

int ss_catalog_apply_config(struct ss_catalog *cat, const char *path, struct ss_error *err)
{
	struct cat_file f = {0};
	json_t *cfg = NULL, *params, *overrides, *v;
	const char *id, *name;
	struct ss_buf field;
	int rc;

	ss_buf_init(&field, 4096);
	rc = ss_file_read(path, CATALOG_FILE_MAX, &f.data, &f.len, err);
	if (rc)
		goto out;
	cfg = load_json(&f, path, err);
	if (!cfg) {
		rc = SS_EPARSE;
		goto out;
	}
	params = json_object_get(cfg, "parameters");
	if (!params)
		goto out;
	if (!json_is_object(params)) {
		rc = field_error(err, path, "parameters", "must be an object%s", "");
		goto out;
	}
	json_object_foreach (params, id, overrides) {
		struct ss_control *c = (struct ss_control *)ss_catalog_find(cat, id);
		ss_buf_clear(&field);
		ss_buf_printf(&field, "parameters.%s", id);
		if (!c) {
			rc = field_error(err, path, field.ptr, "unknown control '%s'", id);
			goto out;
		}
		if (!json_is_object(overrides)) {
			rc = field_error(err, path, field.ptr, "must be an object%s", "");
			goto out;
		}
		json_object_foreach (overrides, name, v) {
			json_t *def = json_object_get(c->params, name);
			ss_buf_clear(&field);
			ss_buf_printf(&field, "parameters.%s.%s", id, name);
			if (!def) {
				rc = field_error(err, path, field.ptr, "control has no parameter '%s'", name);
				goto out;
			}
			if (json_typeof(def) != json_typeof(v) &&
			    !(json_is_number(def) && json_is_number(v)) &&
			    !(json_is_boolean(def) && json_is_boolean(v))) {
				rc = field_error(err, path, field.ptr,
						 "has the wrong type for parameter '%s'", name);
				goto out;
			}
			json_object_set(c->params, name, v);
		}
	}
out:
	json_decref(cfg);
	free(f.data);
	ss_buf_release(&field);
	return rc;
}

void ss_catalog_release(struct ss_catalog *cat)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		control_release(&cat->controls[i]);
	free(cat->controls);
	free(cat->version);
	free(cat->source);
	json_decref(cat->services);
	memset(cat, 0, sizeof(*cat));
}
