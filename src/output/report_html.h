/* report_html.h - the report as one self-contained HTML page: inline CSS, SVG charts drawn here, no requests. */
#ifndef SS_REPORT_HTML_H
#define SS_REPORT_HTML_H

#include <jansson.h>

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

#endif
