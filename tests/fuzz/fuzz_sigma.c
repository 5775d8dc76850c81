/*
 * fuzz_sigma.c - arbitrary bytes as a Sigma rule file: the loader must accept or reject them with an
 * error naming the file, never crash, leak or hang; whatever loads is run over a few fixed records
 * (PCRE2 match limits keep every regex bounded), merged and asked for findings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const records[] = {
	"{\"CreationTime\":\"2023-07-23T06:48:19\",\"Id\":\"7d1a3ff8-825a-4ddf-4215-08db8b48cccf\","
	"\"Operation\":\"Set-CASMailbox\",\"ResultStatus\":\"True\",\"Workload\":\"Exchange\","
	"\"ClientIP\":\"[2a09:bac5:111:105::1a:89]:25138\",\"UserId\":\"stinger@contoso.onmicrosoft.com\","
	"\"Parameters\":[{\"Name\":\"Identity\",\"Value\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"},"
	"{\"Name\":\"ImapEnabled\",\"Value\":\"True\"}]}",
	"{\"CreationTime\":\"2023-07-23T12:13:33\",\"Id\":\"2eaee53c-1a71-468b-ae64-3b61f5770600\","
	"\"Operation\":\"UserLoginFailed\",\"RecordType\":15,\"ResultStatus\":\"Success\",\"UserId\":"
	"\"Henrietta@contoso.onmicrosoft.com\",\"ClientIP\":\"10.1.2.3\",\"ErrorNumber\":\"50126\","
	"\"ExtendedProperties\":[{\"Name\":\"RequestType\",\"Value\":\"OAuth2:Token\"}]}",
	"{\"CreationTime\":\"2023-07-23T12:14:33\",\"Id\":\"f3d31ad2-1cd5-4a62-a296-b11e0d250700\","
	"\"Operation\":\"UserLoggedIn\",\"RecordType\":15,\"UserId\":\"henrietta@contoso.onmicrosoft.com\","
	"\"ClientIP\":\"10.1.2.3:443\",\"ErrorNumber\":0,\"Empty\":null}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_rules *rs = NULL;
	struct ss_rules_state *a, *b;
	struct ss_error err;
	struct ss_audit_rec rec;
	json_t *f;
	size_t i;

	ss_error_clear(&err);
	if (ss_rules_load_mem(&rs, "fuzz.yml", (const char *)data, size, &err) != 0) {
		if (rs || strcmp(err.file, "fuzz.yml") != 0 || !err.msg[0])
			abort();
		return 0;
	}
	a = ss_rules_state_new(rs);
	b = ss_rules_state_new(rs);
	ss_audit_rec_init(&rec);
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		if (ss_audit_rec_parse(&rec, records[i], strlen(records[i]), NULL) != 0)
			abort();
		ss_rules_feed(rs, i % 2 ? a : b, &rec);
	}
	ss_audit_rec_release(&rec);
	ss_rules_merge(rs, a, b);
	f = ss_rules_findings(rs, a);
	if (!json_is_array(f))
		abort();
	json_decref(f);
	ss_rules_state_free(a);
	ss_rules_state_free(b);
	ss_rules_free(rs);
	return 0;
}
