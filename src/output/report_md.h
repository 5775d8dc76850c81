/* report_md.h - the report as Markdown for tickets (GitHub-flavoured tables, every string escaped). */
#ifndef SS_REPORT_MD_H
#define SS_REPORT_MD_H

#include <jansson.h>

#include "base/buf.h"

/*
 * Appends the report document (report.h) as Markdown to out. Strings from
 * the tenant or its audit log are terminal-cleaned, then '|' and Markdown's
 * punctuation are backslash-escaped, &, <, > and " become entities and line
 * breaks become spaces, so no string can end a table cell, start markup or
 * carry HTML. Returns 0 or SS_ETOOBIG.
 */
int ss_report_md(json_t *doc, struct ss_buf *out);

/* Appends s (may be NULL) escaped as described above. */
int ss_report_md_text(struct ss_buf *out, const char *s);

#endif
