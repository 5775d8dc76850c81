/* report_csv.c - the report's controls and findings as CSV. */
#include "output/report_csv.h"

#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "output/report.h"

/* One cell: terminal-clean, then CSV-quoted and neutralised; a comma before all but the first. */
static int cell(struct ss_buf *out, struct ss_buf *tmp, const char *s, int first)
{
	int rc = 0;

	ss_buf_clear(tmp);
	if (!first)
		rc = ss_buf_addc(out, ',');
	if (!rc)
		rc = ss_report_clean(tmp, s);
	if (!rc)
		rc = ss_text_csv(out, tmp->ptr ? tmp->ptr : "", tmp->len);
	return rc;
}

static int num_cell(struct ss_buf *out, struct ss_buf *tmp, double v)
{
	char b[64];

	snprintf(b, sizeof(b), "%.2f", v);
	return cell(out, tmp, b, 0);
}

/* The strings of array a joined with "; " (a cell's worth; owned by tmp2). */
static const char *joined(struct ss_buf *tmp2, json_t *a)
{
	json_t *v;
	size_t i;

	ss_buf_clear(tmp2);
	json_array_foreach (a, i, v) {
		if (i)
			ss_buf_adds(tmp2, "; ");
		ss_buf_adds(tmp2, json_is_string(v) ? json_string_value(v) : "");
	}
	return ss_buf_cstr(tmp2);
}

static int row_end(struct ss_buf *out)
{
	return ss_buf_adds(out, "\r\n");
}

static int header(struct ss_buf *out, struct ss_buf *tmp, const char *const *names, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++)
		rc = cell(out, tmp, names[i], i == 0);
	return rc ? rc : row_end(out);
}

int ss_report_csv_controls(json_t *doc, struct ss_buf *out)
{
	static const char *const cols[] = {"controlName",
					   "title",
					   "controlCategory",
					   "service",
					   "status",
					   "state",
					   "score",
					   "maxScore",
					   "scoreInPercentage",
					   "count",
					   "total",
					   "userImpact",
					   "implementationCost",
					   "implementationStatus",
					   "offenders",
					   "remediation"};
	json_t *score = json_object_get(doc, "secureScore"), *c;
	struct ss_buf tmp, tmp2;
	size_t i;
	int rc;

	ss_buf_init(&tmp, SS_REPORT_MAX);
	ss_buf_init(&tmp2, SS_REPORT_MAX);
	rc = header(out, &tmp, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach (json_object_get(score, "controlScores"), i, c) {
		if (rc)
			break;
		rc = cell(out, &tmp, ss_report_str(c, "controlName"), 1);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "title"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "controlCategory"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "service"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "status"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "state"), 0);
		rc = rc ? rc : num_cell(out, &tmp, ss_report_num(c, "score"));
		rc = rc ? rc : num_cell(out, &tmp, ss_report_num(c, "maxScore"));
		rc = rc ? rc : num_cell(out, &tmp, ss_report_num(c, "scoreInPercentage"));
		rc = rc ? rc : num_cell(out, &tmp, ss_report_num(c, "count"));
		rc = rc ? rc : num_cell(out, &tmp, ss_report_num(c, "total"));
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "userImpact"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "implementationCost"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "implementationStatus"), 0);
		rc = rc ? rc : cell(out, &tmp, joined(&tmp2, json_object_get(c, "offenders")), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(c, "remediation"), 0);
		rc = rc ? rc : row_end(out);
	}
	ss_buf_release(&tmp);
	ss_buf_release(&tmp2);
	return rc;
}

int ss_report_csv_findings(json_t *doc, struct ss_buf *out)
{
	static const char *const cols[] = {"id",    "severity", "status", "rule",    "title",	"user",
					   "first", "last",	"count",  "summary", "evidence"};
	json_t *f;
	struct ss_buf tmp, tmp2;
	size_t i;
	int rc;

	ss_buf_init(&tmp, SS_REPORT_MAX);
	ss_buf_init(&tmp2, SS_REPORT_MAX);
	rc = header(out, &tmp, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach (json_object_get(doc, "findings"), i, f) {
		char count[32];
		if (rc)
			break;
		snprintf(count, sizeof(count), "%lld",
			 (long long)json_integer_value(json_object_get(f, "count")));
		rc = cell(out, &tmp, ss_report_str(f, "id"), 1);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "severity"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "status"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "rule"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "title"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "user"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "first"), 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "last"), 0);
		rc = rc ? rc : cell(out, &tmp, count, 0);
		rc = rc ? rc : cell(out, &tmp, ss_report_str(f, "summary"), 0);
		rc = rc ? rc : cell(out, &tmp, joined(&tmp2, json_object_get(f, "evidence")), 0);
		rc = rc ? rc : row_end(out);
	}
	ss_buf_release(&tmp);
	ss_buf_release(&tmp2);
	return rc;
}
