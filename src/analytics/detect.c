/* detect.c - C detections over audit records: per-record events aggregated in mergeable maps, judged at the end. */
#include "analytics/detect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/text.h"

#define MAX_EVIDENCE 50
#define BUCKET_MS    ((ss_time_ms)600000) /* mass operations are counted in 10-minute buckets */

/* One piece of evidence: a record id and its time (the earliest are kept, so merging is order-free). */
struct ev {
	ss_time_ms t;
	char *id; /* owned */
};

/* An aggregate under a string key. */
struct agg {
	char *key;	  /* owned; NULL = empty slot */
	ss_time_ms first; /* earliest event */
	ss_time_ms last;  /* latest event */
	uint64_t count;	  /* events */
	char *summary;	  /* the summary of the earliest event, owned */
	int severity;	  /* rank, for per-record findings */
	struct ev *ev;	  /* earliest evidence, sorted by (t, id), at most cap */
	size_t nev;
};

struct map {
	struct agg *slots;
	size_t cap, n;
	size_t evcap; /* evidence kept per aggregate */
};

struct ss_detect {
	const struct ss_detect_config *c;
	struct map events; /* per-record findings: "rule\037user\037detail" */
	struct map mass;   /* "class\037user\037bucket" */
	struct map geo;	   /* "user\037cc\037day" (successful sign-ins) */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h ^ (h >> 31);
}

static void map_init(struct map *m, size_t evcap)
{
	memset(m, 0, sizeof(*m));
	m->evcap = evcap;
}

static void agg_release(struct agg *a)
{
	size_t i;

	free(a->key);
	free(a->summary);
	for (i = 0; i < a->nev; i++)
		free(a->ev[i].id);
	free(a->ev);
}

