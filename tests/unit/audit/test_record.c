/* test_record.c - audit record normalisation, field paths, keys, client IPs, dedup and accumulators. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "audit/acc.h"
#include "audit/dedup.h"
#include "audit/record.h"

static void parse_ok(struct ss_audit_rec *r, const char *text)
{
	struct ss_error err;

	ss_error_clear(&err);
	if (ss_audit_rec_parse(r, text, strlen(text), &err) != 0)
		fail_msg("parse failed: %s (field %s)", err.msg, err.field);
}

static void test_normalise(void **state)
{
	struct ss_audit_rec r;

	(void)state;
	ss_audit_rec_init(&r);
	parse_ok(&r,
		 "{\"CreationTime\":\"2023-07-23T09:17:44\",\"Id\":\"759cbc44-588f-4b59-87eb-bdd005700500\","
		 "\"Operation\":\"UserLoginFailed\",\"RecordType\":15,\"ResultStatus\":\"Success\","
		 "\"UserType\":\"0\",\"Workload\":\"AzureActiveDirectory\",\"ClientIP\":\"[2a09:bac1::1a:9c]:"
		 "443\","
		 "\"UserId\":\"Matt@Contoso.onmicrosoft.com\",\"ErrorNumber\":\"50126\"}");
	assert_true(r.time == 1690103864000);
	assert_true(ss_slice_eq(r.operation, "UserLoginFailed"));
	assert_true(ss_slice_eq(r.workload, "AzureActiveDirectory"));
	assert_int_equal(r.record_type, 15);
	assert_int_equal(r.user_type, 0);
	assert_true(ss_slice_eq(r.user, "matt@contoso.onmicrosoft.com"));
	assert_false(r.service);
	assert_string_equal(r.ip, "2a09:bac1::1a:9c");
	/* ResultStatus says Success, but a failed login is a failure */
	assert_int_equal(r.signin, SS_SIGNIN_FAIL);

	parse_ok(&r,
		 "{\"CreationTime\":\"2023-07-23T09:17:44.1234567Z\",\"Operation\":\"UserLoggedIn\","
		 "\"RecordType\":\"AzureActiveDirectoryStsLogon\",\"UserType\":\"Regular\",\"ErrorNumber\":"
		 "\"50140\","
		 "\"UserId\":\"a@b.example\",\"ClientIP\":\"<null>\",\"ActorIpAddress\":\"10.1.2.3:5000\"}");
	assert_int_equal(r.signin, SS_SIGNIN_OK);
	assert_int_equal(r.record_type, 15);
	assert_string_equal(r.ip, "10.1.2.3");
	assert_true(r.time == 1690103864123);

	parse_ok(&r,
		 "{\"CreationTime\":\"2015-06-29T20:03:19\",\"Operation\":"
		 "\"PasswordLogonInitialAuthUsingPassword\","
		 "\"ResultStatus\":\"failed\",\"UserId\":\"NT AUTHORITY\\\\SYSTEM (w3wp)\",\"UserType\":4}");
	assert_int_equal(r.signin, SS_SIGNIN_FAIL);
	assert_true(r.service);

	/* Sentinel OfficeActivity */
	parse_ok(&r,
		 "{\"TimeGenerated\":\"2021-08-02T13:32:07Z\",\"OfficeId\":\"1b0e9a9e-3d1c-4a5b-9c5e-"
		 "aaaaaaaaaaaa\","
		 "\"Operation\":\"MailItemsAccessed\",\"OfficeWorkload\":\"Exchange\",\"RecordType\":\"50\","
		 "\"UserType\":\"Regular\",\"UserId\":\"P@x.example\",\"Client_IPAddress\":\"1.2.3.4\"}");
	assert_true(r.sentinel);
	assert_true(ss_slice_eq(r.workload, "Exchange"));
	assert_true(ss_slice_eq(r.id, "1b0e9a9e-3d1c-4a5b-9c5e-aaaaaaaaaaaa"));
	assert_string_equal(r.ip, "1.2.3.4");
	assert_int_equal(r.record_type, 50);
	ss_audit_rec_release(&r);
}

