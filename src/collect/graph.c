/* graph.c - Graph snapshot collection: paged resources into graph/ files, manifest, atomic rename. */
#include "collect/graph.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/time.h"

#define PAGE_MAX  ((size_t)256 << 20) /* bytes of one Graph page */
#define FILE_MAX  ((size_t)2 << 30)   /* bytes of one collected file */
#define MAX_PAGES 100000	      /* pages of one resource */

/* The resources of docs/snapshot.md. fallback: the request without properties some tenants lack. */
static const struct resource {
	const char *file;     /* under graph/ */
	const char *path;     /* after /v1.0/ */
	const char *fallback; /* a second try on 400/403, or NULL */
	bool single;	      /* a singleton object, not a collection */
} resources[] = {
	{"organization.json", "organization", NULL, false},
	{"subscribedSkus.json", "subscribedSkus", NULL, false},
	{"users.json",
	 "users?$select=id,userPrincipalName,displayName,accountEnabled,userType,"
	 "assignedLicenses,signInActivity,"
	 "passwordPolicies,lastPasswordChangeDateTime,createdDateTime",
	 /* signInActivity needs Entra ID P1 and AuditLog.Read.All */
	 "users?$select=id,userPrincipalName,displayName,accountEnabled,userType,"
	 "assignedLicenses,"
	 "passwordPolicies,lastPasswordChangeDateTime,createdDateTime",
	 false},
	{"userRegistrationDetails.json", "reports/authenticationMethods/userRegistrationDetails", NULL,
	 false},
	{"directoryRoles.json",
	 "directoryRoles?$select=id,displayName,roleTemplateId&$expand=members($"
	 "select=id,userPrincipalName,"
	 "displayName)",
	 NULL, false},
	{"groups.json",
	 "groups?$select=id,displayName&$expand=members($select=id,"
	 "userPrincipalName)",
	 NULL, false},
	{"conditionalAccessPolicies.json", "identity/conditionalAccess/policies", NULL, false},
	{"authorizationPolicy.json", "policies/authorizationPolicy", NULL, true},
	{"identitySecurityDefaultsEnforcementPolicy.json",
	 "policies/identitySecurityDefaultsEnforcementPolicy", NULL, true},
	{"adminConsentRequestPolicy.json", "policies/adminConsentRequestPolicy", NULL, true},
	{"domains.json",
	 "domains?$select=id,isVerified,authenticationType,"
	 "passwordValidityPeriodInDays",
	 NULL, false},
	{"deviceCompliancePolicies.json",
	 "deviceManagement/"
	 "deviceCompliancePolicies?$expand=scheduledActionsForRule",
	 NULL, false},
	{"deviceConfigurations.json", "deviceManagement/deviceConfigurations", NULL, false},
	{"roleEligibilitySchedules.json", "roleManagement/directory/roleEligibilitySchedules", NULL, false},
};

/*
 * Fetches one resource, all pages. *doc gets {"value": [...]} or the
 * singleton (new reference). A refusal (400, 403, 404) returns SS_ENOENT
 * with *status and code set.
 */
