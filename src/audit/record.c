/* record.c - parsing and normalising one audit record; field paths over Name/Value arrays. */
#include "audit/record.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/text.h"

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

/* The top-level members the normaliser reads, found in one pass over the record's keys. */
enum {
	K_CREATIONTIME,
	K_TIMEGENERATED,
	K_ID,
	K_OFFICEID,
	K_OPERATION,
	K_WORKLOAD,
	K_OFFICEWORKLOAD,
	K_RESULTSTATUS,
	K_RECORDTYPE,
	K_USERTYPE,
	K_USERID,
	K_CLIENTIP,
	K_CLIENT_IPADDRESS,
	K_ACTORIPADDRESS,
	K_CLIENTIPADDRESS,
	K_ERRORNUMBER,
	K_LOGONERROR,
	K_COUNT
};

static const struct {
	const char *name;
	size_t len;
} wanted[K_COUNT] = {
#define W(s)                                                                                                 \
	{                                                                                                    \
		s, sizeof(s) - 1                                                                             \
	}
	W("CreationTime"),     W("TimeGenerated"),  W("Id"),
	W("OfficeId"),	       W("Operation"),	    W("Workload"),
	W("OfficeWorkload"),   W("ResultStatus"),   W("RecordType"),
	W("UserType"),	       W("UserId"),	    W("ClientIP"),
	W("Client_IPAddress"), W("ActorIpAddress"), W("ClientIPAddress"),
	W("ErrorNumber"),      W("LogonError"),
#undef W
};

/*
 * The wanted names by length (0..16): indexes into wanted[], ended by
 * K_COUNT, so a key is compared only with the names of its own length.
 */
static const uint8_t by_len[17][5] = {
	[0] = {K_COUNT},
	[1] = {K_COUNT},
	[2] = {K_ID, K_COUNT},
	[3] = {K_COUNT},
	[4] = {K_COUNT},
	[5] = {K_COUNT},
	[6] = {K_USERID, K_COUNT},
	[7] = {K_COUNT},
	[8] = {K_OFFICEID, K_WORKLOAD, K_USERTYPE, K_CLIENTIP, K_COUNT},
	[9] = {K_OPERATION, K_COUNT},
	[10] = {K_RECORDTYPE, K_LOGONERROR, K_COUNT},
	[11] = {K_ERRORNUMBER, K_COUNT},
	[12] = {K_CREATIONTIME, K_RESULTSTATUS, K_COUNT},
	[13] = {K_TIMEGENERATED, K_COUNT},
	[14] = {K_OFFICEWORKLOAD, K_ACTORIPADDRESS, K_COUNT},
	[15] = {K_CLIENTIPADDRESS, K_COUNT},
	[16] = {K_CLIENT_IPADDRESS, K_COUNT},
};

