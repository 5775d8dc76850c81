/* acc.c - per-thread analytic state of an audit pass and its merge. */
#include "audit/acc.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void ss_acc_init(struct ss_acc *a)
{
	memset(a, 0, sizeof(*a));
	ss_strmap_init(&a->user_ix);
	ss_strmap_init(&a->name_ix);
	ss_strv_init(&a->names);
}

void ss_acc_release(struct ss_acc *a)
{
	size_t i;

	for (i = 0; i < a->nusers; i++)
		free(a->users[i].upn);
	free(a->users);
	for (i = 0; i < a->nrejects; i++)
		free(a->rejects[i].reason);
	free(a->rejects);
	free(a->vol);
	free(a->inputs);
	ss_strmap_release(&a->user_ix);
	ss_strmap_release(&a->name_ix);
	ss_strv_release(&a->names);
	memset(a, 0, sizeof(*a));
}

void ss_acc_reset(struct ss_acc *a)
{
	ss_acc_release(a);
	ss_acc_init(a);
}

struct ss_acc_input *ss_acc_input(struct ss_acc *a, uint32_t i)
{
	if (i >= a->ninputs) {
		size_t n = (size_t)i + 1 > a->ninputs * 2 ? (size_t)i + 1 : a->ninputs * 2;
		a->inputs = ss_xrealloc(a->inputs, ss_mul_sz(n, sizeof(*a->inputs)));
		memset(a->inputs + a->ninputs, 0, (n - a->ninputs) * sizeof(*a->inputs));
		a->ninputs = n;
	}
	return &a->inputs[i];
}

static struct ss_acc_user *user(struct ss_acc *a, const char *upn, size_t len)
{
	uint32_t ix;
	struct ss_acc_user *u;

	if (ss_strmap_get(&a->user_ix, upn, len, &ix))
		return &a->users[ix];
	if (a->nusers == a->capusers) {
		a->capusers = a->capusers ? a->capusers * 2 : 256;
		a->users = ss_xrealloc(a->users, ss_mul_sz(a->capusers, sizeof(*a->users)));
	}
	u = &a->users[a->nusers];
	memset(u, 0, sizeof(*u));
	u->upn = ss_xstrndup(upn, len);
	ss_strmap_put(&a->user_ix, u->upn, len, (uint32_t)a->nusers);
	a->nusers++;
	return u;
}

static uint32_t name_index(struct ss_acc *a, const char *s, size_t len)
{
	uint32_t ix;

	if (ss_strmap_get(&a->name_ix, s, len, &ix))
		return ix;
	ss_strv_pushn(&a->names, s, len);
	ix = (uint32_t)(a->names.n - 1);
	ss_strmap_put(&a->name_ix, a->names.v[ix], len, ix);
	return ix;
}

static size_t vol_hash(int32_t day, uint32_t name)
{
	uint64_t x = ((uint64_t)(uint32_t)day << 32 | name) * 0x9e3779b97f4a7c15ull;
	return (size_t)(x ^ (x >> 29));
}

static void vol_add(struct ss_acc *a, int32_t day, uint32_t name, uint64_t n)
{
	size_t i, mask;

	if ((a->nvol + 1) * 10 > a->capvol * 7) {
		struct ss_acc_volume *old = a->vol;
		size_t oc = a->capvol, k;
		a->capvol = oc ? oc * 2 : 256;
		a->vol = ss_xcalloc(a->capvol, sizeof(*a->vol));
		a->nvol = 0;
		for (k = 0; k < oc; k++)
			if (old[k].count)
				vol_add(a, old[k].day, old[k].name, old[k].count);
		free(old);
	}
	mask = a->capvol - 1;
	i = vol_hash(day, name) & mask;
	while (a->vol[i].count && (a->vol[i].day != day || a->vol[i].name != name))
		i = (i + 1) & mask;
	if (!a->vol[i].count) {
		a->vol[i].day = day;
		a->vol[i].name = name;
		a->nvol++;
	}
	a->vol[i].count += n;
}

static void user_merge(struct ss_acc_user *u, const struct ss_acc_user *v)
{
	if (!u->records || (v->records && v->first < u->first))
		u->first = v->first;
	if (v->last > u->last)
		u->last = v->last;
	if (v->last_ok > u->last_ok)
		u->last_ok = v->last_ok;
	if (v->last_fail > u->last_fail)
		u->last_fail = v->last_fail;
	u->records += v->records;
	u->signins_ok += v->signins_ok;
	u->signins_fail += v->signins_fail;
	u->service = u->service || v->service;
}

