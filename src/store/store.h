/* store.h - the SQLite store: tenants, snapshots, scores, control states and their history. */
#ifndef SS_STORE_H
#define SS_STORE_H

/*
 * One file, WAL, STRICT tables, a schema version (PRAGMA user_version) with
 * forward-only migrations and an application id that marks the file as
 * ours. Every write is one transaction: a failure leaves the store as it
 * was. The schema and the idempotency rule are in docs/store.md.
 * A struct ss_store is not thread-safe; open one per thread.
 */

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "score/engine.h"

#define SS_STORE_SCHEMA_VERSION 9

struct ss_store {
	sqlite3 *db; /* connection, owned */
	char *path;  /* file name, owned */
};

/*
 * Opens (and when create is true, creates with its parent directories) the
 * store at path, applying pending migrations. Errors: a file that is not a
 * SQLite database or not a secscore store, or a store from a newer schema
 * (SS_ESTORE, naming the file).
 */
int ss_store_open(struct ss_store *st, const char *path, bool create, struct ss_error *err);
void ss_store_close(struct ss_store *st);

/* The default store path: $SECSCORE_DB, else $XDG_DATA_HOME/secscore/secscore.db, else ~/.local/share/...; owned. */
char *ss_store_default_path(void);

/*
 * Finds a tenant by its id or display name (case-insensitive); NULL name
 * means the tenant scored most recently. *tenant_id is owned by the caller.
 */
int ss_store_find_tenant(struct ss_store *st, const char *name, int64_t *row, char **tenant_id,
			 struct ss_error *err);

/*
 * Records a score document (Graph secureScore shape) for its tenant and
 * snapshot. Sets "id" in score. Idempotent: when the same snapshot scored
 * with the same catalog version gave the same results before, nothing is
 * written, *existed is true and "id" is the earlier score's.
 */
int ss_store_save_score(struct ss_store *st, json_t *score, bool *existed, struct ss_error *err);

/*
 * Loads a score document by id ("TENANT_DATE.N" or the number N), or the
 * newest of the tenant when id is NULL, or the one before the newest when
 * id is "previous". *out is a new reference.
 */
int ss_store_load_score(struct ss_store *st, int64_t tenant, const char *id, json_t **out,
			struct ss_error *err);

/*
 * The same document as its stored JSON text (*text owned and NUL-terminated,
 * *len bytes), for answers that pass it on without parsing it.
 */
int ss_store_load_score_text(struct ss_store *st, int64_t tenant, const char *id, char **text, size_t *len,
			     struct ss_error *err);

/* Lists the tenant's scores, newest first: [{id, createdDateTime, currentScore, maxScore, ...}]. */
int ss_store_history(struct ss_store *st, int64_t tenant, json_t **out, struct ss_error *err);

/*
 * One control's result in the tenant's scores, newest first, at most limit
 * (0: all): [{id (score id), createdDateTime, status, score, maxScore}], from
 * the control_scores rows (no stored document is parsed). *out is new.
 */
int ss_store_control_history(struct ss_store *st, int64_t tenant, const char *control, long long limit,
			     json_t **out, struct ss_error *err);

/* Loads the current control states of a tenant (latest history row per control). Caller releases each. */
int ss_store_states(struct ss_store *st, int64_t tenant, struct ss_state **out, size_t *n,
		    struct ss_error *err);

/* Appends a state change to the history. */
int ss_store_set_state(struct ss_store *st, int64_t tenant, const struct ss_state *state,
		       struct ss_error *err);

/* The state history of one control as Graph controlStateUpdates, oldest first. */
int ss_store_state_history(struct ss_store *st, int64_t tenant, const char *control, json_t **out,
			   struct ss_error *err);

/* One input file of a snapshot, as stored by `secscore import`. */
struct ss_stored_file {
	char *name; /* relative path, e.g. "graph/users.json", or the export's file name */
	char *data; /* content, owned (NUL-terminated) */
	size_t len; /* content length */
};

/*
 * Stores a snapshot's input files, zstd-compressed, under its tenant and
 * content hash (one transaction). When that snapshot is already stored,
 * nothing is written and *existed is true. *row is the snapshot's row id;
 * *stored_bytes the compressed size.
 */
int ss_store_put_snapshot(struct ss_store *st, const char *tenant_id, const char *tenant_name, bool rename,
			  const char *hash, const char *taken, const char *path,
			  const struct ss_stored_file *files, size_t n, int64_t *row, bool *existed,
			  size_t *stored_bytes, struct ss_error *err);

/* The stored snapshots (those with files), oldest first: [{row, tenantId, hash, taken, files}]. tenant 0: all. */
int ss_store_stored_snapshots(struct ss_store *st, int64_t tenant, json_t **out, struct ss_error *err);

/* Loads (and decompresses) the files of a stored snapshot; release with ss_stored_files_free. */
int ss_store_snapshot_files(struct ss_store *st, int64_t row, struct ss_stored_file **files, size_t *n,
			    struct ss_error *err);
void ss_stored_files_free(struct ss_stored_file *files, size_t n);

/*
 * Ensures a tenant row exists and returns its row id. A new tenant gets name;
 * an existing one keeps its name unless rename is true (an admin's --tenant).
 */
int ss_store_tenant(struct ss_store *st, const char *tenant_id, const char *name, bool rename, int64_t *row,
		    struct ss_error *err);

/* The tenant's newest snapshot directory on record that still exists on disk, or NULL (owned, free()). */
char *ss_store_latest_snapshot(struct ss_store *st, int64_t tenant);

/* Runs sql (no results); SS_ESTORE naming the store on failure. For the store's own modules. */
int ss_store_exec(struct ss_store *st, const char *sql, struct ss_error *err);
/* Records "WHAT: sqlite's message" for the store file and returns SS_ESTORE. */
int ss_store_db_error(struct ss_store *st, struct ss_error *err, const char *what);

#endif
