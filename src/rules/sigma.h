/* sigma.h - a Sigma rule engine over audit records: simple rules, correlations, one mergeable pass. */
#ifndef SS_RULES_SIGMA_H
#define SS_RULES_SIGMA_H

/*
 * The supported subset of Sigma is written down in docs/rules.md. Rules are
 * loaded once (YAML read with libyaml, everything compiled: patterns
 * lower-cased, regular expressions compiled with PCRE2 and match limits,
 * conditions to a small tree, rules indexed by the Operation values they
 * require), then evaluated in one pass:
 *
 *   loader thread:  ss_rules_load / ss_rules_load_builtin -> struct ss_rules (immutable)
 *   each worker:    st = ss_rules_state_new(rules); ss_rules_feed(rules, st, rec) per record
 *   at batch end:   ss_rules_merge(rules, total, st) for each worker's state
 *   after the pass: ss_rules_findings(rules, total)
 *
 * Results do not depend on record order or on how records were split
 * between states: simple rules aggregate per (rule, user) with min/max
 * times, counts and the 50 earliest evidence ids; correlations keep per
 * group the event times (and values for value_count) and evaluate their
 * sliding windows only in ss_rules_findings, after sorting.
 *
 * Ownership: struct ss_rules is owned by the caller of the loader and freed
 * with ss_rules_free; it is read-only after loading, so any number of
 * threads may feed it at once, each with its own state. A state belongs to
 * one thread at a time.
 */

#include <jansson.h>
#include <stddef.h>

#include "audit/record.h"
#include "base/error.h"

struct ss_rules;
struct ss_rules_state;

/*
 * Loads the Sigma rules in paths: files, or directories searched
 * recursively for *.yml and *.yaml (sorted). Correlation rules may refer to
 * rules of any of the files by id or name. Returns 0 and *out (owned), or a
 * negative code with *out NULL and err naming the file, the line and
 * column (libyaml's marks) and the construct: SS_EIO (unreadable),
 * SS_EPARSE (YAML syntax), SS_EINVAL (not m365, unsupported or malformed
 * construct, unknown reference).
 */
int ss_rules_load(struct ss_rules **out, char *const *paths, size_t n, struct ss_error *err);

/* Loads the rules shipped in rules/ and compiled into the binary. Same contract. */
int ss_rules_load_builtin(struct ss_rules **out, struct ss_error *err);

/*
 * Loads rules from memory: data[0..len) is the YAML text of one file (one or
 * more documents), name the file name used in errors. Same contract.
 */
int ss_rules_load_mem(struct ss_rules **out, const char *name, const char *data, size_t len,
		      struct ss_error *err);

void ss_rules_free(struct ss_rules *r);

/* Number of rules loaded (simple and correlation). */
size_t ss_rules_count(const struct ss_rules *r);

/* A fresh, empty evaluation state for r (owned; free with ss_rules_state_free). */
struct ss_rules_state *ss_rules_state_new(const struct ss_rules *r);
void ss_rules_state_free(struct ss_rules_state *st);

/*
 * Evaluates every rule against one accepted record and records the matches
 * in st. rec is only read (its scratch buffers are used for field lookups);
 * nothing of it is kept beyond this call (ids and values are copied).
 */
void ss_rules_feed(const struct ss_rules *r, struct ss_rules_state *st, struct ss_audit_rec *rec);

/* Adds everything src holds to dst (src is unchanged). Order-free: merging in any order gives the same result. */
void ss_rules_merge(const struct ss_rules *r, struct ss_rules_state *dst, const struct ss_rules_state *src);

/*
 * The findings of the pass, a new JSON array (owned by the caller), sorted by
 * rule, first time, group. Each finding: {"id", "rule", "title",
 * "severity", "user" (or null), "first", "last", "count", "summary",
 * "evidence": [record ids, at most 50], "group": {field: value}}. The state
 * stays usable (findings can be asked again).
 */
json_t *ss_rules_findings(const struct ss_rules *r, struct ss_rules_state *st);

#endif
