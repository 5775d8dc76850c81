/* test_csv.c - the RFC 4180 row reader: quoting, line endings, line numbers, malformed rows, chunking. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/error.h"

/* Asserts that the current row holds exactly the n fields given. */
static void row_is(const struct ss_csv *c, size_t n, ...)
{
	va_list ap;
	size_t i;

	assert_int_equal(c->n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);
		assert_int_equal(c->fields[i].len, strlen(want));
		assert_memory_equal(c->fields[i].ptr, want, strlen(want));
	}
	va_end(ap);
}

/* True when the slice points into s[0..len). */
static bool inside(struct ss_slice f, const char *s, size_t len)
{
	return f.ptr >= s && f.ptr + f.len <= s + len;
}

static int next(struct ss_csv *c, struct ss_error *err)
{
	ss_error_clear(err);
	return ss_csv_next(c, err);
}

static void test_simple(void **state)
{
	static const char in[] = "a,b,c\n1,22,333\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "a", "b", "c");
	assert_int_equal(c.row_line, 1);
	assert_true(inside(c.fields[0], in, strlen(in)));
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "1", "22", "333");
	assert_int_equal(c.row_line, 2);
	assert_int_equal(next(&c, &err), 0);
	assert_int_equal(c.line, 3);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);
}

static void test_empty(void **state)
{
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, "", 0, 1);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);
	ss_csv_init(&c, NULL, 0, 1);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);
	/* A blank line is a row with one empty field; nothing follows the last LF. */
	ss_csv_init(&c, "\n\r\n", 3, 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 1, "");
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 1, "");
	assert_int_equal(next(&c, &err), 0);
	assert_int_equal(c.line, 3);
	ss_csv_release(&c);
}

static void test_empty_fields(void **state)
{
	static const char in[] = ",,\na,,b\n\"\",x,\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "", "", "");
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "a", "", "b");
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "", "x", "");
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);
}

static void test_quoted(void **state)
{
	static const char in[] = "\"a,b\",\"line1\r\nline2\",\"x\ny\"\r\nnext,\"\"\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 10);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "a,b", "line1\r\nline2", "x\ny");
	assert_int_equal(c.row_line, 10);
	/* Quoted fields without doubled quotes are slices of the input. */
	assert_true(inside(c.fields[1], in, strlen(in)));
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "next", "");
	assert_int_equal(c.row_line, 13);
	assert_int_equal(next(&c, &err), 0);
	assert_int_equal(c.line, 14);
	ss_csv_release(&c);
}

static void test_doubled_quotes(void **state)
{
	static const char in[] = "\"say \"\"hi\"\"\",plain,\"\"\"\",\"a\"\"\"\"b\",\"\"\"x\n\"\"\"\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 5, "say \"hi\"", "plain", "\"", "a\"\"b", "\"x\n\"");
	/* Every slice of the row is valid at once: unescaped ones live in scratch. */
	assert_false(inside(c.fields[0], in, strlen(in)));
	assert_true(inside(c.fields[1], in, strlen(in)));
	assert_true(inside(c.fields[0], c.scratch.ptr, c.scratch.len));
	assert_true(inside(c.fields[4], c.scratch.ptr, c.scratch.len));
	assert_int_equal(next(&c, &err), 0);
	assert_int_equal(c.line, 3);
	ss_csv_release(&c);
}

static void test_line_endings(void **state)
{
	static const char crlf[] = "a,b\r\nc,\"d\"\r\ne\r";
	static const char lastrow[] = "h1,h2\nv1,v2";
	static const char cr_inside[] = "a\rb,c\r\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, crlf, strlen(crlf), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "a", "b");
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "c", "d");
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 1, "e");
	assert_int_equal(c.row_line, 3);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);

	ss_csv_init(&c, lastrow, strlen(lastrow), 1);
	assert_int_equal(next(&c, &err), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "v1", "v2");
	assert_int_equal(c.row_line, 2);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);

	/* Only the CR of a CRLF is dropped. */
	ss_csv_init(&c, cr_inside, strlen(cr_inside), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "a\rb", "c");
	ss_csv_release(&c);
}

