/*
 * fuzz_audit_record.c - differential target for the audit record path: our scanner + normaliser
 * against jansson, the reference. The JSON verdict must agree; on an accepted object without
 * duplicate keys, the fields the analytics read must hold the same values: Operation, Workload,
 * Id, UserId (lower-cased), and Name/Value entries reached by path (Parameters.<Name>).
 * Inputs beyond jansson's own limits are skipped, as in fuzz_json.c.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_str(struct ss_slice ours, json_t *ref, bool lower)
{
	size_t i, n;
	const char *s;

	if (!json_is_string(ref)) {
		if (ours.len != 0)
			abort();
		return;
	}
	s = json_string_value(ref);
	n = json_string_length(ref);
	if (ours.len != n)
		abort();
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (ours.ptr[i] != c)
			abort();
	}
}

/* jansson's view of Parameters.<name>: the first {Name, Value} entry whose Name matches. */
static json_t *ref_param(json_t *root, const char *name)
{
	json_t *arr = NULL, *e;
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach (root, k, v) {
		if (strcasecmp(k, "Parameters") == 0) {
			arr = v;
			break;
		}
	}
	if (!json_is_array(arr))
		return NULL;
	json_array_foreach (arr, i, e) {
		json_t *nm = NULL, *val = NULL, *nv = NULL;
		json_object_foreach (e, k, v) {
			if (!nm && strcasecmp(k, "Name") == 0)
				nm = v;
			else if (!val && strcasecmp(k, "Value") == 0)
				val = v;
			else if (!nv && strcasecmp(k, "NewValue") == 0)
				nv = v;
		}
		if (json_is_string(nm) && strlen(json_string_value(nm)) == json_string_length(nm) &&
		    strcasecmp(json_string_value(nm), name) == 0)
			return val ? val : nv;
	}
	return NULL;
}

static bool keys_unique_ci(json_t *o)
{
	const char *a, *b;
	json_t *va, *vb;
	json_object_foreach (o, a, va) {
		int n = 0;
		json_object_foreach (o, b, vb) {
			if (strcasecmp(a, b) == 0)
				n++;
		}
		if (n > 1)
			return false;
		if (json_is_array(va)) {
			size_t i;
			json_t *e;
			json_array_foreach (va, i, e) {
				if (json_is_object(e) && !keys_unique_ci(e))
					return false;
			}
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_audit_rec rec;
	struct ss_error err;
	json_error_t je;
	json_t *ref;
	int ours;

	if (memchr(data, 0, size))
		return 0;
	ss_audit_rec_init(&rec);
	ss_error_clear(&err);
	ours = ss_audit_rec_parse(&rec, (const char *)data, size, &err);
	ref = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES,
			 &je);
	if (!ref && (strstr(je.text, "too big") || strstr(je.text, "overflow") ||
		     strstr(je.text, "NUL byte") || strstr(je.text, "duplicate"))) {
		/* beyond jansson's limits, or duplicate keys (we keep the first, jansson the last) */
	} else if ((ours == SS_EPARSE) != (ref == NULL)) {
		abort();
	} else if (ours == 0) {
		if (!json_is_object(ref))
			abort();
		if (keys_unique_ci(ref) && !json_object_get(ref, "TimeGenerated")) {
			struct ss_slice v;
			json_t *p;
			same_str(rec.operation, json_object_get(ref, "Operation"), false);
			/* Sentinel names stand in for absent ones (OfficeWorkload for Workload, OfficeId for Id) */
			if (json_object_get(ref, "Workload") || !json_object_get(ref, "OfficeWorkload"))
				same_str(rec.workload, json_object_get(ref, "Workload"), false);
			if (json_object_get(ref, "Id") || !json_object_get(ref, "OfficeId"))
				same_str(rec.id, json_object_get(ref, "Id"), false);
			if (json_is_string(json_object_get(ref, "UserId")) &&
			    strlen(json_string_value(json_object_get(ref, "UserId"))) ==
				    json_string_length(json_object_get(ref, "UserId")) &&
			    json_string_length(json_object_get(ref, "UserId")) <= 512)
				same_str(rec.user, json_object_get(ref, "UserId"), true);
			p = ref_param(ref, "ForwardTo");
			if (json_is_string(p)) {
				if (!ss_audit_field_text(&rec, "Parameters.ForwardTo", 20, &v))
					abort();
				same_str(v, p, false);
			} else if (!p && ss_audit_field(&rec, "Parameters.ForwardTo", 20) != SS_JNONE) {
				abort();
			}
		}
	}
	json_decref(ref);
	ss_audit_rec_release(&rec);
	return 0;
}
