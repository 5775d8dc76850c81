/* text.c - escaping for terminals, CSV and HTML; UTF-8 validation and UTF-16LE transcoding. */
#include "base/text.h"

#include <string.h>

#include "base/error.h"

size_t ss_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return len >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

bool ss_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = ss_utf8_seq(s + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

int ss_text_terminal(struct ss_buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int rc = 0;

	while (i < len && !rc) {
		size_t n = ss_utf8_seq(u + i, len - i);
		bool c1 = n == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0;
		if (n == 1 && u[i] >= 0x20 && u[i] != 0x7F) {
			rc = ss_buf_addc(out, (char)u[i]);
		} else if (n > 1 && !c1) {
			rc = ss_buf_add(out, u + i, n);
		} else {
			size_t k, m = n ? n : 1;
			for (k = 0; k < m && !rc; k++)
				rc = ss_buf_printf(out, "\\x%02x", u[i + k]);
			n = m;
		}
		i += n;
	}
	return rc;
}

int ss_text_csv(struct ss_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc;

	rc = ss_buf_addc(out, '"');
	if (!rc && len && strchr("=+-@\t\r", s[0]))
		rc = ss_buf_addc(out, '\'');
	for (i = 0; i < len && !rc; i++) {
		if (s[i] == '"')
			rc = ss_buf_add(out, "\"\"", 2);
		else
			rc = ss_buf_addc(out, s[i]);
	}
	if (!rc)
		rc = ss_buf_addc(out, '"');
	return rc;
}

int ss_text_html(struct ss_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < len && !rc; i++) {
		switch (s[i]) {
		case '&': rc = ss_buf_adds(out, "&amp;"); break;
		case '<': rc = ss_buf_adds(out, "&lt;"); break;
		case '>': rc = ss_buf_adds(out, "&gt;"); break;
		case '"': rc = ss_buf_adds(out, "&quot;"); break;
		case '\'': rc = ss_buf_adds(out, "&#39;"); break;
		default: rc = ss_buf_addc(out, s[i]); break;
		}
	}
	return rc;
}

static int put_utf8(struct ss_buf *out, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return ss_buf_add(out, b, n);
}

int ss_utf16le_to_utf8(struct ss_buf *out, const unsigned char *s, size_t len)
{
	size_t i;
	int rc = 0;

	if (len % 2)
		return SS_EPARSE;
	for (i = 0; i < len && !rc; i += 2) {
		unsigned long u = (unsigned long)s[i] | ((unsigned long)s[i + 1] << 8);
		if (u >= 0xD800 && u <= 0xDBFF) {
			unsigned long lo;
			if (i + 3 >= len)
				return SS_EPARSE;
			lo = (unsigned long)s[i + 2] | ((unsigned long)s[i + 3] << 8);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return SS_EPARSE;
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			return SS_EPARSE;
		}
		rc = put_utf8(out, u);
	}
	return rc;
}
