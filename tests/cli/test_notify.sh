#!/usr/bin/env bash
# notify: findings at or above min_severity reach a webhook, an SMTP server and a syslog socket started
# here (tests/tools/receivers.py) exactly once each, across runs too; the webhook retries 500s and a
# 429 (Retry-After) and sends an Idempotency-Key; a 400 is not retried; a dead channel is given up;
# secrets from the environment never appear in the output; a CR/LF in a title adds no mail header.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
RPID=
cleanup() {
	[ -z "$RPID" ] || kill "$RPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-20T00:00:00Z
unset SECSCORE_CONFIG
PASSWORD='s3cret-Pa55-xyzzy-42'
TOKEN='tok-9f8e7d6c5b4a'
export SS_TEST_SMTP_USER=alerts SS_TEST_SMTP_PASSWORD=$PASSWORD SS_TEST_HOOK_TOKEN=$TOKEN

# --- receivers: HTTP answers 500, 500, 200, then 429 (Retry-After: 1), then 200 for good
R=$TMP/recv
mkdir -p "$R"
python3 "$SRC/tests/tools/receivers.py" "$R" --http-script 500,500,200,429:1 \
	--smtp-auth "alerts:$PASSWORD" &
RPID=$!
for _ in $(seq 100); do
	[ -f "$R/ports.json" ] && break
	sleep 0.1
done
[ -f "$R/ports.json" ] || fail "the receivers did not start"
HTTP_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$R/ports.json")
SMTP_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["smtp"])' "$R/ports.json")

# --- a store with a tenant and five findings: critical, high (header injection), high (non-ASCII),
# medium and low; min_severity high lets the first three through
printf '' | "$BIN" --tenant contoso audit ingest - >/dev/null 2>&1 || true
TENANT=$(sqlite3 "$SECSCORE_DB" "SELECT id FROM tenants WHERE tenant_id = 'contoso'")
[ -n "$TENANT" ] || fail "no tenant row"
seed() { # DB TENANT
	sqlite3 "$1" <<SQL
INSERT INTO findings (tenant, id, rule, title, severity, severity_rank, user, first, last, count, summary,
                      evidence, status, created, updated) VALUES
 ($2, 'f0000000000000000000000000000001', 'builtin.audit_disabled', 'Mailbox auditing turned off', 'critical', 4,
  'admin@contoso.example', 1794787200000, 1794790800000, 1, 'AuditEnabled set to False on 3 mailboxes',
  '["rec-1","rec-2"]', 'open', '2026-11-16T00:00:00Z', '2026-11-16T00:00:00Z'),
 ($2, 'f0000000000000000000000000000002', 'builtin.inbox_forward', 'x' || char(13, 10) || 'Bcc: evil@x', 'high', 3,
  'bob@contoso.example', 1794873600000, 1794877200000, 2,
  'rule forwards to x@evil.example' || char(13, 10) || 'X-Injected: yes', '["rec-3"]', 'open',
  '2026-11-17T00:00:00Z', '2026-11-17T00:00:00Z'),
 ($2, 'f0000000000000000000000000000003', 'builtin.new_country', 'Anmeldung aus neuem Land: Österreich → 東京',
  'high', 3, 'carol@contoso.example', 1794960000000, 1794963600000, 1, 'first sign-in from AT', '[]', 'open',
  '2026-11-18T00:00:00Z', '2026-11-18T00:00:00Z'),
 ($2, 'f0000000000000000000000000000004', 'builtin.mass_download', 'Mass download', 'medium', 2, 'dave@contoso.example',
  1795046400000, 1795050000000, 500, 'many files', '[]', 'open', '2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z'),
 ($2, 'f0000000000000000000000000000005', 'builtin.pop_imap', 'POP enabled', 'low', 1, NULL,
  1795046400000, 1795050000000, 1, 'pop on', '[]', 'open', '2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z');
SQL
}
seed "$SECSCORE_DB" "$TENANT"

cat >"$TMP/config.json" <<JSON
{"parameters": {},
 "notify": {
  "min_severity": "high",
  "webhook": {"url": "http://127.0.0.1:$HTTP_PORT/hook",
              "headers": {"X-Test": "yes", "Authorization": {"env": "SS_TEST_HOOK_AUTH"}},
              "timeout_seconds": 5, "retries": 5, "backoff_seconds": 0.2, "max_wait_seconds": 10},
  "smtp": {"url": "smtp://127.0.0.1:$SMTP_PORT", "from": "secscore@contoso.example",
           "to": ["soc@contoso.example", "oncall@contoso.example"],
           "username_env": "SS_TEST_SMTP_USER", "password_env": "SS_TEST_SMTP_PASSWORD", "starttls": "try"},
  "syslog": {"ident": "secscore", "facility": "auth", "socket": "$R/syslog.sock"}}}
