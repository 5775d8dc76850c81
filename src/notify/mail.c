/* mail.c - building the plain-text mail of a finding without letting its strings reach the headers raw. */
#include "notify/mail.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "base/text.h"

#define TITLE_MAX    200  /* bytes of the title in the subject */
#define FIELD_MAX    1000 /* bytes of a short field in the body */
#define SUMMARY_MAX  8000 /* bytes of the summary in the body */
#define LINE_MAX_B   900  /* bytes of a body line (RFC 5322 allows 998) */
#define EVIDENCE_MAX 20	  /* record ids listed in the body */

/* The code point of the valid UTF-8 sequence p[0..n). */
static uint32_t decode(const unsigned char *p, size_t n)
{
	if (n == 2)
		return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	if (n == 3)
		return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
	       ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

int ss_mail_clean(struct ss_buf *out, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used = 0;
	int rc = 0;

	while (i < len && !rc) {
		size_t n = p[i] < 0x80 ? 1 : ss_utf8_seq(p + i, len - i);
		const char *rep = NULL;
		if (n == 0) {
			rep = "?";
			n = 1;
		} else if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			rep = " ";
		} else if (n > 1) {
			uint32_t cp = decode(p + i, n);
			if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || cp == 0x85)
				rep = " "; /* C1 controls, NEL, line and paragraph separators */
			else if ((cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
				 (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff)
				rep = "?"; /* bidi controls that would reorder what a reader sees */
		}
		if (used + (rep ? 1 : n) > max)
			break;
		rc = rep ? ss_buf_addc(out, rep[0]) : ss_buf_add(out, p + i, n);
		used += rep ? 1 : n;
		i += n;
	}
	return rc;
}

bool ss_mail_address_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	size_t i;

	if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\\\"", c))
			return false;
	}
	return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int add_base64(struct ss_buf *out, const unsigned char *p, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i + 2 < n && !rc; i += 3) {
		char q[4] = {b64[p[i] >> 2], b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			     b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)], b64[p[i + 2] & 63]};
		rc = ss_buf_add(out, q, 4);
	}
	if (!rc && n - i == 1) {
		char q[4] = {b64[p[i] >> 2], b64[(p[i] & 3) << 4], '=', '='};
		rc = ss_buf_add(out, q, 4);
	} else if (!rc && n - i == 2) {
		char q[4] = {b64[p[i] >> 2], b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			     b64[(p[i + 1] & 15) << 2], '='};
		rc = ss_buf_add(out, q, 4);
	}
	return rc;
}

int ss_mail_subject(struct ss_buf *out, const char *severity, const char *title)
{
	struct ss_buf t, sev;
	const unsigned char *p;
	bool ascii = true;
	size_t i;
	int rc;

	ss_buf_init(&t, 4096);
	ss_buf_init(&sev, 256);
	rc = ss_mail_clean(&t, title ? title : "", title ? strlen(title) : 0, TITLE_MAX);
	if (!rc)
		rc = ss_mail_clean(&sev, severity ? severity : "", severity ? strlen(severity) : 0, 20);
	for (i = 0; !rc && i < sev.len; i++)
		if (sev.ptr[i] >= 'a' && sev.ptr[i] <= 'z')
			sev.ptr[i] = (char)(sev.ptr[i] - 'a' + 'A');
	for (i = 0; i < sev.len; i++)
		ascii = ascii && (unsigned char)sev.ptr[i] < 0x80;
	if (!ascii) {
		ss_buf_clear(&sev);
		ss_buf_adds(&sev, "?");
	}
	if (!rc)
		rc = ss_buf_printf(out, "Subject: [secscore] %s: ", ss_buf_cstr(&sev));
	p = (const unsigned char *)ss_buf_cstr(&t);
	for (i = 0; i < t.len; i++)
		ascii = ascii && p[i] < 0x80;
	if (!rc && ascii) {
		rc = ss_buf_add(out, t.ptr, t.len);
	} else if (!rc) {
		/* encoded words of at most 45 bytes (60 base64 characters), one per folded line */
		i = 0;
		while (i < t.len && !rc) {
			size_t n = 0;
			while (i + n < t.len) {
				size_t k = ss_utf8_seq(p + i + n, t.len - i - n);
				if (k == 0)
					k = 1; /* cannot happen after cleaning; keep going */
				if (n + k > 45)
					break;
				n += k;
			}
			if (i)
				rc = ss_buf_adds(out, "\r\n ");
			if (!rc)
				rc = ss_buf_adds(out, "=?UTF-8?B?");
			if (!rc)
				rc = add_base64(out, p + i, n);
			if (!rc)
				rc = ss_buf_adds(out, "?=");
			i += n;
		}
	}
	ss_buf_release(&t);
	ss_buf_release(&sev);
	return rc;
}

static void add_token(struct ss_buf *out, const char *s, size_t n, const char *dflt)
{
	size_t i, start = out->len;

	for (i = 0; s && i < n; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '-' || (c == '_' && !dflt))
			ss_buf_addc(out, c);
	}
	if (out->len == start && dflt)
		ss_buf_adds(out, dflt);
}

