/* detect.h - the audit detections written in C: forwarding outside, hiding inbox rules, mass file operations,
 * new countries and impossible travel, sign-ins with an expired password, days far off their baseline. */
#ifndef SS_DETECT_H
#define SS_DETECT_H

/*
 * The detections that need more than a field filter (the others are Sigma
 * rules in rules/, run by src/rules). Like the accumulator, the state is
 * per thread and merges by sums, minima, maxima and capped unions, so
 * findings do not depend on record order or on the split between threads:
 *
 *   ss_detect_record   per accepted record (worker thread)
 *   ss_detect_merge    at the end of the pass
 *   ss_detect_findings after the pass: findings as JSON (finding_store.h's shape)
 *
 * Thresholds come from the config file's "detections" object
 * (docs/findings.md); accepted domains, users and the password policy from
 * the tenant's snapshot when there is one.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/geo.h"
#include "audit/record.h"
#include "base/strv.h"
#include "score/facts.h"
#include "store/store.h"

struct ss_detect_config {
	uint64_t mass_download_per_hour; /* files downloaded by one user in an hour (default 300) */
	uint64_t mass_delete_per_hour;	 /* files deleted by one user in an hour (default 300) */
	double travel_kmh;		 /* faster than this between sign-ins is impossible (default 900) */
	double volume_z;		 /* robust z-score of a day's count of an operation (default 8) */
	uint64_t volume_min;		 /* and at least this many records that day (default 30) */
	unsigned new_country_after_days; /* a country is "new" after this much history (default 7) */
	struct ss_strv domains;		 /* accepted domains, lower case (from the snapshot) */
	bool domains_known;		 /* the snapshot listed them */
	const struct ss_facts *facts;	 /* users and password facts, or NULL; borrowed */
	int password_validity_days;	 /* the tenant's password lifetime (0: unknown) */
	const struct ss_geo *geo;	 /* country database, or NULL (geo detections off); borrowed */
};

/* Defaults, then the overrides of a "detections" object (may be NULL); errors name the field. */
int ss_detect_config_init(struct ss_detect_config *c, json_t *detections, struct ss_error *err);
void ss_detect_config_release(struct ss_detect_config *c);

struct ss_detect;

struct ss_detect *ss_detect_new(const struct ss_detect_config *c);
void ss_detect_free(struct ss_detect *d);

/* Looks at one accepted record. */
void ss_detect_record(struct ss_detect *d, struct ss_audit_rec *r);

/* Adds src into dst. */
void ss_detect_merge(struct ss_detect *dst, const struct ss_detect *src);

/*
 * The findings of the pass (a new JSON array). With a store, the day-volume
 * baseline is computed over all the tenant's stored days, and users' last
 * successful sign-ins (for the expired-password check) come from there too.
 */
json_t *ss_detect_findings(struct ss_detect *d, struct ss_store *st, int64_t tenant);

/*
 * Judges a forwarding target against the accepted domains: "internal"
 * (the domain or a subdomain of one), "external", or "unknown" (no address,
 * or no accepted domains known). "smtp:" prefixes are ignored.
 */
const char *ss_detect_judge_target(const struct ss_detect_config *c, const char *target, size_t len);

/* A stable finding id: 32 hex digits of SHA-256 over rule, group and first time. */
void ss_finding_id(const char *rule, const char *group, ss_time_ms first, char out[33]);

#endif