static void test_malformed(void **state)
{
	static const char in[] = "ok,1\n"
				 "ab\"c\"d,2\n"
				 "x,\"q\"z,3\n"
				 "\"multi\nline\" ,4\n"
				 "after,5\n"
				 "y,\"open\nnever closed,6\n"
				 "z,7\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "ok", "1");

	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.code, SS_EPARSE);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 3);
	assert_string_equal(err.msg, "quote inside an unquoted field");
	assert_int_equal(c.n, 0);
	assert_int_equal(c.line, 3);

	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 6);
	assert_string_equal(err.msg, "text after a closing quote");
	assert_int_equal(c.line, 4);

	/* Reported on the line of the fault, not the line the row started on. */
	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.line, 5);
	assert_int_equal(err.column, 6);
	assert_int_equal(c.line, 6);

	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 2, "after", "5");
	assert_int_equal(c.row_line, 6);

	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.line, 7);
	assert_int_equal(err.column, 3);
	assert_string_equal(err.msg, "unterminated quoted field");
	assert_true(c.p == c.end);
	assert_int_equal(c.line, 10);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);
}

static void test_malformed_continue(void **state)
{
	static const char in[] = "a,b\"\nc,d\"\ng\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.column, 4);
	/* The stray quote on line 1 pairs with the one on line 2: the bad row spans both. */
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 1, "g");
	assert_int_equal(c.row_line, 3);
	ss_csv_release(&c);

	ss_csv_init(&c, "\"a\"\rb\nc\n", 8, 1);
	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.column, 4);
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 1, "c");
	assert_int_equal(c.row_line, 2);
	ss_csv_release(&c);
}

static void test_max_fields(void **state)
{
	static const char in[] = "1,2,3\n1,2,3,4\n5\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	c.max_fields = 3;
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 3, "1", "2", "3");
	assert_int_equal(next(&c, &err), SS_EPARSE);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 7);
	assert_string_equal(err.msg, "more than 3 fields in a row");
	assert_int_equal(next(&c, &err), 1);
	row_is(&c, 1, "5");
	assert_int_equal(c.row_line, 3);
	ss_csv_release(&c);
}

static void test_whole_rows(void **state)
{
	static const char in[] = "a,b\n\"x\ny\",z\nlast";
	size_t len = strlen(in), first_lf = 3, second_lf = 11;
	long lines = -1;
	size_t i;

	(void)state;
	assert_int_equal(ss_csv_whole_rows(in, 0, false, &lines), 0);
	assert_int_equal(lines, 0);
	assert_int_equal(ss_csv_whole_rows(in, 3, false, &lines), 0);
	assert_int_equal(ss_csv_whole_rows(in, 4, false, &lines), 4);
	assert_int_equal(lines, 1);
	/* Cut inside the quoted field, even just past its embedded LF: only the first row is whole. */
	for (i = first_lf + 1; i <= second_lf; i++) {
		assert_int_equal(ss_csv_whole_rows(in, i, false, &lines), first_lf + 1);
		assert_int_equal(lines, 1);
	}
	for (i = second_lf + 1; i <= len; i++) {
		assert_int_equal(ss_csv_whole_rows(in, i, false, &lines), second_lf + 1);
		assert_int_equal(lines, 3);
	}
	assert_int_equal(ss_csv_whole_rows(in, len, true, &lines), len);
	assert_int_equal(lines, 3);
	assert_int_equal(ss_csv_whole_rows(in, len, false, NULL), second_lf + 1);
	/* An unterminated quote is whole only at the end of the input. */
	assert_int_equal(ss_csv_whole_rows("\"a\nb", 4, false, &lines), 0);
	assert_int_equal(lines, 0);
	assert_int_equal(ss_csv_whole_rows("\"a\nb", 4, true, &lines), 4);
	assert_int_equal(lines, 1);
	assert_int_equal(ss_csv_whole_rows("\"a\"\"\n\"\n", 7, false, &lines), 7);
	assert_int_equal(lines, 2);
}

