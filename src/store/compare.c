/* compare.c - the latest score of every tenant in the store, and the averages Graph calls averageComparativeScores. */
#include "store/compare.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* The categories of Graph's averageComparativeScore, in its order; "Account" is Identity's legacy name. */
enum {
	CAT_IDENTITY,
	CAT_DATA,
	CAT_DEVICE,
	CAT_APPS,
	CAT_INFRASTRUCTURE,
	N_CATS
};
static const char *const cat_names[N_CATS] = {"Identity", "Data", "Device", "Apps", "Infrastructure"};
static const char *const cat_keys[N_CATS] = {"identityScore", "dataScore", "deviceScore", "appsScore",
					     "infrastructureScore"};

#define SOURCE "secscore store"

/*
 * The latest score of each tenant (the one recorded last: highest row id,
 * as ss_store_load_score's "latest"). The document's members are read by
 * one json_extract with several paths (SQLite parses the document once),
 * and only from documents that are valid JSON: a damaged stored score is
 * left out of the figures rather than failing every later save.
 */
static const char latest_sql[] =
	"SELECT t.name, t.tenant_id, s.score_id, s.created, s.current, s.max, "
	"CASE WHEN json_valid(s.doc) THEN json_extract(s.doc, '$.tenantDisplayName', "
	"'$.licensedUserCount', '$.activeUserCount', '$.categories') END "
	"FROM tenants t JOIN scores s ON s.id = (SELECT max(id) FROM scores WHERE tenant = t.id) "
	"ORDER BY t.name COLLATE NOCASE, t.tenant_id";

enum {
	COL_NAME,
	COL_TENANT,
	COL_SCORE_ID,
	COL_CREATED,
	COL_CURRENT,
	COL_MAX,
	COL_DOC
};
enum {
	DOC_DISPLAY,
	DOC_LICENSED,
	DOC_ACTIVE,
	DOC_CATEGORIES
};

static double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

static double percentage(double current, double max)
{
	return max > 0 ? round2(100.0 * current / max) : 0.0;
}

static const char *col_text(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	return t ? (const char *)t : "";
}

static long long count_of(json_t *v)
{
	double d = json_number_value(v);
	return d > 0 ? (long long)d : 0;
}

void ss_seat_band(long long seats, long long *lower, long long *upper)
{
	*lower = 0;
	*upper = 10;
	while (seats > *upper) {
		if (*upper >= 10000) {
			*lower = *upper + 1;
			*upper = -1;
			return;
		}
		*lower = *upper + 1;
		*upper *= 10;
	}
}

/* Adds the points of a "categories" array ([{name, score, maxScore}]) to out. */
static void category_points(json_t *cats, double out[N_CATS])
{
	json_t *c;
	size_t i;
	int k;

	memset(out, 0, sizeof(double) * N_CATS);
	json_array_foreach (cats, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		if (!name)
			continue;
		if (strcasecmp(name, "Account") == 0)
			name = "Identity";
		for (k = 0; k < N_CATS; k++) {
			if (strcasecmp(name, cat_names[k]) == 0) {
				out[k] += json_number_value(json_object_get(c, "score"));
				break;
			}
		}
	}
}

/* The sums of one cohort. */
struct cohort {
	size_t n;
	double score, pct, cat[N_CATS];
};

static void cohort_add(struct cohort *c, double current, double max, const double cat[N_CATS])
{
	int k;

	c->n++;
	c->score += current;
	c->pct += percentage(current, max);
	for (k = 0; k < N_CATS; k++)
		c->cat[k] += cat[k];
}

static json_t *cohort_json(const struct cohort *c, const char *basis, const long long *band)
{
	json_t *o = json_object();
	double n = c->n ? (double)c->n : 1.0;
	int k;

	json_object_set_new(o, "basis", json_string(basis));
	json_object_set_new(o, "averageScore", json_real(round2(c->score / n)));
	for (k = 0; k < N_CATS; k++)
		json_object_set_new(o, cat_keys[k], json_real(round2(c->cat[k] / n)));
	if (band) {
		json_object_set_new(o, "SeatSizeRangeLowerValue", json_integer(band[0]));
		json_object_set_new(o, "SeatSizeRangeUpperValue",
				    band[1] < 0 ? json_null() : json_integer(band[1]));
	}
	json_object_set_new(o, "averagePercentage", json_real(round2(c->pct / n)));
	json_object_set_new(o, "tenantCount", json_integer((json_int_t)c->n));
	json_object_set_new(o, "source", json_string(SOURCE));
	return o;
}

