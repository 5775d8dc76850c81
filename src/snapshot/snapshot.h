/* snapshot.h - a tenant snapshot directory: manifest plus Graph / PowerShell JSON files. */
#ifndef SS_SNAPSHOT_H
#define SS_SNAPSHOT_H

/*
 * ss_snapshot_open reads every *.json file of the layout in docs/snapshot.md
 * (and the CSV exports under msol/, turned into the same JSON shape: an
 * array of objects, see csvdoc.h), parses it with the tape parser (files
 * spread over worker threads) and hashes the contents, so the snapshot has a content identity before it is
 * scored. Documents are then read-only and may be shared between threads.
 * Everything is owned by the snapshot until ss_snapshot_release.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/time.h"
#include "json/json.h"

struct ss_snapdoc {
	char *name;	     /* relative path, e.g. "graph/users.json", owned */
	char *data;	     /* file content (UTF-8, BOM removed), owned */
	size_t len;	     /* content length */
	char *conv;	     /* a CSV document's rows as JSON (csvdoc.h), owned; NULL for JSON files */
	struct ss_json json; /* parsed tape over data, or over conv for a CSV document */
	char hash[65];	     /* SHA-256 of data */
};

struct ss_snapshot {
	char *dir;		 /* the directory opened, owned */
	char *tenant_id;	 /* manifest tenantId, owned */
	char *display_name;	 /* manifest displayName or the tenant id, owned */
	ss_time_ms taken;	 /* manifest takenDateTime (or the newest file's mtime) */
	struct ss_snapdoc *docs; /* sorted by name, owned */
	size_t n_docs;
	char hash[65]; /* SHA-256 over (name, content hash) of every document */
};

/*
 * Opens and parses the snapshot at dir. Errors: dir missing or without a
 * manifest.json holding tenantId (SS_ENOENT / SS_EINVAL), malformed JSON in
 * any file (SS_EPARSE, with file, line and column). A file that cannot be
 * read is an error too: a half-read snapshot must not be scored.
 */
int ss_snapshot_open(struct ss_snapshot *s, const char *dir, struct ss_error *err);
void ss_snapshot_release(struct ss_snapshot *s);

/* The document with this relative name, or NULL when the file is absent. Borrowed. */
const struct ss_snapdoc *ss_snapshot_doc(const struct ss_snapshot *s, const char *name);

/*
 * Iterates the items of a document: the elements of {"value": [...]} or of
 * a bare array, or the object itself when the file holds a single object
 * (PowerShell's ConvertTo-Json does not wrap one result in an array).
 */
struct ss_items {
	const struct ss_json *doc; /* the document's tape, borrowed */
	ss_jv array;		   /* the array iterated, or SS_JNONE for a single object */
	ss_jv single;		   /* the single object, or SS_JNONE */
	ss_jv cur;		   /* last item returned */
	size_t n;		   /* number of items */
};

/* Starts an iteration; false (and it->n = 0) when the document is absent. */
bool ss_items_begin(const struct ss_snapshot *s, const char *name, struct ss_items *it);
/* Next item or SS_JNONE at the end. */
ss_jv ss_items_next(struct ss_items *it);

#endif