static int fetch(const struct ss_graph_opts *o, const char *path, bool single, json_t **doc, long *status,
		 char code[64], struct ss_error *err)
{
	struct ss_buf url;
	json_t *all = json_array();
	size_t pages = 0, total = 0;
	int rc = 0;

	*doc = NULL;
	ss_buf_init(&url, 1 << 20);
	ss_buf_printf(&url, "%s/v1.0/%s", o->cfg->graph_url, path);
	for (;;) {
		struct ss_http_resp resp;
		struct ss_http_req rq = {0};
		json_t *page, *v, *next;
		rq.method = "GET";
		rq.url = ss_buf_cstr(&url);
		rq.json = true;
		rq.max_body = PAGE_MAX;
		rq.auth = ss_auth_header;
		rq.auth_ctx = o->auth;
		rc = ss_http_do(o->http, &rq, &resp, err);
		if (rc) {
			*status = resp.status;
			snprintf(code, 64, "%s", resp.code);
			if (resp.status == 400 || resp.status == 403 || resp.status == 404)
				rc = SS_ENOENT;
			ss_http_resp_release(&resp);
			break;
		}
		page = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
		total += resp.body.len;
		ss_http_resp_release(&resp);
		if (!json_is_object(page)) {
			json_decref(page);
			rc = ss_error_set(err, SS_EPARSE, "GET %.300s: the answer is not a JSON object",
					  ss_buf_cstr(&url));
			break;
		}
		if (single) {
			json_object_del(page, "@odata.context");
			*doc = page;
			break;
		}
		v = json_object_get(page, "value");
		if (!json_is_array(v)) {
			json_decref(page);
			rc = ss_error_set(err, SS_EPARSE, "GET %.300s: the answer has no \"value\" array",
					  ss_buf_cstr(&url));
			break;
		}
		json_array_extend(all, v);
		next = json_object_get(page, "@odata.nextLink");
		if (!json_is_string(next)) {
			json_decref(page);
			*doc = json_pack("{s:O}", "value", all);
			break;
		}
		{
			const char *nl = json_string_value(next);
			size_t a = ss_http_origin_len(o->cfg->graph_url), b = ss_http_origin_len(nl);
			if (!a || a != b || strncasecmp(nl, o->cfg->graph_url, a) != 0) {
				rc = ss_error_set(
					err, SS_EINVAL,
					"refusing to follow @odata.nextLink %.300s: off Graph's origin", nl);
				json_decref(page);
				break;
			}
			ss_buf_clear(&url);
			ss_buf_adds(&url, nl);
		}
		json_decref(page);
		if (++pages >= MAX_PAGES || total > FILE_MAX) {
			rc = ss_error_set(err, SS_ETOOBIG, "GET %.200s: more than %d pages or %zu bytes",
					  path, MAX_PAGES, (size_t)FILE_MAX);
			break;
		}
	}
	json_decref(all);
	ss_buf_release(&url);
	return rc;
}

static int write_json(const char *dir, const char *name, json_t *doc, struct ss_error *err)
{
	struct ss_buf p;
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc;

	if (!text)
		ss_die("out of memory");
	ss_buf_init(&p, 1 << 16);
	ss_buf_printf(&p, "%s/%s", dir, name);
	rc = ss_file_write_atomic(ss_buf_cstr(&p), text, strlen(text), err);
	free(text);
	ss_buf_release(&p);
	return rc;
}

/* Removes the temporary directory: the files this module writes, then the directories. */
static void remove_tmp(const char *tmp)
{
	struct ss_buf p;
	size_t i;

	ss_buf_init(&p, 1 << 16);
	for (i = 0; i < SS_ARRAY_LEN(resources); i++) {
		ss_buf_clear(&p);
		ss_buf_printf(&p, "%s/graph/%s", tmp, resources[i].file);
		unlink(ss_buf_cstr(&p));
	}
	ss_buf_clear(&p);
	ss_buf_printf(&p, "%s/manifest.json", tmp);
	unlink(ss_buf_cstr(&p));
	ss_buf_clear(&p);
	ss_buf_printf(&p, "%s/graph", tmp);
	rmdir(ss_buf_cstr(&p));
	rmdir(tmp);
	ss_buf_release(&p);
}

