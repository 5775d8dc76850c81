#!/usr/bin/env bash
# The C detections on data made to fool them (positives and negatives), findings stored once and
# acknowledged with history, and 'audit inactive' against a slow, obviously-correct reference.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-20T12:00:00Z
TENANT=33333333-4444-5555-6666-777777777777

# --- a snapshot: users with password facts, domains with a 90-day password validity
mkdir -p "$TMP/snap/graph" "$TMP/snap/exchange" "$TMP/audit"
python3 - "$TMP" "$TENANT" <<'PY'
import json, sys
tmp, tenant = sys.argv[1], sys.argv[2]
def w(name, doc): json.dump(doc, open(f"{tmp}/snap/{name}", "w"), indent=1)
w("manifest.json", {"tenantId": tenant, "displayName": "Fabrikam Detect", "takenDateTime": "2026-11-20T00:00:00Z"})
users = []
for i, (upn, extra) in enumerate([
        ("alice@fabrikam.example", {}),
        ("bob@fabrikam.example", {"lastPasswordChangeDateTime": "2026-03-01T00:00:00Z", "passwordPolicies": "None"}),
        ("carol@fabrikam.example", {"lastPasswordChangeDateTime": "2026-03-01T00:00:00Z", "passwordPolicies": "DisablePasswordExpiration"}),
        ("dave@fabrikam.example", {"lastPasswordChangeDateTime": "2026-03-01T00:00:00Z", "passwordPolicies": None}),
        ("erin@fabrikam.example", {}),
        ("frank@fabrikam.example", {}),
        ("gina@fabrikam.example", {"accountEnabled": False}),
        ("hal@fabrikam.example", {})]):
    u = {"id": f"00000000-0000-0000-0000-{i:012d}", "userPrincipalName": upn, "accountEnabled": True,
         "userType": "Member", "assignedLicenses": [{"skuId": "x"}]}
    u.update(extra)
    users.append(u)
w("graph/users.json", {"value": users})
w("graph/domains.json", {"value": [{"id": "fabrikam.example", "isVerified": True, "passwordValidityPeriodInDays": 90}]})
w("exchange/Get-AcceptedDomain.json", [{"DomainName": "fabrikam.example", "DomainType": "Authoritative"}])
# no mailbox forwards today: the configuration alone looks right
w("exchange/Get-Mailbox.json", [{"UserPrincipalName": u["userPrincipalName"], "PrimarySmtpAddress": u["userPrincipalName"],
    "RecipientTypeDetails": "UserMailbox", "AuditEnabled": True, "ForwardingSmtpAddress": None,
    "ForwardingAddress": None, "DeliverToMailboxAndForward": False} for u in users])
PY
"$BIN" score "$TMP/snap" >/dev/null

# --- audit records
python3 - "$TMP/audit/log.json" <<'PY'
import json, sys
out = []
n = [0]
def rec(t, op, user, **kw):
    n[0] += 1
    r = {"CreationTime": t, "Id": "10000000-0000-4000-8000-%012d" % n[0], "Operation": op,
         "OrganizationId": "33333333-4444-5555-6666-777777777777", "RecordType": 1, "UserType": 0,
         "Workload": "Exchange", "UserId": user, "ClientIP": "203.0.113.5"}
    r.update(kw)
    out.append(r)