static void test_rejects(void **state)
{
	struct ss_audit_rec r;
	struct ss_error err;
	static const char *const bad[] = {"{\"a\":tru}", "[1,2,]",	"\"\\u12G4\"",
					  "01",		 "{\"x\":1}x",	"{a:1}",
					  "\"\t\"",	 "\"\\ud800\"", "{\"CreationTime\":\"yesterday\"}",
					  "[]",		 "{}"};
	size_t i;

	(void)state;
	ss_audit_rec_init(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ss_error_clear(&err);
		assert_true(ss_audit_rec_parse(&r, bad[i], strlen(bad[i]), &err) < 0);
		assert_true(err.msg[0] != '\0');
	}
	ss_error_clear(&err);
	assert_int_equal(ss_audit_rec_parse(&r, "{}", 2, &err), SS_EINVAL);
	assert_string_equal(err.field, "CreationTime");
	ss_audit_rec_release(&r);
}

static void test_fields(void **state)
{
	struct ss_audit_rec r;
	struct ss_slice v;

	(void)state;
	ss_audit_rec_init(&r);
	parse_ok(&r, "{\"CreationTime\":\"2023-05-20T11:07:00\",\"Operation\":\"New-InboxRule\","
		     "\"Parameters\":[{\"Name\":\"ForwardTo\",\"Value\":\"x@evil.example\"},{\"Name\":"
		     "\"Name\",\"Value\":\".\"}],"
		     "\"ModifiedProperties\":[{\"Name\":\"Role.DisplayName\",\"NewValue\":\"Global "
		     "Administrator\","
		     "\"OldValue\":\"\"}],\"ExtendedProperties\":[{\"Name\":\"RequestType\",\"Value\":"
		     "\"OAuth2:Token\"}],"
		     "\"Actor\":[{\"ID\":\"u\",\"Type\":5}],\"Nested\":{\"Deep\":{\"N\":3}}}");
	assert_true(ss_audit_field_text(&r, "Parameters.ForwardTo", 20, &v));
	assert_true(ss_slice_eq(v, "x@evil.example"));
	assert_true(ss_audit_field_text(&r, "parameters.forwardto", 20, &v));
	assert_true(ss_audit_field_text(&r, "ModifiedProperties.Role.DisplayName", 35, &v));
	assert_true(ss_slice_eq(v, "Global Administrator"));
	assert_true(ss_audit_field_text(&r, "ExtendedProperties.RequestType", 30, &v));
	assert_true(ss_slice_eq(v, "OAuth2:Token"));
	assert_true(ss_audit_field_text(&r, "Nested.Deep.N", 13, &v));
	assert_true(ss_slice_eq(v, "3"));
	assert_false(ss_audit_field_text(&r, "Parameters.Missing", 18, &v));
	assert_false(ss_audit_field_text(&r, "Operation.X", 11, &v));
	assert_true(ss_audit_field_text(&r, "Operation", 9, &v));
	assert_true(ss_slice_eq(v, "New-InboxRule"));
	ss_audit_rec_release(&r);

	/* A value that spells a later key is not that key (found by fuzz_audit_record) */
	ss_audit_rec_init(&r);
	parse_ok(&r,
		 "{\"CreationTime\":\"2026-01-01T00:00:00\",\"Id\":\"a\",\"Operation\":\"Parameters\","
		 "\"Parameters\":[{\"Name\":\"ForwardTo\",\"Value\":\"x@yz\"}],\"Ne\\u0073ted\":{\"N\":1}}");
	assert_true(ss_audit_field_text(&r, "Parameters.ForwardTo", 20, &v));
	assert_true(ss_slice_eq(v, "x@yz"));
	assert_true(ss_audit_field_text(&r, "Nested.N", 8, &v)); /* an escaped key */
	assert_true(ss_slice_eq(v, "1"));
	ss_audit_rec_release(&r);
}