static void map_release(struct map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			agg_release(&m->slots[i]);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct agg *map_get(struct map *m, const char *key)
{
	size_t i, mask;

	if ((m->n + 1) * 10 > m->cap * 7) {
		struct agg *old = m->slots;
		size_t oc = m->cap, k;
		m->cap = oc ? oc * 2 : 64;
		m->slots = ss_xcalloc(m->cap, sizeof(*m->slots));
		for (k = 0; k < oc; k++) {
			if (!old[k].key)
				continue;
			mask = m->cap - 1;
			i = hash_str(old[k].key) & mask;
			while (m->slots[i].key)
				i = (i + 1) & mask;
			m->slots[i] = old[k];
		}
		free(old);
	}
	mask = m->cap - 1;
	i = hash_str(key) & mask;
	while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & mask;
	if (!m->slots[i].key) {
		memset(&m->slots[i], 0, sizeof(m->slots[i]));
		m->slots[i].key = ss_xstrdup(key);
		m->n++;
	}
	return &m->slots[i];
}

static int ev_cmp(const struct ev *a, const struct ev *b)
{
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Adds evidence, keeping the cap earliest (ties by id) in order; duplicates ignored. */
static void add_ev(struct agg *a, size_t cap, ss_time_ms t, const char *id, size_t idlen)
{
	struct ev e = {t, NULL};
	char tmp[160];
	size_t pos, k;

	if (!cap || !idlen)
		return;
	if (idlen >= sizeof(tmp))
		idlen = sizeof(tmp) - 1;
	memcpy(tmp, id, idlen);
	tmp[idlen] = '\0';
	e.id = tmp;
	for (pos = 0; pos < a->nev && ev_cmp(&a->ev[pos], &e) < 0; pos++)
		;
	if (pos < a->nev && ev_cmp(&a->ev[pos], &e) == 0)
		return;
	if (pos >= cap)
		return;
	if (!a->ev)
		a->ev = ss_xcalloc(cap, sizeof(*a->ev));
	if (a->nev == cap) {
		free(a->ev[cap - 1].id);
		a->nev--;
	}
	for (k = a->nev; k > pos; k--)
		a->ev[k] = a->ev[k - 1];
	a->ev[pos].t = t;
	a->ev[pos].id = ss_xstrdup(tmp);
	a->nev++;
}

static void add_event(struct map *m, const char *key, ss_time_ms t, uint64_t n, const char *summary, int sev,
		      struct ss_slice id)
{
	struct agg *a = map_get(m, key);

	if (!a->count || t < a->first ||
	    (t == a->first && summary && a->summary && strcmp(summary, a->summary) < 0)) {
		if (summary) {
			free(a->summary);
			a->summary = ss_xstrdup(summary);
		}
	}
	if (!a->count || t < a->first)
		a->first = t;
	if (!a->count || t > a->last)
		a->last = t;
	a->count += n;
	if (sev > a->severity)
		a->severity = sev;
	add_ev(a, m->evcap, t, id.ptr, id.len);
}

static void merge_map(struct map *dst, const struct map *src)
{
	size_t i, k;

	for (i = 0; i < src->cap; i++) {
		const struct agg *s = &src->slots[i];
		struct agg *a;
		if (!s->key)
			continue;
		a = map_get(dst, s->key);
		if (!a->count || s->first < a->first ||
		    (s->first == a->first && s->summary &&
		     (!a->summary || strcmp(s->summary, a->summary) < 0))) {
			if (s->summary) {
				free(a->summary);
				a->summary = ss_xstrdup(s->summary);
			}
		}
		if (!a->count || s->first < a->first)
			a->first = s->first;
		if (!a->count || s->last > a->last)
			a->last = s->last;
		a->count += s->count;
		if (s->severity > a->severity)
			a->severity = s->severity;
		for (k = 0; k < s->nev; k++)
			add_ev(a, dst->evcap, s->ev[k].t, s->ev[k].id, strlen(s->ev[k].id));
	}
}

int ss_detect_config_init(struct ss_detect_config *c, json_t *detections, struct ss_error *err)
{
	static const char *const names[] = {"mass_download_per_hour",
					    "mass_delete_per_hour",
					    "impossible_travel_kmh",
					    "volume_z",
					    "volume_min",
					    "new_country_after_days"};
	const char *key;
	json_t *v;

	memset(c, 0, sizeof(*c));
	c->mass_download_per_hour = 300;
	c->mass_delete_per_hour = 300;
	c->travel_kmh = 900;
	c->volume_z = 8;
	c->volume_min = 30;
	c->new_country_after_days = 7;
	ss_strv_init(&c->domains);
	if (!detections)
		return 0;
	if (!json_is_object(detections)) {
		ss_error_set(err, SS_EINVAL, "must be an object");
		ss_error_field(err, "detections");
		return SS_EINVAL;
	}
	json_object_foreach (detections, key, v) {
		size_t i;
		double x;
		for (i = 0; i < SS_ARRAY_LEN(names) && strcmp(names[i], key) != 0; i++)
			;
		if (i == SS_ARRAY_LEN(names) || !json_is_number(v) || (x = json_number_value(v)) <= 0 ||
		    x > 1e9) {
			char field[300];
			snprintf(field, sizeof(field), "detections.%s", key);
			ss_error_set(err, SS_EINVAL,
				     i == SS_ARRAY_LEN(names) ? "unknown detection parameter"
							      : "must be a positive number");
			ss_error_field(err, field);
			ss_strv_release(&c->domains);
			return SS_EINVAL;
		}
		switch (i) {
		case 0: c->mass_download_per_hour = (uint64_t)x; break;
		case 1: c->mass_delete_per_hour = (uint64_t)x; break;
		case 2: c->travel_kmh = x; break;
		case 3: c->volume_z = x; break;
		case 4: c->volume_min = (uint64_t)x; break;
		default: c->new_country_after_days = (unsigned)x; break;
		}
	}
	return 0;
}

void ss_detect_config_release(struct ss_detect_config *c)
{
	ss_strv_release(&c->domains);
}

struct ss_detect *ss_detect_new(const struct ss_detect_config *c)
{
	struct ss_detect *d = ss_xcalloc(1, sizeof(*d));

	d->c = c;
	map_init(&d->events, MAX_EVIDENCE);
	map_init(&d->mass, 5);
	map_init(&d->geo, 1);
	return d;
}

void ss_detect_free(struct ss_detect *d)
{
	if (!d)
		return;
	map_release(&d->events);
	map_release(&d->mass);
	map_release(&d->geo);
	free(d);
}

void ss_detect_merge(struct ss_detect *dst, const struct ss_detect *src)
{
	merge_map(&dst->events, &src->events);
	merge_map(&dst->mass, &src->mass);
	merge_map(&dst->geo, &src->geo);
}

const char *ss_detect_judge_target(const struct ss_detect_config *c, const char *t, size_t len)
{
	const char *at;
	size_t i, dl;

	while (len && (*t == ' ' || *t == '\t' || *t == '"' || *t == '\'')) {
		t++;
		len--;
	}
	while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '"' || t[len - 1] == '\''))
		len--;
	if (len >= 5 && strncasecmp(t, "smtp:", 5) == 0) {
		t += 5;
		len -= 5;
	}
	at = memchr(t, '@', len);
	if (!at || !c->domains_known)
		return "unknown";
	at++;
	dl = len - (size_t)(at - t);
	while (dl && at[dl - 1] == '>')
		dl--;
	for (i = 0; i < c->domains.n; i++) {
		const char *d = c->domains.v[i];
		size_t n = strlen(d);
		if (dl == n && strncasecmp(at, d, n) == 0)
			return "internal";
		if (dl > n + 1 && at[dl - n - 1] == '.' && strncasecmp(at + dl - n, d, n) == 0)
			return "internal";
	}
	return "external";
}