JSON
export SS_TEST_HOOK_AUTH="Bearer $TOKEN"

# --- a dry run sends and records nothing
"$BIN" --config "$TMP/config.json" notify --dry-run --json >"$TMP/dry.json" 2>"$TMP/dry.err" ||
	fail "dry run failed: $(cat "$TMP/dry.err")"
python3 - "$TMP/dry.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["dry_run"] is True and o["considered"] == 3 and o["below_threshold"] == 2, o
for name in ("webhook", "smtp", "syslog"):
    c = o["channels"][name]
    assert len(c["pending"]) == 3 and not c["sent"] and not c["skipped"], (name, c)
PY
[ ! -s "$R/http.jsonl" ] && [ ! -s "$R/smtp.jsonl" ] && [ ! -s "$R/syslog.jsonl" ] || fail "a dry run sent something"

# --- first run: everything due goes out once, after the webhook's retries
"$BIN" --config "$TMP/config.json" notify --json >"$TMP/run1.json" 2>"$TMP/run1.err" ||
	fail "first run failed: $(cat "$TMP/run1.err" "$TMP/run1.json")"
python3 - "$TMP/run1.json" "$R" <<'PY'
import email, email.policy, json, sys
o = json.load(open(sys.argv[1]))
d = sys.argv[2]
due = ["f0000000000000000000000000000001", "f0000000000000000000000000000002", "f0000000000000000000000000000003"]
def need(c, m):
    if not c:
        raise SystemExit("FAIL: " + m)
for name in ("webhook", "smtp", "syslog"):
    c = o["channels"][name]
    need(sorted(c["sent"]) == due and not c["failed"] and not c["skipped"], "%s report: %s" % (name, c))
need(o["channels"]["webhook"]["attempts"] == 6, "webhook attempts: %s" % o["channels"]["webhook"])

# webhook: 500, 500, 200 for the oldest finding; 429 then 200 for the next; 200 for the last
reqs = [json.loads(l) for l in open(d + "/http.jsonl")]
need([r["status"] for r in reqs] == [500, 500, 200, 429, 200, 200], "statuses %s" % [r["status"] for r in reqs])
ok = [r for r in reqs if r["status"] == 200]
ids = [json.loads(r["body"])["id"] for r in ok]
need(sorted(ids) == due, "each due finding accepted once: %s" % ids)
for r in reqs:
    b = json.loads(r["body"])
    h = r["headers"]
    need(h.get("idempotency-key") == b["id"], "Idempotency-Key is the finding id: %s" % h)
    need(h.get("content-type") == "application/json", "content type: %s" % h)
    need(h.get("authorization", "").startswith("Bearer tok-") and h.get("x-test") == "yes", "config headers")
    need(r["path"] == "/hook" and "history" not in b and b["tenant"] == "contoso", "body: %s" % b)
need(len({json.loads(r["body"])["id"] for r in reqs[:3]}) == 1, "the 500s were retried with the same finding")
need(json.loads(reqs[3]["body"])["id"] == json.loads(reqs[4]["body"])["id"], "the 429 was retried")
need(reqs[4]["time"] - reqs[3]["time"] >= 0.9, "Retry-After: 1 honoured (%.2fs)" % (reqs[4]["time"] - reqs[3]["time"]))
need(reqs[1]["time"] - reqs[0]["time"] >= 0.09, "backoff between retries")
b1 = json.loads(ok[0]["body"])
need(b1["severity"] == "critical" and b1["evidence"] == ["rec-1", "rec-2"] and b1["user"] == "admin@contoso.example",
     "finding fields in the body: %s" % b1)

# smtp: three mails, authenticated, to both recipients, headers intact
mails = [json.loads(l) for l in open(d + "/smtp.jsonl")]
need(len(mails) == 3, "three mails: %d" % len(mails))
by_id = {}
for m in mails:
    need(m["auth_ok"], "SMTP AUTH with the password from the environment")
    need(m["mail_from"] == "<secscore@contoso.example>", "MAIL FROM %s" % m["mail_from"])
    need(m["rcpt"] == ["<soc@contoso.example>", "<oncall@contoso.example>"], "RCPT TO %s" % m["rcpt"])
    msg = email.message_from_string(m["data"], policy=email.policy.default)
    keys = sorted(k.lower() for k in msg.keys())
    need(keys == sorted(["date", "from", "to", "subject", "message-id", "mime-version", "content-type",
                         "content-transfer-encoding", "auto-submitted"]), "headers: %s" % keys)
    need(msg["Bcc"] is None, "no Bcc header")
    mid = msg["Message-ID"]
    fid = mid[len("<secscore."):mid.index("@")]
    need(mid == "<secscore.%s@contoso.example>" % fid, "Message-ID from the finding id: %s" % mid)
    by_id[fid] = (msg, m["data"])
