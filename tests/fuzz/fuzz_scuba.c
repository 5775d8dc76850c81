/* fuzz_scuba.c - libFuzzer target: the ScubaGear importer on arbitrary exports never crashes or leaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "snapshot/scuba.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_snapshot s;
	struct ss_error err;
	size_t i;

	if (!ss_scuba_detect((const char *)data, size))
		return 0;
	memset(&s, 0, sizeof(s));
	ss_error_clear(&err);
	s.dir = ss_xstrdup("fuzz.json");
	(void)ss_scuba_load(&s, (const char *)data, size, &err);
	for (i = 0; i < s.n_docs; i++) {
		free(s.docs[i].name);
		free(s.docs[i].data);
		ss_json_release(&s.docs[i].json);
	}
	free(s.docs);
	free(s.dir);
	free(s.tenant_id);
	free(s.display_name);
	return 0;
}
