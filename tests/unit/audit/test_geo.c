/* test_geo.c - country / location lookups on .mmdb files built by tests/tools/mkmmdb.py, centroids, distance. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/geo.h"
#include "base/alloc.h"

/* Networks every country database of the tests holds, as mkmmdb.py CIDR=CC arguments. */
#define PAIRS                                                                                                \
	"1.2.3.0/24=US 1.2.3.128/25=CA 81.2.69.0/24=GB 185.73.124.0/22=EE 89.160.20.128/25=se "              \
	"2a02:ff0::/32=FR 2a02:ff0:1::/48=DE 10.0.0.0/8=US 2001:db8::/32=US"

/* Records only the MaxMind shape has: registered-country fallback, locations, unusable codes. */
static const char extra_json[] = "{\"5.6.7.0/24\": {\"registered_country\": {\"iso_code\": \"DE\"}},\n"
				 " \"9.9.9.0/24\": {\"country\": {\"iso_code\": \"FR\"},"
				 " \"location\": {\"latitude\": 48.8566, \"longitude\": 2.3522}},\n"
				 " \"2001:4860::/32\": {\"country\": {\"iso_code\": \"us\"},"
				 " \"location\": {\"latitude\": 37.4, \"longitude\": -122.1}},\n"
				 " \"8.8.4.0/24\": {\"country\": {\"names\": {\"en\": \"Nowhere\"}}},\n"
				 " \"44.0.0.0/8\": \"ZZ\",\n"
				 " \"45.0.0.0/8\": {\"country\": {\"iso_code\": \"U1\"}}}\n";

static char dir[64];

static char *path_of(const char *name)
{
	char *p = ss_xmalloc(256);
	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t len)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(p);
}

/* Runs mkmmdb.py writing dir/name with the given options; returns its exit status. */
static int mkmmdb(const char *name, const char *opts)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "python3 '%s/tools/mkmmdb.py' -o '%s/%s' %s 2>/dev/null", SS_TEST_DATA,
		 dir, name, opts);
	return system(cmd);
}

