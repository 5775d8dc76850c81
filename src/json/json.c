/* json.c - a strict JSON parser writing a flat tape of nodes, and lookups on the tape. */
#include "json/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "base/alloc.h"
#include "base/text.h"

#define MAX_DEPTH 512
#define COUNT_MAX ((1u << 28) - 1)

void ss_json_init(struct ss_json *doc)
{
	memset(doc, 0, sizeof(*doc));
}

void ss_json_release(struct ss_json *doc)
{
	free(doc->nodes);
	memset(doc, 0, sizeof(*doc));
}

static uint32_t push(struct ss_json *doc, enum ss_jtype type, size_t off, size_t len)
{
	struct ss_jnode *n;

	if (doc->n == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 256;
		doc->nodes = ss_xrealloc(doc->nodes, ss_mul_sz(doc->cap, sizeof(*doc->nodes)));
	}
	n = &doc->nodes[doc->n];
	n->type = type;
	n->escaped = 0;
	n->count = 0;
	n->next = doc->n + 1;
	n->off = (uint32_t)off;
	n->len = (uint32_t)len;
	return doc->n++;
}

static size_t skip_ws(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	return i;
}

/* Reads 4 hex digits at s[i]; -1 when they are not. */
static long hex4(const unsigned char *s, size_t len, size_t i)
{
	long v = 0;
	int k, h;

	if (i + 4 > len)
		return -1;
	for (k = 0; k < 4; k++) {
		h = ss_hex_digit((unsigned char)s[i + k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * AVX2, chosen at run time: 32 bytes a step for long strings (URLs, user
 * agents, JSON-in-a-string). Returns the index of the first quote,
 * backslash, control or non-ASCII byte at or after j, or a value >= len - 31.
 */
__attribute__((target("avx2"))) static size_t skip_plain_avx2(const unsigned char *s, size_t len, size_t j)
{
	const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\'),
		      ctl = _mm256_set1_epi8(0x20);

	while (j + 32 <= len) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + j));
		__m256i m = _mm256_or_si256(
			_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, bslash)),
			_mm256_cmpgt_epi8(ctl, v));
		unsigned mask = (unsigned)_mm256_movemask_epi8(m);
		if (mask)
			return j + (size_t)__builtin_ctz(mask);
		j += 32;
	}
	return j;
}

static int have_avx2 = -1; /* -1 unknown; the check is idempotent, so a race only repeats it */

static bool use_avx2(void)
{
	if (have_avx2 < 0) {
		__builtin_cpu_init();
		have_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return have_avx2 == 1;
}
#endif

/*
 * Scans the string whose opening quote is at s[i]. On success returns 0,
 * *end is the index after the closing quote and *escaped says whether a
 * backslash occurred. On error returns SS_EPARSE with *at the offending
 * byte and *msg the reason.
 */
static int scan_string(const unsigned char *s, size_t len, size_t i, size_t *end, bool *escaped, size_t *at,
		       const char **msg)
{
	size_t j = i + 1;

	*escaped = false;
	for (;;) {
#ifdef __SSE2__
		const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
			      ctl = _mm_set1_epi8(0x20);
		int steps = 0;
		while (j + 16 <= len) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
			/* Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches non-ASCII. */
			__m128i m = _mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
				_mm_cmplt_epi8(v, ctl));
			int mask = _mm_movemask_epi8(m);
			if (mask) {
				j += (size_t)__builtin_ctz((unsigned)mask);
				break;
			}
			j += 16;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
			/* a long string: wider steps where the CPU has them */
			if (++steps == 2 && use_avx2()) {
				j = skip_plain_avx2(s, len, j);
				steps = 0;
			}
#endif
		}
#endif
		if (j >= len) {
			*at = len;
			*msg = "unexpected end of input in a string";
			return SS_EPARSE;
		}
		if (s[j] == '"') {
			*end = j + 1;
			return 0;
		}
		if (s[j] == '\\') {
			long cp;
			*escaped = true;
			if (j + 1 >= len) {
				*at = len;
				*msg = "unexpected end of input in a string";
				return SS_EPARSE;
			}
			switch (s[j + 1]) {
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't': j += 2; continue;
			case 'u':
				cp = hex4(s, len, j + 2);
				if (cp < 0) {
					*at = j;
					*msg = "invalid \\u escape";
					return SS_EPARSE;
				}
				if (cp >= 0xDC00 && cp <= 0xDFFF) {
					*at = j;
					*msg = "lone surrogate";
					return SS_EPARSE;
				}
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					long lo = j + 7 < len && s[j + 6] == '\\' && s[j + 7] == 'u'
							  ? hex4(s, len, j + 8)
							  : -1;
					if (lo < 0xDC00 || lo > 0xDFFF) {
						*at = j;
						*msg = "lone surrogate";
						return SS_EPARSE;
					}
					j += 12;
				} else {
					j += 6;
				}
				continue;
			default:
				*at = j;
				*msg = "invalid escape";
				return SS_EPARSE;
			}
		}
		if (s[j] < 0x20) {
			*at = j;
			*msg = "control character in string";
			return SS_EPARSE;
		}
		if (s[j] >= 0x80) {
			size_t n = ss_utf8_seq(s + j, len - j);
			if (!n) {
				*at = j;
				*msg = "invalid utf-8";
				return SS_EPARSE;
			}
			j += n;
			continue;
		}
		j++;
	}
}

