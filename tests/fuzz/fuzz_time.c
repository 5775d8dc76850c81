/* fuzz_time.c - libFuzzer target: timestamp parsing never crashes, and what it accepts round-trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ss_time_ms t, back;
	char buf[32];

	if (ss_time_parse((const char *)data, size, &t) != 0)
		return 0;
	/* Whole seconds survive formatting and parsing again. */
	t -= ((t % 1000) + 1000) % 1000;
	ss_time_format(t, buf);
	if (ss_time_parse(buf, strlen(buf), &back) != 0 || back != t)
		abort();
	return 0;
}
