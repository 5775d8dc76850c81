/* config.c - the "collect" config object and environment: credentials, cloud endpoints, 0600 check. */
#include "collect/config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/file.h"

#define CONFIG_MAX (1 << 20) /* bytes of a config file */

/* The hosts of each national cloud (Microsoft's national cloud deployment pages). */
static const struct cloud {
	const char *name;   /* config value */
	const char *login;  /* Entra ID token endpoint host */
	const char *graph;  /* Microsoft Graph */
	const char *manage; /* Office 365 Management Activity API */
} clouds[] = {
	{"global", "https://login.microsoftonline.com", "https://graph.microsoft.com",
	 "https://manage.office.com"},
	{"usgov", "https://login.microsoftonline.com", "https://graph.microsoft.com",
	 "https://manage-gcc.office.com"},
	{"usgovhigh", "https://login.microsoftonline.us", "https://graph.microsoft.us",
	 "https://manage.office365.us"},
	{"dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us",
	 "https://manage.protection.apps.mil"},
	{"china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn",
	 "https://manage.office.cn"},
};

void ss_collect_free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

void ss_collect_config_release(struct ss_collect_config *c)
{
	free(c->tenant);
	free(c->client_id);
	ss_collect_free_secret(c->client_secret);
	free(c->cert_path);
	free(c->key_path);
	free(c->cloud);
	free(c->publisher);
	free(c->login_url);
	free(c->graph_url);
	free(c->manage_url);
	free(c->graph_scope);
	free(c->manage_scope);
	memset(c, 0, sizeof(*c));
}

static int file_error(struct ss_error *err, const char *path, const char *field, const char *msg)
{
	ss_error_set(err, SS_EINVAL, "%s", msg);
	ss_error_at(err, path, 0, 0);
	if (field)
		ss_error_field(err, field);
	return SS_EINVAL;
}

/* Copies the string at PREFIX.key into *slot (replacing it); fails on a non-string. */
static int take_string(json_t *obj, const char *prefix, const char *key, const char *path, char **slot,
		       struct ss_error *err)
{
	json_t *v = json_object_get(obj, key);
	char field[128];

