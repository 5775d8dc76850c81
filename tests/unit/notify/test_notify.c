/* test_notify.c - mail text cleaning, subjects, Message-IDs, and the notify config: defaults, fields, secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "notify/mail.h"
#include "notify/notify.h"
#include "store/finding_store.h"

static void test_clean(void **state)
{
	static const char in[] = "a\r\nb\tc\x7f"
				 "d\xc2\x85"
				 "e\xe2\x80\xa8"
				 "f\xe2\x80\xae"
				 "g\xff"
				 "h\xc3\xa9";
	struct ss_buf b;

	(void)state;
	ss_buf_init(&b, 1024);
	assert_int_equal(ss_mail_clean(&b, in, sizeof(in) - 1, 1000), 0);
	assert_string_equal(ss_buf_cstr(&b), "a  b c d e f?g?h\xc3\xa9");
	/* a cut never splits a character */
	ss_buf_clear(&b);
	assert_int_equal(ss_mail_clean(&b, "ab\xc3\xa9", 4, 3), 0);
	assert_string_equal(ss_buf_cstr(&b), "ab");
	ss_buf_release(&b);
}

static void test_subject_and_id(void **state)
{
	struct ss_buf b;

	(void)state;
	ss_buf_init(&b, 4096);
	assert_int_equal(ss_mail_subject(&b, "high", "x\r\nBcc: evil@x"), 0);
	assert_string_equal(ss_buf_cstr(&b), "Subject: [secscore] HIGH: x  Bcc: evil@x");
	ss_buf_clear(&b);
	assert_int_equal(ss_mail_subject(&b, "low", "\xc3\xa9t\xc3\xa9"), 0);
	assert_string_equal(ss_buf_cstr(&b), "Subject: [secscore] LOW: =?UTF-8?B?w6l0w6k=?=");
	ss_buf_clear(&b);
	assert_int_equal(ss_mail_message_id(&b, "ab<c>\r\n12", "alerts@Contoso.example>"), 0);
	assert_string_equal(ss_buf_cstr(&b), "<secscore.abc12@Contoso.example>");
	ss_buf_clear(&b);
	assert_int_equal(ss_mail_message_id(&b, "f1", "nodomain"), 0);
	assert_string_equal(ss_buf_cstr(&b), "<secscore.f1@secscore.invalid>");
	ss_buf_release(&b);
	assert_true(ss_mail_address_ok("soc@contoso.example"));
	assert_false(ss_mail_address_ok("soc@contoso.example>\r\nBcc: x@y"));
	assert_false(ss_mail_address_ok("a b@c"));
	assert_false(ss_mail_address_ok("@c"));
	assert_false(ss_mail_address_ok("a@"));
}

static int parse(const char *text, struct ss_notify_config *cfg, struct ss_error *err)
{
	json_t *doc = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(doc);
	ss_error_clear(err);
	rc = ss_notify_config_parse(doc, cfg, err);
	json_decref(doc);
	return rc;
}

static void test_config(void **state)
{
	struct ss_notify_config cfg;
	struct ss_error err;

	(void)state;
	setenv("SS_UNIT_PW", "hunter2-secret", 1);
	setenv("SS_UNIT_USER", "u", 1);
	assert_int_equal(
		parse("{\"notify\": {\"webhook\": {\"url\": \"https://h/x\", \"headers\": {\"X-A\": \"1\"}},"
		      " \"smtp\": {\"url\": \"smtp://h:25\", \"from\": \"a@b.c\", \"to\": [\"d@e.f\"],"
		      " \"username_env\": \"SS_UNIT_USER\", \"password_env\": \"SS_UNIT_PW\"},"
		      " \"syslog\": {\"facility\": \"local3\"}}}",
		      &cfg, &err),
		0);
	assert_int_equal(cfg.min_rank, ss_severity_rank("high"));
	assert_int_equal(cfg.webhook.retry.retries, 5);
	assert_int_equal(cfg.webhook.retry.timeout, 10);
	assert_int_equal(cfg.webhook.n_headers, 1);
	assert_string_equal(cfg.webhook.headers[0], "X-A: 1");
	assert_int_equal(cfg.smtp.starttls, SS_STARTTLS_REQUIRED);
	assert_string_equal(cfg.smtp.password, "hunter2-secret");
	assert_string_equal(cfg.syslog.ident, "secscore");
	assert_null(cfg.syslog.socket);
	ss_notify_config_release(&cfg);

	assert_int_equal(parse("{\"notify\": {\"webhook\": {\"url\": \"ftp://h/\"}}}", &cfg, &err),
			 SS_EINVAL);
	assert_string_equal(err.field, "notify.webhook.url");
	assert_int_equal(
		parse("{\"notify\": {\"webhook\": {\"url\": \"http://h/\", \"retries\": 99}}}", &cfg, &err),
		SS_EINVAL);
	assert_string_equal(err.field, "notify.webhook.retries");
	assert_int_equal(parse("{\"notify\": {\"webhook\": {\"url\": \"http://h/\", \"headers\": {\"X\": "
			       "\"a\\r\\nB: c\"}}}}",
			       &cfg, &err),
			 SS_EINVAL);
	assert_string_equal(err.field, "notify.webhook.headers.X");
	assert_int_equal(parse("{\"notify\": {\"smtp\": {\"url\": \"smtp://h\", \"from\": \"a@b.c\", \"to\": "
			       "[\"d@e.f\"],"
			       " \"username_env\": \"SS_UNIT_USER\", \"password_env\": \"SS_UNIT_NOPE\"}}}",
			       &cfg, &err),
			 SS_EINVAL);
	assert_string_equal(err.field, "notify.smtp.password_env");
	assert_null(strstr(err.msg, "hunter2"));
	assert_int_equal(parse("{\"notify\": {\"syslog\": {\"facility\": \"local9\"}}}", &cfg, &err),
			 SS_EINVAL);
	assert_string_equal(err.field, "notify.syslog.facility");
	assert_int_equal(parse("{\"other\": 1}", &cfg, &err), SS_ENOENT);
	unsetenv("SS_UNIT_PW");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_subject_and_id),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
