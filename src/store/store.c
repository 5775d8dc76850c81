/* store.c - SQLite persistence with migrations and one transaction per write. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/hash.h"
#include "base/time.h"
#include "store/compare.h"

#include <zstd.h>

#define APPLICATION_ID 0x53534352 /* "SSCR" */

/* Migrations: migrations[i] takes the schema from version i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE tenants ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  created TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE snapshots ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  hash TEXT NOT NULL,"
	"  taken TEXT NOT NULL,"
	"  path TEXT,"
	"  first_seen TEXT NOT NULL,"
	"  UNIQUE (tenant, hash)"
	") STRICT;"
	"CREATE TABLE scores ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  snapshot INTEGER NOT NULL REFERENCES snapshots(id),"
	"  score_id TEXT NOT NULL UNIQUE,"
	"  catalog_version TEXT NOT NULL,"
	"  result_hash TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  scored TEXT NOT NULL,"
	"  current REAL NOT NULL,"
	"  max REAL NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  UNIQUE (snapshot, catalog_version, result_hash)"
	") STRICT;"
	"CREATE INDEX scores_by_tenant ON scores (tenant, id);"
	"CREATE TABLE control_scores ("
	"  score INTEGER NOT NULL REFERENCES scores(id) ON DELETE CASCADE,"
	"  control TEXT NOT NULL,"
	"  category TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  points REAL NOT NULL,"
	"  max REAL NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  total INTEGER NOT NULL,"
	"  PRIMARY KEY (score, control)"
	") STRICT;"
	"CREATE TABLE control_states ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  control TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  author TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  expires TEXT,"
	"  excludes TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX control_states_by_control ON control_states (tenant, control, id);",
	/* 2: the raw inputs of imported snapshots, so past snapshots can be re-scored. */
	"CREATE TABLE snapshot_files ("
	"  snapshot INTEGER NOT NULL REFERENCES snapshots(id),"
	"  name TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  codec TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (snapshot, name)"
	") STRICT;",
	/* 3: the audit log: what was read, which record ids were taken, and what they said. */
	"CREATE TABLE audit_inputs ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  path TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime INTEGER NOT NULL,"
	"  head_hash TEXT NOT NULL,"
	"  tail_hash TEXT NOT NULL,"
	"  consumed INTEGER NOT NULL,"
	"  lines INTEGER NOT NULL,"
	"  format TEXT NOT NULL,"
	"  codec TEXT NOT NULL,"
	"  encoding TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  duplicates INTEGER NOT NULL,"
	"  rejected INTEGER NOT NULL,"
	"  ingested TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, path)"
	") STRICT;"
	"CREATE TABLE audit_ids ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  day INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  ids BLOB NOT NULL,"
	"  PRIMARY KEY (tenant, day, seq)"
	") STRICT;"
	"CREATE TABLE audit_volume ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  day INTEGER NOT NULL,"
	"  workload TEXT NOT NULL,"
	"  operation TEXT NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant, day, workload, operation)"
	") STRICT;"
	"CREATE TABLE audit_users ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  upn TEXT NOT NULL,"
	"  service INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  last_signin_ok INTEGER NOT NULL,"
	"  last_signin_fail INTEGER NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  signins_ok INTEGER NOT NULL,"
	"  signins_fail INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant, upn)"
	") STRICT;"
	"CREATE TABLE audit_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  finished TEXT NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  duplicates INTEGER NOT NULL,"
	"  rejected INTEGER NOT NULL,"
	"  summary TEXT NOT NULL"
	") STRICT;",
	/* 4: findings of the audit analytics and rules, their acknowledgements, and deliveries. */
	"CREATE TABLE findings ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  id TEXT NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  severity_rank INTEGER NOT NULL,"
	"  user TEXT,"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  evidence TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  updated TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, id)"
	") STRICT;"
	"CREATE INDEX findings_by_time ON findings (tenant, last);"
	"CREATE TABLE finding_events ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  finding TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  author TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  at TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE finding_deliveries ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  finding TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  delivered TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, finding, channel)"
	") STRICT;",
	/* 5: collection from the Management Activity API: subscriptions, windows, blobs (checkpoints). */
	"CREATE TABLE collect_subscriptions ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  content_type TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  started TEXT,"
	"  PRIMARY KEY (tenant, content_type)"
	") STRICT;"
	"CREATE TABLE collect_windows ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  content_type TEXT NOT NULL,"
	"  window_start TEXT NOT NULL,"
	"  window_end TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  next_page TEXT,"
	"  pages INTEGER NOT NULL DEFAULT 0,"
	"  blobs INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT,"
	"  updated TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, content_type, window_start)"
	") STRICT;"
	"CREATE TABLE collect_blobs ("
	"  tenant INTEGER NOT NULL REFERENCES tenants(id),"
	"  content_type TEXT NOT NULL,"
	"  content_id TEXT NOT NULL,"
	"  window_start TEXT NOT NULL,"
	"  uri TEXT NOT NULL,"
	"  created TEXT,"
	"  state TEXT NOT NULL,"
	"  path TEXT,"
	"  bytes INTEGER,"
	"  records INTEGER,"
	"  updated TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, content_type, content_id)"
	") STRICT;",
	/* 6: bearer tokens of the HTTP API, stored hashed. */
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  created TEXT NOT NULL,"
	"  last_used TEXT,"
	"  revoked TEXT"
	") STRICT;",
	/* 7: the runs of `serve --schedule` (collect, score, analyse per configured tenant). */
	"CREATE TABLE schedule_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant TEXT NOT NULL,"
	"  started TEXT NOT NULL,"
	"  finished TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),"
	"  step TEXT,"
	"  message TEXT"
	") STRICT;"
	"CREATE INDEX schedule_runs_by_tenant ON schedule_runs (tenant, id);",
	/* 8: the dashboard's sign-in sessions (server/session.h): the id's hash, never the id. */
	"CREATE TABLE dashboard_sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  token_id INTEGER NOT NULL REFERENCES api_tokens (id),"
	"  csrf TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  last_seen TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX dashboard_sessions_by_token ON dashboard_sessions (token_id);",
	/*
	 * 9: who a control state is assigned to (Graph's assignedTo) gets its
	 * column. Before, the API kept it at the end of the reason as
	 * " [assignedTo: NAME]"; those rows are split here (SQLite evaluates every
	 * SET expression on the row as it was).
	 */
	"ALTER TABLE control_states ADD COLUMN assigned_to TEXT;"
	"UPDATE control_states SET "
	"  assigned_to = substr(reason, instr(reason, ' [assignedTo: ') + 14,"
	"                       length(reason) - instr(reason, ' [assignedTo: ') - 14),"
	"  reason = substr(reason, 1, instr(reason, ' [assignedTo: ') - 1) "
	"WHERE reason GLOB '* [[]assignedTo: *]';",
};

