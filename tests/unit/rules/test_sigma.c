/* test_sigma.c - the Sigma engine: modifiers, conditions, correlations, errors, order and split independence. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/sigma.h"

#define HEAD "title: t\nid: r1\nlogsource:\n  product: m365\n  service: audit\nlevel: high\ndetection:\n"

static struct ss_rules *load(const char *yaml)
{
	struct ss_rules *rs = NULL;
	struct ss_error err;

	ss_error_clear(&err);
	if (ss_rules_load_mem(&rs, "t.yml", yaml, strlen(yaml), &err) != 0)
		fail_msg("load failed: %s:%ld: %s", err.file, err.line, err.msg);
	return rs;
}

/* Loading must fail with a message containing want, at line (0 = any). */
static void load_fails(const char *yaml, const char *want, long line)
{
	struct ss_rules *rs = NULL;
	struct ss_error err;

	ss_error_clear(&err);
	if (ss_rules_load_mem(&rs, "bad.yml", yaml, strlen(yaml), &err) == 0)
		fail_msg("loaded, expected an error with '%s'", want);
	assert_null(rs);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not mention '%s'", err.msg, want);
	assert_string_equal(err.file, "bad.yml");
	if (line)
		assert_int_equal(err.line, line);
}

static void feed(const struct ss_rules *rs, struct ss_rules_state *st, const char *rec_json)
{
	struct ss_audit_rec rec;
	struct ss_error err;

	ss_audit_rec_init(&rec);
	ss_error_clear(&err);
	if (ss_audit_rec_parse(&rec, rec_json, strlen(rec_json), &err) != 0)
		fail_msg("record: %s", err.msg);
	ss_rules_feed(rs, st, &rec);
	ss_audit_rec_release(&rec);
}

/* Total count over all findings of one simple rule for one record. */
static long matches(const char *yaml, const char *rec_json)
{
	struct ss_rules *rs = load(yaml);
	struct ss_rules_state *st = ss_rules_state_new(rs);
	json_t *f;
	long n = 0;
	size_t i;
	json_t *e;

	feed(rs, st, rec_json);
	f = ss_rules_findings(rs, st);
	json_array_foreach (f, i, e)
		n += (long)json_integer_value(json_object_get(e, "count"));
	json_decref(f);
	ss_rules_state_free(st);
	ss_rules_free(rs);
	return n;
}

#define REC(extra)                                                                                           \
	"{\"CreationTime\":\"2023-07-23T06:48:19\",\"Id\":\"7d1a3ff8-825a-4ddf-4215-08db8b48cccf\","         \
	"\"Operation\":\"Set-CASMailbox\",\"ResultStatus\":\"True\",\"Workload\":\"Exchange\","              \
	"\"ClientIP\":\"[2a09:bac5:111:105::1a:89]:25138\",\"UserId\":\"Stinger@Contoso.onmicrosoft.com\","  \
	"\"Parameters\":[{\"Name\":\"Identity\",\"Value\":\"Lidia@contoso.onmicrosoft.com\"},"               \
	"{\"Name\":\"ImapEnabled\",\"Value\":\"True\"},{\"Name\":\"ForwardTo\",\"Value\":\"x@evil."          \
	"example\"}],"                                                                                       \
	"\"Empty\":null" extra "}"

