/* test_base.c - timestamps, escaping, UTF-8 / UTF-16 handling, buffers with a ceiling. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"
#include "base/time.h"

static ss_time_ms parse(const char *s)
{
	ss_time_ms t = -1;
	assert_int_equal(ss_time_parse(s, strlen(s), &t), 0);
	return t;
}

static void test_time_shapes(void **state)
{
	char buf[32];

	(void)state;
	assert_true(parse("1970-01-01T00:00:00Z") == 0);
	assert_true(parse("2020-02-10T15:13:13") == 1581347593000);
	assert_true(parse("2020-02-10T15:13:13.1234567Z") == 1581347593123);
	assert_true(parse("2020-02-10T16:13:13+01:00") == 1581347593000);
	assert_true(parse("2020-02-10 15:13") == 1581347580000);
	assert_true(parse("2020-02-10") == 1581292800000);
	assert_true(parse("/Date(1581347593000)/") == 1581347593000);
	assert_true(parse("/Date(1581347593000+0100)/") == 1581347593000);
	assert_true(parse("2/10/2020 3:13:13 PM") == 1581347593000);
	assert_true(parse("2/10/2020 12:00:00 AM") == 1581292800000);
	assert_true(parse("2024-02-29T00:00:00Z") > 0);
	ss_time_format(1581347593123, buf);
	assert_string_equal(buf, "2020-02-10T15:13:13Z");
	ss_time_format(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

static void test_time_rejects(void **state)
{
	static const char *const bad[] = {"",
					  "2020",
					  "2020-13-01",
					  "2023-02-29",
					  "2020-02-10T25:00",
					  "2020-02-10T10:00:00Zjunk",
					  "/Date(abc)/",
					  "13/45/2020",
					  "2020-02-10T10:00:00."};
	ss_time_ms t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ss_time_parse(bad[i], strlen(bad[i]), &t), SS_EPARSE);
}

static void test_escaping(void **state)
{
	struct ss_buf b;
	const char *evil = "a\x1b]0;pwned\x07\xff<b>";

	(void)state;
	ss_buf_init(&b, 1024);
	assert_int_equal(ss_text_terminal(&b, evil, strlen(evil)), 0);
	assert_string_equal(b.ptr, "a\\x1b]0;pwned\\x07\\xff<b>");
	ss_buf_clear(&b);
	ss_text_csv(&b, "=HYPERLINK(\"x\")", 15);
	assert_string_equal(b.ptr, "\"'=HYPERLINK(\"\"x\"\")\"");
	ss_buf_clear(&b);
	ss_text_html(&b, "<script>\"'&", 11);
	assert_string_equal(b.ptr, "&lt;script&gt;&quot;&#39;&amp;");
	ss_buf_release(&b);
}

static void test_utf(void **state)
{
	struct ss_buf b;
	static const unsigned char le[] = {'h', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde}; /* "hé😀" */
	static const unsigned char lone[] = {0x00, 0xd8, 'a', 0};

	(void)state;
	assert_true(ss_utf8_valid((const unsigned char *)"h\xc3\xa9", 3));
	assert_false(ss_utf8_valid((const unsigned char *)"\xc0\xaf", 2));     /* overlong */
	assert_false(ss_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3)); /* surrogate */
	assert_false(ss_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4));
	ss_buf_init(&b, 64);
	assert_int_equal(ss_utf16le_to_utf8(&b, le, sizeof(le)), 0);
	assert_string_equal(b.ptr, "h\xc3\xa9\xf0\x9f\x98\x80");
	ss_buf_clear(&b);
	assert_int_equal(ss_utf16le_to_utf8(&b, lone, sizeof(lone)), SS_EPARSE);
	ss_buf_release(&b);
}

static void test_buf_ceiling(void **state)
{
	struct ss_buf b;

	(void)state;
	ss_buf_init(&b, 8);
	assert_int_equal(ss_buf_adds(&b, "12345678"), 0);
	assert_int_equal(ss_buf_addc(&b, '9'), SS_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_int_equal(ss_buf_printf(&b, "%d", 1), SS_ETOOBIG);
	ss_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_shapes), cmocka_unit_test(test_time_rejects),
		cmocka_unit_test(test_escaping),    cmocka_unit_test(test_utf),
		cmocka_unit_test(test_buf_ceiling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
