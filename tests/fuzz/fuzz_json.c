/*
 * fuzz_json.c - differential libFuzzer target: our tape parser against jansson, the reference.
 * Both must give the same verdict on every input and, when they accept, the same values:
 * types, string bytes, array lengths, object members (objects with duplicate keys are not
 * compared member by member: jansson keeps the last, we return the first).
 * Known, documented differences, where RFC 8259 allows what jansson refuses and we accept
 * (such inputs are skipped): integers beyond 64 bits ("too big integer"), reals beyond the
 * range of a double ("real number overflow"), and "\u0000" inside object keys. jansson also
 * stops reading at a raw NUL byte, which we reject as garbage: inputs holding one are skipped.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ss_buf scratch;

static void same(const struct ss_json *doc, ss_jv v, json_t *j)
{
	enum ss_jtype t = ss_json_type(doc, v);
	size_t i;

	switch (json_typeof(j)) {
	case JSON_NULL:
		if (t != SS_JNULL)
			abort();
		break;
	case JSON_TRUE:
		if (t != SS_JTRUE)
			abort();
		break;
	case JSON_FALSE:
		if (t != SS_JFALSE)
			abort();
		break;
	case JSON_INTEGER:
	case JSON_REAL: {
		double d;
		if (t != SS_JNUMBER || !ss_json_num(doc, v, &d))
			abort();
		if (json_is_integer(j)) {
			int64_t x;
			if (!ss_json_int(doc, v, &x) || x != json_integer_value(j))
				abort();
		} else if (!(d == json_real_value(j) || (isnan(d) && isnan(json_real_value(j))))) {
			abort();
		}
		break;
	}
	case JSON_STRING: {
		bool ok;
		struct ss_slice s = ss_json_str(doc, v, &scratch, &ok);
		if (t != SS_JSTRING || !ok || s.len != json_string_length(j) ||
		    (s.len && memcmp(s.ptr, json_string_value(j), s.len) != 0))
			abort();
		break;
	}
	case JSON_ARRAY: {
		ss_jv e = ss_json_first(doc, v);
		if (t != SS_JARRAY || ss_json_len(doc, v) != json_array_size(j))
			abort();
		for (i = 0; i < json_array_size(j); i++, e = ss_json_next(doc, v, e))
			same(doc, e, json_array_get(j, i));
		if (e != SS_JNONE)
			abort();
		break;
	}
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		if (t != SS_JOBJECT)
			abort();
		if (ss_json_len(doc, v) != json_object_size(j))
			break; /* duplicate keys: counts differ by design */
		json_object_foreach (j, key, val) {
			same(doc, ss_json_get(doc, v, key), val);
		}
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_json doc;
	json_error_t je;
	json_t *ref;
	int ours;

	if (!scratch.max)
		ss_buf_init(&scratch, (size_t)64 << 20);
	if (memchr(data, 0, size))
		return 0;
	ss_json_init(&doc);
	ours = ss_json_parse(&doc, (const char *)data, size, NULL);
	ref = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!ref &&
	    (strstr(je.text, "too big") || strstr(je.text, "overflow") || strstr(je.text, "NUL byte"))) {
		/* Valid JSON beyond jansson's own limits. */
	} else if ((ours == 0) != (ref != NULL)) {
		abort();
	} else if (ref) {
		same(&doc, ss_json_root(&doc), ref);
	}
	json_decref(ref);
	ss_json_release(&doc);
	return 0;
}