static void test_modifiers(void **state)
{
	(void)state;
	/* plain values: case-insensitive, whole value; normalised fields */
	assert_int_equal(matches(HEAD "  s:\n    Operation: set-casmailbox\n  condition: s\n", REC("")), 1);
	assert_int_equal(matches(HEAD "  s:\n    Operation: Set-CAS\n  condition: s\n", REC("")), 0);
	assert_int_equal(
		matches(HEAD "  s:\n    UserId: stinger@contoso.onmicrosoft.com\n  condition: s\n", REC("")),
		1);
	assert_int_equal(matches(HEAD
				 "  s:\n    Workload: exchange\n    ResultStatus: 'true'\n  condition: s\n",
				 REC("")),
			 1);
	/* wildcards and escapes */
	assert_int_equal(matches(HEAD "  s:\n    Operation: 'Set-*Mail?ox'\n  condition: s\n", REC("")), 1);
	assert_int_equal(matches(HEAD "  s:\n    Operation: 'Set-\\*'\n  condition: s\n", REC("")), 0);
	/* contains / startswith / endswith, Name/Value paths */
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.ForwardTo|contains: EVIL\n  condition: s\n", REC("")), 1);
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.ForwardTo|startswith: x@\n  condition: s\n", REC("")), 1);
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.ForwardTo|endswith: .example\n  condition: s\n", REC("")),
		1);
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.ForwardTo|endswith: .com\n  condition: s\n", REC("")), 0);
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters|contains: ImapEnabled\n  condition: s\n", REC("")), 1);
	/* lists: OR; |all: AND */
	assert_int_equal(matches(HEAD "  s:\n    Operation: [a, Set-CASMailbox]\n  condition: s\n", REC("")),
			 1);
	assert_int_equal(matches(HEAD
				 "  s:\n    Parameters.ForwardTo|contains|all: [evil, x@]\n  condition: s\n",
				 REC("")),
			 1);
	assert_int_equal(matches(HEAD
				 "  s:\n    Parameters.ForwardTo|contains|all: [evil, y@]\n  condition: s\n",
				 REC("")),
			 0);
	/* re: case-sensitive unless |i */
	assert_int_equal(matches(HEAD "  s:\n    Operation|re: '^Set-CAS.*x$'\n  condition: s\n", REC("")),
			 1);
	assert_int_equal(matches(HEAD "  s:\n    Operation|re: '^set-cas'\n  condition: s\n", REC("")), 0);
	assert_int_equal(matches(HEAD "  s:\n    Operation|re|i: '^set-cas'\n  condition: s\n", REC("")), 1);
	/* a catastrophic regex hits the match limit: no match, no hang */
	assert_int_equal(matches(HEAD "  s:\n    Parameters.Identity|re: '^(a+)+$'\n  condition: s\n",
				 REC(",\"X\":1")),
			 0);
	/* cidr against the canonical client IP (port and brackets removed) */
	assert_int_equal(matches(HEAD "  s:\n    ClientIP|cidr: '2a09:bac5::/32'\n  condition: s\n", REC("")),
			 1);
	assert_int_equal(
		matches(HEAD "  s:\n    ClientIP|cidr: ['10.0.0.0/8', '2a09:bac6::/32']\n  condition: s\n",
			REC("")),
		0);
	assert_int_equal(
		matches(HEAD "  s:\n    ActorIpAddress|cidr: '2a09:bac5::/32'\n  condition: s\n", REC("")),
		0);
	assert_int_equal(matches(HEAD "  s:\n    ActorIpAddress|cidr: '192.0.2.0/24'\n  condition: s\n",
				 REC(",\"ActorIpAddress\":\"192.0.2.7:5000\"")),
			 1);
	/* exists and null */
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.ImapEnabled|exists: true\n  condition: s\n", REC("")), 1);
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.PopEnabled|exists: true\n  condition: s\n", REC("")), 0);
	assert_int_equal(
		matches(HEAD "  s:\n    Parameters.PopEnabled|exists: false\n  condition: s\n", REC("")), 1);
	assert_int_equal(matches(HEAD "  s:\n    Parameters.PopEnabled: null\n  condition: s\n", REC("")), 1);
	assert_int_equal(matches(HEAD "  s:\n    Empty: null\n  condition: s\n", REC("")), 1);
	assert_int_equal(matches(HEAD "  s:\n    Operation: null\n  condition: s\n", REC("")), 0);
	/* cased, numbers */
	assert_int_equal(matches(HEAD "  s:\n    Operation|cased: set-casmailbox\n  condition: s\n", REC("")),
			 0);
	assert_int_equal(matches(HEAD "  s:\n    N|gte: 5\n  condition: s\n", REC(",\"N\":7")), 1);
	assert_int_equal(matches(HEAD "  s:\n    N|lt: 5\n  condition: s\n", REC(",\"N\":7")), 0);
}

