#!/usr/bin/env bash
# `secscore demo --audit-only`: one NDJSON file per day of valid audit records, about
# users x days x events of them, byte-identical for the same options, with the attack stories;
# the full demo writes the audit log too, without successful sign-ins of inactive accounts.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-21T12:00:00Z

args=(--users 40 --days 7 --events-per-user-day 6)
out=$("$BIN" demo --audit-only "${args[@]}" --out "$TMP/a")
for want in "Audit log written to $TMP/a/audit" "files       7" "records" "duplicates" "bytes" \
	"1. password spray" "203.0.113.77" "203.0.113.198" "95.24.117.9" "8. impossible travel" \
	"attacker@evil.example"; do
	expect_contains "$out" "$want"
done
[ ! -e "$TMP/a/snapshot" ] || fail "--audit-only wrote a snapshot"
[ ! -e "$TMP/store.db" ] || fail "--audit-only opened the store"
for d in 14 15 16 17 18 19 20; do
	[ -s "$TMP/a/audit/audit-2026-11-$d.json" ] || fail "no audit file for 2026-11-$d"
done
[ "$(ls "$TMP/a/audit" | wc -l)" = 7 ] || fail "unexpected files in audit/: $(ls "$TMP/a/audit")"

# the same options: byte-identical; another seed: other records
"$BIN" demo --audit-only "${args[@]}" --out "$TMP/b" >/dev/null
diff -r "$TMP/a/audit" "$TMP/b/audit" >/dev/null || fail "same options, different audit files"
"$BIN" demo --audit-only "${args[@]}" --seed 2 --out "$TMP/c" >/dev/null
if diff -q "$TMP/a/audit/audit-2026-11-18.json" "$TMP/c/audit/audit-2026-11-18.json" >/dev/null; then
	fail "different seeds gave the same records"
fi

# every line is a JSON record of the real shape; the count is users x days x events, plus the
# stories' records and the duplicates; the stories are there with their numbers
python3 - "$TMP/a/audit" 1680 stories <<'PY'
import collections, glob, json, os, sys
d, expected, stories = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "stories"
lines = collections.Counter(); ids = collections.Counter(); recs = []
for f in sorted(glob.glob(d + "/audit-*.json")):
    raw = open(f, "rb").read()
    assert raw.endswith(b"\n"), f
    for line in raw.decode("utf-8").splitlines():
        r = json.loads(line)
        assert list(r)[:5] == ["CreationTime", "Id", "Operation", "OrganizationId", "RecordType"], list(r)
        assert len(r["CreationTime"]) == 19 and r["CreationTime"][10] == "T", r["CreationTime"]
        assert isinstance(r["RecordType"], int) and r["UserId"], r
        lines[line] += 1; ids[r["Id"]] += 1; recs.append(r)
# duplicates repeat a line byte for byte: as many distinct Ids as distinct lines
assert len(ids) == len(lines), (len(ids), len(lines))
dups = len(recs) - len(lines)
story_records = 24 + 31 + 6 + 601 if stories else 0
background = len(recs) - dups - story_records
assert 0.75 * expected <= background <= 1.25 * expected, (background, expected)
assert dups <= 0.02 * len(recs), dups
ops = collections.Counter(r["Operation"] for r in recs)
for op in ("UserLoggedIn", "FileAccessed", "MailItemsAccessed", "MessageSent"):
    assert ops[op] > 0, (op, ops)
if not stories:
    assert not any(r.get("ClientIP", "").startswith("203.0.113.") for r in recs)
    sys.exit(0)
def ip(r): return r.get("ClientIP", "").rsplit(":", 1)[0] if r.get("ClientIP", "").count(":") == 1 else r.get("ClientIP", "")
# 1: one IP fails against 15+ accounts within 2 minutes
spray = [r for r in recs if ip(r) == "203.0.113.77" and r["Operation"] == "UserLoginFailed"]
assert len({r["UserId"] for r in spray}) >= 15, len(spray)
assert spray[-1]["CreationTime"][11:16] <= "03:14" and spray[0]["CreationTime"][11:16] >= "03:12"
# 2: 25 failures then a success from the same IP for one user
brute = [r for r in recs if ip(r) == "203.0.113.198" and r["RecordType"] == 15]
assert [r["Operation"] for r in brute] == ["UserLoginFailed"] * 25 + ["UserLoggedIn"], brute
assert all(r["ErrorNumber"] == "50126" for r in brute[:25]) and len({r["UserId"] for r in brute}) == 1
victim = brute[0]["UserId"]
# 3: inbox rules and forwarding from the attacker's IP
def params(r): return {p["Name"]: p["Value"] for p in r.get("Parameters", [])}
rules = [params(r) for r in recs if r["Operation"] == "New-InboxRule" and ip(r) == "203.0.113.198"]
assert any(p.get("ForwardTo") == "attacker@evil.example" for p in rules), rules
assert any(p.get("MoveToFolder") == "RSS Feeds" and p.get("MarkAsRead") == "True" for p in rules), rules
assert any(p.get("DeleteMessage") == "True" for p in rules), rules
sm = [params(r) for r in recs if r["Operation"] == "Set-Mailbox"]
assert any(p.get("ForwardingSmtpAddress") == "smtp:exfil@evil.example" for p in sm), sm
# 4: auditing off
assert any(p.get("AuditEnabled") == "False" and p.get("Identity") == victim for p in sm), sm
assert any(params(r).get("UnifiedAuditLogIngestionEnabled") == "False" for r in recs
           if r["Operation"] == "Set-AdminAuditLogConfig")
