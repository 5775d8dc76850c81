/* test_compare.c - tenants side by side: latest scores per tenant, averageComparativeScores and seat bands. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/compare.h"
#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ss_compare_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * A score document as graph.c makes it, reduced to what the store and the
 * comparisons read. cats: up to three {name, points} pairs (NULL name ends).
 */
static json_t *doc(const char *tenant, const char *name, const char *hash, long long seats, double current,
		   double max, const char *c1, double p1, const char *c2, double p2, const char *c3,
		   double p3)
{
	json_t *cats = json_array();
	const char *names[3] = {c1, c2, c3};
	double points[3] = {p1, p2, p3};
	int i;

	for (i = 0; i < 3 && names[i]; i++)
		json_array_append_new(cats, json_pack("{s:s, s:f, s:f}", "name", names[i], "score", points[i],
						      "maxScore", 100.0));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:[], s:o, s:[]}",
			 "azureTenantId", tenant, "tenantDisplayName", name, "createdDateTime",
			 "2026-11-01T00:00:00Z", "scoredDateTime", "2026-11-02T00:00:00Z", "snapshotHash",
			 hash, "catalogVersion", "1", "currentScore", current, "maxScore", max,
			 "licensedUserCount", (json_int_t)seats, "activeUserCount", (json_int_t)(seats / 2),
			 "averageComparativeScores", "categories", cats, "controlScores");
}

static json_t *entry(json_t *score, const char *basis)
{
	json_t *e;
	size_t i;

	json_array_foreach (json_object_get(score, "averageComparativeScores"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "basis")), basis) == 0)
			return e;
	}
	fail_msg("no %s entry", basis);
	return NULL;
}

static void near(json_t *o, const char *key, double want)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v) || fabs(json_number_value(v) - want) > 1e-9)
		fail_msg("%s: got %s%g, expected %g", key, v ? "" : "(missing) ", json_number_value(v), want);
}

/* Checks one entry: mean score, the five category means, mean percentage, count, and the marks. */
static void check(json_t *e, double avg, double id, double data, double dev, double apps, double infra,
		  double pct, long long n)
{
	near(e, "averageScore", avg);
	near(e, "identityScore", id);
	near(e, "dataScore", data);
	near(e, "deviceScore", dev);
	near(e, "appsScore", apps);
	near(e, "infrastructureScore", infra);
	near(e, "averagePercentage", pct);
	assert_int_equal(json_integer_value(json_object_get(e, "tenantCount")), n);
	assert_string_equal(json_string_value(json_object_get(e, "source")), "secscore store");
}

static void check_band(json_t *e, long long lower, long long upper)
{
	assert_int_equal(json_integer_value(json_object_get(e, "SeatSizeRangeLowerValue")), lower);
	if (upper < 0)
		assert_true(json_is_null(json_object_get(e, "SeatSizeRangeUpperValue")));
	else
		assert_int_equal(json_integer_value(json_object_get(e, "SeatSizeRangeUpperValue")), upper);
}

static void test_seat_bands(void **state)
{
	static const long long cases[][3] = {{0, 0, 10},	   {1, 0, 10},	       {10, 0, 10},
					     {11, 11, 100},	   {100, 11, 100},     {101, 101, 1000},
					     {999, 101, 1000},	   {1000, 101, 1000},  {1001, 1001, 10000},
					     {10000, 1001, 10000}, {10001, 10001, -1}, {2500000, 10001, -1}};
	long long lo, hi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ss_seat_band(cases[i][0], &lo, &hi);
		assert_int_equal(lo, cases[i][1]);
		assert_int_equal(hi, cases[i][2]);
	}
}