int ss_mail_message_id(struct ss_buf *out, const char *finding_id, const char *from)
{
	const char *at = from ? strrchr(from, '@') : NULL;

	ss_buf_adds(out, "<secscore.");
	add_token(out, finding_id, finding_id ? strlen(finding_id) : 0, NULL);
	ss_buf_addc(out, '@');
	add_token(out, at ? at + 1 : NULL, at ? strlen(at + 1) : 0, "secscore.invalid");
	return ss_buf_addc(out, '>');
}

/* Appends "prefix" and the cleaned text, split into lines of at most LINE_MAX_B bytes. */
static void add_text(struct ss_buf *out, const char *prefix, const char *s, size_t max)
{
	struct ss_buf t;
	const unsigned char *p;
	size_t i = 0;

	ss_buf_init(&t, SUMMARY_MAX + 16);
	ss_mail_clean(&t, s ? s : "", s ? strlen(s) : 0, max);
	p = (const unsigned char *)ss_buf_cstr(&t);
	ss_buf_adds(out, prefix);
	do {
		size_t n = 0;
		while (i + n < t.len) {
			size_t k = ss_utf8_seq(p + i + n, t.len - i - n);
			if (k == 0)
				k = 1;
			if (n + k > LINE_MAX_B)
				break;
			n += k;
		}
		ss_buf_add(out, p + i, n);
		ss_buf_adds(out, "\r\n");
		i += n;
	} while (i < t.len);
	ss_buf_release(&t);
}

static const char *str(json_t *f, const char *key)
{
	const char *s = json_string_value(json_object_get(f, key));

	return s ? s : "";
}

/* "Date:" value in RFC 5322 form for UTC. */
static void add_date(struct ss_buf *out, ss_time_ms now)
{
	static const char *const wd[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t secs = now / 1000, days = secs / 86400, rem = secs % 86400, y;
	unsigned m, d;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	ss_civil_from_days(days, &y, &m, &d);
	ss_buf_printf(out, "Date: %s, %02u %s %04lld %02d:%02d:%02d +0000\r\n", wd[((days % 7) + 7) % 7], d,
		      mon[(m - 1) % 12], (long long)y, (int)(rem / 3600), (int)(rem / 60 % 60),
		      (int)(rem % 60));
}

int ss_mail_message(struct ss_buf *out, json_t *finding, const char *from, char *const *to, size_t n_to,
		    ss_time_ms now)
{
	json_t *ev = json_object_get(finding, "evidence"), *v;
	char num[32];
	size_t i;

	ss_buf_clear(out);
	add_date(out, now);
	ss_buf_printf(out, "From: %s\r\nTo: ", from);
	for (i = 0; i < n_to; i++)
		ss_buf_printf(out, "%s%s", i ? ",\r\n " : "", to[i]);
	ss_buf_adds(out, "\r\n");
	ss_mail_subject(out, str(finding, "severity"), str(finding, "title"));
	ss_buf_adds(out, "\r\nMessage-ID: ");
	ss_mail_message_id(out, str(finding, "id"), from);
	ss_buf_adds(out, "\r\nMIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=utf-8\r\n"
			 "Content-Transfer-Encoding: 8bit\r\n"
			 "Auto-Submitted: auto-generated\r\n"
			 "\r\n");

	add_text(out, "secscore finding: ", str(finding, "title"), FIELD_MAX);
	ss_buf_adds(out, "\r\n");
	add_text(out, "Severity:    ", str(finding, "severity"), FIELD_MAX);
	add_text(out, "Rule:        ", str(finding, "rule"), FIELD_MAX);
	add_text(out, "User:        ",
		 json_is_string(json_object_get(finding, "user")) ? str(finding, "user") : "-", FIELD_MAX);
	add_text(out, "First seen:  ", str(finding, "first"), FIELD_MAX);
	add_text(out, "Last seen:   ", str(finding, "last"), FIELD_MAX);
	snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(json_object_get(finding, "count")));
	add_text(out, "Count:       ", num, FIELD_MAX);
	if (json_is_string(json_object_get(finding, "status")))
		add_text(out, "Status:      ", str(finding, "status"), FIELD_MAX);
	if (json_is_string(json_object_get(finding, "tenant")))
		add_text(out, "Tenant:      ", str(finding, "tenant"), FIELD_MAX);
	add_text(out, "Finding id:  ", str(finding, "id"), FIELD_MAX);
	ss_buf_adds(out, "\r\nSummary:\r\n");
	add_text(out, "", str(finding, "summary"), SUMMARY_MAX);
	if (json_array_size(ev)) {
		ss_buf_adds(out, "\r\nEvidence (audit record ids):\r\n");
		json_array_foreach (ev, i, v) {
			if (i == EVIDENCE_MAX) {
				ss_buf_printf(out, "  ... and %zu more\r\n",
					      json_array_size(ev) - EVIDENCE_MAX);
				break;
			}
			add_text(out, "  ", json_is_string(v) ? json_string_value(v) : "?", FIELD_MAX);
		}
	}
	ss_buf_adds(out, "\r\n-- \r\nsecscore sends each finding once per channel; the Message-ID is the "
			 "finding's.\r\n");
	return out->len ? 0 : SS_ETOOBIG;
}
