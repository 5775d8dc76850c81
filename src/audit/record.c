/* record.c - parsing and normalising one audit record; field paths over Name/Value arrays. */
#include "audit/record.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"

#define SCRATCH_MAX ((size_t)64 << 20)

void ss_audit_rec_init(struct ss_audit_rec *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	ss_json_init(&r->doc);
	r->root = SS_JNONE;
	for (i = 0; i < SS_AF_COUNT; i++)
		ss_buf_init(&r->scratch[i], SCRATCH_MAX);
}

void ss_audit_rec_release(struct ss_audit_rec *r)
{
	size_t i;

	ss_json_release(&r->doc);
	for (i = 0; i < SS_AF_COUNT; i++)
		ss_buf_release(&r->scratch[i]);
}

static const struct {
	const char *name;
	int value;
} record_types[] = {
	{"ExchangeAdmin", 1},
	{"ExchangeItem", 2},
	{"ExchangeItemGroup", 3},
	{"SharePoint", 4},
	{"SharePointFileOperation", 6},
	{"OneDrive", 7},
	{"AzureActiveDirectory", 8},
	{"AzureActiveDirectoryAccountLogon", 9},
	{"DataCenterSecurityCmdlet", 10},
	{"ComplianceDLPSharePoint", 11},
	{"ComplianceDLPExchange", 13},
	{"SharePointSharingOperation", 14},
	{"AzureActiveDirectoryStsLogon", 15},
	{"SkypeForBusinessPSTNUsage", 16},
	{"SkypeForBusinessUsersBlocked", 17},
	{"SecurityComplianceCenterEOPCmdlet", 18},
	{"ExchangeAggregatedOperation", 19},
	{"PowerBIAudit", 20},
	{"CRM", 21},
	{"Yammer", 22},
	{"SkypeForBusinessCmdlets", 23},
	{"Discovery", 24},
	{"MicrosoftTeams", 25},
	{"ThreatIntelligence", 28},
	{"MailSubmission", 29},
	{"MicrosoftFlow", 30},
	{"AeD", 31},
	{"MicrosoftStream", 32},
	{"ComplianceDLPSharePointClassification", 33},
	{"ThreatFinder", 34},
	{"Project", 35},
	{"SharePointListOperation", 36},
	{"SharePointCommentOperation", 37},
	{"DataGovernance", 38},
	{"Kaizala", 39},
	{"SecurityComplianceAlerts", 40},
	{"ThreatIntelligenceUrl", 41},
	{"SecurityComplianceInsights", 42},
	{"MIPLabel", 43},
	{"WorkplaceAnalytics", 44},
	{"PowerAppsApp", 45},
	{"PowerAppsPlan", 46},
	{"ThreatIntelligenceAtpContent", 47},
	{"LabelContentExplorer", 48},
	{"TeamsHealthcare", 49},
	{"ExchangeItemAggregated", 50},
	{"HygieneEvent", 51},
	{"DataInsightsRestApiAudit", 52},
	{"InformationBarrierPolicyApplication", 53},
	{"SharePointListItemOperation", 54},
	{"SharePointContentTypeOperation", 55},
	{"SharePointFieldOperation", 56},
	{"MicrosoftTeamsAdmin", 57},
	{"HRSignal", 58},
	{"MicrosoftTeamsDevice", 59},
	{"MicrosoftTeamsAnalytics", 60},
	{"InformationWorkerProtection", 61},
	{"Campaign", 62},
	{"DLPEndpoint", 63},
	{"AirInvestigation", 64},
	{"Quarantine", 65},
	{"MicrosoftForms", 66},
	{"CopilotInteraction", 261},
};

static const char *const user_types[] = {
	"Regular",	    "Reserved",	    "Admin",	    "DcAdmin",		 "System", "Application",
	"ServicePrincipal", "CustomPolicy", "SystemPolicy", "PartnerTechnician", "Guest",
};

int ss_audit_record_type(struct ss_slice name)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_LEN(record_types); i++)
		if (ss_slice_eqi(name, record_types[i].name))
			return record_types[i].value;
	return -1;
}

/* A small enum field: a number, a numeric string, or (via names) a name; -1 when none. */
static int enum_value(struct ss_audit_rec *r, ss_jv v, int (*byname)(struct ss_slice))
{
	int64_t n;
	struct ss_slice s;
	char *end;
	long x;
	char tmp[24];

	if (ss_json_int(&r->doc, v, &n))
		return n >= 0 && n <= 1000000 ? (int)n : -1;
	if (ss_json_type(&r->doc, v) != SS_JSTRING)
		return -1;
	s = ss_json_str(&r->doc, v, &r->scratch[SS_AF_TMP], NULL);
	if (s.len > 0 && s.len < sizeof(tmp) && s.ptr[0] >= '0' && s.ptr[0] <= '9') {
		memcpy(tmp, s.ptr, s.len);
		tmp[s.len] = '\0';
		x = strtol(tmp, &end, 10);
		if (*end == '\0' && x >= 0 && x <= 1000000)
			return (int)x;
		return -1;
	}
	return byname(s);
}

