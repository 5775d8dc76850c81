/* scuba.h - CISA ScubaGear's ProviderSettingsExport.json read as a whole snapshot. */
#ifndef SS_SCUBA_H
#define SS_SCUBA_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "snapshot/snapshot.h"

/* True when data (a JSON text) looks like a ScubaGear provider export. */
bool ss_scuba_detect(const char *data, size_t len);

/*
 * Fills s (already holding dir = the file's path) from the ScubaGear export
 * in data[0..len): each provider setting becomes the snapshot document of
 * docs/snapshot.md that holds the same cmdlet's or request's output
 * (admin_audit_log_config -> exchange/Get-AdminAuditLogConfig.json, ...),
 * with the few renames ScubaGear makes undone. The snapshot hash is that of
 * the export file. Errors name the file and the key.
 */
int ss_scuba_load(struct ss_snapshot *s, const char *data, size_t len, struct ss_error *err);

#endif
