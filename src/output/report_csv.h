/* report_csv.h - the report's controls and findings as CSV (RFC 4180, formula cells neutralised). */
#ifndef SS_REPORT_CSV_H
#define SS_REPORT_CSV_H

#include <jansson.h>

#include "base/buf.h"

/*
 * Appends the controls of a report document (report.h) to out: a header
 * row, then one row per control of its secureScore, CRLF line ends. Every
 * cell, numbers included, goes through ss_report_clean and ss_text_csv, so
 * a cell beginning with =, +, - or @ is prefixed with a quote and cannot
 * run as a spreadsheet formula. Returns 0 or SS_ETOOBIG.
 */
int ss_report_csv_controls(json_t *doc, struct ss_buf *out);

/* The same for the report's findings: one row per finding, evidence ids joined with "; ". */
int ss_report_csv_findings(json_t *doc, struct ss_buf *out);

#endif
