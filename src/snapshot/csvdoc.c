/* csvdoc.c - Export-Csv rows as a JSON array of objects, so CSV exports read like JSON ones. */
#include "snapshot/csvdoc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/csv.h"
#include "base/text.h"

/* Appends s as a JSON string literal; the input is valid UTF-8 (checked up front). */
static int add_json_string(struct ss_buf *out, struct ss_slice s)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	int rc = ss_buf_addc(out, '"');

	for (i = 0; !rc && i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = ss_buf_add(out, s.ptr + run, i - run);
		run = i + 1;
		if (rc)
			break;
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			rc = ss_buf_add(out, esc, 2);
		} else {
			rc = ss_buf_add(out, esc, 6);
		}
	}
	if (!rc)
		rc = ss_buf_add(out, s.ptr + run, s.len - run);
	if (!rc)
		rc = ss_buf_addc(out, '"');
	return rc;
}

/* True for a row that is one empty field (a blank line). */
static bool blank_row(const struct ss_csv *c)
{
	return c->n == 1 && c->fields[0].len == 0;
}

int ss_csvdoc_to_json(const char *data, size_t len, struct ss_buf *out, struct ss_error *err)
{
	struct ss_csv csv;
	struct ss_slice *names = NULL; /* header names, copied (the row slices do not outlive a row) */
	char *header = NULL;	       /* their bytes */
	size_t n_names = 0, i, skip = 0, hlen = 0;
	long first_line = 1;
	bool first_row = true;
	int rc = 0, got;

	if (!ss_utf8_valid((const unsigned char *)data, len)) {
		ss_error_set(err, SS_EPARSE, "not valid UTF-8 (nor UTF-16LE with a byte order mark)");
		return SS_EPARSE;
	}
	/* Windows PowerShell 5.1 writes "#TYPE Namespace.Type" before the header. */
	if (len >= 5 && memcmp(data, "#TYPE", 5) == 0) {
		const char *nl = memchr(data, '\n', len);
		skip = nl ? (size_t)(nl - data) + 1 : len;
		first_line = 2;
	}
	ss_csv_init(&csv, data + skip, len - skip, first_line);
	rc = ss_buf_addc(out, '[');
	while (!rc && (got = ss_csv_next(&csv, err)) != 0) {
		if (got < 0) {
			rc = got;
			break;
		}
		if (blank_row(&csv))
			continue;
		if (!names) {
			size_t off = 0;
			for (i = 0; i < csv.n; i++)
				hlen = ss_add_sz(hlen, csv.fields[i].len + 1);
			header = ss_xmalloc(hlen + 1);
			names = ss_xcalloc(csv.n + 1, sizeof(*names));
			for (i = 0; i < csv.n; i++) {
				size_t k;
				bool dup = false;
				for (k = 0; k < n_names && !dup; k++)
					dup = names[k].len && ss_slice_eqi_slice(names[k], csv.fields[i]);
				memcpy(header + off, csv.fields[i].ptr ? csv.fields[i].ptr : "",
				       csv.fields[i].len);
				/* A repeated or empty name keeps its column position but is never written. */
				names[n_names++] =
					(dup || !csv.fields[i].len)
						? (struct ss_slice){NULL, 0}
						: (struct ss_slice){header + off, csv.fields[i].len};
				off += csv.fields[i].len + 1;
			}
			continue;
		}
		rc = ss_buf_adds(out, first_row ? "{" : ",{");
		first_row = false;
		{
			bool first_cell = true;
			for (i = 0; !rc && i < csv.n && i < n_names; i++) {
				if (!names[i].len)
					continue;
				if (!first_cell)
					rc = ss_buf_addc(out, ',');
				first_cell = false;
				if (!rc)
					rc = add_json_string(out, names[i]);
				if (!rc)
					rc = ss_buf_addc(out, ':');
				if (!rc)
					rc = csv.fields[i].len ? add_json_string(out, csv.fields[i])
							       : ss_buf_adds(out, "null");
			}
		}
		if (!rc)
			rc = ss_buf_addc(out, '}');
	}
	if (!rc)
		rc = ss_buf_addc(out, ']');
	if (rc == SS_ETOOBIG)
		ss_error_set(err, SS_ETOOBIG, "too large once converted to JSON");
	ss_csv_release(&csv);
	free(names);
	free(header);
	return rc;
}
