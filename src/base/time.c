/* time.c - timestamp parsing and formatting without the C library's locale or time zone. */
#include "base/time.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

int64_t ss_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void ss_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

/* Reads exactly n digits at s[*i]. */
static bool digits(const char *s, size_t len, size_t *i, int n, long *out)
{
	long v = 0;
	int k;

	for (k = 0; k < n; k++) {
		if (*i >= len || !isdigit((unsigned char)s[*i]))
			return false;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return true;
}

/* Reads 1..max digits. */
static bool digits_var(const char *s, size_t len, size_t *i, int max, long *out)
{
	long v = 0;
	int k = 0;

	while (*i < len && k < max && isdigit((unsigned char)s[*i])) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	*out = v;
	return k > 0;
}

static bool valid_date(long y, long mo, long d)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static int parse_msdate(const char *s, size_t len, ss_time_ms *out)
{
	/* "/Date(1700000000000)/" or "/Date(1700000000000+0100)/": the number is UTC ms. */
	size_t i = 6;
	bool neg = false;
	int64_t v = 0;
	int n = 0;

	if (i < len && s[i] == '-') {
		neg = true;
		i++;
	}
	while (i < len && isdigit((unsigned char)s[i]) && n < 16) {
		v = v * 10 + (s[i] - '0');
		i++;
		n++;
	}
	if (!n)
		return SS_EPARSE;
	if (i < len && (s[i] == '+' || s[i] == '-')) {
		long z;
		i++;
		if (!digits(s, len, &i, 4, &z))
			return SS_EPARSE;
	}
	if (len - i != 2 || s[i] != ')' || s[i + 1] != '/')
		return SS_EPARSE;
	if (neg)
		v = -v;
	/* The years ISO 8601 timestamps can express: 0001 to 9999. */
	if (v < -62135596800000LL || v > 253402300799999LL)
		return SS_EPARSE;
	*out = v;
	return 0;
}

static int parse_us(const char *s, size_t len, ss_time_ms *out)
{
	/* "9/20/2023 4:05:03 AM" */
	size_t i = 0;
	long mo, d, y, h = 0, mi = 0, se = 0;

	if (!digits_var(s, len, &i, 2, &mo) || i >= len || s[i++] != '/')
		return SS_EPARSE;
	if (!digits_var(s, len, &i, 2, &d) || i >= len || s[i++] != '/')
		return SS_EPARSE;
	if (!digits(s, len, &i, 4, &y))
		return SS_EPARSE;
	if (i < len) {
		if (s[i++] != ' ' || !digits_var(s, len, &i, 2, &h) || i >= len || s[i++] != ':')
			return SS_EPARSE;
		if (!digits(s, len, &i, 2, &mi))
			return SS_EPARSE;
		if (i < len && s[i] == ':') {
			i++;
			if (!digits(s, len, &i, 2, &se))
				return SS_EPARSE;
		}
		if (i < len) {
			if (s[i] == ' ')
				i++;
			if (len - i == 2 && (s[i] == 'A' || s[i] == 'a' || s[i] == 'P' || s[i] == 'p') &&
			    (s[i + 1] == 'M' || s[i + 1] == 'm')) {
				if (h < 1 || h > 12)
					return SS_EPARSE;
				if (h == 12)
					h = 0;
				if (s[i] == 'P' || s[i] == 'p')
					h += 12;
				i += 2;
			}
		}
		if (i != len)
			return SS_EPARSE;
	}
	if (!valid_date(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return SS_EPARSE;
	*out = (ss_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) * 1000;
	return 0;
}

int ss_time_parse(const char *s, size_t len, ss_time_ms *out)
{
	size_t i = 0;
	long y, mo, d, h = 0, mi = 0, se = 0, ms = 0;
	long offset = 0;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	if (len >= 6 && memcmp(s, "/Date(", 6) == 0)
		return parse_msdate(s, len, out);
	if (len >= 2 && memchr(s, '/', len < 6 ? len : 6))
		return parse_us(s, len, out);
	if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-')
		return SS_EPARSE;
	if (!digits(s, len, &i, 2, &mo) || i >= len || s[i++] != '-')
		return SS_EPARSE;
	if (!digits(s, len, &i, 2, &d))
		return SS_EPARSE;
	if (i < len) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return SS_EPARSE;
		i++;
		if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':')
			return SS_EPARSE;
		if (!digits(s, len, &i, 2, &mi))
			return SS_EPARSE;
		if (i < len && s[i] == ':') {
			i++;
			if (!digits(s, len, &i, 2, &se))
				return SS_EPARSE;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				int k = 0;
				i++;
				if (i >= len || !isdigit((unsigned char)s[i]))
					return SS_EPARSE;
				while (i < len && isdigit((unsigned char)s[i])) {
					if (k < 3)
						ms = ms * 10 + (s[i] - '0');
					k++;
					i++;
				}
				while (k < 3) {
					ms *= 10;
					k++;
				}
			}
		}
		if (i < len) {
			if (s[i] == 'Z' || s[i] == 'z') {
				i++;
			} else if (s[i] == '+' || s[i] == '-') {
				long oh, om = 0;
				int sign = s[i] == '-' ? -1 : 1;
				i++;
				if (!digits(s, len, &i, 2, &oh))
					return SS_EPARSE;
				if (i < len && s[i] == ':')
					i++;
				if (i < len && !digits(s, len, &i, 2, &om))
					return SS_EPARSE;
				if (oh > 23 || om > 59)
					return SS_EPARSE;
				offset = sign * (oh * 3600 + om * 60);
			}
		}
		if (i != len)
			return SS_EPARSE;
	}
	if (!valid_date(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return SS_EPARSE;
	*out = (ss_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - offset) *
		       1000 +
	       ms;
	return 0;
}

void ss_time_format(ss_time_ms t, char out[static 32])
{
	int64_t secs = t >= 0 ? t / 1000 : (t - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400, y;
	unsigned m, d;

	ss_civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, (int)(rem / 3600),
		 (int)(rem % 3600 / 60), (int)(rem % 60));
}

void ss_time_format_date(ss_time_ms t, char out[static 32])
{
	ss_time_format(t, out);
	out[10] = '\0';
}

ss_time_ms ss_time_now(void)
{
	const char *env = getenv("SECSCORE_NOW");
	struct timespec ts;
	ss_time_ms t;

	if (env && *env && ss_time_parse(env, strlen(env), &t) == 0)
		return t;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (ss_time_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double ss_time_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ss_time_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint64_t jitter_state;

double ss_time_jitter(void)
{
	if (!jitter_state) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		jitter_state =
			((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40)) | 1;
	}
	jitter_state ^= jitter_state >> 12;
	jitter_state ^= jitter_state << 25;
	jitter_state ^= jitter_state >> 27;
	return (double)((jitter_state * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}
