/* json.h - a strict, read-only JSON document as a flat tape: parse once, look up without allocating. */
#ifndef SS_JSON_H
#define SS_JSON_H

/*
 * Why our own parser: snapshot files of large tenants (100,000 users) and
 * audit records are the volume path of secscore; a tree of jansson objects
 * costs ~6x the input in small allocations and is slower than merely reading
 * the files in Python. This parser validates as strictly as RFC 8259 (and
 * jansson, the reference a differential fuzzer compares it with) and writes
 * one 16-byte node per value into a single array. jansson stays the library
 * for documents we build and write.
 *
 * Ownership: a struct ss_json borrows the input bytes; they must outlive it
 * and stay unchanged. Node handles (ss_jv) are indexes into the tape, valid
 * until ss_json_release. Strings are returned as slices into the input when
 * they hold no escapes; otherwise they are unescaped into a caller-provided
 * scratch buffer (valid until that buffer is next used).
 *
 * Duplicate keys: valid JSON; lookups return the first occurrence.
 * Limits: nesting depth 512; input up to 4 GiB - 1 (node offsets are 32-bit).
 * Thread safety: a parsed document may be read from many threads at once.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

enum ss_jtype {
	SS_JNULL = 0,
	SS_JFALSE,
	SS_JTRUE,
	SS_JNUMBER,
	SS_JSTRING,
	SS_JARRAY,
	SS_JOBJECT,
};

/* A node handle; SS_JNONE means "absent" (a lookup that found nothing). */
typedef uint32_t ss_jv;
#define SS_JNONE ((ss_jv)UINT32_MAX)

struct ss_jnode {
	uint32_t type : 3; /* enum ss_jtype */
	uint32_t
		escaped : 1; /* strings: body holds a backslash escape; containers: children not on the tape */
	uint32_t count : 28; /* containers: elements (array) or members (object), saturating */
	uint32_t next;	     /* index of the node after this value's whole subtree */
	uint32_t off;	     /* strings: first byte after the opening quote; others: first byte */
	uint32_t len;	     /* strings: body bytes between the quotes; numbers: text bytes */
};

struct ss_json {
	const char *src;	/* the input, borrowed */
	size_t srclen;		/* its length */
	struct ss_jnode *nodes; /* the tape, owned */
	uint32_t n;		/* nodes used */
	uint32_t cap;		/* nodes allocated */
};

void ss_json_init(struct ss_json *doc);
void ss_json_release(struct ss_json *doc);

/*
 * Parses src[0..len) as exactly one JSON value (surrounding whitespace
 * allowed) into doc, replacing what it held. On error returns SS_EPARSE and
 * fills err with the 1-based line and column of the offending byte and a
 * message ("invalid escape", "trailing garbage", ...); err->file is left to
 * the caller. The tape is reused across calls, so parsing many records with
 * one doc allocates nothing once it has grown.
 */
int ss_json_parse(struct ss_json *doc, const char *src, size_t len, struct ss_error *err);

/*
 * The same validation, but only the root and its direct members go on the
 * tape: values nested deeper are checked, not recorded, and their
 * containers have no children on the tape (iteration finds none;
 * ss_json_raw gives their text, to parse fully when needed). The audit
 * scanner reads top-level fields of millions of records this way.
 */
int ss_json_parse_shallow(struct ss_json *doc, const char *src, size_t len, struct ss_error *err);

/* The root value (0) of a parsed document. */
static inline ss_jv ss_json_root(const struct ss_json *doc)
{
	return doc->n ? 0 : SS_JNONE;
}

/* Type of v; SS_JNULL for SS_JNONE too (use ss_json_is_none to tell them apart). */
enum ss_jtype ss_json_type(const struct ss_json *doc, ss_jv v);
static inline bool ss_json_is_none(ss_jv v)
{
	return v == SS_JNONE;
}

/* Member of an object by exact key, or SS_JNONE (also when obj is not an object). */
ss_jv ss_json_get(const struct ss_json *doc, ss_jv obj, const char *key);
/* The same with ASCII case-insensitive keys (PowerShell writes PascalCase, Graph camelCase). */
ss_jv ss_json_geti(const struct ss_json *doc, ss_jv obj, const char *key);
/* ss_json_geti with a key of n bytes that need not be NUL-terminated (a segment of a path). */
ss_jv ss_json_getin(const struct ss_json *doc, ss_jv obj, const char *key, size_t n);

/* Number of elements of an array / members of an object; 0 for anything else. */
size_t ss_json_len(const struct ss_json *doc, ss_jv v);

/*
 * Iteration. For arrays: first element, then ss_json_next. For objects:
 * ss_json_first returns the first KEY node; its value is key + 1 (use
 * ss_json_member_value), and ss_json_next(value) gives the next key.
 * Returns SS_JNONE at the end. The parent is needed to know where it ends.
 */
ss_jv ss_json_first(const struct ss_json *doc, ss_jv container);
ss_jv ss_json_next(const struct ss_json *doc, ss_jv container, ss_jv cur);
static inline ss_jv ss_json_member_value(ss_jv key)
{
	return key + 1;
}

/*
 * The string value of v (a string node): a slice into the input when it has
 * no escapes, otherwise unescaped into scratch (cleared first). Returns an
 * empty slice {NULL, 0} for non-strings; *ok (may be NULL) says whether v
 * was a string.
 */
struct ss_slice ss_json_str(const struct ss_json *doc, ss_jv v, struct ss_buf *scratch, bool *ok);

/* True when v is a string equal to s (exactly / ASCII case-insensitively), escapes decoded. */
bool ss_json_str_eq(const struct ss_json *doc, ss_jv v, const char *s);
bool ss_json_str_eqi(const struct ss_json *doc, ss_jv v, const char *s);

/* The number value of v as a double; false when v is not a number. */
bool ss_json_num(const struct ss_json *doc, ss_jv v, double *out);
/* The number value as an integer; false when not a number or not integral / out of range. */
bool ss_json_int(const struct ss_json *doc, ss_jv v, int64_t *out);

/* 1-based line and column of where value v starts in the input (for messages). O(offset). */
void ss_json_position(const struct ss_json *doc, ss_jv v, long *line, long *column);

/* The raw source text of v (the whole value, quotes included for strings). */
struct ss_slice ss_json_raw(const struct ss_json *doc, ss_jv v);

#endif