static void test_ip(void **state)
{
	char out[48];

	(void)state;
	assert_true(ss_audit_ip(SS_SLICE("1.2.3.4"), out));
	assert_string_equal(out, "1.2.3.4");
	assert_true(ss_audit_ip(SS_SLICE("1.2.3.4:63070"), out));
	assert_string_equal(out, "1.2.3.4");
	assert_true(ss_audit_ip(SS_SLICE("[2a09:bac5::1a:89]:25138"), out));
	assert_string_equal(out, "2a09:bac5::1a:89");
	assert_true(ss_audit_ip(SS_SLICE("2A09:BAC5:0::1a:89"), out));
	assert_string_equal(out, "2a09:bac5::1a:89");
	assert_true(ss_audit_ip(SS_SLICE("::ffff:10.0.0.1"), out));
	assert_string_equal(out, "10.0.0.1");
	assert_false(ss_audit_ip(SS_SLICE("<null>"), out));
	assert_false(ss_audit_ip(SS_SLICE(""), out));
	assert_false(ss_audit_ip(SS_SLICE("[::1"), out));
	assert_false(ss_audit_ip(SS_SLICE("999.1.1.1"), out));
}

static void test_keys(void **state)
{
	unsigned char a[16], b[16], c[16];

	(void)state;
	ss_audit_key(SS_SLICE("759cbc44-588f-4b59-87eb-bdd005700500"), "", 0, a);
	ss_audit_key(SS_SLICE("{759CBC44-588F-4B59-87EB-BDD005700500}"), "", 0, b);
	assert_memory_equal(a, b, 16);
	assert_int_equal(a[0], 0x75);
	assert_int_equal(a[15], 0x00);
	ss_audit_key(SS_SLICE("759cbc44588f4b5987ebbdd005700500"), "", 0, c);
	assert_memory_equal(a, c, 16);
	ss_audit_key(SS_SLICE("not-a-guid"), "", 0, b);
	ss_audit_key(SS_SLICE("not-a-guie"), "", 0, c);
	assert_memory_not_equal(b, c, 16);
	/* no Id: the whole text */
	ss_audit_key(SS_SLICE(""), "{\"a\":1}", 7, b);
	ss_audit_key(SS_SLICE(""), "{\"a\":2}", 7, c);
	assert_memory_not_equal(b, c, 16);
}

static int loaded_days;

static int fake_loader(void *ctx, int32_t day, struct ss_dedup_day *d, struct ss_error *err)
{
	unsigned char k[16];

	(void)ctx;
	(void)err;
	loaded_days++;
	memset(k, 0, sizeof(k));
	k[0] = 0xAA;
	k[1] = (unsigned char)day;
	ss_dedup_day_add_old(d, k);
	return 0;
}

static int drained;

static int count_drain(void *ctx, int32_t day, const unsigned char *keys, size_t n)
{
	size_t i;

	(void)ctx;
	(void)day;
	for (i = 1; i < n; i++)
		assert_true(memcmp(keys + (i - 1) * 16, keys + i * 16, 16) < 0);
	drained += (int)n;
	return 0;
}