void ss_acc_record(struct ss_acc *a, uint32_t input, const struct ss_audit_rec *r)
{
	char name[512];
	size_t wl = r->workload.len < 200 ? r->workload.len : 200;
	size_t ol = r->operation.len < 300 ? r->operation.len : 300;

	a->records++;
	ss_acc_input(a, input)->records++;
	if (!a->first || r->time < a->first)
		a->first = r->time;
	if (!a->last || r->time > a->last)
		a->last = r->time;
	memcpy(name, r->workload.ptr, wl);
	name[wl] = '\037';
	memcpy(name + wl + 1, r->operation.ptr, ol);
	vol_add(a, ss_acc_day(r->time), name_index(a, name, wl + 1 + ol), 1);
	if (r->user.len) {
		struct ss_acc_user one = {0};
		struct ss_acc_user *u = user(a, r->user.ptr, r->user.len < 512 ? r->user.len : 512);
		one.records = 1;
		one.first = one.last = r->time;
		one.service = r->service;
		if (r->signin == SS_SIGNIN_OK) {
			one.last_ok = r->time;
			one.signins_ok = 1;
		} else if (r->signin == SS_SIGNIN_FAIL) {
			one.last_fail = r->time;
			one.signins_fail = 1;
		}
		user_merge(u, &one);
	}
}

void ss_acc_reject(struct ss_acc *a, uint32_t input, long line, long column, const char *reason)
{
	a->rejected++;
	ss_acc_input(a, input)->rejected++;
	if (a->nrejects >= SS_ACC_MAX_REJECTS)
		return;
	if (a->nrejects == a->caprejects) {
		a->caprejects = a->caprejects ? a->caprejects * 2 : 16;
		a->rejects = ss_xrealloc(a->rejects, ss_mul_sz(a->caprejects, sizeof(*a->rejects)));
	}
	a->rejects[a->nrejects++] = (struct ss_acc_reject){input, line, column, ss_xstrdup(reason)};
}

void ss_acc_merge(struct ss_acc *dst, const struct ss_acc *src)
{
	size_t i;

	dst->records += src->records;
	dst->duplicates += src->duplicates;
	dst->old += src->old;
	if (src->first && (!dst->first || src->first < dst->first))
		dst->first = src->first;
	if (src->last > dst->last)
		dst->last = src->last;
	for (i = 0; i < src->nusers; i++) {
		const struct ss_acc_user *v = &src->users[i];
		struct ss_acc_user *u = user(dst, v->upn, strlen(v->upn));
		user_merge(u, v);
	}
	for (i = 0; i < src->capvol; i++) {
		const struct ss_acc_volume *v = &src->vol[i];
		if (!v->count)
			continue;
		vol_add(dst, v->day, name_index(dst, src->names.v[v->name], strlen(src->names.v[v->name])),
			v->count);
	}
	for (i = 0; i < src->nrejects; i++) {
		const struct ss_acc_reject *rj = &src->rejects[i];
		uint64_t keep = dst->rejected;
		ss_acc_reject(dst, rj->input, rj->line, rj->column, rj->reason);
		dst->rejected = keep; /* counted below, with the ones not kept */
		ss_acc_input(dst, rj->input)->rejected--;
	}
	dst->rejected += src->rejected;
	for (i = 0; i < src->ninputs; i++) {
		const struct ss_acc_input *s = &src->inputs[i];
		struct ss_acc_input *d;
		if (!s->records && !s->duplicates && !s->old && !s->rejected && !s->rows)
			continue;
		d = ss_acc_input(dst, (uint32_t)i);
		d->records += s->records;
		d->duplicates += s->duplicates;
		d->old += s->old;
		d->rejected += s->rejected;
		d->rows += s->rows;
	}
}

void ss_acc_volumes(const struct ss_acc *a,
		    void (*fn)(void *ctx, int32_t day, struct ss_slice workload, struct ss_slice op,
			       uint64_t n),
		    void *ctx)
{
	size_t i;

	for (i = 0; i < a->capvol; i++) {
		const struct ss_acc_volume *v = &a->vol[i];
		const char *s, *sep;
		if (!v->count)
			continue;
		s = a->names.v[v->name];
		sep = strchr(s, '\037');
		fn(ctx, v->day, (struct ss_slice){s, (size_t)(sep - s)},
		   (struct ss_slice){sep + 1, strlen(sep + 1)}, v->count);
	}
}