/* Fills f[k] with the first member named wanted[k] (exact names, as Graph and the API write them). */
static void find_members(struct ss_audit_rec *r, ss_jv f[K_COUNT])
{
	const struct ss_json *doc = &r->doc;
	uint32_t k, end;
	size_t w, slot;

	for (w = 0; w < K_COUNT; w++)
		f[w] = SS_JNONE;
	/* the root's members: key node, then the value's subtree (shallow: one node each) */
	end = doc->nodes[r->root].next;
	for (k = r->root + 1; k < end; k = doc->nodes[k + 1].next) {
		const struct ss_jnode *kn = &doc->nodes[k];
		struct ss_slice name = {doc->src + kn->off, kn->len};
		if (name.len < 2 || name.len > 16)
			continue;
		if (kn->escaped)
			name = ss_json_str(doc, k, &r->scratch[SS_AF_TMP], NULL);
		for (slot = 0; (w = by_len[name.len][slot]) < K_COUNT; slot++) {
			if (f[w] == SS_JNONE && memcmp(wanted[w].name, name.ptr, name.len) == 0) {
				f[w] = k + 1;
				break;
			}
		}
	}
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
static int signin_error(struct ss_audit_rec *r, const ss_jv f[K_COUNT])
{
	ss_jv v = f[K_ERRORNUMBER];
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
	v = f[K_LOGONERROR];
	if (v != SS_JNONE && ss_json_type(&r->doc, v) == SS_JSTRING) {
		s = str_of(r, v, SS_AF_TMP);
		return s.len == 0 ? 0 : 1;
	}
	return -1;
}

static enum ss_signin classify_signin(struct ss_audit_rec *r, const ss_jv f[K_COUNT])
{
	struct ss_slice op = r->operation;
	int e;

	if (ss_slice_eq(op, "UserLoginFailed"))
		return SS_SIGNIN_FAIL;
	if (!ss_slice_eq(op, "UserLoggedIn") && !ss_slice_eq(op, "PasswordLogonInitialAuthUsingPassword") &&
	    !ss_slice_eq(op, "MailboxLogin"))
		return SS_SIGNIN_NONE;
	e = signin_error(r, f);
	if (e >= 0)
		return e ? SS_SIGNIN_FAIL : SS_SIGNIN_OK;
	/* Old records without error fields: only then does ResultStatus say it. */
	if (ss_slice_eqi(r->result, "failed") || ss_slice_eqi(r->result, "failure"))
		return SS_SIGNIN_FAIL;
	return SS_SIGNIN_OK;
}

/*
 * Dotted-quad IPv4 without leading zeros is already canonical: checked and
 * copied here, since inet_pton + inet_ntop cost more than parsing the record.
 */
static bool ipv4_fast(const char *p, size_t n, char out[48])
{
	size_t i, digits = 0, dots = 0;
	unsigned v = 0;

	if (n < 7 || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		char c = p[i];
		if (c >= '0' && c <= '9') {
			if (digits && v == 0)
				return false; /* a leading zero: let inet_pton judge */
			v = v * 10 + (unsigned)(c - '0');
			if (++digits > 3 || v > 255)
				return false;
		} else if (c == '.' && digits) {
			dots++;
			digits = 0;
			v = 0;
		} else {
			return false;
		}
	}
	if (dots != 3 || !digits)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* RFC 5952 text of an IPv6 address (inet_ntop formats each group with sprintf: too slow here). */
static void ipv6_format(const unsigned char a[16], char out[48])
{
	static const char hex[] = "0123456789abcdef";
	unsigned g[8];
	int i, best = -1, bestlen = 0, run = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i++) {
		run = g[i] == 0 ? run + 1 : 0;
		if (run > bestlen) {
			bestlen = run;
			best = i - run + 1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			out[o++] = ':';
			if (i == 0)
				out[o++] = ':';
			i += bestlen - 1;
			continue;
		}
		{
			unsigned v = g[i];
			int shift, started = 0;
			for (shift = 12; shift >= 0; shift -= 4) {
				unsigned d = (v >> shift) & 15;
				if (d || started || shift == 0) {
					out[o++] = hex[d];
					started = 1;
				}
			}
		}
		if (i < 7)
			out[o++] = ':';
	}
	out[o] = '\0';
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
	if (ipv4_fast(p, n, out))
		return true;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, addr) == 1)
		return inet_ntop(AF_INET, addr, out, 48) != NULL;
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		/* IPv4-mapped IPv6 is the IPv4 address. */
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(addr, mapped, 12) == 0)
			return inet_ntop(AF_INET, addr + 12, out, 48) != NULL;
		ipv6_format(addr, out);
		return true;
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
	ss_jv f[K_COUNT], v;
	struct ss_slice s;
	char ipbuf[48];
	int rc;

	r->root = SS_JNONE;
	r->text = text;
	r->len = len;
	r->full = false;
	rc = ss_json_parse_shallow(&r->doc, text, len, err);
	if (rc)
		return rc;
	r->root = ss_json_root(&r->doc);
	if (ss_json_type(&r->doc, r->root) != SS_JOBJECT)
		return ss_error_set(err, SS_EINVAL, "an audit record must be a JSON object");
	find_members(r, f);
	r->sentinel = f[K_CREATIONTIME] == SS_JNONE && f[K_TIMEGENERATED] != SS_JNONE;

	v = r->sentinel ? f[K_TIMEGENERATED] : f[K_CREATIONTIME];
	s = str_of(r, v, SS_AF_TIME);
	if (s.len == 0 || ss_time_parse(s.ptr, s.len, &r->time)) {
		rc = ss_error_set(err, SS_EINVAL, v == SS_JNONE ? "missing" : "not a valid timestamp");
		ss_error_field(err, r->sentinel ? "TimeGenerated" : "CreationTime");
		return rc;
	}
	r->id = str_of(r, f[K_ID] != SS_JNONE ? f[K_ID] : f[K_OFFICEID], SS_AF_ID);
	r->operation = str_of(r, f[K_OPERATION], SS_AF_OP);
	r->workload =
		str_of(r, f[K_WORKLOAD] != SS_JNONE ? f[K_WORKLOAD] : f[K_OFFICEWORKLOAD], SS_AF_WORKLOAD);
	r->result = str_of(r, f[K_RESULTSTATUS], SS_AF_RESULT);
	r->record_type = enum_value(r, f[K_RECORDTYPE], ss_audit_record_type);
	r->user_type = enum_value(r, f[K_USERTYPE], user_type_byname);
	s = str_of(r, f[K_USERID], SS_AF_TMP);
	lower_into(&r->scratch[SS_AF_USER], s);
	r->user = (struct ss_slice){r->scratch[SS_AF_USER].ptr ? r->scratch[SS_AF_USER].ptr : "",
				    r->scratch[SS_AF_USER].len};
	r->service = is_service(r->user, r->user_type);

	r->ip[0] = '\0';
	s = str_of(r, f[K_CLIENTIP] != SS_JNONE ? f[K_CLIENTIP] : f[K_CLIENT_IPADDRESS], SS_AF_IP);
	if (!ss_audit_ip(s, ipbuf)) {
		s = str_of(r, f[K_ACTORIPADDRESS] != SS_JNONE ? f[K_ACTORIPADDRESS] : f[K_CLIENTIPADDRESS],
			   SS_AF_IP);
		ss_audit_ip(s, ipbuf);
	}
	memcpy(r->ip, ipbuf, sizeof(r->ip));
	r->signin = classify_signin(r, f);
	return 0;
}

/* Puts the whole record on the tape (the first parse kept the top level only). */
static void ensure_full(struct ss_audit_rec *r)
{
	if (r->full || r->root == SS_JNONE)
		return;
	/* the text was validated already, so this cannot fail */
	if (ss_json_parse(&r->doc, r->text, r->len, NULL) != 0)
		SS_BUG("a validated record failed to parse");
	r->root = ss_json_root(&r->doc);
	r->full = true;
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
		v = ss_json_getin(&r->doc, cur, seg, n);
		if (v == SS_JNONE && top && r->sentinel) {
			for (i = 0; i < SS_ARRAY_LEN(sentinel_aliases); i++) {
				if (strlen(sentinel_aliases[i].name) == n &&
				    strncasecmp(sentinel_aliases[i].name, seg, n) == 0)
					return ss_json_getin(&r->doc, cur, sentinel_aliases[i].alias,
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
	ss_jv cur;
	size_t pos = 0;
	bool top = true;

	if (r->root == SS_JNONE || pathlen == 0)
		return SS_JNONE;
	if (memchr(path, '.', pathlen))
		ensure_full(r);
	cur = r->root;
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
		d = ss_hex_digit((unsigned char)p[i]);
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
