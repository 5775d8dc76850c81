/* compare.h - the tenants of one store side by side: their latest scores, and Graph's averageComparativeScores. */
#ifndef SS_COMPARE_H
#define SS_COMPARE_H

/*
 * One store holds many tenants. Graph's secureScore carries
 * averageComparativeScores: Microsoft's averages over its own cohorts of
 * tenants. secscore has no such cohort; it compares a tenant with the other
 * tenants of the same store instead, and marks every entry as such
 * ("source": "secscore store", "tenantCount"). The rules (latest score per
 * tenant, seat bands, rounding) are in docs/store.md, "Comparisons".
 */

#include <jansson.h>

#include "base/error.h"
#include "store/store.h"

/*
 * The seat band of a licensed user count, by order of magnitude: 0-10,
 * 11-100, 101-1000, 1001-10000, then 10001 and more (*upper is -1: no
 * upper bound).
 */
void ss_seat_band(long long seats, long long *lower, long long *upper);

/*
 * One row per tenant that has a recorded score, from its latest score (the
 * one recorded last), sorted by name (case-insensitive, then tenant id):
 *   [{name, azureTenantId, displayName, scoreId, createdDateTime,
 *     currentScore, maxScore, percentage, licensedUserCount, activeUserCount}]
 * name is the store's name of the tenant (secscore's --tenant may rename
 * it), displayName the one the snapshot gave. *out is a new reference.
 */
int ss_store_tenant_scores(struct ss_store *st, json_t **out, struct ss_error *err);

/*
 * Sets score's "averageComparativeScores" (replacing what was there) to two
 * entries computed from the latest scores of the store's tenants, with score
 * standing in for its own tenant's latest (matched on "azureTenantId"):
 * basis "AllTenants" (every tenant) and basis "TotalSeats" (the tenants
 * whose licensedUserCount is in score's seat band, ss_seat_band, with
 * "SeatSizeRangeLowerValue" and "SeatSizeRangeUpperValue", null when open).
 * Each has averageScore, identityScore, dataScore, deviceScore, appsScore,
 * infrastructureScore (means of points, from each score's "categories"),
 * and secscore's "averagePercentage", "tenantCount" and "source". Both
 * cohorts hold at least score's tenant, so no average is ever -1. Reads
 * only; call it inside the caller's transaction to see a consistent store.
 */
int ss_store_fill_comparatives(struct ss_store *st, json_t *score, struct ss_error *err);

#endif
