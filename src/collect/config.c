/* config.c - the "collect" config object and environment: credentials, cloud endpoints, 0600 check. */
#include "collect/config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Copies the string at collect.key into *slot (replacing it); fails on a non-string. */
static int take_string(json_t *obj, const char *key, const char *path, char **slot, struct ss_error *err)
{
	json_t *v = json_object_get(obj, key);
	char field[128];

	if (!v)
		return 0;
	snprintf(field, sizeof(field), "collect.%s", key);
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

static int load_file(struct ss_collect_config *c, const char *path, struct ss_error *err)
{
	static const char *const keys[] = {"tenant_id",	  "client_id",	 "client_secret", "client_secret_env",
					   "certificate", "private_key", "cloud",	  "publisher_id",
					   NULL};
	json_t *doc = NULL, *col, *v;
	json_error_t je;
	const char *key;
	struct stat sb;
	char *data = NULL, *env = NULL;
	size_t len = 0, i;
	int rc;

	rc = ss_file_read(path, CONFIG_MAX, &data, &len, err);
	if (rc)
		return rc;
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	explicit_bzero(data, len);
	free(data);
	if (!doc) {
		ss_error_set(err, SS_EPARSE, "%s", je.text);
		ss_error_at(err, path, je.line, je.column);
		return SS_EPARSE;
	}
	col = json_object_get(doc, "collect");
	if (!col)
		goto out;
	if (!json_is_object(col)) {
		rc = file_error(err, path, "collect", "must be an object");
		goto out;
	}
	json_object_foreach (col, key, v) {
		bool ok = false;
		for (i = 0; keys[i] && !ok; i++)
			ok = strcmp(key, keys[i]) == 0;
		if (!ok) {
			char field[300], msg[300];
			snprintf(field, sizeof(field), "collect.%s", key);
			snprintf(msg, sizeof(msg), "unknown key '%s'", key);
			rc = file_error(err, path, field, msg);
			goto out;
		}
	}
	if (json_object_get(col, "client_secret")) {
		/* a secret in a file others can read is a secret shared with them */
		if (stat(path, &sb) != 0) {
			rc = ss_error_set(err, SS_EIO, "cannot stat the config file");
			ss_error_at(err, path, 0, 0);
			goto out;
		}
		if (sb.st_mode & 077) {
			char msg[200];
			snprintf(msg, sizeof(msg),
				 "holds client_secret but its mode is %04o: make it readable by "
				 "its owner "
				 "only (chmod 600)",
				 (unsigned)(sb.st_mode & 07777));
			rc = file_error(err, path, "collect.client_secret", msg);
			goto out;
		}
	}
	if ((rc = take_string(col, "tenant_id", path, &c->tenant, err)) ||
	    (rc = take_string(col, "client_id", path, &c->client_id, err)) ||
	    (rc = take_string(col, "client_secret", path, &c->client_secret, err)) ||
	    (rc = take_string(col, "client_secret_env", path, &env, err)) ||
	    (rc = take_string(col, "certificate", path, &c->cert_path, err)) ||
	    (rc = take_string(col, "private_key", path, &c->key_path, err)) ||
	    (rc = take_string(col, "cloud", path, &c->cloud, err)) ||
	    (rc = take_string(col, "publisher_id", path, &c->publisher, err)))
		goto out;
	if (env) {
		const char *s = getenv(env);
		if (!s || !*s) {
			char msg[300];
			snprintf(msg, sizeof(msg), "the environment variable '%s' is not set", env);
			rc = file_error(err, path, "collect.client_secret_env", msg);
			goto out;
		}
		ss_collect_free_secret(c->client_secret);
		c->client_secret = ss_xstrdup(s);
	}
out:
	free(env);
	if (doc) {
		/* jansson keeps its own copy of the secret: wipe it before the free */
		v = json_object_get(json_object_get(doc, "collect"), "client_secret");
		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v), json_string_length(v));
	}
	json_decref(doc);
	return rc;
}

int ss_collect_config_load(struct ss_collect_config *c, const char *path, const char *tenant,
			   struct ss_error *err)
{
	const struct cloud *cl = NULL;
	const char *env;
	size_t i;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (path && *path && (rc = load_file(c, path, err)))
		goto fail;
	take_env("SECSCORE_TENANT_ID", &c->tenant, false);
	take_env("SECSCORE_CLIENT_ID", &c->client_id, false);
	take_env("SECSCORE_CLIENT_SECRET", &c->client_secret, true);
	take_env("SECSCORE_CLIENT_CERT", &c->cert_path, false);
	take_env("SECSCORE_CLIENT_KEY", &c->key_path, false);
	take_env("SECSCORE_CLOUD", &c->cloud, false);
	take_env("SECSCORE_PUBLISHER_ID", &c->publisher, false);
	if (tenant && *tenant) {
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