static const char *const forward_params[] = {
	"ForwardTo",	     "ForwardAsAttachmentTo", "RedirectTo", "ForwardingSmtpAddress",
	"ForwardingAddress", "BlindCopyTo",	      "CopyTo",	    "RedirectMessageTo"};

/* Lower-cased copy of a slice, bounded, NUL-terminated. */
static void lower_copy(char *out, size_t outlen, struct ss_slice s)
{
	size_t i, n = s.len < outlen - 1 ? s.len : outlen - 1;

	for (i = 0; i < n; i++)
		out[i] = (s.ptr[i] >= 'A' && s.ptr[i] <= 'Z') ? (char)(s.ptr[i] + 32) : s.ptr[i];
	out[n] = '\0';
}

/* Splits a forwarding value on ';' and ',' and records a finding per external / unknown target. */
static void forwarding(struct ss_detect *d, struct ss_audit_rec *r, const char *param, struct ss_slice v)
{
	size_t start = 0, i;
	char user[300];

	lower_copy(user, sizeof(user), r->user);
	for (i = 0; i <= v.len; i++) {
		if (i < v.len && v.ptr[i] != ';' && v.ptr[i] != ',')
			continue;
		if (i > start) {
			const char *verdict = ss_detect_judge_target(d->c, v.ptr + start, i - start);
			char key[1200], summary[1400], target[400];
			struct ss_slice ts = {v.ptr + start, i - start};
			bool mailbox = ss_slice_eqi(r->operation, "Set-Mailbox");
			bool transport =
				r->operation.len > 13 && strncasecmp(r->operation.ptr + r->operation.len - 13,
								     "TransportRule", 13) == 0;
			lower_copy(target, sizeof(target), ts);
			/* strip blanks and "smtp:" for the key and summary */
			{
				char *p = target;
				size_t n;
				while (*p == ' ' || *p == '"')
					p++;
				if (strncmp(p, "smtp:", 5) == 0)
					p += 5;
				n = strlen(p);
				while (n && (p[n - 1] == ' ' || p[n - 1] == '"'))
					p[--n] = '\0';
				memmove(target, p, n + 1);
			}
			if (strcmp(verdict, "internal") != 0 && target[0]) {
				const char *rule = transport ? "transport-rule-external-copy"
						   : mailbox ? "mailbox-forwarding-external"
							     : "inbox-rule-forwarding-external";
				snprintf(key, sizeof(key), "%s\037%s\037%s", rule, user, target);
				snprintf(summary, sizeof(summary), "%.*s by %s: %s %s (%s)",
					 (int)r->operation.len, r->operation.ptr,
					 user[0] ? user : "unknown user", param, target,
					 strcmp(verdict, "external") == 0
						 ? "outside the accepted domains"
						 : "recipient not resolvable to an accepted domain");
				add_event(&d->events, key, r->time, 1, summary,
					  strcmp(verdict, "external") == 0 ? 3 : 2, r->id);
			}
		}
		start = i + 1;
	}
}

static bool param_true(struct ss_audit_rec *r, const char *name)
{
	char path[64];
	struct ss_slice v;

	snprintf(path, sizeof(path), "Parameters.%s", name);
	return ss_audit_field_text(r, path, strlen(path), &v) &&
	       (ss_slice_eqi(v, "true") || ss_slice_eq(v, "1"));
}

