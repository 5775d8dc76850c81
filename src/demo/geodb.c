/* geodb.c - writes a MaxMind DB 2.0 file of (network -> country) for the demo's address plan. */
#include "demo/geodb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/time.h"

/* A child of a search-tree node: 0 empty, > 0 node index + 1, < 0 -(data record index + 1). */
struct tnode {
	long child[2];
};

struct tree {
	struct tnode *v;
	size_t n, cap;
};

static long new_node(struct tree *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = ss_xrealloc(t->v, ss_mul_sz(t->cap, sizeof(*t->v)));
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	return (long)++t->n; /* as a child value: index + 1 */
}

static int bit(const unsigned char *a, unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* Sets the child at depth prefix on the path of addr to value, creating nodes on the way. */
static void put(struct tree *t, const unsigned char *addr, unsigned prefix, long value)
{
	long cur = 1; /* the root is node 0 */
	unsigned i;

	for (i = 0; i + 1 < prefix; i++) {
		int b = bit(addr, i);
		long nx = t->v[cur - 1].child[b];
		if (nx <= 0) {
			nx = new_node(t);
			t->v[cur - 1].child[b] = nx;
		}
		cur = nx;
	}
	t->v[cur - 1].child[bit(addr, prefix - 1)] = value;
}

/* The node reached from the root by the first depth bits of addr, or 0. */
static long walk(const struct tree *t, const unsigned char *addr, unsigned depth)
{
	long cur = 1;
	unsigned i;

	for (i = 0; i < depth && cur > 0; i++)
		cur = t->v[cur - 1].child[bit(addr, i)];
	return cur;
}

/* The control byte(s) of a value: type, then its size (29 + one byte for 29..284; larger is not needed here). */
static void ctrl(struct ss_buf *b, unsigned type, size_t size)
{
	unsigned first = size < 29 ? (unsigned)size : 29;

	if (type <= 7) {
		ss_buf_addc(b, (char)(type << 5 | first));
	} else {
		ss_buf_addc(b, (char)first);
		ss_buf_addc(b, (char)(type - 7));
	}
	if (size >= 29) {
		if (size > 284)
			SS_BUG("mmdb value too long for this writer");
		ss_buf_addc(b, (char)(size - 29));
	}
}

static void utf8(struct ss_buf *b, const char *s)
{
	ctrl(b, 2, strlen(s));
	ss_buf_adds(b, s);
}

static void put_uint(struct ss_buf *b, unsigned type, uint64_t v)
{
	unsigned char tmp[8];
	size_t n = 0;

	while (v) {
		tmp[n++] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	ctrl(b, type, n);
	while (n)
		ss_buf_addc(b, (char)tmp[--n]);
}

int ss_demo_write_geodb(const char *path, const struct ss_demo_net *nets, size_t n, struct ss_error *err)
{
	static const unsigned char zero[16];
	struct tree t = {0};
	struct ss_buf data, out;
	long *order = NULL, *id = NULL;
	size_t *offs = NULL, i, k, nnodes = 0, head = 0;
	uint32_t node_count;
	int rc;

	ss_buf_init(&data, (size_t)1 << 20);
	ss_buf_init(&out, (size_t)64 << 20);
	new_node(&t);
	/* one data record per network (tiny), each {"country": {"iso_code": CC}} */
	offs = ss_xcalloc(n ? n : 1, sizeof(*offs));
	for (i = 0; i < n; i++) {
		offs[i] = data.len;
		ctrl(&data, 7, 1);
		utf8(&data, "country");
		ctrl(&data, 7, 1);
		utf8(&data, "iso_code");
		utf8(&data, nets[i].cc);
		if (nets[i].prefix >= 1 && nets[i].prefix <= 128)
			put(&t, nets[i].addr, nets[i].prefix, -(long)(i + 1));
	}
	/* IPv4-mapped addresses (::ffff:0:0/96) lead to the IPv4 subtree under ::/96, as MaxMind's do */
	{
		long v4 = walk(&t, zero, 96);
		if (v4 > 0) {
			unsigned char mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
			put(&t, mapped, 96, v4);
		}
	}
	/* number the nodes breadth first from the root (a shared subtree gets one number) */
	order = ss_xcalloc(t.n, sizeof(*order));
	id = ss_xcalloc(t.n, sizeof(*id));
	for (i = 0; i < t.n; i++)
		id[i] = -1;
	order[nnodes++] = 1;
	id[0] = 0;
	while (head < nnodes) {
		long cur = order[head++];
		for (k = 0; k < 2; k++) {
			long c = t.v[cur - 1].child[k];
			if (c > 0 && id[c - 1] < 0) {
				id[c - 1] = (long)nnodes;
				order[nnodes++] = c;
			}
		}
	}
	node_count = (uint32_t)nnodes;
	for (i = 0; i < nnodes; i++) {
		for (k = 0; k < 2; k++) {
			long c = t.v[order[i] - 1].child[k];
			uint32_t rec = c > 0   ? (uint32_t)id[c - 1]
				       : c < 0 ? node_count + 16 + (uint32_t)offs[-c - 1]
					       : node_count;
			ss_buf_addc(&out, (char)(rec >> 16));
			ss_buf_addc(&out, (char)(rec >> 8));
			ss_buf_addc(&out, (char)rec);
		}
	}
	ss_buf_add(&out, zero, 16);
	ss_buf_add(&out, data.ptr ? data.ptr : "", data.len);
	ss_buf_add(&out, "\xab\xcd\xefMaxMind.com", 14);
	ctrl(&out, 7, 9);
	utf8(&out, "binary_format_major_version");
	put_uint(&out, 5, 2);
	utf8(&out, "binary_format_minor_version");
	put_uint(&out, 5, 0);
	utf8(&out, "build_epoch");
	put_uint(&out, 9, (uint64_t)(ss_time_now() / 1000));
	utf8(&out, "database_type");
	utf8(&out, "secscore-demo-country");
	utf8(&out, "description");
	ctrl(&out, 7, 1);
	utf8(&out, "en");
	utf8(&out, "the secscore demo's address plan (not real geolocation)");
	utf8(&out, "ip_version");
	put_uint(&out, 5, 6);
	utf8(&out, "languages");
	ctrl(&out, 11, 1);
	utf8(&out, "en");
	utf8(&out, "node_count");
	put_uint(&out, 6, node_count);
	utf8(&out, "record_size");
	put_uint(&out, 5, 24);
	rc = ss_file_write_atomic(path, out.ptr, out.len, err);
	free(order);
	free(id);
	free(offs);
	free(t.v);
	ss_buf_release(&data);
	ss_buf_release(&out);
	return rc;
}