int ss_store_db_error(struct ss_store *st, struct ss_error *err, const char *what)
{
	ss_error_set(err, SS_ESTORE, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
	ss_error_at(err, st->path, 0, 0);
	return SS_ESTORE;
}

int ss_store_exec(struct ss_store *st, const char *sql, struct ss_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ss_error_set(err, SS_ESTORE, "%s", msg ? msg : sqlite3_errmsg(st->db));
		ss_error_at(err, st->path, 0, 0);
		sqlite3_free(msg);
		return SS_ESTORE;
	}
	return 0;
}

static int pragma_int(struct ss_store *st, const char *sql, int64_t *out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read the store");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return ss_store_db_error(st, err, "cannot read the store");
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

char *ss_store_default_path(void)
{
	const char *env = getenv("SECSCORE_DB"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	struct ss_buf b;

	if (env && *env)
		return ss_xstrdup(env);
	ss_buf_init(&b, 8192);
	if (xdg && *xdg)
		ss_buf_printf(&b, "%s/secscore/secscore.db", xdg);
	else
		ss_buf_printf(&b, "%s/.local/share/secscore/secscore.db", home && *home ? home : ".");
	return ss_buf_detach(&b, NULL);
}

static int migrate(struct ss_store *st, struct ss_error *err)
{
	int64_t version = 0, app = 0, tables = 0;
	char sql[128];
	int rc;

	if ((rc = pragma_int(st, "PRAGMA application_id", &app, err)) ||
	    (rc = pragma_int(st, "PRAGMA user_version", &version, err)) ||
	    (rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err)))
		return rc;
	if (app != APPLICATION_ID && (tables > 0 || version > 0)) {
		ss_error_set(err, SS_ESTORE, "not a secscore store (a SQLite database of something else)");
		ss_error_at(err, st->path, 0, 0);
		return SS_ESTORE;
	}
	if (version > SS_STORE_SCHEMA_VERSION) {
		ss_error_set(err, SS_ESTORE,
			     "the store has schema version %lld, newer than this secscore understands (%d): "
			     "upgrade secscore",
			     (long long)version, SS_STORE_SCHEMA_VERSION);
		ss_error_at(err, st->path, 0, 0);
		return SS_ESTORE;
	}
	while (version < SS_STORE_SCHEMA_VERSION) {
		if ((rc = ss_store_exec(st, "BEGIN IMMEDIATE", err)))
			return rc;
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %lld;",
			 APPLICATION_ID, (long long)version + 1);
		if ((rc = ss_store_exec(st, migrations[version], err)) ||
		    (rc = ss_store_exec(st, sql, err))) {
			ss_store_exec(st, "ROLLBACK", NULL);
			return rc;
		}
		if ((rc = ss_store_exec(st, "COMMIT", err)))
			return rc;
		version++;
	}
	return 0;
}

