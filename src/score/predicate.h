/* predicate.h - the catalog's condition language, compiled once and evaluated on snapshot items. */
#ifndef SS_PREDICATE_H
#define SS_PREDICATE_H

/*
 * A predicate is JSON in a control's parameters, e.g.
 *   {"path": "AuditEnabled", "eq": true}
 *   {"all": [{"path": "state", "eq": "enabled"},
 *            {"path": "grantControls.builtInControls", "contains": "block"}]}
 * Leaf operators: eq, ne, in, contains, anyStartsWith, gt, ge, lt, le,
 * exists, empty, olderThanDays. Combinators: all, any, not. A value written
 * "$name" is the control parameter `name`. Paths are dotted member names
 * matched case-insensitively; strings compare case-insensitively; the
 * strings "True"/"False" equal the booleans (PowerShell output). The full
 * semantics are in docs/catalog.md.
 */

#include <jansson.h>
#include <stdbool.h>

#include "base/error.h"
#include "base/time.h"
#include "json/json.h"

struct ss_pred;

/*
 * Compiles spec with params for "$name" values. Returns NULL and fills err
 * (field = where) on an unknown operator, a bad operand or an unknown
 * parameter. The result is owned by the caller (ss_pred_free).
 */
struct ss_pred *ss_pred_compile(json_t *spec, json_t *params, const char *where, struct ss_error *err);
void ss_pred_free(struct ss_pred *p);

/*
 * Evaluates p on item of doc. now is the time "olderThanDays" counts from.
 * scratch is reused for unescaping. Thread-compatible (no shared state).
 */
bool ss_pred_eval(const struct ss_pred *p, const struct ss_json *doc, ss_jv item, ss_time_ms now,
		  struct ss_buf *scratch);

/* Follows a dotted path from v (case-insensitive members); SS_JNONE when absent. */
ss_jv ss_json_path(const struct ss_json *doc, ss_jv v, const char *path);

/* Truthiness of a snapshot value: true, "True"/"true", non-zero numbers. */
bool ss_json_truthy(const struct ss_json *doc, ss_jv v);

#endif