static void test_three_tenants(void **state)
{
	struct ss_store st;
	struct ss_error err;
	char path[128];
	/* Mike: 8 seats (band 0-10); alpha: 50 and Bravo: 90 (band 11-100). "Account" is Identity. */
	json_t *m = doc("t-m", "Mike", "h-m1", 8, 30, 100, "Identity", 20, "Data", 10, NULL, 0);
	json_t *a = doc("t-a", "alpha", "h-a1", 50, 60, 120, "Identity", 30, "Device", 20, "Apps", 10);
	json_t *b = doc("t-b", "Bravo", "h-b1", 90, 45, 90, "Account", 15, "Data", 25, "Infrastructure", 5);
	json_t *m2 = doc("t-m", "Mike", "h-m2", 8, 40, 100, "Identity", 30, "Data", 10, NULL, 0);
	json_t *m2again = doc("t-m", "Mike", "h-m2", 8, 40, 100, "Identity", 30, "Data", 10, NULL, 0);
	json_t *big = doc("t-big", "Big", "h-big", 20000, 10, 100, "Data", 10, NULL, 0, NULL, 0);
	json_t *rows, *loaded, *r;
	bool existed;
	int64_t tenant;
	char *tid;

	(void)state;
	ss_error_clear(&err);
	snprintf(path, sizeof(path), "%s/store.db", dir);
	assert_int_equal(ss_store_open(&st, path, true, &err), 0);

	/* An empty store: no rows; a first score is compared with itself only, never -1. */
	assert_int_equal(ss_store_tenant_scores(&st, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	assert_int_equal(ss_store_save_score(&st, m, &existed, &err), 0);
	assert_int_equal(json_array_size(json_object_get(m, "averageComparativeScores")), 2);
	check(entry(m, "AllTenants"), 30, 20, 10, 0, 0, 0, 30, 1);
	check(entry(m, "TotalSeats"), 30, 20, 10, 0, 0, 0, 30, 1);
	check_band(entry(m, "TotalSeats"), 0, 10);
	assert_null(json_object_get(entry(m, "AllTenants"), "SeatSizeRangeLowerValue"));

	/* alpha: all tenants are Mike and alpha; its band (11-100) holds alpha alone. */
	assert_int_equal(ss_store_save_score(&st, a, &existed, &err), 0);
	check(entry(a, "AllTenants"), 45, 25, 5, 10, 5, 0, 40, 2);
	check(entry(a, "TotalSeats"), 60, 30, 0, 20, 10, 0, 50, 1);
	check_band(entry(a, "TotalSeats"), 11, 100);

	/* Bravo: all three; its band holds alpha and Bravo. Means are rounded to two decimals. */
	assert_int_equal(ss_store_save_score(&st, b, &existed, &err), 0);
	check(entry(b, "AllTenants"), 45, 21.67, 11.67, 6.67, 3.33, 1.67, 43.33, 3);
	check(entry(b, "TotalSeats"), 52.5, 22.5, 12.5, 10, 5, 2.5, 50, 2);
	check_band(entry(b, "TotalSeats"), 11, 100);

	/* What was stored is what was filled in. */
	assert_int_equal(ss_store_find_tenant(&st, "t-b", &tenant, &tid, &err), 0);
	free(tid);
	assert_int_equal(ss_store_load_score(&st, tenant, NULL, &loaded, &err), 0);
	assert_true(json_equal(json_object_get(loaded, "averageComparativeScores"),
			       json_object_get(b, "averageComparativeScores")));
	json_decref(loaded);

	/* A new score of Mike stands in for Mike's latest: still three tenants, not four. */
	assert_int_equal(ss_store_save_score(&st, m2, &existed, &err), 0);
	assert_false(existed);
	check(entry(m2, "AllTenants"), 48.33, 25, 11.67, 6.67, 3.33, 1.67, 46.67, 3);
	check(entry(m2, "TotalSeats"), 40, 30, 10, 0, 0, 0, 40, 1);
	check_band(entry(m2, "TotalSeats"), 0, 10);

	/* The comparisons are not part of the idempotency key: the same score again is not new. */
	assert_int_equal(ss_store_save_score(&st, m2again, &existed, &err), 0);
	assert_true(existed);
	assert_string_equal(json_string_value(json_object_get(m2, "id")),
			    json_string_value(json_object_get(m2again, "id")));

	/* A tenant of more than 10,000 seats, not saved: an open band of its own. */
	assert_int_equal(ss_store_fill_comparatives(&st, big, &err), 0);
	check(entry(big, "AllTenants"), 38.75, 18.75, 11.25, 5, 2.5, 1.25, 37.5, 4);
	check(entry(big, "TotalSeats"), 10, 0, 10, 0, 0, 0, 10, 1);
	check_band(entry(big, "TotalSeats"), 10001, -1);

	/* The dashboard's rows: one per tenant, its latest score, by name regardless of case. */
	assert_int_equal(ss_store_tenant_scores(&st, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 3);
	r = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(r, "name")), "alpha");
	assert_string_equal(json_string_value(json_object_get(r, "azureTenantId")), "t-a");
	assert_string_equal(json_string_value(json_object_get(r, "displayName")), "alpha");
	near(r, "percentage", 50);
	assert_int_equal(json_integer_value(json_object_get(r, "licensedUserCount")), 50);
	assert_int_equal(json_integer_value(json_object_get(r, "activeUserCount")), 25);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "name")), "Bravo");
	r = json_array_get(rows, 2);
	assert_string_equal(json_string_value(json_object_get(r, "name")), "Mike");
	assert_string_equal(json_string_value(json_object_get(r, "scoreId")),
			    json_string_value(json_object_get(m2, "id")));
	assert_string_equal(json_string_value(json_object_get(r, "createdDateTime")), "2026-11-01T00:00:00Z");
	near(r, "currentScore", 40);
	near(r, "maxScore", 100);
	near(r, "percentage", 40);
	assert_int_equal(json_integer_value(json_object_get(r, "licensedUserCount")), 8);
	json_decref(rows);

	ss_store_close(&st);
	json_decref(m);
	json_decref(a);
	json_decref(b);
	json_decref(m2);
	json_decref(m2again);
	json_decref(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seat_bands),
		cmocka_unit_test(test_three_tenants),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