static void test_conditions(void **state)
{
	const char *sels = "  sel_a:\n    Operation: Set-CASMailbox\n  sel_b:\n    Workload: SharePoint\n"
			   "  _x:\n    Workload: Exchange\n  sel_list:\n    - Workload: nope\n    - "
			   "ResultStatus: 'True'\n";
	char y[1024];
	static const struct {
		const char *cond;
		long want;
	} cases[] = {
		{"sel_a and sel_b", 0},
		{"sel_a or sel_b", 1},
		{"sel_a and not sel_b", 1},
		{"not (sel_a or sel_b)", 0},
		{"1 of sel_*", 1},
		{"all of sel_*", 0},
		{"1 of them", 1},
		{"all of them", 0},
		{"sel_list and _x", 1},
		{"all of sel_a sel_list", -1},
		{"sel_a and (sel_b or (sel_list and not sel_b))", 1},
		{"not sel_a or sel_b", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(y, sizeof(y), HEAD "%s  condition: %s\n", sels, cases[i].cond);
		if (cases[i].want < 0) {
			load_fails(y, "condition", 0);
			continue;
		}
		if (matches(y, REC("")) != cases[i].want)
			fail_msg("condition '%s': expected %ld", cases[i].cond, cases[i].want);
	}
	/* "all of them" with every selection true */
	assert_int_equal(matches(HEAD "  a:\n    Workload: exchange\n  b:\n    Operation: set-casmailbox\n"
				      "  condition: all of them\n",
				 REC("")),
			 1);
}

static void test_errors(void **state)
{
	(void)state;
	load_fails(HEAD "  s:\n    Operation|base64: x\n  condition: s\n", "unsupported modifier 'base64'",
		   9);
	load_fails(HEAD "  s:\n    Operation: x\n  condition: s | count() > 5\n", "aggregations", 10);
	load_fails(HEAD "  s:\n    Operation: x\n  t:\n    Operation: y\n  condition: s near t\n", "near", 0);
	load_fails(HEAD "  s:\n    Operation: x\n  condition: s and nope\n", "unknown selection 'nope'", 0);
	load_fails(HEAD "  s:\n    - evil\n    - bad\n  condition: s\n", "keyword", 9);
	load_fails(HEAD "  s:\n    Operation: x\n  timeframe: 5m\n  condition: s\n", "timeframe", 0);
	load_fails("title: t\nid: r1\nlogsource:\n  product: windows\ndetection:\n  s:\n    a: b\n  "
		   "condition: s\n",
		   "product 'windows' is not supported", 4);
	load_fails(HEAD "  s:\n    Operation|re: '(('\n  condition: s\n", "bad regular expression", 9);
	load_fails(HEAD "  s:\n    ClientIP|cidr: 'nonsense'\n  condition: s\n", "not a network", 9);
	load_fails("title: t\nid: r1\nlevel: urgent\nlogsource:\n  product: m365\n", "level 'urgent'", 3);
	load_fails("title: c\nid: c1\ncorrelation:\n  type: event_sum\n  rules: [r1]\n  timespan: 5m\n",
		   "correlation type 'event_sum' is not supported", 4);
	load_fails("title: c\nid: c1\ncorrelation:\n  type: event_count\n  rules: [zz]\n  timespan: 5m\n"
		   "  condition:\n    gte: 2\n",
		   "no rule with id or name 'zz'", 5);
	load_fails(
		"title: c\nid: c1\ncorrelation:\n  type: event_count\n  rules: [r1]\n  timespan: 5 minutes\n"
		"  condition:\n    gte: 2\n",
		"timespan", 6);
	load_fails("title: c\nid: c1\ncorrelation:\n  type: value_count\n  rules: [r1]\n  timespan: 5m\n"
		   "  condition:\n    gte: 2\n",
		   "value_count needs 'field'", 0);
	load_fails("title: c\nid: c1\ncorrelation:\n  type: event_count\n  rules: [r1]\n  timespan: 5m\n"
		   "  aliases:\n    x: y\n  condition:\n    gte: 2\n",
		   "'aliases' is not supported", 7);
	load_fails("title: t\nid: r1\n  bad: [\n", "YAML", 0);
	load_fails("action: global\ntitle: t\n", "rule collections", 1);
	load_fails(HEAD "  s:\n    Operation: x\n  condition: s\nlevel: low\n", "key 'level' given twice",
		   11);
}

#define SIGNIN(t, id, user, ip, op)                                                                          \
	"{\"CreationTime\":\"" t "\",\"Id\":\"" id "\",\"Operation\":\"" op "\",\"RecordType\":15,"          \
	"\"ResultStatus\":\"Success\",\"UserId\":\"" user "\",\"ClientIP\":\"" ip                            \
	"\",\"Workload\":\"AzureActiveDirectory\"}"

static const char corr_rules[] =
	"title: fail\nid: f\nname: failed\nlogsource:\n  product: m365\ndetection:\n  s:\n    Operation: "
	"UserLoginFailed\n  condition: s\nlevel: low\n"
	"---\n"
	"title: ok\nid: o\nname: ok\nlogsource:\n  product: m365\ndetection:\n  s:\n    Operation: "
	"UserLoggedIn\n  condition: s\nlevel: low\n"
	"---\n"
	"title: brute\nid: b\nname: brute\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
	"  group-by: [UserId]\n  timespan: 5m\n  condition:\n    gte: 3\nlevel: medium\n"
	"---\n"
	"title: spray\nid: s\ncorrelation:\n  type: value_count\n  rules: failed\n  group-by: ClientIP\n"
	"  timespan: 10m\n  condition:\n    field: UserId\n    gte: 3\nlevel: high\n"
	"---\n"
	"title: then\nid: t\ncorrelation:\n  type: temporal_ordered\n  rules: [brute, ok]\n  group-by: "
	"[UserId]\n"
	"  timespan: 30m\nlevel: high\n"
	"---\n"
	"title: both\nid: u\ncorrelation:\n  type: temporal\n  rules: [ok, failed]\n  group-by: [UserId]\n"
	"  timespan: 1m\nlevel: low\n";

static const char *const corr_recs[] = {
	/* alice: 3 failures in 2 minutes (one says ResultStatus Success), then a success: brute, then */
	SIGNIN("2024-01-01T10:00:00", "a1", "Alice@x.example", "10.0.0.1:1234", "UserLoginFailed"),
	SIGNIN("2024-01-01T10:01:00", "a2", "alice@x.example", "10.0.0.1", "UserLoginFailed"),
	SIGNIN("2024-01-01T10:02:00", "a3", "ALICE@x.example", "10.0.0.1", "UserLoginFailed"),
	SIGNIN("2024-01-01T10:20:00", "a4", "alice@x.example", "10.0.0.9", "UserLoggedIn"),
	/* bob: 3 failures spread over 20 minutes: no brute force; a success 30 s after a failure: temporal */
	SIGNIN("2024-01-01T10:00:00", "b1", "bob@x.example", "10.0.0.1", "UserLoginFailed"),
	SIGNIN("2024-01-01T10:10:00", "b2", "bob@x.example", "10.0.0.2", "UserLoginFailed"),
	SIGNIN("2024-01-01T10:20:00", "b3", "bob@x.example", "10.0.0.2", "UserLoginFailed"),
	SIGNIN("2024-01-01T10:20:30", "b4", "bob@x.example", "10.0.0.2", "UserLoggedIn"),
	/* carol from 10.0.0.1 too: spray of 3 users within 10 minutes from 10.0.0.1 */
	SIGNIN("2024-01-01T10:03:00", "c1", "carol@x.example", "10.0.0.1", "UserLoginFailed"),
	/* much later, dave and erin from 10.0.0.1: no spray (2 users) */
	SIGNIN("2024-01-02T10:03:00", "d1", "dave@x.example", "10.0.0.1", "UserLoginFailed"),
	SIGNIN("2024-01-02T10:04:00", "e1", "erin@x.example", "10.0.0.1", "UserLoginFailed"),
};

static json_t *by_rule(json_t *fs, const char *rule, size_t nth)
{
	size_t i, k = 0;
	json_t *e;

	json_array_foreach (fs, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "rule")), rule) == 0 && k++ == nth)
			return e;
	}
	return NULL;
}