def params(**kw): return [{"Name": k, "Value": v} for k, v in kw.items()]
# forwarding: external, subdomain (internal), smtp: list with one internal and one external, unresolvable
rec("2026-11-10T09:00:00", "New-InboxRule", "alice@fabrikam.example", Parameters=params(Name="fwd", ForwardTo="x@evil.example"))
rec("2026-11-10T09:01:00", "New-InboxRule", "alice@fabrikam.example", Parameters=params(Name="team", ForwardTo="boss@eu.fabrikam.example"))
rec("2026-11-10T09:02:00", "Set-Mailbox", "bob@fabrikam.example", Parameters=params(Identity="bob", ForwardingSmtpAddress="smtp:ok@fabrikam.example;SMTP:out@fabrikam-look.example"))
rec("2026-11-10T09:03:00", "Set-Mailbox", "erin@fabrikam.example", Parameters=params(Identity="erin", ForwardingAddress="Some Contact"))
rec("2026-11-10T09:04:00", "New-TransportRule", "hal@fabrikam.example", Parameters=params(Name="copy", BlindCopyTo="archive@fabrikam.example"))
# hiding rules: RSS move (positive), an ordinary filing rule (negative)
rec("2026-11-10T10:00:00", "New-InboxRule", "dave@fabrikam.example", Parameters=params(Name="x1", MoveToFolder="RSS Feeds", MarkAsRead="True"))
rec("2026-11-10T10:01:00", "New-InboxRule", "dave@fabrikam.example", Parameters=params(Name="Project X", MoveToFolder="Projects"))
# mass download: frank 350 files in 35 minutes (positive), hal 250 in an hour (negative)
for i in range(350):
    rec("2026-11-11T08:%02d:%02d" % (i // 10, (i * 7) % 60), "FileDownloaded", "frank@fabrikam.example", Workload="SharePoint", RecordType=6)
for i in range(250):
    rec("2026-11-12T08:%02d:%02d" % (i // 5 % 60, i % 60), "FileDownloaded", "hal@fabrikam.example", Workload="SharePoint", RecordType=6)
# sign-ins: bob and carol succeed (bob's password expired in May, carol's never expires);
# dave only fails, with a misleading ResultStatus Success; Alice in two casings is one user
def signin(t, user, ok=True, ip="203.0.113.5", status="Success"):
    rec(t, "UserLoggedIn" if ok else "UserLoginFailed", user, RecordType=15, Workload="AzureActiveDirectory",
        ResultStatus=status, ErrorNumber="0" if ok else "50126", ClientIP=ip)
signin("2026-11-13T08:00:00", "bob@fabrikam.example")
signin("2026-11-13T08:00:00", "carol@fabrikam.example")
signin("2026-11-13T08:00:00", "dave@fabrikam.example", ok=False)
signin("2026-11-14T08:00:00", "Alice@Fabrikam.example")
signin("2026-11-15T08:00:00", "alice@fabrikam.example")
# geography: erin at home (US) for 10 days, then Germany 10 minutes after a US sign-in
for d in range(1, 12):
    signin("2026-11-%02dT07:00:00" % d, "erin@fabrikam.example", ip="8.8.8.9")
signin("2026-11-11T07:10:00", "erin@fabrikam.example", ip="5.9.10.20")
# a flood of password resets on one day against a quiet baseline
for d in range(1, 19):
    for k in range(3):
        rec("2026-11-%02dT06:%02d:00" % (d, k), "Reset user password.", "hal@fabrikam.example", Workload="AzureActiveDirectory", RecordType=8)
for k in range(90):
    rec("2026-11-19T06:%02d:%02d" % (k // 60, k % 60), "Reset user password.", "hal@fabrikam.example", Workload="AzureActiveDirectory", RecordType=8)
open(sys.argv[1], "w").write("\n".join(json.dumps(r) for r in out) + "\n")
PY
python3 "$SRC/tests/tools/mkmmdb.py" -o "$TMP/geo.mmdb" 8.8.8.0/24=US 5.9.0.0/16=DE >/dev/null

"$BIN" audit ingest --geoip "$TMP/geo.mmdb" "$TMP/audit" --json >"$TMP/r1.json" 2>"$TMP/err1"
python3 - "$TMP/r1.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
f = o["findings"]
def find(rule, user=None, text=None):
    return [x for x in f if x["rule"] == rule and (user is None or x["user"] == user) and (text is None or text in x["summary"])]
def need(c, m):
    if not c: raise SystemExit("FAIL: " + m + "\n" + json.dumps(f, indent=1))
need(len(find("inbox-rule-forwarding-external", "alice@fabrikam.example", "x@evil.example")) == 1, "external inbox forward")
need(not find("inbox-rule-forwarding-external", text="eu.fabrikam.example"), "a subdomain is internal")
need(len(find("mailbox-forwarding-external", "bob@fabrikam.example", "out@fabrikam-look.example")) == 1, "look-alike is external")
need(not find("mailbox-forwarding-external", text="ok@fabrikam.example"), "internal target of a list")
u = find("mailbox-forwarding-external", "erin@fabrikam.example")
need(len(u) == 1 and u[0]["severity"] == "medium" and "not resolvable" in u[0]["summary"], "unresolvable is unknown, medium")
need(not find("transport-rule-external-copy"), "internal transport copy")
need(len(find("inbox-rule-hides-mail", "dave@fabrikam.example")) == 1, "hiding rule, and not the filing rule")
m = find("mass-download")
need(len(m) == 1 and m[0]["user"] == "frank@fabrikam.example" and m[0]["count"] == 350, "mass download (frank only)")
e = find("signin-expired-password")
need([x["user"] for x in e] == ["bob@fabrikam.example"], "expired password: bob only (carol never expires, dave only failed)")
need(len(find("impossible-travel", "erin@fabrikam.example")) == 1, "impossible travel US -> DE in 10 minutes")
need(len(find("new-country-signin", "erin@fabrikam.example", "DE")) == 1, "new country DE after 10 days of US")
v = find("volume-anomaly", text="Reset user password.")
need(len(v) == 1 and v[0]["count"] == 90 and "2026-11-19" in v[0]["summary"], "password-reset flood")
need(o["new_findings"] == len(f), "all new on the first run")
for x in f:
    need(len(x["id"]) == 32 and x["first"] <= x["last"], "finding shape")
PY
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM audit_users WHERE upn LIKE 'alice@%'")" = 1 ] || fail "UPN case variants are one user"

# --- the same data again: nothing new, nothing duplicated
rm -f "$TMP/audit/.x"
cp "$TMP/audit/log.json" "$TMP/audit/copy.json"
out=$("$BIN" audit ingest --geoip "$TMP/geo.mmdb" "$TMP/audit/copy.json" --json 2>/dev/null)
python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["records"] == 0 and o["new_findings"] == 0, o' "$out" ||
	fail "a second pass over the same records made new findings"
n=$(sqlite3 "$SECSCORE_DB" 'SELECT count(*) FROM findings')
[ "$n" = "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$TMP/r1.json")" ] ||
	fail "findings duplicated in the store ($n)"

# --- acknowledgement with history
id=$(sqlite3 "$SECSCORE_DB" "SELECT id FROM findings WHERE rule = 'mass-download'")
out=$("$BIN" audit findings ack "${id:0:10}" --by "Ann Admin" --note "checked with frank")
expect_contains "$out" "acknowledged by Ann Admin"
"$BIN" audit findings --json | python3 -c '
import json, sys
v = json.load(sys.stdin)["value"]
m = [f for f in v if f["rule"] == "mass-download"][0]
assert m["status"] == "acknowledged" and m["history"][0]["by"] == "Ann Admin" and m["history"][0]["note"] == "checked with frank", m' ||
	fail "acknowledgement not kept"
"$BIN" audit findings --severity high --json | python3 -c '
import json, sys
v = json.load(sys.stdin)["value"]
assert v and all(f["severity"] in ("high", "critical") for f in v), v' || fail "--severity filter"
expect_exit 1 "$BIN" audit findings ack nosuchid --by x
expect_exit 2 "$BIN" audit findings ack "$id"
out=$("$BIN" audit findings)
expect_contains "$out" "Mass download by one user"

# --- review controls scored from evidence: findings of the window acknowledged in time by a named person
ctl() { python3 -c '
import json, sys
c = {x["controlName"]: x for x in json.load(sys.stdin)["controlScores"]}[sys.argv[1]]
print(c["status"], int(c["score"]))' "$1"; }
[ "$("$BIN" score "$TMP/snap" --json --no-save | ctl MailForwardingRules)" = "passed 5" ] ||
	fail "no forwarding finding in the last week: the review passes"
[ "$("$BIN" score "$TMP/snap" --json --no-save | ctl AuditUsed)" = "passed 5" ] || fail "the audit log was analysed"
export SECSCORE_NOW=2026-11-12T12:00:00Z
[ "$("$BIN" score "$TMP/snap" --json --no-save | ctl MailForwardingRules)" = "failed 0" ] ||
	fail "four forwarding findings of the week, none acknowledged"
for rule in inbox-rule-forwarding-external mailbox-forwarding-external; do
	for fid in $(sqlite3 "$SECSCORE_DB" "SELECT id FROM findings WHERE rule = '$rule' AND user <> 'erin@fabrikam.example'"); do
		"$BIN" audit findings ack "$fid" --by "Ann Admin" >/dev/null
	done
done
[ "$("$BIN" score "$TMP/snap" --json --no-save | ctl MailForwardingRules)" = "partial 2" ] ||
	fail "two of four acknowledged: floor(5 * 2 / 4) points"
export SECSCORE_NOW=2026-11-20T12:00:00Z

# --- behaviour: the mailboxes forward nowhere today, but the audit log saw forwarding set up outside
export SECSCORE_NOW=2026-11-20T12:00:00Z
out=$("$BIN" score "$TMP/snap" --json --no-save)
[ "$(printf '%s' "$out" | ctl MailForwardingAll)" = "failed 0" ] ||
	fail "unhandled external forwarding in the audit log fails MailForwardingAll"
printf '%s' "$out" | python3 -c '
import json, sys
c = {x["controlName"]: x for x in json.load(sys.stdin)["controlScores"]}["MailForwardingAll"]
assert "not handled" in c["implementationStatus"], c' || fail "the audit reason is shown"
for fid in $(sqlite3 "$SECSCORE_DB" "SELECT id FROM findings WHERE rule IN ('mailbox-forwarding-external', 'inbox-rule-forwarding-external', 'transport-rule-external-copy') AND status = 'open'"); do
	"$BIN" audit findings ack "$fid" --by "Ann Admin" --status resolved >/dev/null
done
out=$("$BIN" score "$TMP/snap" --json --no-save)
[ "$(printf '%s' "$out" | ctl MailForwardingAll)" = "passed $(python3 -c 'import json;print(json.load(open("'"$SRC"'/catalog/controls/MailForwardingAll.json"))["maxScore"])')" ] ||
	fail "once the findings are resolved, the configuration decides again"

# --- inactive users: the engine against a slow reference over the same records and snapshot
"$BIN" audit inactive --days 5 --json >"$TMP/inactive.json"
python3 - "$TMP" <<'PY'
import json, sys, datetime
tmp = sys.argv[1]
now = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.timezone.utc)
start = now - datetime.timedelta(days=5)
users = [u["userPrincipalName"].lower() for u in json.load(open(f"{tmp}/snap/graph/users.json"))["value"]]
last = {}
for line in open(f"{tmp}/audit/log.json"):
    r = json.loads(line)
    ok = r["Operation"] == "UserLoggedIn" and r.get("ErrorNumber") in ("0", "50140", None)
    if ok:
        t = datetime.datetime.fromisoformat(r["CreationTime"]).replace(tzinfo=datetime.timezone.utc)
        u = r["UserId"].lower()
        last[u] = max(last.get(u, t), t)
want = sorted(u for u in users if last.get(u, datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)) < start)
o = json.load(open(f"{tmp}/inactive.json"))
got = sorted(u["upn"] for u in o["users"])
assert got == want, (got, want)
assert o["complete"] is True and o["statement"] == "inactive for at least 5 days", o
PY
out=$("$BIN" audit inactive --days 90)
expect_contains "$out" "no sign-in within the covered"
echo ok