static void test_chunks(void **state)
{
	static const char in[] = "h1,h2\n\"a\nb\",\"c\"\"d\"\nbad\"x\ny\"\nz,w\n";
	size_t len = strlen(in), off = 0;
	long line = 1, lines;
	int rows = 0, errors = 0;

	(void)state;
	/* Feed growing windows as a streaming source would, keeping line numbers across chunks. */
	while (off < len) {
		size_t avail = off + 5 < len ? 5 : len - off, cut;
		struct ss_csv c;
		struct ss_error err;
		int rc;

		while ((cut = ss_csv_whole_rows(in + off, avail, off + avail == len, &lines)) == 0)
			avail++;
		ss_csv_init(&c, in + off, cut, line);
		while ((rc = next(&c, &err)) != 0) {
			if (rc < 0) {
				errors++;
				assert_int_equal(err.line, 4);
				continue;
			}
			rows++;
			if (rows == 2) {
				assert_int_equal(c.row_line, 2);
				row_is(&c, 2, "a\nb", "c\"d");
			}
			if (rows == 3) {
				assert_int_equal(c.row_line, 6);
				row_is(&c, 2, "z", "w");
			}
		}
		assert_int_equal(c.line, line + lines);
		ss_csv_release(&c);
		line += lines;
		off += cut;
	}
	assert_int_equal(rows, 3);
	assert_int_equal(errors, 1);
	assert_int_equal(line, 7);
}

static void test_find(void **state)
{
	static const char in[] = "RecordId,AuditData,userid\n";
	struct ss_csv c;
	struct ss_error err;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), 1);
	assert_int_equal(ss_csv_find(&c, "auditdata"), 1);
	assert_int_equal(ss_csv_find(&c, "AUDITDATA"), 1);
	assert_int_equal(ss_csv_find(&c, "UserId"), 2);
	assert_int_equal(ss_csv_find(&c, "Audit"), -1);
	assert_int_equal(ss_csv_find(&c, ""), -1);
	ss_csv_release(&c);
}

static void test_purview(void **state)
{
	static const char in[] =
		"RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,"
		"AssociatedAdminUnitsNames\r\n"
		"5f1c0d2e-0000-4000-8000-000000000001,2024-03-01T10:15:00.0000000Z,15,UserLoggedIn,"
		"alice@contoso.example,\"{\"\"Id\"\":\"\"x\"\",\"\"Operation\"\":\"\"UserLoggedIn\"\","
		"\"\"ExtendedProperties\"\":[{\"\"Name\"\":\"\"UserAgent\"\",\"\"Value\"\":\"\"a, "
		"b\"\"}]}\",,\r\n";
	static const char json[] = "{\"Id\":\"x\",\"Operation\":\"UserLoggedIn\","
				   "\"ExtendedProperties\":[{\"Name\":\"UserAgent\",\"Value\":\"a, b\"}]}";
	struct ss_csv c;
	struct ss_error err;
	long col;

	(void)state;
	ss_csv_init(&c, in, strlen(in), 1);
	assert_int_equal(next(&c, &err), 1);
	assert_int_equal(c.n, 8);
	col = ss_csv_find(&c, "AuditData");
	assert_int_equal(col, 5);
	assert_int_equal(ss_csv_find(&c, "AssociatedAdminUnitsNames"), 7);
	assert_int_equal(next(&c, &err), 1);
	assert_int_equal(c.n, 8);
	assert_int_equal(c.fields[col].len, strlen(json));
	assert_memory_equal(c.fields[col].ptr, json, strlen(json));
	row_is(&c, 8, "5f1c0d2e-0000-4000-8000-000000000001", "2024-03-01T10:15:00.0000000Z", "15",
	       "UserLoggedIn", "alice@contoso.example", json, "", "");
	assert_int_equal(c.row_line, 2);
	assert_int_equal(next(&c, &err), 0);
	ss_csv_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),	       cmocka_unit_test(test_empty),
		cmocka_unit_test(test_empty_fields),   cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_doubled_quotes), cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_malformed),      cmocka_unit_test(test_malformed_continue),
		cmocka_unit_test(test_max_fields),     cmocka_unit_test(test_whole_rows),
		cmocka_unit_test(test_chunks),	       cmocka_unit_test(test_find),
		cmocka_unit_test(test_purview),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
