/* catalog.h - the control catalog: data in catalog/, loaded and validated at start. */
#ifndef SS_CATALOG_H
#define SS_CATALOG_H

/*
 * A control carries the metadata of Graph's secureScoreControlProfile plus
 * what scoring needs: the measure kind (a C function chosen by name), its
 * parameters (catalog defaults, overridable by a config file), the snapshot
 * inputs it reads and the services it requires. The catalog owns everything;
 * pointers into it are borrowed until ss_catalog_release.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

enum ss_level {
	SS_LEVEL_LOW = 1,
	SS_LEVEL_MODERATE = 2,
	SS_LEVEL_HIGH = 3
};

struct ss_control {
	const char *id;		   /* short key, e.g. "AdminMFAV2" (Graph controlName) */
	const char *title;	   /* display name */
	const char *service;	   /* owning service: AzureAD, Exchange, SharePoint, ... */
	const char *category;	   /* Identity, Data, Device, Apps, Infrastructure */
	const char *action_type;   /* Config, Review, Behavior */
	const char *tier;	   /* Core, Defense in Depth, Advanced */
	const char *measure;	   /* measure kind, e.g. "items" */
	const char *file;	   /* catalog file the entry came from (for errors) */
	double max_score;	   /* points when fully compliant */
	int rank;		   /* stack rank, 1 = most important */
	enum ss_level user_impact; /* Low/Moderate/High */
	enum ss_level implementation_cost;
	bool deprecated;     /* kept for history, never scored */
	json_t *doc;	     /* the whole entry as written, owned reference */
	json_t *params;	     /* effective parameters (defaults + config), owned reference */
	const char **inputs; /* snapshot files read, e.g. "graph/users.json"; owned array */
	size_t n_inputs;
	const char **requires; /* enabledServices of which at least one must be present */
	size_t n_requires;
};

struct ss_catalog {
	char *version;		     /* catalogVersion, e.g. "2026.11.1", owned */
	char *source;		     /* "built-in" or the directory loaded, owned */
	struct ss_control *controls; /* sorted by rank then id, owned */
	size_t n;
	json_t *services; /* {"HasExchange": ["EXCHANGE_S_ENTERPRISE", ...]}, owned */
};

/*
 * Loads the catalog from dir (catalog.json, services.json, controls/ *.json)
 * or, when dir is NULL, from the copy compiled into the binary. Validates
 * every entry: a missing or mistyped field is an error naming the file and
 * the field; duplicate ids are errors. On error the catalog is left empty.
 */
int ss_catalog_load(struct ss_catalog *cat, const char *dir, struct ss_error *err);

/*
 * Overlays parameters from a JSON config file:
 * {"parameters": {"ControlId": {"name": value}}}. Unknown controls or
 * parameters, and values whose JSON type differs from the default's, are
 * errors naming the config file and the field.
 */
int ss_catalog_apply_config(struct ss_catalog *cat, const char *path, struct ss_error *err);

/* The control with this id (case-sensitive), or NULL. Borrowed. */
const struct ss_control *ss_catalog_find(const struct ss_catalog *cat, const char *id);

void ss_catalog_release(struct ss_catalog *cat);

/* "Low" / "Moderate" / "High". */
const char *ss_level_name(enum ss_level l);

#endif
