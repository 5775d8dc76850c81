/* config.h - what `secscore collect` needs to reach a tenant: ids, credentials, cloud, endpoints. */
#ifndef SS_COLLECT_CONFIG_H
#define SS_COLLECT_CONFIG_H

/*
 * The "collect" entry of the config file (--config FILE or
 * $SECSCORE_CONFIG; docs/collect.md), with environment variables taking
 * precedence key by key:
 *
 *   tenant_id       SECSCORE_TENANT_ID       (else --tenant)
 *   client_id       SECSCORE_CLIENT_ID
 *   client_secret   SECSCORE_CLIENT_SECRET   (or client_secret_env: "NAME")
 *   certificate     SECSCORE_CLIENT_CERT     PEM certificate (with private_key)
 *   private_key     SECSCORE_CLIENT_KEY      PEM private key, unencrypted
 *   cloud           SECSCORE_CLOUD           global, usgov, usgovhigh, dod, china
 *   publisher_id    SECSCORE_PUBLISHER_ID    PublisherIdentifier (default: the tenant id)
 *   name            -                        how the tenant is called in schedules and logs
 *
 * and SECSCORE_LOGIN_URL, SECSCORE_GRAPH_URL, SECSCORE_MANAGE_URL replace
 * the cloud's hosts (tests). A config file that holds client_secret itself
 * must not be readable or writable by group or others (mode 0600 or
 * stricter); otherwise loading fails naming the file.
 *
 * Several tenants: "collect" may be an array of such objects, one per
 * tenant, each with its own tenant_id (names and tenant ids distinct). The
 * entry is chosen by --tenant (its tenant_id or name), else by
 * $SECSCORE_TENANT_ID, else it is the only one; $SECSCORE_TENANT_ID then
 * chooses and does not replace. The other variables still win key by key.
 *
 * Ownership: every string is owned by the struct; ss_collect_config_release
 * wipes the secret before freeing it. The secret never appears in an error.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct ss_collect_config {
	char *tenant;	     /* tenant id or initial domain, as the APIs take it */
	char *client_id;     /* application (client) id */
	char *client_secret; /* secret, or NULL with certificate auth; wiped on
                          release */
	char *cert_path;     /* PEM certificate, or NULL */
	char *key_path;	     /* PEM private key, or NULL */
	char *cloud;	     /* "global", "usgov", "usgovhigh", "dod" or "china" */
	char *publisher;     /* PublisherIdentifier of Management API calls */
	char *login_url;     /* e.g. https://login.microsoftonline.com, no trailing slash */
	char *graph_url;     /* e.g. https://graph.microsoft.com */
	char *manage_url;    /* e.g. https://manage.office.com */
	char *graph_scope;   /* e.g. https://graph.microsoft.com/.default */
	char *manage_scope;  /* e.g. https://manage.office.com/.default */
};

/*
 * Loads the configuration from the config file at path (NULL: none) and
 * the environment. tenant (the --tenant argument, NULL when absent) wins
 * over tenant_id of the file and the environment, unless it is the
 * object's name; with an array it chooses the entry by tenant_id or name
 * (SS_EINVAL naming the file when none matches, or when it is NULL and
 * several tenants are configured: "pass --tenant"). Fails (SS_EINVAL naming
 * the file and field, or the variable) when a required value is missing,
 * both or neither of secret and certificate are given, the cloud is
 * unknown, or the file holding a secret is readable by others. On error
 * nothing needs releasing.
 */
int ss_collect_config_load(struct ss_collect_config *c, const char *path, const char *tenant,
			   struct ss_error *err);

/*
 * The tenants configured in the config file at path (NULL: none) and the
 * environment, as ss_collect_config_load takes them for tenant: each array
 * entry's name, else its tenant_id; for a single object its name, else
 * $SECSCORE_TENANT_ID, else its tenant_id; without "collect",
 * $SECSCORE_TENANT_ID when set. *n may be 0. Only the shape is checked
 * (credentials are checked when each is loaded). Free *names with
 * ss_collect_config_tenants_free.
 */
int ss_collect_config_tenants(const char *path, char ***names, size_t *n, struct ss_error *err);
void ss_collect_config_tenants_free(char **names, size_t n);

/*
 * The top-level "schedule" entry of the config file at path (NULL: none):
 * *hhmm the string as written (owned), or NULL when absent. SS_EINVAL naming
 * the file when it is not a string; the caller checks the time itself.
 */
int ss_collect_config_schedule(const char *path, char **hhmm, struct ss_error *err);

/* Frees every string, wiping the secret first. */
void ss_collect_config_release(struct ss_collect_config *c);

/* Overwrites s with zeros and frees it (NULL is fine). */
void ss_collect_free_secret(char *s);

#endif
