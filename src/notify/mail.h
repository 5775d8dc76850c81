/* mail.h - the plain-text mail of a finding: header-safe text, RFC 2047 subjects, a stable Message-ID. */
#ifndef SS_MAIL_H
#define SS_MAIL_H

/*
 * Strings of a finding come from audit data an attacker may write (a rule
 * name, a user name, an inbox rule's title), so every one of them is
 * cleaned before it reaches a header or the body: CR, LF and every other
 * control character become a space, invalid UTF-8 and Unicode line or bidi
 * controls become '?'. Nothing a finding holds can end a header line or
 * start a new one. The addresses come from the config, checked by
 * ss_mail_address_ok.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/time.h"

/*
 * Appends s[0..len) cleaned as above, at most max bytes of it (cut at a
 * character boundary). Returns 0 or SS_ETOOBIG (out's ceiling).
 */
int ss_mail_clean(struct ss_buf *out, const char *s, size_t len, size_t max);

/* Whether s is a bare address we put in headers and the envelope: local@domain, printable ASCII, no specials. */
bool ss_mail_address_ok(const char *s);

/*
 * Appends "Subject: ..." (without the line end): "[secscore] SEVERITY: title"
 * with the title cleaned and at most 200 bytes; non-ASCII text is written as
 * RFC 2047 encoded words (UTF-8, base64), folded to short lines.
 */
int ss_mail_subject(struct ss_buf *out, const char *severity, const char *title);

/*
 * Appends the Message-ID value "<secscore.ID@DOMAIN>" of a finding: ID its
 * id reduced to [A-Za-z0-9._-], DOMAIN the sender's domain. The same
 * finding always gets the same Message-ID, so a mail sent twice (at least
 * once delivery) is one message to the receiving side.
 */
int ss_mail_message_id(struct ss_buf *out, const char *finding_id, const char *from);

/*
 * Writes the whole message (CRLF line ends, headers, blank line, body) of
 * finding from `from` to the n_to addresses in to, dated now, into out
 * (cleared first). Body lines stay under 1000 bytes.
 */
int ss_mail_message(struct ss_buf *out, json_t *finding, const char *from, char *const *to, size_t n_to,
		    ss_time_ms now);

#endif
