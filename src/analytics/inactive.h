/* inactive.h - users without a successful sign-in in a window: the answer of `audit inactive` and the API. */
#ifndef SS_INACTIVE_H
#define SS_INACTIVE_H

#include <jansson.h>

#include "base/error.h"
#include "base/time.h"
#include "catalog/catalog.h"
#include "store/store.h"

/*
 * Builds the inactive-users document of a tenant: users of its latest
 * snapshot on disk (with enabled, licensed, guest and Graph's last sign-in)
 * or, without one, the human users of the audit log, whose last successful
 * sign-in in the store is older than days before now (failed sign-ins are
 * not activity); with the audit coverage and a statement of what it allows
 * ("inactive for at least N days" only when the coverage reaches back N
 * days). cat (borrowed) is needed to read the snapshot. *out is a new
 * reference: {tenant, days, since, coverage_first, coverage_last,
 * covered_days, complete, statement, source, count, [licensed], users}.
 */
int ss_inactive_users(struct ss_store *st, int64_t tenant, const char *tenant_id,
		      const struct ss_catalog *cat, long days, ss_time_ms now, json_t **out,
		      struct ss_error *err);

#endif