/* Scans a number at s[i] per RFC 8259; 0 and *end, or SS_EPARSE with *at. */
static int scan_number(const unsigned char *s, size_t len, size_t i, size_t *end, size_t *at)
{
	size_t j = i;

	if (j < len && s[j] == '-')
		j++;
	if (j >= len)
		goto bad;
	if (s[j] == '0') {
		j++;
	} else if (s[j] >= '1' && s[j] <= '9') {
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
	} else {
		goto bad;
	}
	if (j < len && s[j] == '.') {
		j++;
		if (j >= len || s[j] < '0' || s[j] > '9')
			goto bad;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
	}
	if (j < len && (s[j] == 'e' || s[j] == 'E')) {
		j++;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j >= len || s[j] < '0' || s[j] > '9')
			goto bad;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
	}
	/* "01": a leading zero followed by more digits. */
	if (j < len && s[j] >= '0' && s[j] <= '9')
		goto bad;
	*end = j;
	return 0;
bad:
	*at = j < len ? j : len;
	return SS_EPARSE;
}

static int fail(const unsigned char *s, size_t len, size_t at, const char *msg, struct ss_error *err)
{
	long line = 1, col = 1;
	size_t k;

	if (at > len)
		at = len;
	for (k = 0; k < at; k++) {
		if (s[k] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	ss_error_set(err, SS_EPARSE, "%s", msg);
	ss_error_at(err, NULL, line, col);
	return SS_EPARSE;
}

/* keep: the deepest nesting level whose values go on the tape (0 = the root only). */
static int parse(struct ss_json *doc, const char *src, size_t len, int keep, struct ss_error *err)
{
	const unsigned char *s = (const unsigned char *)src;
	struct {
		uint32_t node;	/* the container's node */
		uint32_t count; /* values seen */
		bool obj;	/* object (else array) */
	} st[MAX_DEPTH];
	int depth = 0;
	size_t i, end, at = 0;
	const char *msg = NULL;
	bool escaped;
	uint32_t idx;
	unsigned char c;

	doc->n = 0;
	doc->src = src;
	doc->srclen = len;
	if (len >= UINT32_MAX)
		return fail(s, 0, 0, "document larger than 4 GiB", err);
	i = skip_ws(s, len, 0);
value:
	if (i >= len)
		return fail(s, len, len, "unexpected end of input", err);
	c = s[i];
	switch (c) {
	case '{':
	case '[':
		if (depth == MAX_DEPTH)
			return fail(s, len, i, "nesting too deep", err);
		if (depth <= keep) {
			idx = push(doc, c == '{' ? SS_JOBJECT : SS_JARRAY, i, 0);
			/* a container whose children stay off the tape is marked */
			doc->nodes[idx].escaped = depth == keep;
		} else {
			idx = UINT32_MAX;
		}
		st[depth].node = idx;
		st[depth].count = 0;
		st[depth].obj = c == '{';
		depth++;
		i = skip_ws(s, len, i + 1);
		if (i < len && s[i] == (c == '{' ? '}' : ']')) {
			i++;
			goto close;
		}
		if (c == '{')
			goto key;
		goto value;
	case '"':
		if (scan_string(s, len, i, &end, &escaped, &at, &msg))
			return fail(s, len, at, msg, err);
		if (depth <= keep) {
			idx = push(doc, SS_JSTRING, i + 1, end - i - 2);
			doc->nodes[idx].escaped = escaped;
		}
		i = end;
		break;
	case 't':
		if (len - i < 4 || memcmp(s + i, "true", 4) != 0)
			return fail(s, len, i, "invalid literal", err);
		if (depth <= keep)
			push(doc, SS_JTRUE, i, 4);
		i += 4;
		break;
	case 'f':
		if (len - i < 5 || memcmp(s + i, "false", 5) != 0)
			return fail(s, len, i, "invalid literal", err);
		if (depth <= keep)
			push(doc, SS_JFALSE, i, 5);
		i += 5;
		break;
	case 'n':
		if (len - i < 4 || memcmp(s + i, "null", 4) != 0)
			return fail(s, len, i, "invalid literal", err);
		if (depth <= keep)
			push(doc, SS_JNULL, i, 4);
		i += 4;
		break;
	default:
		if (c != '-' && (c < '0' || c > '9'))
			return fail(s, len, i, "unexpected character", err);
		if (scan_number(s, len, i, &end, &at))
			return fail(s, len, at, "invalid number", err);
		if (depth <= keep)
			push(doc, SS_JNUMBER, i, end - i);
		i = end;
		break;
	}
after_value:
	if (depth == 0)
		goto done;
	st[depth - 1].count++;
	i = skip_ws(s, len, i);
	if (i >= len)
		return fail(s, len, len, "unexpected end of input", err);
	if (s[i] == ',') {
		i = skip_ws(s, len, i + 1);
		if (st[depth - 1].obj)
			goto key;
		goto value;
	}
	if (s[i] == (st[depth - 1].obj ? '}' : ']')) {
		i++;
		goto close;
	}
	return fail(s, len, i, st[depth - 1].obj ? "expected ',' or '}'" : "expected ',' or ']'", err);
close:
	depth--;
	if (st[depth].node != UINT32_MAX) {
		struct ss_jnode *n = &doc->nodes[st[depth].node];
		n->next = doc->n;
		n->count = st[depth].count > COUNT_MAX ? COUNT_MAX : st[depth].count;
		n->len = (uint32_t)(i - n->off);
	}
	goto after_value;
key:
	if (i >= len)
		return fail(s, len, len, "unexpected end of input", err);
	if (s[i] != '"')
		return fail(s, len, i, "expected a string key", err);
	if (scan_string(s, len, i, &end, &escaped, &at, &msg))
		return fail(s, len, at, msg, err);
	if (depth <= keep) {
		idx = push(doc, SS_JSTRING, i + 1, end - i - 2);
		doc->nodes[idx].escaped = escaped;
	}
	i = skip_ws(s, len, end);
	if (i >= len || s[i] != ':')
		return fail(s, len, i, "expected ':'", err);
	i = skip_ws(s, len, i + 1);
	goto value;
done:
	i = skip_ws(s, len, i);
	if (i != len)
		return fail(s, len, i, "trailing garbage", err);
	return 0;
}

int ss_json_parse(struct ss_json *doc, const char *src, size_t len, struct ss_error *err)
{
	return parse(doc, src, len, MAX_DEPTH, err);
}

int ss_json_parse_shallow(struct ss_json *doc, const char *src, size_t len, struct ss_error *err)
{
	return parse(doc, src, len, 1, err);
}

enum ss_jtype ss_json_type(const struct ss_json *doc, ss_jv v)
{
	if (v == SS_JNONE || v >= doc->n)
		return SS_JNULL;
	return (enum ss_jtype)doc->nodes[v].type;
}

/* Unescapes the body of a validated string node into out (cleared first). */
static int unescape(const struct ss_json *doc, const struct ss_jnode *n, struct ss_buf *out)
{
	const unsigned char *s = (const unsigned char *)doc->src + n->off;
	size_t i = 0, len = n->len, start;
	int rc = 0;

	ss_buf_clear(out);
	while (i < len && !rc) {
		char buf[4];
		size_t k;
		unsigned long cp;
		start = i;
		while (i < len && s[i] != '\\')
			i++;
		if (i > start)
			rc = ss_buf_add(out, s + start, i - start);
		if (i >= len || rc)
			break;
		switch (s[i + 1]) {
		case 'b':
			rc = ss_buf_addc(out, '\b');
			i += 2;
			continue;
		case 'f':
			rc = ss_buf_addc(out, '\f');
			i += 2;
			continue;
		case 'n':
			rc = ss_buf_addc(out, '\n');
			i += 2;
			continue;
		case 'r':
			rc = ss_buf_addc(out, '\r');
			i += 2;
			continue;
		case 't':
			rc = ss_buf_addc(out, '\t');
			i += 2;
			continue;
		case 'u': break;
		default:
			rc = ss_buf_addc(out, (char)s[i + 1]);
			i += 2;
			continue;
		}
		cp = (unsigned long)hex4(s, len, i + 2);
		i += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			unsigned long lo = (unsigned long)hex4(s, len, i + 2);
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 6;
		}
		if (cp < 0x80) {
			buf[0] = (char)cp;
			k = 1;
		} else if (cp < 0x800) {
			buf[0] = (char)(0xC0 | (cp >> 6));
			buf[1] = (char)(0x80 | (cp & 0x3F));
			k = 2;
		} else if (cp < 0x10000) {
			buf[0] = (char)(0xE0 | (cp >> 12));
			buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
			buf[2] = (char)(0x80 | (cp & 0x3F));
			k = 3;
		} else {
			buf[0] = (char)(0xF0 | (cp >> 18));
			buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
			buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
			buf[3] = (char)(0x80 | (cp & 0x3F));
			k = 4;
		}
		rc = ss_buf_add(out, buf, k);
	}
	if (!rc && !out->ptr)
		rc = ss_buf_add(out, "", 0);
	return rc;
}

/* Compares string node v with s (length n), exactly or ASCII case-insensitively. */
static bool node_eq(const struct ss_json *doc, ss_jv v, const char *s, size_t n, bool ci)
{
	const struct ss_jnode *node;
	struct ss_buf tmp;
	bool eq;

	if (ss_json_type(doc, v) != SS_JSTRING)
		return false;
	node = &doc->nodes[v];
	if (!node->escaped) {
		if (node->len != n)
			return false;
		return n == 0 || (ci ? strncasecmp(doc->src + node->off, s, n) == 0
				     : memcmp(doc->src + node->off, s, n) == 0);
	}
	ss_buf_init(&tmp, node->len + 1);
	if (unescape(doc, node, &tmp) != 0) {
		ss_buf_release(&tmp);
		return false;
	}
	eq = tmp.len == n && (n == 0 || (ci ? strncasecmp(tmp.ptr, s, n) == 0 : memcmp(tmp.ptr, s, n) == 0));
	ss_buf_release(&tmp);
	return eq;
}

static ss_jv get(const struct ss_json *doc, ss_jv obj, const char *key, size_t n, bool ci)
{
	ss_jv k, end;

	if (ss_json_type(doc, obj) != SS_JOBJECT)
		return SS_JNONE;
	end = doc->nodes[obj].next;
	for (k = obj + 1; k < end; k = doc->nodes[k + 1].next) {
		if (node_eq(doc, k, key, n, ci))
			return k + 1;
	}
	return SS_JNONE;
}

ss_jv ss_json_get(const struct ss_json *doc, ss_jv obj, const char *key)
{
	return get(doc, obj, key, strlen(key), false);
}

ss_jv ss_json_geti(const struct ss_json *doc, ss_jv obj, const char *key)
{
	return get(doc, obj, key, strlen(key), true);
}

ss_jv ss_json_getin(const struct ss_json *doc, ss_jv obj, const char *key, size_t n)
{
	return get(doc, obj, key, n, true);
}

size_t ss_json_len(const struct ss_json *doc, ss_jv v)
{
	enum ss_jtype t = ss_json_type(doc, v);

	if (t != SS_JARRAY && t != SS_JOBJECT)
		return 0;
	return doc->nodes[v].count;
}

ss_jv ss_json_first(const struct ss_json *doc, ss_jv container)
{
	enum ss_jtype t = ss_json_type(doc, container);

	if (t != SS_JARRAY && t != SS_JOBJECT)
		return SS_JNONE;
	return doc->nodes[container].next > container + 1 ? container + 1 : SS_JNONE;
}

ss_jv ss_json_next(const struct ss_json *doc, ss_jv container, ss_jv cur)
{
	ss_jv nx;

	if (cur == SS_JNONE || cur >= doc->n || container >= doc->n)
		return SS_JNONE;
	nx = doc->nodes[cur].next;
	return nx < doc->nodes[container].next ? nx : SS_JNONE;
}

struct ss_slice ss_json_str(const struct ss_json *doc, ss_jv v, struct ss_buf *scratch, bool *ok)
{
	const struct ss_jnode *n;

	if (ss_json_type(doc, v) != SS_JSTRING) {
		if (ok)
			*ok = false;
		return (struct ss_slice){NULL, 0};
	}
	n = &doc->nodes[v];
	if (!n->escaped) {
		if (ok)
			*ok = true;
		return (struct ss_slice){doc->src + n->off, n->len};
	}
	if (unescape(doc, n, scratch) != 0) {
		if (ok)
			*ok = false;
		return (struct ss_slice){NULL, 0};
	}
	if (ok)
		*ok = true;
	return (struct ss_slice){scratch->ptr, scratch->len};
}

bool ss_json_str_eq(const struct ss_json *doc, ss_jv v, const char *s)
{
	return node_eq(doc, v, s, strlen(s), false);
}

bool ss_json_str_eqi(const struct ss_json *doc, ss_jv v, const char *s)
{
	return node_eq(doc, v, s, strlen(s), true);
}

/* Copies the number text of v into buf (NUL-terminated); false when not a number or too long. */
static bool number_text(const struct ss_json *doc, ss_jv v, char *buf, size_t size)
{
	const struct ss_jnode *n;

	if (ss_json_type(doc, v) != SS_JNUMBER)
		return false;
	n = &doc->nodes[v];
	if (n->len >= size)
		return false;
	memcpy(buf, doc->src + n->off, n->len);
	buf[n->len] = '\0';
	return true;
}

bool ss_json_num(const struct ss_json *doc, ss_jv v, double *out)
{
	char buf[512], *end;

	if (!number_text(doc, v, buf, sizeof(buf)))
		return false;
	*out = strtod(buf, &end);
	return *end == '\0';
}

bool ss_json_int(const struct ss_json *doc, ss_jv v, int64_t *out)
{
	char buf[64], *end;
	long long x;

	if (!number_text(doc, v, buf, sizeof(buf)) || strpbrk(buf, ".eE"))
		return false;
	errno = 0;
	x = strtoll(buf, &end, 10);
	if (errno || *end)
		return false;
	*out = x;
	return true;
}

struct ss_slice ss_json_raw(const struct ss_json *doc, ss_jv v)
{
	const struct ss_jnode *n;

	if (v == SS_JNONE || v >= doc->n)
		return (struct ss_slice){NULL, 0};
	n = &doc->nodes[v];
	if (n->type == SS_JSTRING)
		return (struct ss_slice){doc->src + n->off - 1, (size_t)n->len + 2};
	return (struct ss_slice){doc->src + n->off, n->len};
}

void ss_json_position(const struct ss_json *doc, ss_jv v, long *line, long *column)
{
	size_t end, k;

	*line = 1;
	*column = 1;
	if (v == SS_JNONE || v >= doc->n)
		return;
	end = doc->nodes[v].off - (doc->nodes[v].type == SS_JSTRING ? 1 : 0);
	for (k = 0; k < end && k < doc->srclen; k++) {
		if (doc->src[k] == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}
