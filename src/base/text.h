/* text.h - escaping attacker-controlled strings for terminals, CSV and HTML; UTF-8 checks. */
#ifndef SS_TEXT_H
#define SS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* The value of a hexadecimal digit (either case), or -1 when c is not one. */
static inline int ss_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Appends s to out so that a terminal shows it literally: C0/C1 control
 * characters, DEL and invalid UTF-8 become \xNN, so escape sequences in
 * tenant or audit data cannot move the cursor or retitle the window.
 * Returns 0 or SS_ETOOBIG.
 */
int ss_text_terminal(struct ss_buf *out, const char *s, size_t len);

/*
 * Appends one CSV cell (RFC 4180 quoting). Cells starting with =, +, -, @,
 * TAB or CR are prefixed with a single quote so spreadsheets do not run them
 * as formulas.
 */
int ss_text_csv(struct ss_buf *out, const char *s, size_t len);

/* Appends s with &, <, >, ", ' replaced by entities. */
int ss_text_html(struct ss_buf *out, const char *s, size_t len);

/* Length (1-4) of the valid UTF-8 sequence starting at s (len > 0 bytes left), or 0 when invalid. */
size_t ss_utf8_seq(const unsigned char *s, size_t len);

/* True when s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool ss_utf8_valid(const unsigned char *s, size_t len);

/*
 * Transcodes UTF-16LE (without its BOM) to UTF-8 into out. Unpaired
 * surrogates are an error (SS_EPARSE), as is an odd byte count.
 */
int ss_utf16le_to_utf8(struct ss_buf *out, const unsigned char *s, size_t len);

#endif