int ss_graph_snapshot(const struct ss_graph_opts *o, json_t **report, struct ss_error *err)
{
	struct ss_buf tmp, sub;
	json_t *files = json_array(), *skipped = json_array(), *manifest = NULL, *org = NULL;
	char taken[32], *parent = NULL, *slash;
	const char *tid, *name;
	size_t i;
	int rc;

	*report = NULL;
	ss_buf_init(&tmp, 1 << 16);
	ss_buf_init(&sub, 1 << 16);
	parent = ss_xstrdup(o->out);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		rc = ss_mkdir_p(parent, false, err);
		if (rc)
			goto out;
	}
	ss_buf_printf(&tmp, "%s.tmp-XXXXXX", o->out);
	if (!mkdtemp(tmp.ptr)) {
		rc = ss_error_set(err, SS_EIO, "cannot create a temporary directory: %s", strerror(errno));
		ss_error_at(err, ss_buf_cstr(&tmp), 0, 0);
		goto out;
	}
	ss_buf_printf(&sub, "%s/graph", tmp.ptr);
	rc = ss_mkdir_p(ss_buf_cstr(&sub), false, err);
	for (i = 0; i < SS_ARRAY_LEN(resources) && !rc; i++) {
		const struct resource *res = &resources[i];
		json_t *doc = NULL;
		long status = 0;
		char code[64] = "";
		if (o->progress)
			o->progress(o->progress_ctx, res->file, i, SS_ARRAY_LEN(resources));
		rc = fetch(o, res->path, res->single, &doc, &status, code, err);
		if (rc == SS_ENOENT && res->fallback) {
			ss_error_clear(err);
			rc = fetch(o, res->fallback, res->single, &doc, &status, code, err);
		}
		if (rc == SS_ENOENT) {
			char msg[600];
			ss_error_format(err, msg, sizeof(msg));
			json_array_append_new(skipped,
					      json_pack("{s:s, s:I, s:s, s:s}", "file", res->file, "status",
							(json_int_t)status, "code", code, "message", msg));
			ss_error_clear(err);
			rc = 0;
			continue;
		}
		if (rc)
			break;
		rc = write_json(ss_buf_cstr(&sub), res->file, doc, err);
		json_array_append_new(
			files, json_pack("{s:s, s:I}", "file", res->file, "items",
					 (json_int_t)(res->single ? 1
								  : json_array_size(
									    json_object_get(doc, "value")))));
		if (strcmp(res->file, "organization.json") == 0)
			org = json_incref(json_array_get(json_object_get(doc, "value"), 0));
		json_decref(doc);
	}
	if (rc)
		goto fail;
	ss_time_format(ss_time_now(), taken);
	tid = json_string_value(json_object_get(org, "id"));
	name = json_string_value(json_object_get(org, "displayName"));
	manifest = json_pack("{s:s, s:s, s:s, s:s}", "tenantId", tid ? tid : o->cfg->tenant, "displayName",
			     name ? name : (tid ? tid : o->cfg->tenant), "takenDateTime", taken, "source",
			     "secscore collect snapshot");
	rc = write_json(ss_buf_cstr(&tmp), "manifest.json", manifest, err);
	if (rc)
		goto fail;
	if (rename(ss_buf_cstr(&tmp), o->out) != 0) {
		rc = ss_error_set(err, SS_EIO, "cannot rename the collected snapshot into place: %s%s",
				  strerror(errno),
				  errno == ENOTEMPTY || errno == EEXIST ? " (it exists)" : "");
		ss_error_at(err, o->out, 0, 0);
		goto fail;
	}
	*report = json_pack("{s:s, s:O, s:O, s:s, s:o, s:o, s:I, s:I, s:I}", "out", o->out, "tenantId",
			    json_object_get(manifest, "tenantId"), "displayName",
			    json_object_get(manifest, "displayName"), "takenDateTime", taken, "files", files,
			    "skipped", skipped, "requests", (json_int_t)o->http->stats.requests, "retries",
			    (json_int_t)o->http->stats.retries, "bytes", (json_int_t)o->http->stats.bytes);
	files = skipped = NULL;
	goto out;
fail:
	remove_tmp(ss_buf_cstr(&tmp));
out:
	json_decref(files);
	json_decref(skipped);
	json_decref(manifest);
	json_decref(org);
	free(parent);
	ss_buf_release(&tmp);
	ss_buf_release(&sub);
	return rc;
}
