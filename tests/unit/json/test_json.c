/* test_json.c - the tape parser: what RFC 8259 rejects, positions of errors, lookups, reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "json/json.h"

static int parse(struct ss_json *doc, const char *s, struct ss_error *err)
{
	ss_error_clear(err);
	return ss_json_parse(doc, s, strlen(s), err);
}

static void test_rejects_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"{\"a\":tru}",
		"\xff",
		"[1,2,]",
		"\"\\u12G4\"",
		"01",
		"{}x",
		"{a:1}",
		"\"a\tb\"",
		"\"\\ud800\"",
		"\"\\ud800\\u0041\"",
		"\"\\udc00\"",
		"-",
		"1.",
		".5",
		"1e",
		"1e+",
		"[",
		"[1",
		"{\"a\"}",
		"{\"a\":1,}",
		"\"abc",
		"\"\\x\"",
		"nul",
		"falsey",
		"[1 2]",
		"\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"",
		"+1",
		"[01]",
		"{\"a\":1 \"b\":2}",
		"\x00",
	};
	struct ss_json doc;
	struct ss_error err;
	size_t i;

	(void)state;
	ss_json_init(&doc);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]) + (bad[i][0] == '\0' && i == sizeof(bad) / sizeof(bad[0]) - 1);
		ss_error_clear(&err);
		if (ss_json_parse(&doc, bad[i], len, &err) != SS_EPARSE)
			fail_msg("accepted invalid input #%zu: %s", i, bad[i]);
		assert_true(err.line >= 1 && err.column >= 1);
	}
	ss_json_release(&doc);
}

static void test_error_positions(void **state)
{
	struct ss_json doc;
	struct ss_error err;

	(void)state;
	ss_json_init(&doc);
	assert_int_equal(parse(&doc, "{\n  \"a\": tru\n}", &err), SS_EPARSE);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 8);
	assert_string_equal(err.msg, "invalid literal");
	assert_int_equal(parse(&doc, "[1]\n\n  x", &err), SS_EPARSE);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 3);
	assert_string_equal(err.msg, "trailing garbage");
	assert_int_equal(parse(&doc, "[\"\\ud800\"]", &err), SS_EPARSE);
	assert_string_equal(err.msg, "lone surrogate");
	assert_int_equal(parse(&doc, "[\"a\x01\"]", &err), SS_EPARSE);
	assert_string_equal(err.msg, "control character in string");
	assert_int_equal(parse(&doc, "[\"ab\xff\"]", &err), SS_EPARSE);
	assert_string_equal(err.msg, "invalid utf-8");
	assert_int_equal(err.column, 5);
	ss_json_release(&doc);
}

static void test_accepts_valid(void **state)
{
	static const char *const good[] = {
		"{}",
		"[]",
		"0",
		"-0",
		"1e308",
		"1E+2",
		"-1.5e-3",
		"\"\"",
		"true",
		"false",
		"null",
		" [ ] ",
		"{\"a\":{\"b\":[1,{\"c\":null}]}}",
		"\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
		"\"h\xc3\xa9\xf0\x9f\x98\x80\"",
		"[1,2,3]\r\n",
		"\"\\u0000\"",
	};
	struct ss_json doc;
	struct ss_error err;
	size_t i;

	(void)state;
	ss_json_init(&doc);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (parse(&doc, good[i], &err) != 0)
			fail_msg("rejected valid input #%zu: %s (%s)", i, good[i], err.msg);
	ss_json_release(&doc);
}

static void test_lookups(void **state)
{
	const char *src =
		"{\"Name\":\"Alice\",\"n\":42,\"f\":-1.25,\"big\":123456789012345678901,"
		"\"esc\":\"a\\nb\\u00e9\",\"list\":[1,[2,3],{\"x\":true},\"s\"],\"dup\":1,\"dup\":2,"
		"\"k\\u0065y\":\"v\",\"e\":{},\"t\":true}";
	struct ss_json doc;
	struct ss_error err;
	struct ss_buf scratch;
	struct ss_slice s;
	ss_jv root, list, v;
	int64_t i64;
	double d;
	bool ok;
	int count = 0;

	(void)state;
	ss_json_init(&doc);
	ss_buf_init(&scratch, 1024);
	assert_int_equal(parse(&doc, src, &err), 0);
	root = ss_json_root(&doc);
	assert_int_equal(ss_json_type(&doc, root), SS_JOBJECT);
	assert_int_equal(ss_json_len(&doc, root), 11);
	assert_true(ss_json_is_none(ss_json_get(&doc, root, "name")));
	v = ss_json_geti(&doc, root, "name");
	assert_true(ss_json_str_eq(&doc, v, "Alice"));
	assert_true(ss_json_str_eqi(&doc, v, "ALICE"));
	assert_true(ss_json_int(&doc, ss_json_get(&doc, root, "n"), &i64) && i64 == 42);
	assert_false(ss_json_int(&doc, ss_json_get(&doc, root, "f"), &i64));
	assert_true(ss_json_num(&doc, ss_json_get(&doc, root, "f"), &d) && d == -1.25);
	assert_false(ss_json_int(&doc, ss_json_get(&doc, root, "big"), &i64));
	s = ss_json_str(&doc, ss_json_get(&doc, root, "esc"), &scratch, &ok);
	assert_true(ok);
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.ptr, "a\nb\xc3\xa9", 5);
	assert_true(ss_json_str_eq(&doc, ss_json_get(&doc, root, "esc"), "a\nb\xc3\xa9"));
	/* Escaped keys are compared decoded; duplicate keys: the first wins. */
	assert_true(ss_json_str_eq(&doc, ss_json_get(&doc, root, "key"), "v"));
	assert_true(ss_json_int(&doc, ss_json_get(&doc, root, "dup"), &i64) && i64 == 1);
	list = ss_json_get(&doc, root, "list");
	assert_int_equal(ss_json_len(&doc, list), 4);
	for (v = ss_json_first(&doc, list); v != SS_JNONE; v = ss_json_next(&doc, list, v))
		count++;
	assert_int_equal(count, 4);
	v = ss_json_next(&doc, list, ss_json_first(&doc, list));
	assert_int_equal(ss_json_type(&doc, v), SS_JARRAY);
	s = ss_json_raw(&doc, v);
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.ptr, "[2,3]", 5);
	assert_true(ss_json_first(&doc, ss_json_get(&doc, root, "e")) == SS_JNONE);
	assert_int_equal(ss_json_type(&doc, ss_json_get(&doc, root, "t")), SS_JTRUE);
	/* Object iteration: keys, value = key + 1. */
	count = 0;
	for (v = ss_json_first(&doc, root); v != SS_JNONE;
	     v = ss_json_next(&doc, root, ss_json_member_value(v)))
		count++;
	assert_int_equal(count, 11);
	/* Lookups on the wrong types are harmless. */
	assert_true(ss_json_is_none(ss_json_get(&doc, list, "x")));
	assert_int_equal(ss_json_len(&doc, ss_json_get(&doc, root, "n")), 0);
	s = ss_json_str(&doc, ss_json_get(&doc, root, "n"), &scratch, &ok);
	assert_false(ok);
	assert_int_equal(ss_json_type(&doc, SS_JNONE), SS_JNULL);
	ss_buf_release(&scratch);
	ss_json_release(&doc);
}