int ss_store_open(struct ss_store *st, const char *path, bool create, struct ss_error *err)
{
	int rc, flags = SQLITE_OPEN_READWRITE;

	memset(st, 0, sizeof(*st));
	st->path = ss_xstrdup(path);
	if (create) {
		char *dir = ss_xstrdup(path), *slash = strrchr(dir, '/');
		flags |= SQLITE_OPEN_CREATE;
		if (slash && slash != dir) {
			*slash = '\0';
			rc = ss_mkdir_p(dir, true, err);
			if (rc) {
				free(dir);
				goto fail;
			}
		}
		free(dir);
	} else if (!ss_file_exists(path)) {
		rc = ss_error_set(err, SS_ENOENT,
				  "no store here yet (run 'secscore score' or 'secscore demo' first)");
		ss_error_at(err, path, 0, 0);
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = ss_store_db_error(st, err, "cannot open the store");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	rc = ss_store_exec(st, "PRAGMA foreign_keys = ON", err);
	if (rc)
		goto fail;
	rc = migrate(st, err);
	if (rc)
		goto fail;
	rc = ss_store_exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err);
	if (rc)
		goto fail;
	return 0;
fail:
	if (err && err->code == SS_ESTORE && strstr(err->msg, "file is not a database")) {
		snprintf(err->msg, sizeof(err->msg), "not a secscore store (not a SQLite database)");
	}
	ss_store_close(st);
	return rc;
}

void ss_store_close(struct ss_store *st)
{
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	memset(st, 0, sizeof(*st));
}

static char *now_text(void)
{
	char buf[32];

	ss_time_format(ss_time_now(), buf);
	return ss_xstrdup(buf);
}

int ss_store_tenant(struct ss_store *st, const char *tenant_id, const char *name, bool rename, int64_t *row,
		    struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char *now = now_text();
	int rc = 0;

	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO tenants (tenant_id, name, created) VALUES (?1, ?2, ?3) "
			       "ON CONFLICT (tenant_id) DO UPDATE SET name = CASE WHEN ?4 THEN excluded.name "
			       "ELSE name END "
			       "RETURNING id",
			       -1, &s, NULL) != SQLITE_OK) {
		rc = ss_store_db_error(st, err, "cannot record the tenant");
		goto out;
	}
	sqlite3_bind_text(s, 1, tenant_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, rename);
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = ss_store_db_error(st, err, "cannot record the tenant");
		goto out;
	}
	*row = sqlite3_column_int64(s, 0);
	while (sqlite3_step(s) == SQLITE_ROW)
		;
out:
	sqlite3_finalize(s);
	free(now);
	return rc;
}

