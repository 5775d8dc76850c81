/* report.h - the tenant report: one document gathered from the store, rendered as HTML, Markdown, CSV or JSON. */
#ifndef SS_REPORT_H
#define SS_REPORT_H

/*
 * A report is built in two steps. ss_report_build reads everything it shows
 * from the store into one JSON document in Graph's shapes (the `--format
 * json` output):
 *   {"secureScore": latest secureScore with controlScores,
 *    "secureScoreControlProfiles": [secureScoreControlProfile ...],
 *    "findings": [finding ...] (docs/findings.md, newest first),
 *    "coverage": ss_store_audit_stats's document,
 *    "history": [{id, createdDateTime, currentScore, maxScore, percentage ...}] newest first,
 *    "nextActions": [{controlName, title, service, scoreGain, userImpact, implementationStatus}],
 *    "plan": {targetPercentage, targetScore, reachable, reachedScore, totalUserImpact, actions[]},
 *    "generatedDateTime", "vendorInformation"}
 * The renderers (report_html.h, report_md.h, report_csv.h) read only that
 * document, so a report can be re-rendered from saved JSON. Every string in
 * it may come from the tenant or its audit log and is escaped by each
 * renderer for its format (ss_report_clean first removes what would act on a
 * terminal).
 */

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "catalog/catalog.h"
#include "store/store.h"

/* Ceiling of a rendered report (the store's content is bounded; this bounds our output). */
#define SS_REPORT_MAX ((size_t)512 << 20)

/* Target percentage of the plan when the caller gives none. */
#define SS_REPORT_DEFAULT_TARGET 80.0

/*
 * Builds the report document of tenant (a row of st) with the target plan
 * for target_pct (0..100). cat (may be NULL: no control profiles) is the
 * catalog the profiles come from. *out is a new reference. Errors:
 * SS_ENOENT when the tenant has no recorded score, SS_ESTORE when the store
 * refuses, SS_EUSAGE for a target outside 0..100.
 */
int ss_report_build(struct ss_store *st, int64_t tenant, const struct ss_catalog *cat, double target_pct,
		    json_t **out, struct ss_error *err);

/*
 * Writes s (NUL-terminated, may be NULL: nothing) to out with C0/C1 control
 * characters other than TAB and LF, DEL and invalid UTF-8 shown as the text
 * \xNN, so escape sequences from tenant data cannot act on a terminal that
 * shows the report file. The result still needs the format's escaping.
 * Returns 0 or SS_ETOOBIG.
 */
int ss_report_clean(struct ss_buf *out, const char *s);

/* The string at key of o, or "" when absent or not a string; borrowed. */
const char *ss_report_str(json_t *o, const char *key);

/* The number at key of o (integer or real), 0 when absent. */
double ss_report_num(json_t *o, const char *key);

/* 100 * a / b, 0 when b is not positive. */
double ss_report_pct(double a, double b);

/* A status (passed, partial, failed, notScored, notApplicable) for people: "Passed", "Not scored" ... */
const char *ss_report_status_label(const char *status);

/* A state (to_address, planned, risk_accepted ...) for people: "To address", "Risk accepted" ... */
const char *ss_report_state_label(const char *state);

/*
 * The controlScores of score in reading order: those missing points first
 * (most points missing first), then passed, not scored and not applicable
 * controls. Returns a new array holding references to score's objects.
 */
json_t *ss_report_controls_sorted(json_t *score);

/*
 * The findings of a report document, most severe first, then newest first
 * (the store's order). Returns a new array holding references to doc's.
 */
json_t *ss_report_findings_sorted(json_t *doc);

/* Formats an ISO date-time such as 2026-11-01T12:00:00Z as "2026-11-01 12:00 UTC" into out. */
void ss_report_when(const char *iso, char out[static 32]);

#endif