# 5 and 6: Global Administrator for the victim, admin consent for all principals
def mod(r): return {m["Name"]: m["NewValue"] for m in r.get("ModifiedProperties", [])}
assert any(mod(r).get("Role.DisplayName") == "Global Administrator" and r["ObjectId"] == victim
           for r in recs if r["Operation"] == "Add member to role.")
consent = [mod(r) for r in recs if r["Operation"] == "Consent to application."]
assert consent and consent[0]["ConsentContext.IsAdminConsent"] == "True"
assert "ConsentType: AllPrincipals" in consent[0]["ConsentAction.Permissions"]
# 7: one user downloads 600 files within 20 minutes
per_user = collections.defaultdict(list)
for r in recs:
    if r["Operation"] == "FileDownloaded":
        per_user[r["UserId"]].append(r["CreationTime"])
assert any(sum(1 for t in ts if "10:15:00" <= t[11:] <= "10:35:00") >= 600 for ts in per_user.values())
# 8: a home sign-in, then one from 95.24.117.9 minutes later, same user
far = [r for r in recs if ip(r) == "95.24.117.9" and r["Operation"] == "UserLoggedIn"]
assert far, "no far sign-in"
home = [r for r in recs if r["Operation"] == "UserLoggedIn" and r["UserId"] == far[0]["UserId"]
        and r["CreationTime"][:10] == far[0]["CreationTime"][:10] and r["CreationTime"] < far[0]["CreationTime"]
        and r["CreationTime"] >= far[0]["CreationTime"][:11] + "08:30:00"]
assert home and ip(home[-1]) != "95.24.117.9", home
PY
grep -q '"ClientIP":"203.0.113.77"' "$TMP"/a/audit/*.json || fail "no spray IP in the audit log"
grep -q 'attacker@evil.example' "$TMP"/a/audit/*.json || fail "no forwarding to attacker@evil.example"
grep -q '"NewValue":"Global Administrator"' "$TMP"/a/audit/*.json || fail "no Global Administrator grant"

# --no-stories: the same background without the stories; a shorter window removes older days
"$BIN" demo --audit-only "${args[@]}" --no-stories --out "$TMP/d" >/dev/null
python3 - "$TMP/d/audit" 1680 none <<'PY' || fail "--no-stories audit log"
import glob, json, sys
n = sum(1 for f in glob.glob(sys.argv[1] + "/*.json") for line in open(f) if json.loads(line))
assert 0.75 * int(sys.argv[2]) <= n <= 1.3 * int(sys.argv[2]), n
PY
"$BIN" demo --audit-only --users 40 --days 2 --events-per-user-day 6 --out "$TMP/d" >/dev/null
[ "$(ls "$TMP/d/audit")" = "$(printf 'audit-2026-11-19.json\naudit-2026-11-20.json')" ] ||
	fail "older day files left behind: $(ls "$TMP/d/audit")"

# --json says what was written
"$BIN" demo --audit-only --users 10 --days 1 --events-per-user-day 1 --json --out "$TMP/e" > "$TMP/e.json"
python3 - "$TMP/e.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["files"] == 1 and r["records"] > 600 and r["bytes"] > 0, r
assert [s["number"] for s in r["stories"]] == list(range(1, 9)), r["stories"]
assert r["stories"][0]["ip"] == "203.0.113.77"
PY

# the full demo writes the audit log after the snapshot; inactive and disabled accounts of the
# snapshot have no successful sign-in (50140 counts as one) and no other activity
out=$("$BIN" demo --users 60 --days 5 --events-per-user-day 4 --out "$TMP/f")
expect_contains "$out" "Audit log written to $TMP/f/audit (5 days"
[ -s "$TMP/f/snapshot/graph/users.json" ] || fail "the full demo wrote no snapshot"
python3 - "$TMP/f" <<'PY'
import datetime, glob, json, sys
d = sys.argv[1]
now = datetime.datetime(2026, 11, 21, 12, tzinfo=datetime.timezone.utc)
idle = set()
for u in json.load(open(d + "/snapshot/graph/users.json"))["value"]:
    last = u["signInActivity"]["lastSignInDateTime"]
    if not u["accountEnabled"] or (u["userType"] == "Member" and (last is None or
            datetime.datetime.fromisoformat(last.replace("Z", "+00:00")) < now - datetime.timedelta(days=90))):
        idle.add(u["userPrincipalName"])
assert idle, "the demo tenant has no idle accounts"
for f in glob.glob(d + "/audit/*.json"):
    for line in open(f):
        r = json.loads(line)
        if r["UserId"] in idle:
            assert r["Operation"] == "UserLoginFailed" and r["ErrorNumber"] == "50126", r
PY
out=$("$BIN" demo --users 60 --no-audit --out "$TMP/g")
[ ! -e "$TMP/g/audit" ] || fail "--no-audit wrote an audit log"

# bad arguments
expect_exit 2 "$BIN" demo --audit-only --days 0
expect_exit 2 "$BIN" demo --audit-only --days 401
expect_exit 2 "$BIN" demo --audit-only --events-per-user-day 0
expect_exit 2 "$BIN" demo --audit-only --events-per-user-day 10001
expect_exit 2 "$BIN" demo --audit-only --days x
expect_exit 2 "$BIN" demo --audit-only --no-audit
echo "cli demo audit tests passed"
