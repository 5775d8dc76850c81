/* time.h - UTC timestamps as epoch milliseconds: parsing the shapes exports use, and formatting. */
#ifndef SS_TIME_H
#define SS_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since 1970-01-01T00:00:00Z. */
typedef int64_t ss_time_ms;

#define SS_DAY_MS ((ss_time_ms)86400000)

/*
 * Parses a timestamp into epoch ms (UTC). Accepts ISO 8601 dates
 * (YYYY-MM-DD), date-times with or without seconds, any number of fraction
 * digits, with "Z", "+HH:MM" or no zone (taken as UTC, as the audit log
 * means it), a space instead of "T", Windows PowerShell 5.1's "/Date(ms)/"
 * and "/Date(ms+0100)/", and US-locale "M/D/YYYY h:mm:ss AM". Returns 0 or
 * SS_EPARSE.
 */
int ss_time_parse(const char *s, size_t len, ss_time_ms *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void ss_time_format(ss_time_ms t, char out[static 32]);
/* Formats t as "YYYY-MM-DD". */
void ss_time_format_date(ss_time_ms t, char out[static 32]);

/*
 * The current time. The environment variable SECSCORE_NOW, when set to a
 * timestamp, replaces the clock so tests and demos are reproducible.
 */
ss_time_ms ss_time_now(void);

/* Seconds on the monotonic clock (for durations, timeouts and progress; not a date). */
double ss_time_monotonic(void);

/* Sleeps s seconds (nothing when s <= 0), resuming after signals. */
void ss_time_sleep(double s);

/*
 * A uniform double in [0, 1) for backoff jitter (xorshift64*, seeded from the
 * clock and the pid on first use; not for secrets). Racy across threads only
 * in the sense that two threads may draw related values, which jitter allows.
 */
double ss_time_jitter(void);

/* Days since the epoch for a civil date, and the inverse (Howard Hinnant's algorithms). */
int64_t ss_days_from_civil(int64_t y, unsigned m, unsigned d);
void ss_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