static void test_correlations(void **state)
{
	struct ss_rules *rs = load(corr_rules);
	struct ss_rules_state *st = ss_rules_state_new(rs);
	json_t *fs, *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(corr_recs) / sizeof(corr_recs[0]); i++)
		feed(rs, st, corr_recs[i]);
	fs = ss_rules_findings(rs, st);
	/* base rules referenced by correlations report nothing of their own */
	assert_null(by_rule(fs, "failed", 0));
	assert_null(by_rule(fs, "ok", 0));
	f = by_rule(fs, "brute", 0);
	assert_non_null(f);
	assert_null(by_rule(fs, "brute", 1));
	assert_string_equal(json_string_value(json_object_get(f, "user")), "alice@x.example");
	assert_int_equal(json_integer_value(json_object_get(f, "count")), 3);
	assert_string_equal(json_string_value(json_object_get(f, "first")), "2024-01-01T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(f, "last")), "2024-01-01T10:02:00Z");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "medium");
	assert_int_equal(json_array_size(json_object_get(f, "evidence")), 3);
	assert_int_equal(strlen(json_string_value(json_object_get(f, "id"))), 32);

	f = by_rule(fs, "s", 0);
	assert_non_null(f);
	assert_null(by_rule(fs, "s", 1));
	assert_true(json_is_null(json_object_get(f, "user")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "group"), "ClientIP")),
			    "10.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(f, "count")), 3);

	f = by_rule(fs, "t", 0);
	assert_non_null(f);
	assert_null(by_rule(fs, "t", 1));
	assert_string_equal(json_string_value(json_object_get(f, "user")), "alice@x.example");
	assert_string_equal(json_string_value(json_object_get(f, "last")), "2024-01-01T10:20:00Z");

	f = by_rule(fs, "u", 0);
	assert_non_null(f);
	assert_null(by_rule(fs, "u", 1));
	assert_string_equal(json_string_value(json_object_get(f, "user")), "bob@x.example");
	json_decref(fs);
	ss_rules_state_free(st);
	ss_rules_free(rs);

	/* the success before the burst does not count for temporal_ordered */
	rs = load(corr_rules);
	st = ss_rules_state_new(rs);
	feed(rs, st, SIGNIN("2024-01-01T09:59:00", "z0", "zed@x.example", "10.0.0.7", "UserLoggedIn"));
	feed(rs, st, SIGNIN("2024-01-01T10:00:00", "z1", "zed@x.example", "10.0.0.7", "UserLoginFailed"));
	feed(rs, st, SIGNIN("2024-01-01T10:00:01", "z2", "zed@x.example", "10.0.0.7", "UserLoginFailed"));
	feed(rs, st, SIGNIN("2024-01-01T10:00:02", "z3", "zed@x.example", "10.0.0.7", "UserLoginFailed"));
	fs = ss_rules_findings(rs, st);
	assert_non_null(by_rule(fs, "brute", 0));
	assert_null(by_rule(fs, "t", 0));
	json_decref(fs);
	ss_rules_state_free(st);
	ss_rules_free(rs);
}