/* Inbox rules that hide mail: delete, mark as read, move out of sight, or a name made to be overlooked. */
static void hiding_rule(struct ss_detect *d, struct ss_audit_rec *r)
{
	static const char *const folders[] = {"rss", "conversation history", "archive", "junk",
					      "deleted items"};
	struct ss_slice v;
	char why[200] = "", user[300], key[800], summary[1200], name[200] = "";
	size_t i;

	lower_copy(user, sizeof(user), r->user);
	if (param_true(r, "DeleteMessage"))
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%sdeletes messages",
			 why[0] ? ", " : "");
	if (param_true(r, "MarkAsRead"))
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%smarks them read",
			 why[0] ? ", " : "");
	if (ss_audit_field_text(r, "Parameters.MoveToFolder", 23, &v)) {
		char f[200];
		lower_copy(f, sizeof(f), v);
		for (i = 0; i < SS_ARRAY_LEN(folders); i++) {
			if (strstr(f, folders[i])) {
				snprintf(why + strlen(why), sizeof(why) - strlen(why), "%smoves them to %s",
					 why[0] ? ", " : "", folders[i]);
				break;
			}
		}
	}
	if (ss_audit_field_text(r, "Parameters.Name", 15, &v)) {
		size_t k, vis = 0;
		for (k = 0; k < v.len; k++)
			vis += (unsigned char)v.ptr[k] > ' ' && v.ptr[k] != '.' && v.ptr[k] != ',';
		lower_copy(name, sizeof(name), v);
		if (vis <= 1)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%sa name made to be overlooked", why[0] ? ", " : "");
	}
	if (!why[0])
		return;
	snprintf(key, sizeof(key), "inbox-rule-hides-mail\037%s\037%s", user, name);
	snprintf(summary, sizeof(summary), "inbox rule '%s' of %s %s", name, user[0] ? user : "unknown user",
		 why);
	add_event(&d->events, key, r->time, 1, summary, 2, r->id);
}

void ss_detect_record(struct ss_detect *d, struct ss_audit_rec *r)
{
	struct ss_slice op = r->operation;
	char key[800], user[300];

	if (op.len == 0)
		return;
	if (ss_slice_eqi(op, "New-InboxRule") || ss_slice_eqi(op, "Set-InboxRule") ||
	    ss_slice_eqi(op, "Set-Mailbox") || ss_slice_eqi(op, "New-TransportRule") ||
	    ss_slice_eqi(op, "Set-TransportRule") || ss_slice_eqi(op, "UpdateInboxRules")) {
		size_t i;
		struct ss_slice v;
		for (i = 0; i < SS_ARRAY_LEN(forward_params); i++) {
			char path[64];
			snprintf(path, sizeof(path), "Parameters.%s", forward_params[i]);
			if (ss_audit_field_text(r, path, strlen(path), &v) && v.len) {
				/* the slice lives in scratch that the next lookup reuses: copy */
				char *copy = ss_xstrndup(v.ptr, v.len);
				forwarding(d, r, forward_params[i], (struct ss_slice){copy, v.len});
				free(copy);
			}
		}
		if (ss_slice_eqi(op, "New-InboxRule") || ss_slice_eqi(op, "Set-InboxRule"))
			hiding_rule(d, r);
		return;
	}
	lower_copy(user, sizeof(user), r->user);
	if (ss_slice_eq(op, "FileDownloaded") || ss_slice_eq(op, "FileSyncDownloadedFull") ||
	    ss_slice_eq(op, "FileDeleted") || ss_slice_eq(op, "FileDeletedFirstStageRecycleBin") ||
	    ss_slice_eq(op, "HardDelete") || ss_slice_eq(op, "SoftDelete") ||
	    ss_slice_eq(op, "MoveToDeletedItems")) {
		bool dl = op.ptr[0] == 'F' && op.ptr[4] == 'D' && op.len > 8 &&
			  strncmp(op.ptr, "FileDown", 8) == 0;
		bool sync = ss_slice_eq(op, "FileSyncDownloadedFull");
		if (r->service || !user[0])
			return;
		snprintf(key, sizeof(key), "%s\037%s\037%lld", dl || sync ? "download" : "delete", user,
			 (long long)(r->time / BUCKET_MS));
		add_event(&d->mass, key, r->time, 1, NULL, 0, r->id);
		return;
	}
	if (r->signin == SS_SIGNIN_OK && d->c->geo && r->ip[0] && user[0] && !r->service) {
		char cc[3];
		if (ss_geo_country(d->c->geo, r->ip, cc)) {
			snprintf(key, sizeof(key), "%s\037%s\037%lld", user, cc,
				 (long long)(r->time / SS_DAY_MS));
			add_event(&d->geo, key, r->time, 1, r->ip, 0, r->id);
		}
	}
}