static void test_dedup(void **state)
{
	struct ss_dedup *d = ss_dedup_new(fake_loader, NULL);
	unsigned char(*keys)[16] = calloc(20000, 16);
	int32_t *days = calloc(20000, sizeof(int32_t));
	uint8_t *v = calloc(20000, 1);
	size_t i, news = 0, dups = 0, olds = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t x = (uint32_t)(i % 15000) * 2654435761u + 1;
		days[i] = (int32_t)(i % 15000 % 7);
		memcpy(keys[i], &x, 4);
		keys[i][15] = 1;
	}
	keys[19999][0] = 0xAA; /* what the loader says earlier runs stored */
	memset(keys[19999] + 1, 0, 15);
	keys[19999][1] = (unsigned char)days[19999];
	assert_int_equal(ss_dedup_check(d, 20000, days, (const unsigned char(*)[16])keys, v, NULL), 0);
	for (i = 0; i < 20000; i++) {
		news += v[i] == SS_DEDUP_NEW;
		dups += v[i] == SS_DEDUP_DUP;
		olds += v[i] == SS_DEDUP_OLD;
	}
	assert_int_equal(olds, 1);
	assert_int_equal(news, 15000);
	assert_int_equal(dups, 4999);
	assert_int_equal(loaded_days, 7);
	assert_int_equal(ss_dedup_drain(d, count_drain, NULL), 0);
	assert_int_equal(drained, 15000);
	/* memory per key stays small */
	assert_true(ss_dedup_bytes(d) / ss_dedup_count(d) < 64);
	ss_dedup_trim(d, 0);
	assert_int_equal(ss_dedup_count(d), 0);
	/* dropped days are reloaded; keys of this run then count as already ingested */
	assert_int_equal(ss_dedup_check(d, 1, days, (const unsigned char(*)[16])keys, v, NULL), 0);
	assert_int_equal(loaded_days, 8);
	ss_dedup_free(d);
	free(keys);
	free(days);
	free(v);
}

static void test_acc_merge(void **state)
{
	struct ss_acc a, b, m1, m2;
	struct ss_audit_rec r;
	static const char *const recs[] = {
		"{\"CreationTime\":\"2026-11-01T10:00:00\",\"Operation\":\"UserLoggedIn\",\"Workload\":"
		"\"AzureActiveDirectory\",\"UserId\":\"A@x.example\",\"ErrorNumber\":\"0\"}",
		"{\"CreationTime\":\"2026-11-02T10:00:00\",\"Operation\":\"UserLoginFailed\",\"Workload\":"
		"\"AzureActiveDirectory\",\"UserId\":\"a@x.example\"}",
		"{\"CreationTime\":\"2026-11-03T10:00:00\",\"Operation\":\"FileDownloaded\",\"Workload\":"
		"\"SharePoint\",\"UserId\":\"b@x.example\"}",
	};
	size_t i;

	(void)state;
	ss_audit_rec_init(&r);
	ss_acc_init(&a);
	ss_acc_init(&b);
	ss_acc_init(&m1);
	ss_acc_init(&m2);
	for (i = 0; i < 3; i++) {
		parse_ok(&r, recs[i]);
		ss_acc_record(i == 1 ? &b : &a, 0, &r);
	}
	ss_acc_reject(&b, 0, 7, 3, "bad");
	ss_acc_merge(&m1, &a);
	ss_acc_merge(&m1, &b);
	ss_acc_merge(&m2, &b);
	ss_acc_merge(&m2, &a);
	assert_int_equal(m1.records, 3);
	assert_int_equal(m1.rejected, 1);
	assert_int_equal(m1.nusers, 2);
	assert_int_equal(m2.nusers, 2);
	assert_int_equal(m1.nvol, 3);
	assert_int_equal(m1.inputs[0].rejected, 1);
	for (i = 0; i < m1.nusers; i++) {
		if (strcmp(m1.users[i].upn, "a@x.example") == 0) {
			assert_int_equal(m1.users[i].signins_ok, 1);
			assert_int_equal(m1.users[i].signins_fail, 1);
			assert_true(m1.users[i].last_fail > m1.users[i].last_ok);
		}
	}
	assert_true(m1.first == m2.first && m1.last == m2.last);
	ss_acc_release(&a);
	ss_acc_release(&b);
	ss_acc_release(&m1);
	ss_acc_release(&m2);
	ss_audit_rec_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise), cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_fields),	  cmocka_unit_test(test_ip),
		cmocka_unit_test(test_keys),	  cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_acc_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