static int user_type_byname(struct ss_slice s)
{
	size_t i;

	for (i = 0; i < SS_ARRAY_LEN(user_types); i++)
		if (ss_slice_eqi(s, user_types[i]))
			return (int)i;
	return -1;
}

/* Member of the record by its Management Activity name, or its Sentinel alias. */
static ss_jv member(struct ss_audit_rec *r, const char *name, const char *alias)
{
	ss_jv v = ss_json_get(&r->doc, r->root, name);

	if (v == SS_JNONE && alias)
		v = ss_json_get(&r->doc, r->root, alias);
	return v;
}

static struct ss_slice str_of(struct ss_audit_rec *r, ss_jv v, int slot)
{
	if (ss_json_type(&r->doc, v) != SS_JSTRING)
		return (struct ss_slice){"", 0};
	return ss_json_str(&r->doc, v, &r->scratch[slot], NULL);
}

static bool is_service(struct ss_slice u, int user_type)
{
	if (user_type >= 4 && user_type <= 8)
		return true;
	if (u.len == 0)
		return false;
	if (!memchr(u.ptr, '@', u.len))
		return true; /* GUIDs, SIDs, "NT AUTHORITY\SYSTEM (...)", bare names */
	if (ss_slice_eq(u, "app@sharepoint"))
		return true;
	return u.len >= 13 && strncasecmp(u.ptr, "nt authority\\", 13) == 0;
}

/* Error code of a sign-in: 0 for none / success codes, 1 for a failure code, -1 when absent. */
static int signin_error(struct ss_audit_rec *r)
{
	ss_jv v = ss_json_get(&r->doc, r->root, "ErrorNumber");
	int64_t n;
	struct ss_slice s;

	if (v != SS_JNONE) {
		if (ss_json_type(&r->doc, v) == SS_JSTRING) {
			s = str_of(r, v, SS_AF_TMP);
			if (s.len == 0 || ss_slice_eq(s, "0") || ss_slice_eq(s, "50140"))
				return 0;
			return 1;
		}
		if (ss_json_int(&r->doc, v, &n))
			return n == 0 || n == 50140 ? 0 : 1;
	}
	v = ss_json_get(&r->doc, r->root, "LogonError");
	if (v != SS_JNONE && ss_json_type(&r->doc, v) == SS_JSTRING) {
		s = str_of(r, v, SS_AF_TMP);
		return s.len == 0 ? 0 : 1;
	}
	return -1;
}

static enum ss_signin classify_signin(struct ss_audit_rec *r)
{
	struct ss_slice op = r->operation;
	int e;

	if (ss_slice_eq(op, "UserLoginFailed"))
		return SS_SIGNIN_FAIL;
	if (!ss_slice_eq(op, "UserLoggedIn") && !ss_slice_eq(op, "PasswordLogonInitialAuthUsingPassword") &&
	    !ss_slice_eq(op, "MailboxLogin"))
		return SS_SIGNIN_NONE;
	e = signin_error(r);
	if (e >= 0)
		return e ? SS_SIGNIN_FAIL : SS_SIGNIN_OK;
	/* Old records without error fields: only then does ResultStatus say it. */
	if (ss_slice_eqi(r->result, "failed") || ss_slice_eqi(r->result, "failure"))
		return SS_SIGNIN_FAIL;
	return SS_SIGNIN_OK;
}

bool ss_audit_ip(struct ss_slice raw, char out[48])
{
	char tmp[64];
	const char *p = raw.ptr;
	size_t n = raw.len;
	const char *colon;
	unsigned char addr[16];

	out[0] = '\0';
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	if (p[0] == '[') {
		const char *close = memchr(p, ']', n);
		if (!close)
			return false;
		n = (size_t)(close - p - 1);
		p++;
	} else {
		colon = memchr(p, ':', n);
		/* One colon: IPv4 with a port. Several: bare IPv6. */
		if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - p) - 1))
			n = (size_t)(colon - p);
	}
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, addr) == 1)
		return inet_ntop(AF_INET, addr, out, 48) != NULL;
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		/* IPv4-mapped IPv6 is the IPv4 address. */
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(addr, mapped, 12) == 0)
			return inet_ntop(AF_INET, addr + 12, out, 48) != NULL;
		return inet_ntop(AF_INET6, addr, out, 48) != NULL;
	}
	out[0] = '\0';
	return false;
}