/* Simple rules aggregate per (rule, user): UPN case variants are one user; ResultStatus does not matter. */
static void test_simple_aggregation(void **state)
{
	struct ss_rules *rs = load("title: f\nid: f\nlogsource:\n  product: m365\ndetection:\n  s:\n"
				   "    Operation: UserLoginFailed\n  condition: s\nlevel: low\n");
	struct ss_rules_state *st = ss_rules_state_new(rs);
	json_t *fs, *f;

	(void)state;
	feed(rs, st, corr_recs[0]);
	feed(rs, st, corr_recs[1]);
	feed(rs, st, corr_recs[2]);
	feed(rs, st, corr_recs[3]);
	fs = ss_rules_findings(rs, st);
	assert_int_equal(json_array_size(fs), 1);
	f = json_array_get(fs, 0);
	assert_int_equal(json_integer_value(json_object_get(f, "count")), 3);
	assert_string_equal(json_string_value(json_object_get(f, "user")), "alice@x.example");
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "evidence"), 0)), "a1");
	json_decref(fs);
	ss_rules_state_free(st);
	ss_rules_free(rs);
}

/* Feeding in any order and any split between states, then merging, gives the same findings. */
static void test_order_split(void **state)
{
	struct ss_rules *rs;
	const size_t n = sizeof(corr_recs) / sizeof(corr_recs[0]);
	char *want = NULL;
	unsigned seed;
	size_t i;
	char yaml[8192];

	(void)state;
	snprintf(yaml, sizeof(yaml),
		 "%s---\ntitle: any\nid: any\nlogsource:\n  product: m365\ndetection:\n  s:\n    Workload: "
		 "AzureActiveDirectory\n  condition: s\nlevel: low\n",
		 corr_rules);
	rs = load(yaml);
	for (seed = 0; seed < 40; seed++) {
		struct ss_rules_state *parts[3], *total;
		size_t order[sizeof(corr_recs) / sizeof(corr_recs[0])];
		json_t *fs;
		char *got;
		unsigned r = seed * 2654435761u + 1;
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = n - 1; seed && i > 0; i--) {
			size_t j, t;
			r = r * 1103515245u + 12345u;
			j = (r >> 8) % (i + 1);
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < 3; i++)
			parts[i] = ss_rules_state_new(rs);
		for (i = 0; i < n; i++) {
			r = r * 1103515245u + 12345u;
			feed(rs, parts[seed ? (r >> 8) % 3 : 0], corr_recs[order[i]]);
		}
		total = ss_rules_state_new(rs);
		/* merge in a seed-dependent order */
		for (i = 0; i < 3; i++)
			ss_rules_merge(rs, total, parts[(i + seed) % 3]);
		fs = ss_rules_findings(rs, total);
		got = json_dumps(fs, JSON_COMPACT);
		if (!want)
			want = got;
		else {
			if (strcmp(want, got) != 0)
				fail_msg("seed %u differs:\n%s\n%s", seed, want, got);
			free(got);
		}
		json_decref(fs);
		for (i = 0; i < 3; i++)
			ss_rules_state_free(parts[i]);
		ss_rules_state_free(total);
	}
	free(want);
	ss_rules_free(rs);
}

/* The shipped rules load; the Operation index rejects a record no rule requires quickly. */
static void test_builtin(void **state)
{
	struct ss_rules *rs = NULL;
	struct ss_rules_state *st;
	struct ss_error err;
	json_t *fs;

	(void)state;
	ss_error_clear(&err);
	if (ss_rules_load_builtin(&rs, &err) != 0)
		fail_msg("builtin: %s:%ld: %s", err.file, err.line, err.msg);
	assert_true(ss_rules_count(rs) >= 15);
	st = ss_rules_state_new(rs);
	feed(rs, st, REC(""));
	feed(rs, st,
	     "{\"CreationTime\":\"2023-07-23T06:46:28\",\"Id\":\"x1\",\"Operation\":\"Add member to role.\","
	     "\"UserId\":\"a@b.example\"}");
	fs = ss_rules_findings(rs, st);
	/* Set-CASMailbox with ImapEnabled True, and the role grant */
	assert_int_equal(json_array_size(fs), 2);
	json_decref(fs);
	ss_rules_state_free(st);
	ss_rules_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_correlations),
		cmocka_unit_test(test_simple_aggregation),
		cmocka_unit_test(test_order_split),
		cmocka_unit_test(test_builtin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
