/* fuzz_predicate.c - libFuzzer target: catalog conditions evaluated on arbitrary JSON items. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "json/json.h"
#include "score/predicate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = {
	"{\"path\": \"AuditEnabled\", \"eq\": true}",
	"{\"path\": \"a.b.c\", \"in\": [\"x\", 1, false, null]}",
	"{\"path\": \"list\", \"contains\": \"All\"}",
	"{\"path\": \"list\", \"anyStartsWith\": \"Anonymous:\"}",
	"{\"path\": \"n\", \"ge\": 1.5}",
	"{\"path\": \"t\", \"olderThanDays\": 30}",
	"{\"any\": [{\"path\": \"s\", \"empty\": true}, {\"not\": {\"path\": \"s\", \"exists\": true}}]}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ss_pred *preds[sizeof(specs) / sizeof(specs[0])];
	static int ready;
	struct ss_json doc;
	struct ss_buf scratch;
	size_t i;

	if (!ready) {
		json_t *params = json_object();
		for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
			json_t *spec = json_loads(specs[i], 0, NULL);
			preds[i] = ss_pred_compile(spec, params, "fuzz", NULL);
			json_decref(spec);
			if (!preds[i])
				abort();
		}
		json_decref(params);
		ready = 1;
	}
	ss_json_init(&doc);
	ss_buf_init(&scratch, 1 << 20);
	if (ss_json_parse(&doc, (const char *)data, size, NULL) == 0) {
		for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			(void)ss_pred_eval(preds[i], &doc, ss_json_root(&doc), 1700000000000, &scratch);
	}
	ss_buf_release(&scratch);
	ss_json_release(&doc);
	return 0;
}