	if (!v)
		return 0;
	snprintf(field, sizeof(field), "%s.%s", prefix, key);
	if (!json_is_string(v) || !json_string_length(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return file_error(err, path, field, "must be a non-empty string");
	free(*slot);
	*slot = ss_xstrdup(json_string_value(v));
	return 0;
}

/* Replaces *slot with the value of the environment variable name when it is set and not empty. */
static void take_env(const char *name, char **slot, bool secret)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return;
	if (secret)
		ss_collect_free_secret(*slot);
	else
		free(*slot);
	*slot = ss_xstrdup(v);
}

static char *trimmed_url(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		n--;
	return ss_xstrndup(s, n);
}

/* The value of a non-empty environment variable, or NULL. */
static const char *env_value(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Reads and parses the config file; *doc is a new reference. */
static int read_doc(const char *path, json_t **doc, struct ss_error *err)
{
	json_error_t je;
	char *data = NULL;
	size_t len = 0;
	int rc;

	*doc = NULL;
	rc = ss_file_read(path, CONFIG_MAX, &data, &len, err);
	if (rc)
		return rc;
	*doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	explicit_bzero(data, len);
	free(data);
	if (!*doc) {
		ss_error_set(err, SS_EPARSE, "%s", je.text);
		ss_error_at(err, path, je.line, je.column);
		return SS_EPARSE;
	}
	if (!json_is_object(*doc)) {
		json_decref(*doc);
		*doc = NULL;
		return file_error(err, path, NULL, "must hold a JSON object");
	}
	return 0;
}

/* Wipes every client_secret of the "collect" entries (jansson keeps its own copies), then frees doc. */
static void free_doc(json_t *doc)
{
	json_t *col = json_object_get(doc, "collect"), *e, *v;
	size_t i;

	if (json_is_object(col)) {
		v = json_object_get(col, "client_secret");
		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_array(col)) {
		json_array_foreach (col, i, e) {
			v = json_object_get(e, "client_secret");
			if (json_is_string(v))
				explicit_bzero((char *)json_string_value(v), json_string_length(v));
		}
	}
	json_decref(doc);
}

/* A string member of an entry, NULL when absent or not a non-empty string. */
static const char *member(json_t *entry, const char *key)
{
	const char *s = json_string_value(json_object_get(entry, key));

	return s && *s ? s : NULL;
}

/* How a tenant is known in lists and logs: its name, else its tenant_id (NULL: neither). */
static const char *label(json_t *entry)
{
	return member(entry, "name") ? member(entry, "name") : member(entry, "tenant_id");
}

/* Checks one entry (an object with known keys); prefix is "collect" or "collect[I]". */
static int check_entry(json_t *e, const char *prefix, const char *path, struct ss_error *err)
{
	static const char *const keys[] = {
		"name",	       "tenant_id",   "client_id", "client_secret", "client_secret_env",
		"certificate", "private_key", "cloud",	   "publisher_id",  NULL};
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(e))
		return file_error(err, path, prefix, "must be an object");
	json_object_foreach (e, key, v) {
		bool ok = false;
		for (i = 0; keys[i] && !ok; i++)
			ok = strcmp(key, keys[i]) == 0;
		if (!ok) {
			char field[300], msg[300];
			snprintf(field, sizeof(field), "%s.%s", prefix, key);
			snprintf(msg, sizeof(msg), "unknown key '%s'", key);
			return file_error(err, path, field, msg);
		}
	}
	v = json_object_get(e, "name");
	if (v && (!json_is_string(v) || !json_string_length(v) ||
		  strlen(json_string_value(v)) != json_string_length(v) || json_string_length(v) > 128)) {
		char field[300];
		snprintf(field, sizeof(field), "%s.name", prefix);
		return file_error(err, path, field, "must be a non-empty string of at most 128 bytes");
	}
	return 0;
}

/*
 * Checks "collect" when it is an array: one object per tenant, each with its
 * own tenant_id, names and tenant ids all distinct.
 */
static int check_array(json_t *col, const char *path, struct ss_error *err)
{
	char prefix[64], msg[400];
	json_t *e, *f;
	size_t i, j;
	int rc;

	if (json_array_size(col) == 0)
		return file_error(err, path, "collect", "an array of tenants must not be empty");
	json_array_foreach (col, i, e) {
		snprintf(prefix, sizeof(prefix), "collect[%zu]", i);
		if ((rc = check_entry(e, prefix, path, err)))
			return rc;
		if (!member(e, "tenant_id")) {
			snprintf(prefix, sizeof(prefix), "collect[%zu].tenant_id", i);
			return file_error(err, path, prefix, "each tenant of the array needs its tenant_id");
		}
		for (j = 0; j < i; j++) {
			const char *names[2][2];
			size_t a, b;
			f = json_array_get(col, j);
			names[0][0] = member(e, "name");
			names[0][1] = member(e, "tenant_id");
			names[1][0] = member(f, "name");
			names[1][1] = member(f, "tenant_id");
			for (a = 0; a < 2; a++)
				for (b = 0; b < 2; b++)
					if (names[0][a] && names[1][b] &&
					    strcasecmp(names[0][a], names[1][b]) == 0) {
						snprintf(prefix, sizeof(prefix), "collect[%zu]", i);
						snprintf(msg, sizeof(msg),
							 "'%.128s' names two tenants (entries %zu and %zu)",
							 names[0][a], j, i);
						return file_error(err, path, prefix, msg);
					}
		}
	}
	return 0;
}

/* The labels of the array's entries, ", "-separated, into msg. */
static void list_labels(json_t *col, char *msg, size_t size)
{
	size_t i, used = 0;
	json_t *e;

	msg[0] = '\0';
	json_array_foreach (col, i, e) {
		int k = snprintf(msg + used, size - used, "%s%.64s", i ? ", " : "",
				 label(e) ? label(e) : "?");
		if (k < 0 || (size_t)k >= size - used)
			break;
		used += (size_t)k;
	}
}

/* How the tenant id of the configuration is decided. */
enum tenant_rule {
	TENANT_FREE,  /* --tenant, else $SECSCORE_TENANT_ID, else the file's tenant_id */
	TENANT_NAMED, /* --tenant was the object's name: $SECSCORE_TENANT_ID, else tenant_id */
	TENANT_FIXED, /* the array entry chosen: its tenant_id */
};

static int load_file(struct ss_collect_config *c, const char *path, const char *tenant,
		     enum tenant_rule *rule, struct ss_error *err)
{
	json_t *doc = NULL, *col, *entry, *e;
	struct stat sb;
	char *env = NULL, prefix[64], msg[600];
	bool secret = false;
	size_t i;
	int rc;

