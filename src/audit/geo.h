/* geo.h - IP address to country (and location) lookups in a MaxMind DB file, for the audit detections. */
#ifndef SS_AUDIT_GEO_H
#define SS_AUDIT_GEO_H

/*
 * A thin wrapper over libmaxminddb (docs/geoip.md says how a user gets a
 * database). Two record shapes are read:
 *
 *   MaxMind GeoLite2 / GeoIP2   country.iso_code, else registered_country.iso_code
 *                               (and location.latitude / longitude in the City databases)
 *   ip-location-db (CC0)        country_code at the top level
 *
 * Ownership: ss_geo_open hands the caller a handle it owns until
 * ss_geo_close; nothing returned by a lookup borrows from it.
 *
 * Thread safety: once opened, one handle may serve ss_geo_country and
 * ss_geo_location from any number of threads at once (the database is
 * mapped read-only and libmaxminddb's lookups on a shared MMDB_s are
 * thread-safe). ss_geo_close must not run concurrently with a lookup. The
 * functions that take no handle are pure and thread-safe.
 */

#include <stdbool.h>

#include "base/error.h"

struct ss_geo;

/*
 * Opens the MaxMind DB file at path (memory-mapped) into *out. Returns 0, or
 * SS_ENOENT (no such file), SS_EIO (cannot read it) or SS_EPARSE (not a
 * MaxMind DB file, or a corrupt one), with err naming the file and saying
 * what is wrong; *out is NULL on error.
 */
int ss_geo_open(struct ss_geo **out, const char *path, struct ss_error *err);

/* Unmaps the database and frees the handle. NULL is a no-op. */
void ss_geo_close(struct ss_geo *g);

/*
 * Looks up ip, the text of an IPv4 or IPv6 address (no port, brackets or
 * zone; an IPv4-mapped IPv6 address counts as its IPv4 address), and on
 * success writes its ISO 3166-1 alpha-2 country code, upper case and
 * NUL-terminated, into cc. Returns false, leaving cc unspecified, when ip is
 * not an address, is private / loopback / link-local / otherwise not
 * routable on the internet (checked without a lookup), is not in the
 * database, or its record has no usable country (not two ASCII letters, or
 * "ZZ", the registries' "unknown").
 */
bool ss_geo_country(const struct ss_geo *g, const char *ip, char cc[3]);

/*
 * Looks up ip as ss_geo_country does and writes the record's
 * location.latitude / location.longitude (degrees) into *lat / *lon.
 * Returns false when the database has no location for it - always so for
 * the country-only databases; then use ss_geo_country_centroid.
 */
bool ss_geo_location(const struct ss_geo *g, const char *ip, double *lat, double *lon);

/*
 * Writes the approximate centre (degrees) of the country cc (ISO 3166-1
 * alpha-2, either case) from a table built into the binary. Good to a few
 * hundred kilometres - enough to tell "Paris then Sydney in an hour" from
 * a plausible journey, not more. Returns false for an unknown code.
 */
bool ss_geo_country_centroid(const char cc[3], double *lat, double *lon);

/* Great-circle distance in kilometres between two points in degrees (haversine, mean earth radius). */
double ss_geo_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
