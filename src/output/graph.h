/* graph.h - secscore's results in Microsoft Graph's shapes (secureScore, secureScoreControlProfile). */
#ifndef SS_GRAPH_H
#define SS_GRAPH_H

#include <jansson.h>

#include "catalog/catalog.h"
#include "score/engine.h"

/*
 * Builds a Graph secureScore object from a scorecard, with secscore's own
 * fields beside Graph's (status, offenders, notScoredReason, categories,
 * services, catalogVersion, snapshotHash ...). "id" is left for the store to
 * set. Returns a new reference.
 */
json_t *ss_graph_secure_score(const struct ss_scorecard *sc);

/*
 * Builds a secureScoreControlProfile for control c. history (may be NULL) is
 * a JSON array of controlStateUpdates, stolen. Returns a new reference.
 */
json_t *ss_graph_control_profile(const struct ss_catalog *cat, const struct ss_control *c, json_t *history);

#endif