int ss_store_find_tenant(struct ss_store *st, const char *name, int64_t *row, char **tenant_id,
			 struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0, step;

	*tenant_id = NULL;
	if (name)
		rc = sqlite3_prepare_v2(
			st->db,
			"SELECT id, tenant_id FROM tenants WHERE tenant_id = ?1 COLLATE NOCASE "
			"OR name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1",
			-1, &s, NULL);
	else
		rc = sqlite3_prepare_v2(
			st->db,
			"SELECT t.id, t.tenant_id FROM tenants t LEFT JOIN scores s ON s.tenant = t.id "
			"GROUP BY t.id ORDER BY max(coalesce(s.id, 0)) DESC, t.id DESC LIMIT 1",
			-1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = ss_store_db_error(st, err, "cannot read tenants");
		goto out;
	}
	rc = 0;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*row = sqlite3_column_int64(s, 0);
		*tenant_id = ss_xstrdup((const char *)sqlite3_column_text(s, 1));
	} else if (step == SQLITE_DONE) {
		rc = ss_error_set(err, SS_ENOENT,
				  name ? "no tenant '%s' in the store" : "the store holds no tenant yet%s",
				  name ? name : "");
		ss_error_at(err, st->path, 0, 0);
	} else {
		rc = ss_store_db_error(st, err, "cannot read tenants");
	}
out:
	sqlite3_finalize(s);
	return rc;
}

/* Hash of what a score says (not when it was computed): the idempotency key. */
static void result_hash(json_t *score, char out[65])
{
	json_t *copy = json_deep_copy(score);
	struct ss_sha256 *h = ss_sha256_new();
	char *text;

	json_object_del(copy, "id");
	json_object_del(copy, "scoredDateTime");
	json_object_del(copy, "snapshotPath");
	text = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT);
	ss_sha256_update(h, text, strlen(text));
	ss_sha256_final(h, out);
	free(text);
	json_decref(copy);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