static void lower_into(struct ss_buf *b, struct ss_slice s)
{
	size_t i;

	ss_buf_clear(b);
	if (ss_buf_grow(b, s.len + 1))
		return;
	for (i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		b->ptr[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	b->len = s.len;
	b->ptr[s.len] = '\0';
}

int ss_audit_rec_parse(struct ss_audit_rec *r, const char *text, size_t len, struct ss_error *err)
{
	int rc;
	ss_jv v;
	struct ss_slice s;
	char ipbuf[48];

	r->root = SS_JNONE;
	rc = ss_json_parse(&r->doc, text, len, err);
	if (rc)
		return rc;
	r->root = ss_json_root(&r->doc);
	if (ss_json_type(&r->doc, r->root) != SS_JOBJECT)
		return ss_error_set(err, SS_EINVAL, "an audit record must be a JSON object");
	r->sentinel = ss_json_get(&r->doc, r->root, "CreationTime") == SS_JNONE &&
		      ss_json_get(&r->doc, r->root, "TimeGenerated") != SS_JNONE;

	v = member(r, "CreationTime", "TimeGenerated");
	s = str_of(r, v, SS_AF_TIME);
	if (s.len == 0 || ss_time_parse(s.ptr, s.len, &r->time)) {
		rc = ss_error_set(err, SS_EINVAL, v == SS_JNONE ? "missing" : "not a valid timestamp");
		ss_error_field(err, r->sentinel ? "TimeGenerated" : "CreationTime");
		return rc;
	}
	r->id = str_of(r, member(r, "Id", "OfficeId"), SS_AF_ID);
	r->operation = str_of(r, member(r, "Operation", NULL), SS_AF_OP);
	r->workload = str_of(r, member(r, "Workload", "OfficeWorkload"), SS_AF_WORKLOAD);
	r->result = str_of(r, member(r, "ResultStatus", NULL), SS_AF_RESULT);
	r->record_type = enum_value(r, member(r, "RecordType", NULL), ss_audit_record_type);
	r->user_type = enum_value(r, member(r, "UserType", NULL), user_type_byname);
	s = str_of(r, member(r, "UserId", NULL), SS_AF_TMP);
	lower_into(&r->scratch[SS_AF_USER], s);
	r->user = (struct ss_slice){r->scratch[SS_AF_USER].ptr ? r->scratch[SS_AF_USER].ptr : "",
				    r->scratch[SS_AF_USER].len};
	r->service = is_service(r->user, r->user_type);

	r->ip[0] = '\0';
	s = str_of(r, member(r, "ClientIP", "Client_IPAddress"), SS_AF_IP);
	if (!ss_audit_ip(s, ipbuf)) {
		s = str_of(r, member(r, "ActorIpAddress", "ClientIPAddress"), SS_AF_IP);
		ss_audit_ip(s, ipbuf);
	}
	memcpy(r->ip, ipbuf, sizeof(r->ip));
	r->signin = classify_signin(r);
	return 0;
}

/* In an array of {Name, Value} entries, the entry named name[0..n): its Value / NewValue. */
static ss_jv named_entry(struct ss_audit_rec *r, ss_jv arr, const char *name, size_t n)
{
	ss_jv e, k;
	struct ss_slice s;

	for (e = ss_json_first(&r->doc, arr); e != SS_JNONE; e = ss_json_next(&r->doc, arr, e)) {
		if (ss_json_type(&r->doc, e) != SS_JOBJECT)
			continue;
		k = ss_json_geti(&r->doc, e, "Name");
		if (ss_json_type(&r->doc, k) != SS_JSTRING)
			continue;
		s = ss_json_str(&r->doc, k, &r->scratch[SS_AF_TMP], NULL);
		if (s.len == n && strncasecmp(s.ptr, name, n) == 0) {
			ss_jv val = ss_json_geti(&r->doc, e, "Value");
			if (val == SS_JNONE)
				val = ss_json_geti(&r->doc, e, "NewValue");
			return val;
		}
	}
	return SS_JNONE;
}

/* Object member by key[0..n), ASCII case-insensitive. */
static ss_jv member_n(struct ss_audit_rec *r, ss_jv obj, const char *key, size_t n)
{
	ss_jv k;

	if (ss_json_type(&r->doc, obj) != SS_JOBJECT)
		return SS_JNONE;
	for (k = ss_json_first(&r->doc, obj); k != SS_JNONE; k = ss_json_next(&r->doc, obj, k)) {
		const struct ss_jnode *kn = &r->doc.nodes[k];
		if (!kn->escaped) {
			if (kn->len == n && strncasecmp(r->doc.src + kn->off, key, n) == 0)
				return ss_json_member_value(k);
		} else {
			struct ss_slice s = ss_json_str(&r->doc, k, &r->scratch[SS_AF_TMP], NULL);
			if (s.len == n && strncasecmp(s.ptr, key, n) == 0)
				return ss_json_member_value(k);
		}
	}
	return SS_JNONE;
}

static const struct {
	const char *name;
	const char *alias;
} sentinel_aliases[] = {
	{"Id", "OfficeId"},
	{"Workload", "OfficeWorkload"},
	{"ClientIP", "Client_IPAddress"},
	{"CreationTime", "TimeGenerated"},
	{"OrganizationId", "OfficeTenantId"},
	{"LogonType", "Logon_Type"},
};

static ss_jv step(struct ss_audit_rec *r, ss_jv cur, const char *seg, size_t n, bool top)
{
	enum ss_jtype t = ss_json_type(&r->doc, cur);
	ss_jv v;
	size_t i;

	if (t == SS_JOBJECT) {
		v = member_n(r, cur, seg, n);
		if (v == SS_JNONE && top && r->sentinel) {
			for (i = 0; i < SS_ARRAY_LEN(sentinel_aliases); i++) {
				if (strlen(sentinel_aliases[i].name) == n &&
				    strncasecmp(sentinel_aliases[i].name, seg, n) == 0)
					return member_n(r, cur, sentinel_aliases[i].alias,
							strlen(sentinel_aliases[i].alias));
			}
		}
		return v;
	}
	if (t == SS_JARRAY)
		return named_entry(r, cur, seg, n);
	return SS_JNONE;
}

ss_jv ss_audit_field(struct ss_audit_rec *r, const char *path, size_t pathlen)
{
	ss_jv cur = r->root;
	size_t pos = 0;
	bool top = true;

	if (cur == SS_JNONE || pathlen == 0)
		return SS_JNONE;
	while (pos < pathlen) {
		const char *seg = path + pos;
		const char *dot = memchr(seg, '.', pathlen - pos);
		size_t n = dot ? (size_t)(dot - seg) : pathlen - pos;
		ss_jv next = step(r, cur, seg, n, top);

		/* Names with dots inside ("Role.DisplayName"): try the rest as one name. */
		if (dot && ss_json_type(&r->doc, cur) == SS_JARRAY) {
			ss_jv whole = named_entry(r, cur, seg, pathlen - pos);
			if (whole != SS_JNONE)
				return whole;
		}
		if (next == SS_JNONE)
			return SS_JNONE;
		cur = next;
		top = false;
		pos += n + (dot ? 1 : 0);
	}
	return cur;
}

bool ss_audit_field_text(struct ss_audit_rec *r, const char *path, size_t pathlen, struct ss_slice *out)
{
	ss_jv v = ss_audit_field(r, path, pathlen);

	if (v == SS_JNONE)
		return false;
	if (ss_json_type(&r->doc, v) == SS_JSTRING)
		*out = ss_json_str(&r->doc, v, &r->scratch[SS_AF_TMP], NULL);
	else
		*out = ss_json_raw(&r->doc, v);
	return true;
}

static int hexd(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses a GUID ("8-4-4-4-12" hex, optionally in braces, or 32 hex digits) into 16 bytes. */
static bool parse_guid(struct ss_slice s, unsigned char out[16])
{
	const char *p = s.ptr;
	size_t n = s.len, i, k = 0;
	int hi = -1;
	bool any = false;

	if (n == 38 && p[0] == '{' && p[37] == '}') {
		p++;
		n -= 2;
	}
	if (n != 36 && n != 32)
		return false;
	for (i = 0; i < n; i++) {
		int d;
		if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (p[i] != '-')
				return false;
			continue;
		}
		d = hexd(p[i]);
		if (d < 0)
			return false;
		if (hi < 0) {
			hi = d;
		} else {
			out[k] = (unsigned char)(hi << 4 | d);
			any = any || out[k];
			k++;
			hi = -1;
		}
	}
	return k == 16 && any; /* the nil GUID is hashed like any other text */
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t hash64(const unsigned char *p, size_t n, uint64_t seed)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	return mix64(h ^ w ^ 0xff51afd7ed558ccdull);
}

void ss_audit_key(struct ss_slice id, const char *text, size_t len, unsigned char key[16])
{
	const unsigned char *p;
	size_t n;
	uint64_t a, b;

	if (id.len && parse_guid(id, key))
		return;
	if (id.len) {
		p = (const unsigned char *)id.ptr;
		n = id.len;
	} else {
		p = (const unsigned char *)text;
		n = len;
	}
	a = hash64(p, n, 0x243f6a8885a308d3ull);
	b = hash64(p, n, 0x13198a2e03707344ull ^ (id.len ? 0 : 1));
	memcpy(key, &a, 8);
	memcpy(key + 8, &b, 8);
}