static void test_reuse_and_depth(void **state)
{
	struct ss_json doc;
	struct ss_error err;
	char *deep = ss_xmalloc(2 * 513 + 1);
	int i;

	(void)state;
	ss_json_init(&doc);
	assert_int_equal(parse(&doc, "[1,2,3,4,5,6,7,8]", &err), 0);
	assert_int_equal(doc.n, 9);
	assert_int_equal(parse(&doc, "{\"a\":1}", &err), 0);
	assert_int_equal(doc.n, 3);
	assert_int_equal(ss_json_len(&doc, 0), 1);
	for (i = 0; i < 512; i++)
		deep[i] = '[';
	for (i = 0; i < 512; i++)
		deep[512 + i] = ']';
	deep[1024] = '\0';
	assert_int_equal(parse(&doc, deep, &err), 0);
	for (i = 0; i < 513; i++)
		deep[i] = '[';
	for (i = 0; i < 513; i++)
		deep[513 + i] = ']';
	deep[1026] = '\0';
	assert_int_equal(parse(&doc, deep, &err), SS_EPARSE);
	assert_string_equal(err.msg, "nesting too deep");
	free(deep);
	ss_json_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejects_invalid), cmocka_unit_test(test_error_positions),
		cmocka_unit_test(test_accepts_valid),	cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_reuse_and_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
