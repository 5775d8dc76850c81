/* test_form.c - the dashboard's form decoding (escapes, '+', empty and bare fields, refusals) and its cookie. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "server/form.h"

static int parse(struct ss_form *f, const char *body)
{
	struct ss_error err;

	ss_error_clear(&err);
	return ss_form_parse(f, body, strlen(body), &err);
}

static void test_decodes(void **state)
{
	struct ss_form f;

	(void)state;
	assert_int_equal(parse(&f, "state=risk_accepted&comment=MFA+rollout%3A+week+2&assignedTo="
				   "ann%40contoso.com&csrf=0a1b&flag&&x=%C3%A9t%C3%A9"),
			 0);
	assert_int_equal(f.n, 6);
	assert_string_equal(ss_form_get(&f, "state"), "risk_accepted");
	assert_string_equal(ss_form_get(&f, "comment"), "MFA rollout: week 2");
	assert_string_equal(ss_form_get(&f, "assignedTo"), "ann@contoso.com");
	assert_string_equal(ss_form_get(&f, "flag"), "");
	assert_string_equal(ss_form_get(&f, "x"), "\xc3\xa9t\xc3\xa9");
	assert_null(ss_form_get(&f, "missing"));
	ss_form_release(&f);
	assert_int_equal(parse(&f, ""), 0);
	assert_int_equal(f.n, 0);
	ss_form_release(&f);
}

static void test_refuses(void **state)
{
	struct ss_form f;
	char many[512] = "";
	int i;

	(void)state;
	assert_int_equal(parse(&f, "a=%zz"), SS_EINVAL);
	assert_int_equal(parse(&f, "a=%4"), SS_EINVAL);
	assert_int_equal(parse(&f, "a=%"), SS_EINVAL);
	assert_int_equal(parse(&f, "a=%00"), SS_EINVAL);
	assert_int_equal(parse(&f, "a=%C3%28"), SS_EINVAL);
	assert_int_equal(parse(&f, "csrf=good&csrf=evil"), SS_EINVAL);
	for (i = 0; i <= SS_FORM_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "f%d=1&", i);
	assert_int_equal(parse(&f, many), SS_EINVAL);
}

static void test_cookie(void **state)
{
	char out[16];

	(void)state;
	assert_true(ss_form_cookie("s=ss_s_Ab-9", "s", out, sizeof(out)));
	assert_string_equal(out, "ss_s_Ab-9");
	assert_true(ss_form_cookie("theme=dark; s=abc; other=1", "s", out, sizeof(out)));
	assert_string_equal(out, "abc");
	assert_true(ss_form_cookie(";;  s=x", "s", out, sizeof(out)));
	assert_string_equal(out, "x");
	/* the first of two counts; a longer name with the same start is another cookie */
	assert_true(ss_form_cookie("ss=no; s=first; s=second", "s", out, sizeof(out)));
	assert_string_equal(out, "first");
	/* absent, empty, too long for out, or not of the shape of our ids */
	assert_false(ss_form_cookie(NULL, "s", out, sizeof(out)));
	assert_false(ss_form_cookie("", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("t=1", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s=", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s=0123456789abcdef", "s", out, sizeof(out)));
	assert_true(ss_form_cookie("s=0123456789abcde", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s=\"quoted\"", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s=a b", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s=a%20b", "s", out, sizeof(out)));
	assert_false(ss_form_cookie("s=<script>", "s", out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_cookie),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