need(sorted(by_id) == due, "one mail per due finding: %s" % sorted(by_id))
msg, raw = by_id[due[1]]
need(str(msg["Subject"]) == "[secscore] HIGH: x  Bcc: evil@x", "injected subject flattened: %r" % str(msg["Subject"]))
need("\nBcc" not in raw and "\nX-Injected" not in raw, "CR/LF in the title or summary starts no line")
body = msg.get_content()
need("rule forwards to x@evil.example  X-Injected: yes" in body, "summary on one line: %r" % body)
need("Severity:    high" in body and "User:        bob@contoso.example" in body, "body fields: %r" % body)
msg, raw = by_id[due[2]]
need(str(msg["Subject"]) == "[secscore] HIGH: Anmeldung aus neuem Land: Österreich → 東京", "RFC 2047 subject: %r" % str(msg["Subject"]))
need(str(by_id[due[0]][0]["Subject"]) == "[secscore] CRITICAL: Mailbox auditing turned off", "critical subject")
need(all(len(l) < 1000 for l in raw.split("\r\n")), "lines under 1000 bytes")

# syslog: RFC 5424 lines with the finding as JSON, facility auth
lines = [json.loads(l)["raw"] for l in open(d + "/syslog.jsonl")]
need(len(lines) == 3, "three syslog lines: %d" % len(lines))
got = {}
for l in lines:
    head, js = l.split(" - ", 1)
    pri = int(head[1:head.index(">")])
    need(head[head.index(">") + 1:].startswith("1 2026-11-20T00:00:00Z ") and " secscore " in head, "RFC 5424 header: %s" % head)
    f = json.loads(js)
    need("\n" not in l and "\r" not in l, "one line")
    got[f["id"]] = pri
need(sorted(got) == due, "syslog ids: %s" % sorted(got))
need(got[due[0]] == 4 * 8 + 2 and got[due[1]] == 4 * 8 + 3, "priorities auth.crit / auth.err: %s" % got)
PY
cat "$TMP/run1.json" "$TMP/run1.err" >"$TMP/all-output"

# --- second run: the ledger says delivered, nothing is sent again
n_http=$(wc -l <"$R/http.jsonl")
n_smtp=$(wc -l <"$R/smtp.jsonl")
n_sys=$(wc -l <"$R/syslog.jsonl")
"$BIN" --config "$TMP/config.json" notify --json >"$TMP/run2.json" 2>"$TMP/run2.err" || fail "second run failed"
python3 - "$TMP/run2.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
for name in ("webhook", "smtp", "syslog"):
    c = o["channels"][name]
    assert not c["sent"] and not c["failed"] and len(c["skipped"]) == 3 and c["attempts"] == 0, (name, c)
PY
out=$("$BIN" --config "$TMP/config.json" notify 2>&1) || fail "third run failed: $out"
expect_contains "$out" "webhook  sent 0, already delivered 3, failed 0"
cat "$TMP/run2.json" "$TMP/run2.err" >>"$TMP/all-output"
printf '%s\n' "$out" >>"$TMP/all-output"
[ "$(wc -l <"$R/http.jsonl")" = "$n_http" ] && [ "$(wc -l <"$R/smtp.jsonl")" = "$n_smtp" ] &&
	[ "$(wc -l <"$R/syslog.jsonl")" = "$n_sys" ] || fail "a later run sent again"
[ "$(sqlite3 "$SECSCORE_DB" 'SELECT count(*) FROM finding_deliveries')" = 9 ] || fail "ledger rows"

# --- failures: a 400 is reported and not retried; an unreachable SMTP server and a missing syslog
# socket are given up after their retries, the rest of their findings not tried; nothing is recorded
B=$TMP/b.db
printf '' | "$BIN" --db "$B" --tenant contoso audit ingest - >/dev/null 2>&1 || true
seed "$B" "$(sqlite3 "$B" "SELECT id FROM tenants WHERE tenant_id = 'contoso'")"
sqlite3 "$B" "UPDATE findings SET rule = 'test.reject400' WHERE id = 'f0000000000000000000000000000002'"
DEAD_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/fail.json" <<JSON
{"notify": {
  "webhook": {"url": "http://127.0.0.1:$HTTP_PORT/hook", "backoff_seconds": 0.1},
  "smtp": {"url": "smtp://127.0.0.1:$DEAD_PORT", "from": "a@b.example", "to": ["c@b.example"],
           "starttls": "off", "retries": 1, "backoff_seconds": 0.1},
  "syslog": {"socket": "$TMP/no-such.sock"}}}
