/* sigma_int.h - the compiled form of Sigma rules, shared by the loader, the matcher and the evaluator. */
#ifndef SS_RULES_SIGMA_INT_H
#define SS_RULES_SIGMA_INT_H

/*
 * Internal to src/rules/ (sigma_parse.c, sigma_match.c, sigma_eval.c); the
 * public API is sigma.h. Everything here is built by the loader and read
 * only afterwards. Strings are owned (malloc'd) by the struct holding them.
 */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/record.h"
#include "base/strv.h"
#include "rules/sigma.h"

#define SG_MAX_SELECTIONS 64	/* selections per rule (a bit mask caches them) */
#define SG_MAX_VALUES	  10000 /* compiled values per rule (aliases cannot blow it up) */
#define SG_MAX_EVIDENCE	  50	/* evidence ids per finding */
#define SG_MAX_FILE	  ((size_t)1 << 20)
#define SG_RE_MATCH_LIMIT 100000 /* PCRE2 match and depth limits: no regex can hang a worker */
#define SG_RE_DEPTH_LIMIT 1000

/* Where a field's value comes from: a normalised field of the record, or a path. */
enum sg_field {
	SG_F_PATH = 0,	/* ss_audit_field_text(path) */
	SG_F_OPERATION, /* rec->operation */
	SG_F_USERID,	/* rec->user (lower-cased) */
	SG_F_WORKLOAD,	/* rec->workload */
	SG_F_RESULT,	/* rec->result */
	SG_F_CLIENTIP,	/* rec->ip (canonical; ClientIP, else ActorIpAddress) */
	SG_F_ID,	/* rec->id */
};

struct sg_fieldref {
	enum sg_field f; /* normalised field, or SG_F_PATH */
	char *path;	 /* the name as written (owned), also for normalised fields */
	size_t len;	 /* its length */
};

enum sg_kind {
	SG_EXACT,    /* whole text equals pat */
	SG_PREFIX,   /* text starts with pat */
	SG_SUFFIX,   /* text ends with pat */
	SG_CONTAINS, /* pat occurs in text */
	SG_GLOB,     /* pat with wildcards (wild[] marks them) */
	SG_RE,	     /* PCRE2 */
	SG_CIDR,     /* network */
	SG_NULL,     /* field absent or JSON null */
	SG_NUM,	     /* numeric comparison (gt, gte, lt, lte) */
};

enum sg_numop {
	SG_GT,
	SG_GTE,
	SG_LT,
	SG_LTE
};

/* Wildcard marks in a glob pattern, parallel to pat. */
enum {
	SG_W_LIT = 0,
	SG_W_STAR = 1,
	SG_W_ONE = 2
};

struct sg_value {
	enum sg_kind kind;     /* how to match */
	bool cased;	       /* compare case-sensitively (|cased); else pat is lower-case */
	char *pat;	       /* literal or glob text (owned) */
	size_t len;	       /* its length */
	unsigned char *wild;   /* SG_GLOB: one mark per byte of pat (owned) */
	pcre2_code *re;	       /* SG_RE (owned) */
	int family;	       /* SG_CIDR: AF_INET or AF_INET6 */
	unsigned char net[16]; /* SG_CIDR: network bytes */
	int bits;	       /* SG_CIDR: prefix length */
	enum sg_numop numop;   /* SG_NUM */
	double num;	       /* SG_NUM */
};

/* One "Field|modifiers: values" entry of a selection. */
struct sg_cond {
	struct sg_fieldref field; /* where the text comes from */
	bool all;		  /* values ANDed (|all); else ORed */
	int exists;		  /* |exists: 1 true, 0 false; -1 not an exists test */
	struct sg_value *v;	  /* values (owned) */
	size_t nv;		  /* their number */
};

/* A map of conditions (all must hold). */
struct sg_map {
	struct sg_cond *c; /* owned */
	size_t n;
};