int ss_store_save_score(struct ss_store *st, json_t *score, bool *existed, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t tenant, snapshot, row;
	char hash[65], sid[256];
	char *now = now_text(), *doc = NULL;
	json_t *cs;
	size_t i;
	int rc;

	*existed = false;
	result_hash(score, hash);
	if ((rc = ss_store_exec(st, "BEGIN IMMEDIATE", err)))
		goto done;
	/* Not part of result_hash: comparisons with other tenants do not make a new score. */
	if ((rc = ss_store_fill_comparatives(st, score, err)))
		goto out;
	rc = ss_store_tenant(st, jstr(score, "azureTenantId"), jstr(score, "tenantDisplayName"), false,
			     &tenant, err);
	if (rc)
		goto out;

	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO snapshots (tenant, hash, taken, path, first_seen) VALUES (?1, "
			       "?2, ?3, ?4, ?5) "
			       "ON CONFLICT (tenant, hash) DO UPDATE SET path = excluded.path RETURNING id",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, jstr(score, "snapshotHash"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, jstr(score, "createdDateTime"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, jstr(score, "snapshotPath"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	snapshot = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT score_id FROM scores WHERE snapshot = ?1 AND catalog_version = ?2 AND "
			       "result_hash = ?3",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, snapshot);
	sqlite3_bind_text(s, 2, jstr(score, "catalogVersion"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*existed = true;
		json_object_set_new(score, "id", json_string((const char *)sqlite3_column_text(s, 0)));
		sqlite3_finalize(s);
		s = NULL;
		rc = ss_store_exec(st, "COMMIT", err);
		goto done;
	}
	sqlite3_finalize(s);
	s = NULL;

	if ((rc = pragma_int(st, "SELECT coalesce(max(id), 0) + 1 FROM scores", &row, err)))
		goto out;
	snprintf(sid, sizeof(sid), "%s_%.10s.%lld", jstr(score, "azureTenantId"),
		 jstr(score, "createdDateTime"), (long long)row);
	json_object_set_new(score, "id", json_string(sid));
	doc = json_dumps(score, JSON_COMPACT);
	if (sqlite3_prepare_v2(
		    st->db,
		    "INSERT INTO scores (id, tenant, snapshot, score_id, catalog_version, result_hash, "
		    "created, scored, current, max, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		    "?11)",
		    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, row);
	sqlite3_bind_int64(s, 2, tenant);
	sqlite3_bind_int64(s, 3, snapshot);
	sqlite3_bind_text(s, 4, sid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, jstr(score, "catalogVersion"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, jstr(score, "createdDateTime"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, jstr(score, "scoredDateTime"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 9, json_number_value(json_object_get(score, "currentScore")));
	sqlite3_bind_double(s, 10, json_number_value(json_object_get(score, "maxScore")));
	sqlite3_bind_text(s, 11, doc, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;

	if (sqlite3_prepare_v2(
		    st->db,
		    "INSERT INTO control_scores (score, control, category, service, status, state, points, "
		    "max, count, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	json_array_foreach (json_object_get(score, "controlScores"), i, cs) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, row);
		sqlite3_bind_text(s, 2, jstr(cs, "controlName"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, jstr(cs, "controlCategory"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, jstr(cs, "service"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, jstr(cs, "status"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 6, jstr(cs, "state"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(s, 7, json_number_value(json_object_get(cs, "score")));
		sqlite3_bind_double(s, 8, json_number_value(json_object_get(cs, "maxScore")));
		sqlite3_bind_int64(s, 9, json_integer_value(json_object_get(cs, "count")));
		sqlite3_bind_int64(s, 10, json_integer_value(json_object_get(cs, "total")));
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = ss_store_exec(st, "COMMIT", err);
	goto done;
fail:
	rc = ss_store_db_error(st, err, "cannot record the score");
out:
	sqlite3_finalize(s);
	ss_store_exec(st, "ROLLBACK", NULL);
done:
	free(doc);
	free(now);
	return rc;
}

int ss_store_load_score_text(struct ss_store *st, int64_t tenant, const char *id, char **text, size_t *len,
			     struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char *end;
	int rc = 0, step;

	*text = NULL;
	*len = 0;
	if (!id || strcmp(id, "latest") == 0) {
		rc = sqlite3_prepare_v2(st->db,
					"SELECT doc FROM scores WHERE tenant = ?1 ORDER BY id DESC LIMIT 1",
					-1, &s, NULL);
	} else if (strcmp(id, "previous") == 0) {
		rc = sqlite3_prepare_v2(
			st->db, "SELECT doc FROM scores WHERE tenant = ?1 ORDER BY id DESC LIMIT 1 OFFSET 1",
			-1, &s, NULL);
	} else {
		long long n = strtoll(id, &end, 10);
		if (*id && *end == '\0') {
			rc = sqlite3_prepare_v2(
				st->db, "SELECT doc FROM scores WHERE tenant = ?1 AND id = ?2", -1, &s, NULL);
			if (rc == SQLITE_OK)
				sqlite3_bind_int64(s, 2, n);
		} else {
			rc = sqlite3_prepare_v2(st->db,
						"SELECT doc FROM scores WHERE tenant = ?1 AND score_id = ?2",
						-1, &s, NULL);
			if (rc == SQLITE_OK)
				sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
		}
	}
	if (rc != SQLITE_OK) {
		rc = ss_store_db_error(st, err, "cannot read scores");
		goto out;
	}
	rc = 0;
	sqlite3_bind_int64(s, 1, tenant);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		const char *doc = (const char *)sqlite3_column_text(s, 0);
		*len = (size_t)sqlite3_column_bytes(s, 0);
		*text = ss_xstrndup(doc ? doc : "", *len);
	} else if (step == SQLITE_DONE) {
		rc = ss_error_set(err, SS_ENOENT, "no score '%s' in the store",
				  id ? id : "(none recorded yet: run 'secscore score' first)");
	} else {
		rc = ss_store_db_error(st, err, "cannot read scores");
	}
out:
	sqlite3_finalize(s);
	return rc;
}

int ss_store_load_score(struct ss_store *st, int64_t tenant, const char *id, json_t **out,
			struct ss_error *err)
{
	json_error_t je;
	size_t len;
	char *text;
	int rc;

	*out = NULL;
	rc = ss_store_load_score_text(st, tenant, id, &text, &len, err);
	if (rc)
		return rc;
	*out = json_loadb(text, len, 0, &je);
	free(text);
	if (!*out) {
		rc = ss_error_set(err, SS_ESTORE, "a stored score is damaged: %s", je.text);
		ss_error_at(err, st->path, 0, 0);
	}
	return rc;
}

int ss_store_history(struct ss_store *st, int64_t tenant, json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int step;

	*out = json_array();
	if (sqlite3_prepare_v2(st->db,
			       "SELECT score_id, created, scored, current, max, catalog_version, "
			       "(SELECT hash FROM snapshots WHERE id = scores.snapshot) "
			       "FROM scores WHERE tenant = ?1 ORDER BY id DESC",
			       -1, &s, NULL) != SQLITE_OK) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read scores");
	}
	sqlite3_bind_int64(s, 1, tenant);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		double cur = sqlite3_column_double(s, 3), max = sqlite3_column_double(s, 4);
		json_array_append_new(
			*out,
			json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:s, s:s}", "id", sqlite3_column_text(s, 0),
				  "createdDateTime", sqlite3_column_text(s, 1), "scoredDateTime",
				  sqlite3_column_text(s, 2), "currentScore", cur, "maxScore", max,
				  "percentage",
				  max > 0 ? (double)((long long)(10000.0 * cur / max + 0.5)) / 100.0 : 0.0,
				  "catalogVersion", sqlite3_column_text(s, 5), "snapshotHash",
				  sqlite3_column_text(s, 6)));
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read scores");
	}
	return 0;
}

int ss_store_control_history(struct ss_store *st, int64_t tenant, const char *control, long long limit,
			     json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int step;

	*out = json_array();
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT s.score_id, s.created, c.status, c.points, c.max FROM control_scores c "
		    "JOIN scores s ON s.id = c.score WHERE s.tenant = ?1 AND c.control = ?2 "
		    "ORDER BY s.id DESC LIMIT ?3",
		    -1, &s, NULL) != SQLITE_OK) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read control scores");
	}
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, control, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, limit > 0 ? limit : -1);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			*out, json_pack("{s:s, s:s, s:s, s:f, s:f}", "id", sqlite3_column_text(s, 0),
					"createdDateTime", sqlite3_column_text(s, 1), "status",
					sqlite3_column_text(s, 2), "score", sqlite3_column_double(s, 3),
					"maxScore", sqlite3_column_double(s, 4)));
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read control scores");
	}
	return 0;
}

static ss_time_ms parse_or_zero(const unsigned char *text)
{
	ss_time_ms t = 0;

	if (text && ss_time_parse((const char *)text, strlen((const char *)text), &t) != 0)
		t = 0;
	return t;
}

int ss_store_states(struct ss_store *st, int64_t tenant, struct ss_state **out, size_t *n,
		    struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int step;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT control, state, reason, author, at, expires, excludes, assigned_to "
			       "FROM control_states c "
			       "WHERE tenant = ?1 AND id = (SELECT max(id) FROM control_states d "
			       "WHERE d.tenant = c.tenant AND d.control = c.control) ORDER BY control",
			       -1, &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read control states");
	sqlite3_bind_int64(s, 1, tenant);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct ss_state *x;
		json_t *ex, *e;
		size_t i;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = ss_xrealloc(*out, ss_mul_sz(cap, sizeof(**out)));
		}
		x = &(*out)[(*n)++];
		memset(x, 0, sizeof(*x));
		x->control = ss_xstrdup((const char *)sqlite3_column_text(s, 0));
		x->state = ss_xstrdup((const char *)sqlite3_column_text(s, 1));
		x->reason = ss_xstrdup((const char *)sqlite3_column_text(s, 2));
		x->by = ss_xstrdup((const char *)sqlite3_column_text(s, 3));
		if (sqlite3_column_type(s, 7) != SQLITE_NULL)
			x->assigned_to = ss_xstrdup((const char *)sqlite3_column_text(s, 7));
		x->at = parse_or_zero(sqlite3_column_text(s, 4));
		x->expires = parse_or_zero(sqlite3_column_text(s, 5));
		ss_strv_init(&x->excludes);
		ex = json_loads((const char *)sqlite3_column_text(s, 6), 0, NULL);
		json_array_foreach (ex, i, e) {
			if (json_is_string(e))
				ss_strv_push(&x->excludes, json_string_value(e));
		}
		json_decref(ex);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return ss_store_db_error(st, err, "cannot read control states");
	return 0;
}

int ss_store_set_state(struct ss_store *st, int64_t tenant, const struct ss_state *state,
		       struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	char at[32], exp[32];
	json_t *ex = json_array();
	char *exj;
	size_t i;
	int rc = 0;

	for (i = 0; i < state->excludes.n; i++)
		json_array_append_new(ex, json_string(state->excludes.v[i]));
	exj = json_dumps(ex, JSON_COMPACT);
	json_decref(ex);
	ss_time_format(state->at, at);
	if (state->expires)
		ss_time_format(state->expires, exp);
	if ((rc = ss_store_exec(st, "BEGIN IMMEDIATE", err)))
		goto out;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO control_states (tenant, control, state, reason, author, at, "
			       "expires, excludes, assigned_to) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       -1, &s, NULL) != SQLITE_OK) {
		rc = ss_store_db_error(st, err, "cannot record the control state");
		ss_store_exec(st, "ROLLBACK", NULL);
		goto out;
	}
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, state->control, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, state->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, state->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, state->by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, at, -1, SQLITE_TRANSIENT);
	if (state->expires)
		sqlite3_bind_text(s, 7, exp, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 7);
	sqlite3_bind_text(s, 8, exj, -1, SQLITE_TRANSIENT);
	if (state->assigned_to && *state->assigned_to)
		sqlite3_bind_text(s, 9, state->assigned_to, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 9);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = ss_store_db_error(st, err, "cannot record the control state");
		ss_store_exec(st, "ROLLBACK", NULL);
		goto out;
	}
	rc = ss_store_exec(st, "COMMIT", err);
out:
	sqlite3_finalize(s);
	free(exj);
	return rc;
}

int ss_store_state_history(struct ss_store *st, int64_t tenant, const char *control, json_t **out,
			   struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int step;

	*out = json_array();
	if (sqlite3_prepare_v2(st->db,
			       "SELECT state, reason, author, at, expires, excludes, assigned_to "
			       "FROM control_states WHERE tenant = ?1 AND control = ?2 ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read control states");
	}
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, control, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *u = json_object(), *ex;
		json_object_set_new(u, "state", json_string((const char *)sqlite3_column_text(s, 0)));
		json_object_set_new(u, "comment", json_string((const char *)sqlite3_column_text(s, 1)));
		json_object_set_new(u, "updatedBy", json_string((const char *)sqlite3_column_text(s, 2)));
		json_object_set_new(u, "updatedDateTime",
				    json_string((const char *)sqlite3_column_text(s, 3)));
		if (sqlite3_column_type(s, 4) != SQLITE_NULL)
			json_object_set_new(u, "expires",
					    json_string((const char *)sqlite3_column_text(s, 4)));
		ex = json_loads((const char *)sqlite3_column_text(s, 5), 0, NULL);
		json_object_set_new(u, "excludes", ex ? ex : json_array());
		json_object_set_new(u, "assignedTo",
				    sqlite3_column_type(s, 6) == SQLITE_NULL
					    ? json_null()
					    : json_string((const char *)sqlite3_column_text(s, 6)));
		json_array_append_new(*out, u);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read control states");
	}
	return 0;
}

#define MAX_STORED_FILE ((size_t)4 << 30)

int ss_store_put_snapshot(struct ss_store *st, const char *tenant_id, const char *tenant_name, bool rename,
			  const char *hash, const char *taken, const char *path,
			  const struct ss_stored_file *files, size_t n, int64_t *row, bool *existed,
			  size_t *stored_bytes, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t tenant, have = 0;
	char *now = now_text();
	size_t i;
	int rc;

	*existed = false;
	*stored_bytes = 0;
	if ((rc = ss_store_exec(st, "BEGIN IMMEDIATE", err)))
		goto done;
	rc = ss_store_tenant(st, tenant_id, tenant_name, rename, &tenant, err);
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO snapshots (tenant, hash, taken, path, first_seen) VALUES (?1, "
			       "?2, ?3, ?4, ?5) "
			       "ON CONFLICT (tenant, hash) DO UPDATE SET path = excluded.path RETURNING id",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, tenant);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, taken, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	*row = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM snapshot_files WHERE snapshot = ?1", -1, &s,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, *row);
	if (sqlite3_step(s) == SQLITE_ROW)
		have = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (have > 0) {
		*existed = true;
		rc = ss_store_exec(st, "COMMIT", err);
		goto done;
	}
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO snapshot_files (snapshot, name, size, codec, data) VALUES (?1, "
			       "?2, ?3, 'zstd', ?4)",
			       -1, &s, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		size_t bound = ZSTD_compressBound(files[i].len), clen;
		void *buf = ss_xmalloc(bound);
		clen = ZSTD_compress(buf, bound, files[i].data, files[i].len, 3);
		if (ZSTD_isError(clen)) {
			free(buf);
			rc = ss_error_set(err, SS_EIO, "cannot compress %s: %s", files[i].name,
					  ZSTD_getErrorName(clen));
			goto out;
		}
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, *row);
		sqlite3_bind_text(s, 2, files[i].name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)files[i].len);
		sqlite3_bind_blob64(s, 4, buf, clen, SQLITE_TRANSIENT);
		free(buf);
		*stored_bytes += clen;
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	rc = ss_store_exec(st, "COMMIT", err);
	goto done;
fail:
	rc = ss_store_db_error(st, err, "cannot store the snapshot");
out:
	sqlite3_finalize(s);
	ss_store_exec(st, "ROLLBACK", NULL);
done:
	free(now);
	return rc;
}