void ss_finding_id(const char *rule, const char *group, ss_time_ms first, char out[33])
{
	struct ss_sha256 *h = ss_sha256_new();
	char hex[65], t[32];

	snprintf(t, sizeof(t), "%lld", (long long)first);
	ss_sha256_update(h, rule, strlen(rule));
	ss_sha256_update(h, "\037", 1);
	ss_sha256_update(h, group, strlen(group));
	ss_sha256_update(h, "\037", 1);
	ss_sha256_update(h, t, strlen(t));
	ss_sha256_final(h, hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
}

static const char *const sev_names[] = {"informational", "low", "medium", "high", "critical"};

static json_t *iso(ss_time_ms t)
{
	char buf[32];

	ss_time_format(t, buf);
	return json_string(buf);
}

static json_t *finding(const char *rule, const char *title, int sev, const char *user, const char *group,
		       ss_time_ms first, ss_time_ms last, uint64_t count, const char *summary,
		       const struct ev *ev, size_t nev)
{
	json_t *f = json_object(), *e = json_array();
	char id[33];
	size_t i;

	ss_finding_id(rule, group, first, id);
	for (i = 0; i < nev; i++)
		json_array_append_new(e, json_string(ev[i].id));
	json_object_set_new(f, "id", json_string(id));
	json_object_set_new(f, "rule", json_string(rule));
	json_object_set_new(f, "title", json_string(title));
	json_object_set_new(f, "severity", json_string(sev_names[sev < 0 ? 0 : sev > 4 ? 4 : sev]));
	json_object_set_new(f, "user", user && *user ? json_string(user) : json_null());
	json_object_set_new(f, "first", iso(first));
	json_object_set_new(f, "last", iso(last));
	json_object_set_new(f, "count", json_integer((json_int_t)count));
	json_object_set_new(f, "summary", json_string(summary));
	json_object_set_new(f, "evidence", e);
	return f;
}

/* Splits "a\037b\037c" into up to three parts (pointers into buf). */
static void split3(char *buf, char **a, char **b, char **c)
{
	char *p = strchr(buf, '\037'), *q;

	*a = buf;
	*b = *c = (char *)"";
	if (!p)
		return;
	*p = '\0';
	*b = p + 1;
	q = strchr(*b, '\037');
	if (!q)
		return;
	*q = '\0';
	*c = q + 1;
}

static int agg_key_cmp(const void *x, const void *y)
{
	const struct agg *a = *(const struct agg *const *)x, *b = *(const struct agg *const *)y;

	return strcmp(a->key, b->key);
}

/* The aggregates of a map in key order (deterministic output). */
static struct agg **sorted(const struct map *m, size_t *n)
{
	struct agg **v = ss_xcalloc(m->n ? m->n : 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			v[k++] = &m->slots[i];
	qsort(v, k, sizeof(*v), agg_key_cmp);
	*n = k;
	return v;
}

static void event_findings(struct ss_detect *d, json_t *out)
{
	size_t n, i;
	struct agg **v = sorted(&d->events, &n);

	for (i = 0; i < n; i++) {
		char *buf = ss_xstrdup(v[i]->key), *rule, *user, *detail;
		const char *title;
		split3(buf, &rule, &user, &detail);
		title = strcmp(rule, "inbox-rule-forwarding-external") == 0
				? "Inbox rule forwards mail outside the organisation"
			: strcmp(rule, "mailbox-forwarding-external") == 0
				? "Mailbox forwards mail outside the organisation"
			: strcmp(rule, "transport-rule-external-copy") == 0
				? "Transport rule copies or redirects mail outside the organisation"
				: "Inbox rule hides mail (delete, mark read, move out of sight)";
		json_array_append_new(out, finding(rule, title, v[i]->severity, user, v[i]->key, v[i]->first,
						   v[i]->last, v[i]->count,
						   v[i]->summary ? v[i]->summary : "", v[i]->ev, v[i]->nev));
		free(buf);
	}
	free(v);
}

/* Mass downloads / deletions: the busiest hour (six 10-minute buckets) of each user. */
static void mass_findings(struct ss_detect *d, json_t *out)
{
	size_t n, i = 0;
	struct agg **v = sorted(&d->mass, &n);

	while (i < n) {
		char *first = ss_xstrdup(v[i]->key), *cls, *user, *bucket;
		size_t j = i, k, best_lo = i, best_hi = i, lo;
		uint64_t sum = 0, best = 0;
		uint64_t limit;
		split3(first, &cls, &user, &bucket);
		/* the run of aggregates with the same class and user (keys sort by class, user, then bucket text) */
		while (j < n) {
			char *b2 = ss_xstrdup(v[j]->key), *c2, *u2, *k2;
			bool same;
			split3(b2, &c2, &u2, &k2);
			same = strcmp(c2, cls) == 0 && strcmp(u2, user) == 0;
			free(b2);
			if (!same)
				break;
			j++;
		}
		/* bucket keys sort as text, not numbers: order this run by time */
		for (k = i + 1; k < j; k++) {
			struct agg *x = v[k];
			size_t m = k;
			while (m > i && v[m - 1]->first > x->first) {
				v[m] = v[m - 1];
				m--;
			}
			v[m] = x;
		}
		lo = i;
		for (k = i; k < j; k++) {
			sum += v[k]->count;
			while (v[k]->first / BUCKET_MS - v[lo]->first / BUCKET_MS >= 6) {
				sum -= v[lo]->count;
				lo++;
			}
			if (sum > best) {
				best = sum;
				best_lo = lo;
				best_hi = k;
			}
		}
		limit = strcmp(cls, "download") == 0 ? d->c->mass_download_per_hour
						     : d->c->mass_delete_per_hour;
		if (best >= limit) {
			struct agg all;
			char summary[600], group[600];
			memset(&all, 0, sizeof(all));
			for (k = best_lo; k <= best_hi; k++) {
				size_t e;
				for (e = 0; e < v[k]->nev; e++)
					add_ev(&all, MAX_EVIDENCE, v[k]->ev[e].t, v[k]->ev[e].id,
					       strlen(v[k]->ev[e].id));
			}
			snprintf(summary, sizeof(summary), "%s %s %llu files within an hour (threshold %llu)",
				 user, strcmp(cls, "download") == 0 ? "downloaded" : "deleted",
				 (unsigned long long)best, (unsigned long long)limit);
			snprintf(group, sizeof(group), "%s\037%s", cls, user);
			json_array_append_new(
				out, finding(strcmp(cls, "download") == 0 ? "mass-download" : "mass-delete",
					     strcmp(cls, "download") == 0 ? "Mass download by one user"
									  : "Mass deletion by one user",
					     3, user, group, v[best_lo]->first, v[best_hi]->last, best,
					     summary, all.ev, all.nev));
			agg_release(&all);
		}
		free(first);
		i = j;
	}
	free(v);
}

struct place {
	char user[300];
	char cc[3];
	ss_time_ms first, last;
	const struct agg *a;
};

static int place_cmp(const void *x, const void *y)
{
	const struct place *a = x, *b = y;
	int c = strcmp(a->user, b->user);

	if (c)
		return c;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return strcmp(a->cc, b->cc);
}

/* New countries and impossible travel from successful sign-ins per (user, country, day). */
static void geo_findings(struct ss_detect *d, json_t *out)
{
	size_t n, i, s;
	struct agg **v = sorted(&d->geo, &n);
	struct place *p = ss_xcalloc(n ? n : 1, sizeof(*p));

	for (i = 0; i < n; i++) {
		char *buf = ss_xstrdup(v[i]->key), *user, *cc, *day;
		split3(buf, &user, &cc, &day);
		snprintf(p[i].user, sizeof(p[i].user), "%s", user);
		snprintf(p[i].cc, sizeof(p[i].cc), "%s", cc);
		p[i].first = v[i]->first;
		p[i].last = v[i]->last;
		p[i].a = v[i];
		free(buf);
	}
	qsort(p, n, sizeof(*p), place_cmp);
	for (s = 0; s < n;) {
		size_t e = s, k;
		ss_time_ms since = p[s].first;
		while (e < n && strcmp(p[e].user, p[s].user) == 0)
			e++;
		for (k = s; k < e; k++) {
			size_t m;
			bool seen = false;
			for (m = s; m < k && !seen; m++)
				seen = strcmp(p[m].cc, p[k].cc) == 0;
			if (!seen && k > s &&
			    p[k].first - since >= (ss_time_ms)d->c->new_country_after_days * SS_DAY_MS) {
				char summary[600], group[400];
				snprintf(summary, sizeof(summary),
					 "%s signed in from %s for the first time (from %s)", p[k].user,
					 p[k].cc, p[k].a->summary ? p[k].a->summary : "?");
				snprintf(group, sizeof(group), "%s\037%s", p[k].user, p[k].cc);
				json_array_append_new(
					out, finding("new-country-signin", "Sign-in from a new country", 2,
						     p[k].user, group, p[k].first, p[k].last, p[k].a->count,
						     summary, p[k].a->ev, p[k].a->nev));
			}
			if (k > s && strcmp(p[k].cc, p[k - 1].cc) != 0) {
				double la1, lo1, la2, lo2, km, hours;
				ss_time_ms gap = p[k].first - p[k - 1].last;
				if (gap < 0)
					gap = 0;
				if (ss_geo_country_centroid(p[k - 1].cc, &la1, &lo1) &&
				    ss_geo_country_centroid(p[k].cc, &la2, &lo2)) {
					km = ss_geo_distance_km(la1, lo1, la2, lo2);
					hours = (double)gap / 3600000.0;
					if (km > 500 && (hours <= 0 || km / hours > d->c->travel_kmh)) {
						char summary[700], group[400];
						struct agg both;
						memset(&both, 0, sizeof(both));
						add_ev(&both, 2, p[k - 1].a->last,
						       p[k - 1].a->nev ? p[k - 1].a->ev[0].id : "",
						       p[k - 1].a->nev ? strlen(p[k - 1].a->ev[0].id) : 0);
						add_ev(&both, 2, p[k].first,
						       p[k].a->nev ? p[k].a->ev[0].id : "",
						       p[k].a->nev ? strlen(p[k].a->ev[0].id) : 0);
						snprintf(summary, sizeof(summary),
							 "%s signed in from %s and %.0f minutes later from "
							 "%s, about %.0f km "
							 "apart",
							 p[k].user, p[k - 1].cc, (double)gap / 60000.0,
							 p[k].cc, km);
						snprintf(group, sizeof(group), "%s\037%s\037%s", p[k].user,
							 p[k - 1].cc, p[k].cc);
						json_array_append_new(
							out,
							finding("impossible-travel", "Impossible travel", 3,
								p[k].user, group, p[k - 1].last, p[k].first,
								2, summary, both.ev, both.nev));
						agg_release(&both);
					}
				}
			}
		}
		s = e;
	}
	free(p);
	free(v);
}

/*
 * Successful sign-ins after the password should have expired, from the
 * store's per-user activity. A few users give a finding each; many mean the
 * policy is not enforced at all, which is one finding for the tenant.
 */
static void password_findings(struct ss_detect *d, struct ss_store *st, int64_t tenant, json_t *out)
{
	const struct ss_facts *f = d->c->facts;
	sqlite3_stmt *s = NULL;
	json_t *each = json_array();
	struct ss_buf names;
	ss_time_ms first = 0, last = 0;
	size_t i, n = 0;

	if (!f || !st || d->c->password_validity_days <= 0) {
		json_decref(each);
		return;
	}
	if (sqlite3_prepare_v2(st->db,
			       "SELECT last_signin_ok FROM audit_users WHERE tenant = ?1 AND upn = ?2", -1,
			       &s, NULL) != SQLITE_OK) {
		json_decref(each);
		return;
	}
	ss_buf_init(&names, 4096);
	for (i = 0; i < f->n_users; i++) {
		const struct ss_user *u = &f->users[i];
		ss_time_ms expiry, seen;
		char summary[700], changed[32], exp[32];
		if (u->pw_never_expires != 0 || !u->last_pw_change || !u->enabled)
			continue;
		expiry = u->last_pw_change + (ss_time_ms)d->c->password_validity_days * SS_DAY_MS;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, tenant);
		sqlite3_bind_text(s, 2, u->upn, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW || (seen = sqlite3_column_int64(s, 0)) <= expiry)
			continue;
		ss_time_format(u->last_pw_change, changed);
		ss_time_format(expiry, exp);
		snprintf(summary, sizeof(summary),
			 "%s signed in successfully after the password should have expired: last changed %s, "
			 "expired %s "
			 "(validity %d days, PasswordNeverExpires false)",
			 u->upn, changed, exp, d->c->password_validity_days);
		json_array_append_new(each, finding("signin-expired-password",
						    "Sign-in with a password that should have expired", 2,
						    u->upn, u->upn, expiry, seen, 1, summary, NULL, 0));
		if (!n || expiry < first)
			first = expiry;
		if (seen > last)
			last = seen;
		if (n < 5)
			ss_buf_printf(&names, "%s%s", n ? ", " : "", u->upn);
		n++;
	}
	sqlite3_finalize(s);
	if (n <= 10) {
		json_array_extend(out, each);
	} else {
		char summary[1400];
		snprintf(summary, sizeof(summary),
			 "%zu users signed in after their password should have expired (validity %d days): "
			 "password "
			 "expiry is not being enforced. First of them: %s",
			 n, d->c->password_validity_days, ss_buf_cstr(&names));
		json_array_append_new(
			out, finding("signin-expired-password",
				     "Sign-ins with passwords that should have expired (tenant-wide)", 2,
				     NULL, "tenant", first, last, n, summary, NULL, 0));
	}
	json_decref(each);
	ss_buf_release(&names);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Days whose count of an operation is far off that operation's baseline (robust z-score over the span). */
static void volume_findings(struct ss_detect *d, struct ss_store *st, int64_t tenant, json_t *out)
{
	sqlite3_stmt *s = NULL;
	int64_t lo = 0, hi = -1, span;
	char *op = NULL;
	uint64_t *counts = NULL, *sorted_c = NULL;

	if (!st)
		return;
	if (sqlite3_prepare_v2(st->db, "SELECT min(day), max(day) FROM audit_volume WHERE tenant = ?1", -1,
			       &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, tenant);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		lo = sqlite3_column_int64(s, 0);
		hi = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	span = hi - lo + 1;
	if (span < 7 || span > 4000)
		return; /* no baseline in less than a week */
	counts = ss_xcalloc((size_t)span, sizeof(*counts));
	sorted_c = ss_xcalloc((size_t)span, sizeof(*sorted_c));
	if (sqlite3_prepare_v2(st->db,
			       "SELECT operation, day, sum(records) FROM audit_volume WHERE tenant = ?1 "
			       "GROUP BY operation, day ORDER BY operation, day",
			       -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, tenant);
	for (;;) {
		int step = sqlite3_step(s);
		const char *o = step == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
		if (op && (!o || strcmp(o, op) != 0)) {
			/* judge the finished operation */
			int64_t k;
			double med, mad;
			memcpy(sorted_c, counts, (size_t)span * sizeof(*counts));
			qsort(sorted_c, (size_t)span, sizeof(*sorted_c), cmp_u64);
			med = (double)sorted_c[span / 2];
			for (k = 0; k < span; k++)
				sorted_c[k] = (uint64_t)fabs((double)counts[k] - med);
			qsort(sorted_c, (size_t)span, sizeof(*sorted_c), cmp_u64);
			mad = (double)sorted_c[span / 2] * 1.4826;
			if (mad < 1)
				mad = 1;
			for (k = 0; k < span; k++) {
				double z = ((double)counts[k] - med) / mad;
				if (z >= d->c->volume_z && counts[k] >= d->c->volume_min &&
				    (double)counts[k] >= 3 * med) {
					char summary[600], group[400], day[32];
					ss_time_format_date((lo + k) * SS_DAY_MS, day);
					snprintf(summary, sizeof(summary),
						 "%llu '%s' records on %s, where a usual day has %.0f "
						 "(robust z %.1f)",
						 (unsigned long long)counts[k], op, day, med, z);
					snprintf(group, sizeof(group), "%s\037%s", op, day);
					json_array_append_new(
						out, finding("volume-anomaly",
							     "A day far off the operation's baseline", 2,
							     NULL, group, (lo + k) * SS_DAY_MS,
							     (lo + k + 1) * SS_DAY_MS - 1000, counts[k],
							     summary, NULL, 0));
				}
			}
			free(op);
			op = NULL;
		}
		if (!o)
			break;
		if (!op) {
			op = ss_xstrdup(o);
			memset(counts, 0, (size_t)span * sizeof(*counts));
		}
		{
			int64_t day = sqlite3_column_int64(s, 1);
			if (day >= lo && day <= hi)
				counts[day - lo] += (uint64_t)sqlite3_column_int64(s, 2);
		}
	}
out:
	sqlite3_finalize(s);
	free(op);
	free(counts);
	free(sorted_c);
}

json_t *ss_detect_findings(struct ss_detect *d, struct ss_store *st, int64_t tenant)
{
	json_t *out = json_array();

	event_findings(d, out);
	mass_findings(d, out);
	geo_findings(d, out);
	password_findings(d, st, tenant, out);
	volume_findings(d, st, tenant, out);
	return out;
}
