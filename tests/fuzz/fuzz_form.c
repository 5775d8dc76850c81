/* fuzz_form.c - libFuzzer target: form decoding and the cookie reader never crash; accepted forms round-trip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "server/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(struct ss_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			ss_buf_add(b, s, 1);
		else
			ss_buf_printf(b, "%%%02X", c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_form f, g;
	struct ss_error err;
	struct ss_buf b;
	char *header, out[64];
	size_t i;

	/* The input as a Cookie header: a value taken is of our shape and is in the header. */
	header = malloc(size + 1);
	if (!header)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	if (ss_form_cookie(header, "secscore_session", out, sizeof(out))) {
		if (!out[0] || strlen(out) >= sizeof(out) ||
		    strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
			    strlen(out) ||
		    !strstr(header, out))
			abort();
	}
	free(header);

	if (ss_form_parse(&f, (const char *)data, size, &err) != 0)
		return 0;
	if (f.n > SS_FORM_MAX)
		abort();
	/* Encoding the decoded fields again and decoding that gives the same fields. */
	ss_buf_init(&b, (size_t)1 << 24);
	for (i = 0; i < f.n; i++) {
		if (i)
			ss_buf_adds(&b, "&");
		encode(&b, f.name[i]);
		ss_buf_adds(&b, "=");
		encode(&b, f.value[i]);
	}
	if (ss_form_parse(&g, b.ptr ? b.ptr : "", b.len, &err) != 0 || g.n != f.n)
		abort();
	for (i = 0; i < f.n; i++)
		if (strcmp(f.name[i], g.name[i]) != 0 || strcmp(f.value[i], g.value[i]) != 0 ||
		    ss_form_get(&g, f.name[i]) != g.value[i])
			abort();
	ss_form_release(&g);
	ss_form_release(&f);
	ss_buf_release(&b);
	return 0;
}