JSON
n_http=$(wc -l <"$R/http.jsonl")
code=0
"$BIN" --db "$B" --config "$TMP/fail.json" notify --json >"$TMP/fail.out" 2>"$TMP/fail.err" || code=$?
[ "$code" = 1 ] || fail "failed deliveries must exit 1 (got $code): $(cat "$TMP/fail.err")"
python3 - "$TMP/fail.out" "$R" "$n_http" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
w, s, y = (o["channels"][k] for k in ("webhook", "smtp", "syslog"))
rej = "f0000000000000000000000000000002"
assert [f["id"] for f in w["failed"]] == [rej] and "HTTP 400" in w["failed"][0]["reason"], w
assert len(w["sent"]) == 2, w
reqs = [json.loads(l) for l in open(sys.argv[2] + "/http.jsonl")][int(sys.argv[3]):]
assert sum(json.loads(r["body"])["id"] == rej for r in reqs) == 1, "a 400 is not retried"
assert not s["sent"] and len(s["failed"]) == 3 and s["attempts"] == 2, s
assert "gave up after 2 attempts" in s["failed"][0]["reason"], s
assert all("not tried" in f["reason"] for f in s["failed"][1:]), s
assert not y["sent"] and len(y["failed"]) == 3 and y["attempts"] == 3 and "syslog socket" in y["failed"][0]["reason"], y
PY
[ "$(sqlite3 "$B" "SELECT group_concat(channel || ':' || finding) FROM finding_deliveries WHERE channel != 'webhook' OR finding = 'f0000000000000000000000000000002'")" = "" ] ||
	fail "a failed delivery was recorded"
code=0
"$BIN" --db "$B" --config "$TMP/fail.json" notify >"$TMP/fail2.out" 2>&1 || code=$?
[ "$code" = 1 ] || fail "second failing run exit $code"
expect_contains "$(cat "$TMP/fail2.out")" "webhook  sent 0, already delivered 2, failed 1"
expect_contains "$(cat "$TMP/fail2.out")" "failed: webhook f0000000000000000000000000000002: the webhook answered HTTP 400"
cat "$TMP/fail.out" "$TMP/fail.err" "$TMP/fail2.out" >>"$TMP/all-output"

# --- config errors name the field; unset variables are named, values never shown
bad() { # EXPECTED-TEXT JSON
	local out code=0
	printf '%s\n' "$2" >"$TMP/bad.json"
	out=$("$BIN" --config "$TMP/bad.json" notify 2>&1) || code=$?
	[ "$code" = 1 ] || fail "bad config exited $code: $2"
	expect_contains "$out" "$1"
	printf '%s\n' "$out" >>"$TMP/all-output"
}
bad "field 'notify.webhook.retires'" '{"notify": {"webhook": {"url": "http://127.0.0.1:1/", "retires": 3}}}'
bad "field 'notify.smtp.starttls'" '{"notify": {"smtp": {"url": "smtp://h", "from": "a@b.c", "to": ["d@e.f"], "starttls": "maybe"}}}'
bad "'SS_TEST_UNSET_VAR' is not set" '{"notify": {"smtp": {"url": "smtp://h", "from": "a@b.c", "to": ["d@e.f"], "username_env": "SS_TEST_SMTP_USER", "password_env": "SS_TEST_UNSET_VAR"}}}'
bad "field 'notify.smtp.to[0]'" '{"notify": {"smtp": {"url": "smtp://h", "from": "a@b.c", "to": ["x@y>\r\nBcc: z@w"]}}}'
bad "field 'notify.webhook.headers.Idempotency-Key'" '{"notify": {"webhook": {"url": "http://h/", "headers": {"Idempotency-Key": "1"}}}}'
bad "field 'notify.min_severity'" '{"notify": {"min_severity": "severe", "syslog": {}}}'
bad "configures no channel" '{"notify": {}}'
bad "no \"notify\" object" '{"parameters": {}}'
expect_exit 2 "$BIN" notify
expect_exit 2 "$BIN" --config "$TMP/config.json" notify extra
expect_exit 0 "$BIN" notify --help

# --- the secrets from the environment appear in no output
if grep -q -e "$PASSWORD" -e "$TOKEN" "$TMP/all-output" "$TMP/dry.json" "$TMP/dry.err"; then
	fail "a secret appeared in the output"
fi
[ "$(grep -c . "$TMP/all-output")" -gt 10 ] || fail "the output was not collected"
echo "notify tests passed"