/* The members of a stored document read by latest_sql (an array), or NULL when it was not valid JSON. */
static json_t *doc_members(sqlite3_stmt *s)
{
	const unsigned char *t = sqlite3_column_text(s, COL_DOC);
	json_t *a;

	if (!t)
		return NULL;
	a = json_loads((const char *)t, JSON_DECODE_ANY, NULL);
	if (a && !json_is_array(a)) {
		json_decref(a);
		a = NULL;
	}
	return a;
}

int ss_store_tenant_scores(struct ss_store *st, json_t **out, struct ss_error *err)
{
	sqlite3_stmt *s = NULL;
	int step;

	*out = NULL;
	if (sqlite3_prepare_v2(st->db, latest_sql, -1, &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read the tenants' scores");
	*out = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *m = doc_members(s), *row = json_object();
		const char *display = json_string_value(json_array_get(m, DOC_DISPLAY));
		double cur = sqlite3_column_double(s, COL_CURRENT), max = sqlite3_column_double(s, COL_MAX);

		json_object_set_new(row, "name", json_string(col_text(s, COL_NAME)));
		json_object_set_new(row, "azureTenantId", json_string(col_text(s, COL_TENANT)));
		json_object_set_new(row, "displayName", display ? json_string(display) : json_null());
		json_object_set_new(row, "scoreId", json_string(col_text(s, COL_SCORE_ID)));
		json_object_set_new(row, "createdDateTime", json_string(col_text(s, COL_CREATED)));
		json_object_set_new(row, "currentScore", json_real(cur));
		json_object_set_new(row, "maxScore", json_real(max));
		json_object_set_new(row, "percentage", json_real(percentage(cur, max)));
		json_object_set_new(row, "licensedUserCount",
				    json_integer(count_of(json_array_get(m, DOC_LICENSED))));
		json_object_set_new(row, "activeUserCount",
				    json_integer(count_of(json_array_get(m, DOC_ACTIVE))));
		json_array_append_new(*out, row);
		json_decref(m);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(*out);
		*out = NULL;
		return ss_store_db_error(st, err, "cannot read the tenants' scores");
	}
	return 0;
}

int ss_store_fill_comparatives(struct ss_store *st, json_t *score, struct ss_error *err)
{
	struct cohort all = {0}, band = {0};
	sqlite3_stmt *s = NULL;
	const char *own = json_string_value(json_object_get(score, "azureTenantId"));
	long long seats = count_of(json_object_get(score, "licensedUserCount")), range[2], lo, hi;
	double cat[N_CATS];
	json_t *out;
	int step;

	if (!own)
		own = "";
	ss_seat_band(seats, &range[0], &range[1]);
	if (sqlite3_prepare_v2(st->db, latest_sql, -1, &s, NULL) != SQLITE_OK)
		return ss_store_db_error(st, err, "cannot read the tenants' scores");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *m;
		double cur = sqlite3_column_double(s, COL_CURRENT), max = sqlite3_column_double(s, COL_MAX);
		if (strcmp(col_text(s, COL_TENANT), own) == 0)
			continue; /* the score being saved stands in for its tenant's latest */
		m = doc_members(s);
		if (!m)
			continue; /* a damaged document: its categories and seats are unknown */
		category_points(json_array_get(m, DOC_CATEGORIES), cat);
		cohort_add(&all, cur, max, cat);
		ss_seat_band(count_of(json_array_get(m, DOC_LICENSED)), &lo, &hi);
		if (lo == range[0])
			cohort_add(&band, cur, max, cat);
		json_decref(m);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return ss_store_db_error(st, err, "cannot read the tenants' scores");

	category_points(json_object_get(score, "categories"), cat);
	cohort_add(&all, json_number_value(json_object_get(score, "currentScore")),
		   json_number_value(json_object_get(score, "maxScore")), cat);
	cohort_add(&band, json_number_value(json_object_get(score, "currentScore")),
		   json_number_value(json_object_get(score, "maxScore")), cat);
	out = json_array();
	json_array_append_new(out, cohort_json(&all, "AllTenants", NULL));
	json_array_append_new(out, cohort_json(&band, "TotalSeats", range));
	json_object_set_new(score, "averageComparativeScores", out);
	return 0;
}