static int setup(void **state)
{
	char opts[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ss_geo_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	write_file("extra.json", extra_json, sizeof(extra_json) - 1);
	snprintf(opts, sizeof(opts), "--record-size 24 --json '%s/extra.json' " PAIRS, dir);
	if (mkmmdb("mm24.mmdb", opts) != 0)
		return -1;
	snprintf(opts, sizeof(opts), "--record-size 28 --json '%s/extra.json' " PAIRS, dir);
	if (mkmmdb("mm28.mmdb", opts) != 0)
		return -1;
	if (mkmmdb("ipld28.mmdb", "--shape ipld --record-size 28 " PAIRS) != 0)
		return -1;
	if (mkmmdb("ipld32.mmdb", "--shape ipld --record-size 32 " PAIRS) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ss_geo *open_ok(const char *name)
{
	struct ss_geo *g = NULL;
	struct ss_error err;
	char *p = path_of(name);

	ss_error_clear(&err);
	if (ss_geo_open(&g, p, &err) != 0)
		fail_msg("cannot open %s: %s", p, err.msg);
	free(p);
	return g;
}

static void expect_cc(const struct ss_geo *g, const char *ip, const char *want)
{
	char cc[3] = "";
	bool found = ss_geo_country(g, ip, cc);

	if (!want) {
		if (found)
			fail_msg("%s: expected no country, got %s", ip ? ip : "(null)", cc);
		return;
	}
	if (!found)
		fail_msg("%s: expected %s, got none", ip, want);
	if (strcmp(cc, want) != 0)
		fail_msg("%s: expected %s, got %s", ip, want, cc);
}

/* What every country database answers, whatever its shape and record size. */
static void check_common(const struct ss_geo *g)
{
	expect_cc(g, "1.2.3.4", "US");
	expect_cc(g, "1.2.3.127", "US");
	expect_cc(g, "1.2.3.128", "CA"); /* more specific network wins */
	expect_cc(g, "1.2.3.255", "CA");
	expect_cc(g, "1.2.2.255", NULL);
	expect_cc(g, "1.2.4.0", NULL);
	expect_cc(g, "81.2.69.142", "GB");
	expect_cc(g, "185.73.124.135", "EE");
	expect_cc(g, "185.73.127.255", "EE");
	expect_cc(g, "185.73.128.0", NULL);
	expect_cc(g, "89.160.20.130", "SE"); /* stored lower case */
	expect_cc(g, "89.160.20.127", NULL);
	expect_cc(g, "2a02:ff0::1", "FR");
	expect_cc(g, "2a02:0ff0:ffff:ffff::1", "FR");
	expect_cc(g, "2a02:ff0:1::5", "DE");
	expect_cc(g, "2A02:FF0:2::5", "FR");
	expect_cc(g, "2a02:ff1::1", NULL);
	expect_cc(g, "::ffff:1.2.3.4", "US"); /* IPv4-mapped */
	expect_cc(g, "::ffff:81.2.69.142", "GB");
	expect_cc(g, "10.1.2.3", NULL);	   /* private, though the database has it */
	expect_cc(g, "2001:db8::1", NULL); /* documentation range, likewise */
	expect_cc(g, "127.0.0.1", NULL);
	expect_cc(g, "192.168.1.1", NULL);
	expect_cc(g, "::1", NULL);
	expect_cc(g, "fe80::1", NULL);
	expect_cc(g, "::1.2.3.4", NULL); /* IPv4-compatible: deprecated, not looked up */
	expect_cc(g, "", NULL);
	expect_cc(g, "1.2.3", NULL);
	expect_cc(g, "1.2.3.4:443", NULL);
	expect_cc(g, "[2a02:ff0::1]", NULL);
	expect_cc(g, " 1.2.3.4", NULL);
	expect_cc(g, "not an address", NULL);
	expect_cc(g, NULL, NULL);
}

static void test_maxmind_shape(void **state)
{
	static const char *const names[] = {"mm24.mmdb", "mm28.mmdb"};
	size_t i;

	(void)state;
	for (i = 0; i < SS_ARRAY_LEN(names); i++) {
		struct ss_geo *g = open_ok(names[i]);

		check_common(g);
		expect_cc(g, "5.6.7.8", "DE"); /* registered_country fallback */
		expect_cc(g, "9.9.9.9", "FR");
		expect_cc(g, "2001:4860::8888", "US"); /* lower case in the record */
		expect_cc(g, "8.8.4.4", NULL);	       /* a country without iso_code */
		expect_cc(g, "44.1.2.3", NULL);	       /* ZZ: unknown */
		expect_cc(g, "45.1.2.3", NULL);	       /* not two letters */
		ss_geo_close(g);
	}
}

static void test_ipld_shape(void **state)
{
	static const char *const names[] = {"ipld28.mmdb", "ipld32.mmdb"};
	size_t i;

	(void)state;
	for (i = 0; i < SS_ARRAY_LEN(names); i++) {
		struct ss_geo *g = open_ok(names[i]);

		check_common(g);
		expect_cc(g, "5.6.7.8", NULL);
		ss_geo_close(g);
	}
}

static void test_location(void **state)
{
	struct ss_geo *g = open_ok("mm28.mmdb");
	struct ss_geo *ipld = open_ok("ipld28.mmdb");
	double lat = 0, lon = 0;

	(void)state;
	assert_true(ss_geo_location(g, "9.9.9.9", &lat, &lon));
	assert_true(lat > 48.85 && lat < 48.86 && lon > 2.35 && lon < 2.36);
	assert_true(ss_geo_location(g, "2001:4860::1", &lat, &lon));
	assert_true(lat > 37.3 && lat < 37.5 && lon > -122.2 && lon < -122.0);
	assert_false(ss_geo_location(g, "1.2.3.4", &lat, &lon));  /* country only */
	assert_false(ss_geo_location(g, "1.2.4.4", &lat, &lon));  /* not in the database */
	assert_false(ss_geo_location(g, "10.9.9.9", &lat, &lon)); /* private */
	assert_false(ss_geo_location(ipld, "1.2.3.4", &lat, &lon));
	assert_false(ss_geo_location(ipld, "2a02:ff0::1", &lat, &lon));
	ss_geo_close(g);
	ss_geo_close(ipld);
}

static void expect_open_error(const char *name, int code, const char *msg_part)
{
	struct ss_geo *g = (struct ss_geo *)1;
	struct ss_error err;
	char *p = path_of(name);

	ss_error_clear(&err);
	assert_int_equal(ss_geo_open(&g, p, &err), code);
	assert_null(g);
	assert_int_equal(err.code, code);
	assert_string_equal(err.file, p);
	if (!strstr(err.msg, msg_part))
		fail_msg("%s: message '%s' lacks '%s'", name, err.msg, msg_part);
	free(p);
}

static void test_open_errors(void **state)
{
	static const char csv[] = "network,country_code\n1.2.3.0/24,US\n";
	char *good = path_of("mm24.mmdb");
	char *buf = ss_xmalloc(1 << 16);
	FILE *f;
	size_t n;

	(void)state;
	expect_open_error("missing.mmdb", SS_ENOENT, "No such file");
	write_file("countries.csv", csv, sizeof(csv) - 1);
	expect_open_error("countries.csv", SS_EPARSE, "not a MaxMind DB");
	write_file("empty.mmdb", "", 0);
	expect_open_error("empty.mmdb", SS_EPARSE, "empty");
	expect_open_error(".", SS_EIO, "not a regular file");

	/* The metadata alone: a valid marker, but the search tree it announces is not there. */
	f = fopen(good, "rb");
	assert_non_null(f);
	n = fread(buf, 1, 1 << 16, f);
	fclose(f);
	assert_true(n > 200 && n < (1 << 16));
	write_file("truncated.mmdb", buf + n - 200, 200);
	expect_open_error("truncated.mmdb", SS_EPARSE, "MaxMind DB");

	/* A NULL error struct is allowed. */
	{
		struct ss_geo *g = NULL;
		char *p = path_of("missing.mmdb");

		assert_int_equal(ss_geo_open(&g, p, NULL), SS_ENOENT);
		assert_null(g);
		free(p);
	}
	ss_geo_close(NULL);
	free(buf);
	free(good);
}

/* Damaged files: every lookup must fail or answer, never crash (run under the sanitizers). */
static void test_corrupt(void **state)
{
	static const char *const ips[] = {"1.2.3.4", "2a02:ff0:1::5", "5.6.7.8", "9.9.9.9", "8.8.4.4"};
	char *good = path_of("mm28.mmdb");
	char *path = path_of("corrupt.mmdb");
	char *buf = ss_xmalloc(1 << 16);
	FILE *f;
	size_t n, off, i;
	int opened = 0;

	(void)state;
	f = fopen(good, "rb");
	assert_non_null(f);
	n = fread(buf, 1, 1 << 16, f);
	fclose(f);
	assert_true(n > 0 && n < (1 << 16));
	for (off = 0; off < n; off += 7) {
		struct ss_geo *g = NULL;
		char cc[3];
		double lat, lon;

		buf[off] = (char)(buf[off] ^ 0x5a);
		write_file("corrupt.mmdb", buf, n);
		buf[off] = (char)(buf[off] ^ 0x5a);
		if (ss_geo_open(&g, path, NULL) != 0)
			continue;
		for (i = 0; i < SS_ARRAY_LEN(ips); i++) {
			if (ss_geo_country(g, ips[i], cc))
				assert_int_equal(strlen(cc), 2);
			(void)ss_geo_location(g, ips[i], &lat, &lon);
		}
		ss_geo_close(g);
		opened++;
	}
	assert_true(opened > 0); /* most damage (in the tree and data) still opens */
	free(buf);
	free(path);
	free(good);
}

static void test_writer_rejects(void **state)
{
	(void)state;
	assert_int_not_equal(mkmmdb("bad.mmdb", "1.2.3.0/24"), 0);
	assert_int_not_equal(mkmmdb("bad.mmdb", "1.2.3.0/33=US"), 0);
	assert_int_not_equal(mkmmdb("bad.mmdb", "--record-size 16 1.2.3.0/24=US"), 0);
}

struct lookup_job {
	const struct ss_geo *g; /* shared handle */
	int bad;		/* wrong answers seen */
};

static void *lookup_thread(void *arg)
{
	struct lookup_job *job = arg;
	char cc[3];
	int i;

	for (i = 0; i < 5000; i++) {
		if (!ss_geo_country(job->g, "185.73.124.135", cc) || strcmp(cc, "EE") != 0)
			job->bad++;
		if (!ss_geo_country(job->g, "2a02:ff0:1::5", cc) || strcmp(cc, "DE") != 0)
			job->bad++;
		if (ss_geo_country(job->g, "1.2.4.1", cc))
			job->bad++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct ss_geo *g = open_ok("ipld28.mmdb");
	pthread_t th[4];
	struct lookup_job jobs[4];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		jobs[i].g = g;
		jobs[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].bad, 0);
	}
	ss_geo_close(g);
}

/* Cross-checks the writer with libmaxminddb's own command-line tool, when installed (Debian: mmdb-bin). */
static void test_mmdblookup(void **state)
{
	char cmd[1024];

	(void)state;
	if (system("command -v mmdblookup >/dev/null 2>&1") != 0)
		skip();
	snprintf(
		cmd, sizeof(cmd),
		"mmdblookup --file '%s/mm28.mmdb' --ip 185.73.124.135 country iso_code | grep -q '\"EE\"' && "
		"mmdblookup --file '%s/ipld28.mmdb' --ip 2a02:ff0:1::5 country_code | grep -q '\"DE\"' && "
		"mmdblookup --file '%s/mm24.mmdb' --verbose --ip 1.2.3.4 >/dev/null",
		dir, dir, dir);
	assert_int_equal(system(cmd), 0);
}

static void test_distance(void **state)
{
	double d;

	(void)state;
	d = ss_geo_distance_km(48.8566, 2.3522, 40.7128, -74.0060); /* Paris - New York */
	assert_true(d > 5737 && d < 5937);
	d = ss_geo_distance_km(51.5074, -0.1278, -33.8688, 151.2093); /* London - Sydney */
	assert_true(d > 16900 && d < 17100);
	assert_true(ss_geo_distance_km(10, 20, 10, 20) < 1e-9);
	d = ss_geo_distance_km(0, 0, 0, 180); /* half the equator */
	assert_true(d > 20010 && d < 20020);
	assert_true(ss_geo_distance_km(0, 179.5, 0, -179.5) < 112); /* across the date line */
}

/* Every code the centroid table should know: ISO 3166-1 alpha-2, plus XK and AN. */
static const char all_codes[] = "AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH "
				"BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM "
				"CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ "
				"FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK "
				"HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM "
				"KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH "
				"MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO "
				"NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU "
				"RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD "
				"TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG "
				"VI VN VU WF WS XK YE YT ZA ZM ZW";

static void test_centroids(void **state)
{
	static const char *const common[] = {
		"US", "GB", "DE", "FR", "NL", "IE", "ES", "IT", "PT", "BE", "CH", "AT", "SE", "NO",
		"DK", "FI", "PL", "CZ", "RO", "UA", "RU", "TR", "IL", "AE", "SA", "EG", "NG", "KE",
		"ZA", "MA", "IN", "PK", "BD", "CN", "HK", "TW", "JP", "KR", "SG", "MY", "TH", "VN",
		"ID", "PH", "AU", "NZ", "CA", "MX", "BR", "AR", "CL", "CO", "PE", "VE", "EE", "LV",
		"LT", "GR", "HU", "BG", "RS", "HR", "SK", "SI", "IS", "LU", "XK", "AD", "ZW", "AQ"};
	char one[3] = "F", none[3] = "", three[4] = "FRA";
	double lat, lon, lat2, lon2;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < SS_ARRAY_LEN(common); i++) {
		if (!ss_geo_country_centroid(common[i], &lat, &lon))
			fail_msg("no centroid for %s", common[i]);
		assert_true(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
	}
	/* All of them: also proves the table is sorted, or bsearch would miss some. */
	for (i = 0; i + 2 <= strlen(all_codes); i += 3) {
		char cc[3] = {all_codes[i], all_codes[i + 1], '\0'};

		if (!ss_geo_country_centroid(cc, &lat, &lon))
			fail_msg("no centroid for %s", cc);
		n++;
	}
	assert_int_equal(n, 251);
	assert_true(ss_geo_country_centroid("FR", &lat, &lon));
	assert_true(lat > 44 && lat < 49 && lon > 0 && lon < 5);
	assert_true(ss_geo_country_centroid("us", &lat2, &lon2)); /* either case */
	assert_true(lat2 > 35 && lat2 < 45 && lon2 > -105 && lon2 < -90);
	assert_true(ss_geo_distance_km(lat, lon, lat2, lon2) > 7000);
	assert_true(ss_geo_country_centroid("AU", &lat, &lon));
	assert_true(lat < -20 && lat > -30 && lon > 125 && lon < 140);
	assert_true(ss_geo_country_centroid("JP", &lat, &lon));
	assert_true(lat > 33 && lat < 40 && lon > 135 && lon < 142);
	assert_true(ss_geo_country_centroid("BR", &lat, &lon));
	assert_true(lat < -5 && lat > -20 && lon > -60 && lon < -45);
	assert_true(ss_geo_country_centroid("DE", &lat, &lon));
	assert_true(ss_geo_country_centroid("AT", &lat2, &lon2));
	assert_true(ss_geo_distance_km(lat, lon, lat2, lon2) < 800); /* neighbours stay close */
	assert_false(ss_geo_country_centroid("QQ", &lat, &lon));
	assert_false(ss_geo_country_centroid("ZZ", &lat, &lon));
	assert_false(ss_geo_country_centroid(one, &lat, &lon));
	assert_false(ss_geo_country_centroid(none, &lat, &lon));
	assert_false(ss_geo_country_centroid("1A", &lat, &lon));
	assert_false(ss_geo_country_centroid(three, &lat, &lon));
	assert_false(ss_geo_country_centroid(NULL, &lat, &lon));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maxmind_shape),  cmocka_unit_test(test_ipld_shape),
		cmocka_unit_test(test_location),       cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_writer_rejects), cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_threads),	       cmocka_unit_test(test_mmdblookup),
		cmocka_unit_test(test_distance),       cmocka_unit_test(test_centroids),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