	*rule = TENANT_FREE;
	if ((rc = read_doc(path, &doc, err)))
		return rc;
	col = json_object_get(doc, "collect");
	if (!col)
		goto out;
	if (json_is_array(col)) {
		const char *sel = tenant && *tenant ? tenant : env_value("SECSCORE_TENANT_ID");
		size_t pick = json_array_size(col);
		if ((rc = check_array(col, path, err)))
			goto out;
		if (sel) {
			json_array_foreach (col, i, e)
				if (pick == json_array_size(col) &&
				    (strcasecmp(member(e, "tenant_id"), sel) == 0 ||
				     (member(e, "name") && strcmp(member(e, "name"), sel) == 0)))
					pick = i;
		} else if (json_array_size(col) == 1) {
			pick = 0;
		} else {
			char names[400];
			list_labels(col, names, sizeof(names));
			snprintf(msg, sizeof(msg), "several tenants are configured (%s): pass --tenant",
				 names);
			rc = file_error(err, path, "collect", msg);
			goto out;
		}
		if (pick == json_array_size(col)) {
			char names[400];
			list_labels(col, names, sizeof(names));
			snprintf(msg, sizeof(msg),
				 "no tenant here has the tenant_id or name '%.128s' (configured: %s)", sel,
				 names);
			rc = file_error(err, path, "collect", msg);
			goto out;
		}
		entry = json_array_get(col, pick);
		snprintf(prefix, sizeof(prefix), "collect[%zu]", pick);
		json_array_foreach (col, i, e)
			secret = secret || json_object_get(e, "client_secret");
		*rule = TENANT_FIXED;
	} else if (json_is_object(col)) {
		entry = col;
		snprintf(prefix, sizeof(prefix), "collect");
		if ((rc = check_entry(entry, prefix, path, err)))
			goto out;
		secret = json_object_get(entry, "client_secret") != NULL;
		if (tenant && member(entry, "name") && strcmp(tenant, member(entry, "name")) == 0)
			*rule = TENANT_NAMED;
	} else {
		rc = file_error(err, path, "collect",
				"must be an object, or an array of objects (one per tenant)");
		goto out;
	}
	if (secret) {
		/* a secret in a file others can read is a secret shared with them */
		if (stat(path, &sb) != 0) {
			rc = ss_error_set(err, SS_EIO, "cannot stat the config file");
			ss_error_at(err, path, 0, 0);
			goto out;
		}
		if (sb.st_mode & 077) {
			char field[96];
			snprintf(field, sizeof(field), "%s.client_secret", prefix);
			snprintf(msg, sizeof(msg),
				 "holds client_secret but its mode is %04o: make it readable by "
				 "its owner "
				 "only (chmod 600)",
				 (unsigned)(sb.st_mode & 07777));
			rc = file_error(err, path, json_is_array(col) ? "collect" : field, msg);
			goto out;
		}
	}
	if ((rc = take_string(entry, prefix, "tenant_id", path, &c->tenant, err)) ||
	    (rc = take_string(entry, prefix, "client_id", path, &c->client_id, err)) ||
	    (rc = take_string(entry, prefix, "client_secret", path, &c->client_secret, err)) ||
	    (rc = take_string(entry, prefix, "client_secret_env", path, &env, err)) ||
	    (rc = take_string(entry, prefix, "certificate", path, &c->cert_path, err)) ||
	    (rc = take_string(entry, prefix, "private_key", path, &c->key_path, err)) ||
	    (rc = take_string(entry, prefix, "cloud", path, &c->cloud, err)) ||
	    (rc = take_string(entry, prefix, "publisher_id", path, &c->publisher, err)))
		goto out;
	if (env) {
		const char *s = getenv(env);
		if (!s || !*s) {
			char field[96];
			snprintf(field, sizeof(field), "%s.client_secret_env", prefix);
			snprintf(msg, sizeof(msg), "the environment variable '%s' is not set", env);
			rc = file_error(err, path, field, msg);
			goto out;
		}
		ss_collect_free_secret(c->client_secret);
		c->client_secret = ss_xstrdup(s);
	}
out:
	free(env);
	free_doc(doc);
	return rc;
}

int ss_collect_config_load(struct ss_collect_config *c, const char *path, const char *tenant,
			   struct ss_error *err)
{
	const struct cloud *cl = NULL;
	enum tenant_rule rule = TENANT_FREE;
	const char *env;
	size_t i;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (path && *path && (rc = load_file(c, path, tenant, &rule, err)))
		goto fail;
	if (rule != TENANT_FIXED) /* with an array, $SECSCORE_TENANT_ID only chooses the entry */
		take_env("SECSCORE_TENANT_ID", &c->tenant, false);
	take_env("SECSCORE_CLIENT_ID", &c->client_id, false);
	take_env("SECSCORE_CLIENT_SECRET", &c->client_secret, true);
	take_env("SECSCORE_CLIENT_CERT", &c->cert_path, false);
	take_env("SECSCORE_CLIENT_KEY", &c->key_path, false);
	take_env("SECSCORE_CLOUD", &c->cloud, false);
	take_env("SECSCORE_PUBLISHER_ID", &c->publisher, false);
	if (tenant && *tenant && rule == TENANT_FREE) {
		free(c->tenant);
		c->tenant = ss_xstrdup(tenant);
	}
	if (!c->cloud)
		c->cloud = ss_xstrdup("global");
	for (i = 0; i < SS_ARRAY_LEN(clouds) && !cl; i++)
		if (strcmp(c->cloud, clouds[i].name) == 0)
			cl = &clouds[i];
	if (!cl) {
		rc = ss_error_set(err, SS_EINVAL,
				  "unknown cloud '%.64s' (global, usgov, usgovhigh, dod or china)", c->cloud);
		ss_error_field(err, "collect.cloud");
		goto fail;
	}
	if (!c->tenant) {
		rc = ss_error_set(err, SS_EINVAL,
				  "no tenant: --tenant, collect.tenant_id in the config or "
				  "$SECSCORE_TENANT_ID");
		goto fail;
	}
	if (!c->client_id) {
		rc = ss_error_set(err, SS_EINVAL,
				  "no client id: collect.client_id in the config or $SECSCORE_CLIENT_ID");
		goto fail;
	}
	if (c->client_secret && (c->cert_path || c->key_path)) {
		/* the environment may replace the file's method: its choice wins */
		const char *es = getenv("SECSCORE_CLIENT_SECRET"), *ec = getenv("SECSCORE_CLIENT_CERT");
		if (es && *es && !(ec && *ec)) {
			free(c->cert_path);
			free(c->key_path);
			c->cert_path = c->key_path = NULL;
		} else if (ec && *ec && !(es && *es)) {
			ss_collect_free_secret(c->client_secret);
			c->client_secret = NULL;
		} else {
			rc = ss_error_set(err, SS_EINVAL,
					  "both a client secret and a certificate are configured: keep one");
			goto fail;
		}
	}
	if (!c->client_secret && !(c->cert_path && c->key_path)) {
		rc = ss_error_set(err, SS_EINVAL,
				  "no credential: a client secret ($SECSCORE_CLIENT_SECRET or "
				  "collect.client_secret) or a certificate and its private key "
				  "(collect.certificate and collect.private_key)");
		goto fail;
	}
	if (!c->publisher)
		c->publisher = ss_xstrdup(c->tenant);
	env = getenv("SECSCORE_LOGIN_URL");
	c->login_url = trimmed_url(env && *env ? env : cl->login);
	env = getenv("SECSCORE_GRAPH_URL");
	c->graph_url = trimmed_url(env && *env ? env : cl->graph);
	env = getenv("SECSCORE_MANAGE_URL");
	c->manage_url = trimmed_url(env && *env ? env : cl->manage);
	{
		size_t n = strlen(cl->graph) + 16;
		c->graph_scope = ss_xmalloc(n);
		snprintf(c->graph_scope, n, "%s/.default", cl->graph);
		n = strlen(cl->manage) + 16;
		c->manage_scope = ss_xmalloc(n);
		snprintf(c->manage_scope, n, "%s/.default", cl->manage);
	}
	return 0;
fail:
	ss_collect_config_release(c);
	return rc;
}

int ss_collect_config_tenants(const char *path, char ***names, size_t *n, struct ss_error *err)
{
	const char *env = env_value("SECSCORE_TENANT_ID"), *one = NULL;
	json_t *doc = NULL, *col = NULL, *e;
	size_t i;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (path && *path) {
		if ((rc = read_doc(path, &doc, err)))
			return rc;
		col = json_object_get(doc, "collect");
	}
	if (json_is_array(col)) {
		if ((rc = check_array(col, path, err)))
			goto out;
		*names = ss_xcalloc(json_array_size(col) + 1, sizeof(**names));
		json_array_foreach (col, i, e)
			(*names)[(*n)++] = ss_xstrdup(label(e));
		goto out;
	}
	if (col) {
		if ((rc = check_entry(col, "collect", path, err)))
			goto out;
		one = member(col, "name") ? member(col, "name") : env ? env : member(col, "tenant_id");
	} else {
		one = env;
	}
	if (one) {
		*names = ss_xcalloc(2, sizeof(**names));
		(*names)[(*n)++] = ss_xstrdup(one);
	}
out:
	free_doc(doc);
	return rc;
}

void ss_collect_config_tenants_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int ss_collect_config_schedule(const char *path, char **hhmm, struct ss_error *err)
{
	json_t *doc = NULL, *v;
	int rc;

	*hhmm = NULL;
	if (!path || !*path)
		return 0;
	if ((rc = read_doc(path, &doc, err)))
		return rc;
	v = json_object_get(doc, "schedule");
	if (v && !json_is_null(v)) {
		if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v))
			*hhmm = ss_xstrdup(json_string_value(v));
		else
			rc = file_error(err, path, "schedule", "must be a time of day \"HH:MM\"");
	}
	free_doc(doc);
	return rc;
}
