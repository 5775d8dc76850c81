/* record.h - one unified audit log record, parsed and normalised for analytics, with field paths. */
#ifndef SS_AUDIT_RECORD_H
#define SS_AUDIT_RECORD_H

/*
 * A record is parsed once onto a JSON tape (src/json) and normalised into
 * the fields every analytic needs: time, id, operation, workload, record
 * type, user, client IP, result and sign-in outcome. Any other field is read
 * by path with ss_audit_field, where the Name/Value arrays of the schema
 * (Parameters, ExtendedProperties, ModifiedProperties, DeviceProperties,
 * OperationProperties) are addressable as objects: "Parameters.ForwardTo",
 * "ModifiedProperties.Role.DisplayName" (NewValue of that entry).
 *
 * Microsoft Sentinel's OfficeActivity shape is recognised (TimeGenerated,
 * OfficeId, OfficeWorkload, Client_IPAddress) and mapped to the same fields;
 * paths of the Management Activity shape work on it too.
 *
 * Ownership: a struct ss_audit_rec borrows the record text (through its
 * tape) and its own scratch buffers; its slices are valid until the next
 * ss_audit_rec_parse on the same struct or ss_audit_rec_release.
 * Not thread-safe; use one per thread.
 */

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/time.h"
#include "json/json.h"

enum ss_signin {
	SS_SIGNIN_NONE = 0, /* not a sign-in record */
	SS_SIGNIN_OK,	    /* a successful sign-in (ErrorNumber 0 / 50140 / absent) */
	SS_SIGNIN_FAIL,	    /* a failed sign-in (UserLoginFailed, or a sign-in with another error) */
};

/* Scratch buffers, one per decoded field, so several decoded slices can live at once. */
enum {
	SS_AF_ID,
	SS_AF_OP,
	SS_AF_WORKLOAD,
	SS_AF_USER,
	SS_AF_IP,
	SS_AF_RESULT,
	SS_AF_TIME,
	SS_AF_TMP,
	SS_AF_COUNT
};

struct ss_audit_rec {
	struct ss_json doc;		    /* the parsed record (tape), owned */
	ss_jv root;			    /* the record object */
	const char *text;		    /* the record text, borrowed */
	size_t len;			    /* its length */
	bool full;			    /* the tape holds nested values too (parsed on demand) */
	bool sentinel;			    /* OfficeActivity (Sentinel) field names */
	ss_time_ms time;		    /* CreationTime, epoch ms UTC */
	struct ss_slice id;		    /* Id (OfficeId), decoded; empty when absent */
	struct ss_slice operation;	    /* Operation */
	struct ss_slice workload;	    /* Workload (OfficeWorkload) */
	int record_type;		    /* RecordType as a number (names mapped), -1 unknown */
	int user_type;			    /* UserType as a number (names mapped), -1 unknown */
	struct ss_slice user;		    /* UserId lower-cased, empty when absent */
	bool service;			    /* user is not a human principal */
	char ip[48];			    /* client IP, canonical text, "" when none */
	struct ss_slice result;		    /* ResultStatus as written */
	enum ss_signin signin;		    /* sign-in outcome */
	struct ss_buf scratch[SS_AF_COUNT]; /* decoded strings, owned */
};

void ss_audit_rec_init(struct ss_audit_rec *r);
void ss_audit_rec_release(struct ss_audit_rec *r);

/*
 * Parses text[0..len) as one audit record (a JSON object) and normalises it.
 * Returns 0; SS_EPARSE for malformed JSON (err: line and column relative to
 * text, and the reason); SS_EINVAL for a record that is not an object or has
 * no usable CreationTime / TimeGenerated (err->field names the field).
 * text must stay unchanged while r is used.
 */
int ss_audit_rec_parse(struct ss_audit_rec *r, const char *text, size_t len, struct ss_error *err);

/*
 * Looks up a dotted path in the record. Each step takes an object member
 * (ASCII case-insensitive) or, in an array of {Name, Value} entries, the
 * entry whose Name equals the step (its Value, else NewValue); when a Name
 * itself holds dots ("Role.DisplayName") the rest of the path is tried as
 * one name. Sentinel records answer Management Activity names too.
 * Returns the node or SS_JNONE.
 */
ss_jv ss_audit_field(struct ss_audit_rec *r, const char *path, size_t pathlen);

/*
 * The value at path as text: strings decoded, numbers and literals as
 * written, containers as their raw JSON. Returns false when absent. The
 * slice lives in the record's TMP scratch (valid until the next call).
 */
bool ss_audit_field_text(struct ss_audit_rec *r, const char *path, size_t pathlen, struct ss_slice *out);

/*
 * The 16-byte deduplication key of an id: a GUID (with or without hyphens
 * or braces) is its 16 bytes; any other id is a 128-bit hash of its text.
 * An empty id hashes the whole record text instead (so repeated identical
 * lines still collapse).
 */
void ss_audit_key(struct ss_slice id, const char *text, size_t len, unsigned char key[16]);

/* Record type number for a RecordType name ("ExchangeAdmin" -> 1), or -1. */
int ss_audit_record_type(struct ss_slice name);

/*
 * Normalises a client IP as audit logs write it ("1.2.3.4:5678",
 * "[2001:db8::1]:443", bare IPv6, "<null>", "") into canonical text in out;
 * returns false (out = "") when there is no valid address.
 */
bool ss_audit_ip(struct ss_slice raw, char out[48]);

#endif