int ss_store_stored_snapshots(struct ss_store *st, int64_t tenant, json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int step;

	*out = json_array();
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT sn.id, t.tenant_id, sn.hash, sn.taken, count(f.name) FROM snapshots sn "
		    "JOIN tenants t ON t.id = sn.tenant JOIN snapshot_files f ON f.snapshot = sn.id "
		    "WHERE ?1 = 0 OR sn.tenant = ?1 GROUP BY sn.id ORDER BY sn.taken, sn.id",
		    -1, &s, NULL) != SQLITE_OK) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read snapshots");
	}
	sqlite3_bind_int64(s, 1, tenant);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(*out,
				      json_pack("{s:I, s:s, s:s, s:s, s:I}", "row",
						(json_int_t)sqlite3_column_int64(s, 0), "tenantId",
						sqlite3_column_text(s, 1), "hash", sqlite3_column_text(s, 2),
						"taken", sqlite3_column_text(s, 3), "files",
						(json_int_t)sqlite3_column_int64(s, 4)));
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read snapshots");
	}
	return 0;
}

void ss_stored_files_free(struct ss_stored_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].data);
	}
	free(files);
}

int ss_store_snapshot_files(struct ss_store *st, int64_t row, struct ss_stored_file **files, size_t *n,
			    struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int step, rc = 0;

	*files = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT name, size, codec, data FROM snapshot_files WHERE snapshot = ?1 ORDER BY name",
		    -1, &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read snapshot files");
	sqlite3_bind_int64(s, 1, row);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct ss_stored_file *f;
		sqlite3_int64 size = sqlite3_column_int64(s, 1);
		const void *blob = sqlite3_column_blob(s, 3);
		size_t blen = (size_t)sqlite3_column_bytes(s, 3), got;
		if (size < 0 || (size_t)size > MAX_STORED_FILE ||
		    strcmp((const char *)sqlite3_column_text(s, 2), "zstd")) {
			rc = ss_error_set(err, SS_ESTORE, "a stored snapshot file is damaged");
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*files = ss_xrealloc(*files, ss_mul_sz(cap, sizeof(**files)));
		}
		f = &(*files)[(*n)++];
		f->name = ss_xstrdup((const char *)sqlite3_column_text(s, 0));
		f->len = (size_t)size;
		f->data = ss_xmalloc(f->len + 1);
		got = ZSTD_decompress(f->data, f->len, blob, blen);
		if (ZSTD_isError(got) || got != f->len) {
			rc = ss_error_set(err, SS_ESTORE, "a stored snapshot file is damaged: %s", f->name);
			break;
		}
		f->data[f->len] = '\0';
	}
	if (!rc && step != SQLITE_DONE)
		rc = ss_store_db_error(st, err, "cannot read snapshot files");
	sqlite3_finalize(s);
	if (rc) {
		ss_error_at(err, st->path, 0, 0);
		ss_stored_files_free(*files, *n);
		*files = NULL;
		*n = 0;
	}
	return rc;
}

char *ss_store_latest_snapshot(struct ss_store *st, int64_t tenant)
{
	sqlite3_stmt *s = NULL;
	char *out = NULL;

	if (sqlite3_prepare_v2(
		    st->db,
		    "SELECT path FROM snapshots WHERE tenant = ?1 AND path IS NOT NULL ORDER BY taken DESC, "
		    "id DESC",
		    -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s, 1, tenant);
	while (!out && sqlite3_step(s) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 0);
		char manifest[4200];
		snprintf(manifest, sizeof(manifest), "%s/manifest.json", p ? p : "");
		if (p && ss_dir_exists(p) && ss_file_exists(manifest))
			out = ss_xstrdup(p);
	}
	sqlite3_finalize(s);
	return out;
}