/* A named selection: one map, or a list of maps (any may hold). */
struct sg_sel {
	char *name;	     /* owned */
	struct sg_map *maps; /* owned */
	size_t n;
};

enum sg_op {
	SG_N_SEL,
	SG_N_NOT,
	SG_N_AND,
	SG_N_OR
};

struct sg_node {
	enum sg_op op;	       /* what it computes */
	uint32_t sel;	       /* SG_N_SEL: selection index */
	struct sg_node **kids; /* operands (owned) */
	size_t n;	       /* their number */
};

enum sg_ctype {
	SG_C_EVENT_COUNT,
	SG_C_VALUE_COUNT,
	SG_C_TEMPORAL,
	SG_C_TEMPORAL_ORDERED
};

/* A correlation that consumes a rule's matches. */
struct sg_use {
	uint32_t corr; /* index of the correlation rule */
	uint32_t ref;  /* position of the rule in its rules: list */
};

struct sg_rule {
	char *file;	  /* file it came from (owned) */
	long line;	  /* line of the document */
	char *id;	  /* id (owned) */
	char *name;	  /* name, or NULL (owned) */
	char *title;	  /* title (owned) */
	char *level;	  /* informational|low|medium|high|critical (owned) */
	bool correlation; /* a correlation rule */
	bool generate;	  /* emits findings of its own */
	/* simple rules */
	struct sg_sel *sels;  /* selections (owned) */
	size_t nsels;	      /* their number */
	struct sg_node *cond; /* the condition (owned) */
	struct ss_strv ops;   /* required Operation values, lower-cased; empty = any */
	struct sg_use *uses;  /* correlations fed by this rule (owned) */
	size_t nuses;	      /* their number */
	/* correlation rules */
	enum sg_ctype ctype;	     /* type */
	bool gen_refs;		     /* generate: true (the referenced rules keep their findings) */
	struct ss_strv refnames;     /* rules: as written */
	long *refline;		     /* line of each reference (owned) */
	uint32_t *refs;		     /* resolved rule indices (owned) */
	struct sg_fieldref *groupby; /* group-by fields (owned) */
	size_t ngroupby;	     /* their number */
	struct sg_fieldref vfield;   /* value_count: the field counted */
	ss_time_ms span;	     /* timespan */
	int64_t cmin, cmax;	     /* condition as an inclusive range */
	int user_ix;		     /* group-by position of UserId, or -1 */
};

struct ss_rules {
	struct sg_rule *rules;	   /* all rules (owned) */
	size_t n;		   /* their number */
	struct ss_strmap opmap;	   /* lower-cased Operation -> index into oplists */
	struct ss_strv opkeys;	   /* the map's keys (owned) */
	uint32_t **oplists;	   /* per key: simple rules requiring it, terminated by UINT32_MAX */
	uint32_t *anyrules;	   /* simple rules with no Operation requirement, UINT32_MAX-terminated */
	uint32_t *order;	   /* correlation rules, children before parents */
	size_t norder;		   /* their number */
	pcre2_match_context *mctx; /* limits for every regex match */
	size_t max_sels;	   /* largest selection count */
};

/* sigma_match.c */

/* Lower-cases ASCII. */
static inline char sg_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Evaluates a simple rule against rec (md: per-thread PCRE2 match data). */
bool sg_rule_match(const struct ss_rules *rs, const struct sg_rule *r, struct ss_audit_rec *rec,
		   pcre2_match_data *md);

/* The text of a field reference in rec; false when absent. */
bool sg_field_text(struct ss_audit_rec *rec, const struct sg_fieldref *f, struct ss_slice *out);

/* Parses an IPv4/IPv6 address (text as ss_audit_ip accepts) into bytes: 4, 16, or 0 when invalid. */
int sg_ip_bytes(const char *s, size_t len, unsigned char out[16]);

/* sigma_parse.c */
void sg_rule_release(struct sg_rule *r);

#endif
