/* report_html.h - the report as one self-contained HTML page: inline CSS, SVG charts drawn here, no requests. */
#ifndef SS_REPORT_HTML_H
#define SS_REPORT_HTML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/*
 * Appends the report document (report.h) to out as a complete HTML page:
 * the score donut (achieved, planned and available points), the trend over
 * the history, points by category and service, the next actions and the
 * target plan, the controls table, the findings with their evidence and the
 * audit coverage with its gaps. The page loads nothing: styles are inline,
 * charts are inline SVG, and a Content-Security-Policy allows no source but
 * the one inline script (table sorting, by its hash), which the page does
 * not need to be complete or to print. Every string from the document is
 * terminal-cleaned (ss_report_clean) and HTML-escaped (ss_text_html).
 * Returns 0 or SS_ETOOBIG when out reaches its ceiling.
 */
int ss_report_html(json_t *doc, struct ss_buf *out);

/*
 * What the dashboard of `secscore serve` adds to the same page
 * (docs/server.md): links to each control's page, forms that acknowledge
 * findings, the store's tenants, who is signed in, a notice, and the failed
 * scheduled runs of the tenant shown. All borrowed.
 */
struct ss_html_live {
	const char *tenant; /* azureTenantId of the tenant shown: links and forms carry it */
	const char *csrf;   /* the session's form token, put in every form */
	const char *user;   /* the signed-in token's name, NULL: nobody (login page) */
	bool admin;	    /* the token may change states and acknowledge findings */
	json_t *tenants;    /* [{azureTenantId, name, displayName, percentage ...}] or NULL */
	json_t *runs;	    /* [{tenant, status, step, message, startedDateTime}] or NULL */
	const char *notice; /* one line shown at the top (e.g. "Saved."), or NULL */
};

/* The report page with live's additions (live NULL: exactly ss_report_html). */
int ss_report_html_live(json_t *doc, const struct ss_html_live *live, struct ss_buf *out);

/*
 * Another page in the same dress: ss_report_html_begin writes the doctype,
 * policy, styles, header (eyebrow, h1 title, live's navigation) and opens
 * main; the caller appends the body; ss_report_html_end closes main and
 * writes the footer and the page's one script.
 */
int ss_report_html_begin(struct ss_buf *out, const struct ss_html_live *live, const char *eyebrow,
			 const char *title);
int ss_report_html_end(struct ss_buf *out, const struct ss_html_live *live, const char *generated);

/* s (may be NULL) terminal-cleaned and HTML-escaped, appended to out. */
int ss_report_html_text(struct ss_buf *out, const char *s);

/* s percent-encoded as a URL query value (safe inside an attribute too), appended to out. */
int ss_report_html_url_arg(struct ss_buf *out, const char *s);

/*
 * The page's Content-Security-Policy into out (n bytes): no source at all
 * but inline styles and the page's own script by its hash; live pages may
 * post forms to their own origin (the server adds frame-ancestors to its
 * header: a meta policy cannot carry it). SS_ETOOBIG when n is too small.
 */
int ss_report_html_csp(char *out, size_t n, bool live);

#endif
