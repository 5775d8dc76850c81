/* form.h - the dashboard's inputs: urlencoded form bodies decoded into fields, and the session cookie. */
#ifndef SS_FORM_H
#define SS_FORM_H

/*
 * A body such as "state=planned&comment=MFA+rollout%3A+week+2" becomes
 * named fields: '+' is a space, %XX a byte; names and values may hold any
 * byte but NUL (a field that decodes to one is refused), and must be valid
 * UTF-8. At most SS_FORM_MAX fields; a repeated name is refused, so a form
 * cannot be given two different answers for one question. The decoded text
 * lives in one buffer owned by the struct.
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

#define SS_FORM_MAX 16

struct ss_form {
	char *text;		       /* every decoded name and value, NUL-separated; owned */
	const char *name[SS_FORM_MAX]; /* into text */
	const char *value[SS_FORM_MAX];
	size_t n;
};

/*
 * Decodes len bytes of body (need not be NUL-terminated) into *f. Errors
 * (SS_EINVAL, naming the field): a bad %XX, a NUL, invalid UTF-8, more than
 * SS_FORM_MAX fields, a repeated name. On error *f holds nothing to release.
 */
int ss_form_parse(struct ss_form *f, const char *body, size_t len, struct ss_error *err);

/* The value of field name, or NULL when the form has none. */
const char *ss_form_get(const struct ss_form *f, const char *name);

void ss_form_release(struct ss_form *f);

/* True when s[0..len) is 1 or more characters of [A-Za-z0-9_-]: our tokens, session ids and ids in paths. */
bool ss_form_id_shaped(const char *s, size_t len);

/*
 * The value of the cookie named name in a Cookie request header (h may be
 * NULL) into out (n bytes). Only values of 1 to n - 1 characters of
 * [A-Za-z0-9_-] are taken (our session ids); false when the cookie is
 * absent or its value is not of that shape. The first cookie of that name
 * counts.
 */
bool ss_form_cookie(const char *h, const char *name, char *out, size_t n);

#endif
