#!/usr/bin/env bash
# `secscore demo`: writes the snapshot layout, scores and records it, prints the summary an
# admin reads; the same seed gives byte-identical files; --users scales the tenant.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-01T12:00:00Z

out=$("$BIN" demo --out "$TMP/a")
for want in "Contoso Demo" "Secure score" "points" "%" "Measured       2026-11-01 12:00 UTC" \
	"Points by category" "Identity" "Points by service" "Exchange" "Next actions" "  5. +" \
	"user impact" "Recorded as score"; do
	expect_contains "$out" "$want"
done
for f in manifest.json graph/users.json graph/userRegistrationDetails.json graph/directoryRoles.json \
	graph/subscribedSkus.json graph/conditionalAccessPolicies.json graph/authorizationPolicy.json \
	graph/domains.json exchange/Get-Mailbox.json exchange/Get-TransportRule.json \
	exchange/Get-AdminAuditLogConfig.json sharepoint/Get-SPOTenant.json; do
	[ -s "$TMP/a/snapshot/$f" ] || fail "demo did not write $f"
done

# six weeks of history before today's score, climbing as the roll-outs landed; the last step is
# the MFA registration of more users
"$BIN" history --json >"$TMP/history.json"
python3 - "$TMP/history.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h = h["value"] if isinstance(h, dict) else h
assert len(h) == 7, len(h)
days = [x["createdDateTime"][:10] for x in h]
assert days[0] == "2026-11-01" and days[-1] == "2026-09-20", days
pct = [x["currentScore"] / x["maxScore"] for x in h]
assert all(a >= b for a, b in zip(pct, pct[1:])) and pct[0] > pct[-1] + 0.05, pct
PY
[ -d "$TMP/a/history/2026-10-25/snapshot" ] || fail "no snapshot of a week ago in DIR/history"
"$BIN" diff >"$TMP/diff.txt"
expect_contains "$(cat "$TMP/diff.txt")" "UserMFA"
expect_exit 2 "$BIN" demo --out "$TMP/x" --history 53

# the same seed: byte-identical snapshot; another seed: a different tenant
"$BIN" demo --out "$TMP/b" >/dev/null
diff -r "$TMP/a/snapshot" "$TMP/b/snapshot" >/dev/null || fail "same seed, different files"
"$BIN" demo --out "$TMP/c" --seed 2 >/dev/null
if diff -q "$TMP/a/snapshot/graph/users.json" "$TMP/c/snapshot/graph/users.json" >/dev/null; then
	fail "different seeds gave the same users"
fi

# the demo's snapshot scores through the ordinary import path, with at least 25 controls
"$BIN" score "$TMP/a/snapshot" --json --no-save > "$TMP/score.json"
python3 - "$TMP/score.json" "$TMP/a/snapshot/graph/users.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
users = json.load(open(sys.argv[2]))["value"]
assert len(users) == 800, len(users)
cs = {c["controlName"]: c for c in s["controlScores"]}
assert len(cs) >= 25, len(cs)
scored = [c for c in cs.values() if c["status"] not in ("notScored", "notApplicable")]
assert len(scored) >= 25, len(scored)
# the demo's planted gaps are found
assert cs["AdminMFA"]["status"] == "partial" and cs["AdminMFA"]["total"] == 5, cs["AdminMFA"]
assert cs["GlobalAdminCount"]["status"] == "failed"
assert cs["BlockLegacyAuthentication"]["status"] == "failed"      # report-only policy
assert cs["SigninRiskPolicy"]["status"] == "passed"
# mailboxes with auditing off in the snapshot, and the audit log saw auditing switched off: failed
mae = cs["MailboxAuditingEnabled"]
assert mae["status"] == "failed" and any("audit log: m365_mailbox_audit_disabled" in o for o in mae["offenders"]), mae
fwd = cs["MailForwardingAll"]["offenders"]
assert any("gmail.com" in o for o in fwd) and any("contoso-dem0.com" in o for o in fwd), fwd
assert not any("backup@contoso-demo.com" in o for o in fwd), fwd   # internal forward is fine
assert cs["InactiveAccounts"]["status"] == "failed" and len(cs["InactiveAccounts"]["offenders"]) > 20
assert 0 < s["currentScore"] < s["maxScore"]
assert s["licensedUserCount"] > 600 and s["activeUserCount"] > 500
assert "HasExchange" in s["enabledServices"] and "HasAADP2" in s["enabledServices"]
PY

# a larger tenant, and bad arguments
"$BIN" demo --out "$TMP/big" --users 3000 --seed 7 >/dev/null
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["value"]))' "$TMP/big/snapshot/graph/users.json")
[ "$n" = 3000 ] || fail "--users 3000 wrote $n users"
expect_exit 2 "$BIN" demo --users abc
expect_exit 2 "$BIN" demo --users 5
expect_exit 2 "$BIN" demo --seed -1
# every attack story planted in the demo's audit log is found, and the demo says so next to the score
expect_contains "$out" "Findings in the audit log"
"$BIN" audit findings --json | python3 -c '
import json, sys
rules = {f["rule"] for f in json.load(sys.stdin)["value"]}
stories = {"spray": "m365_password_spray", "brute force, then success": "m365_brute_force_then_success",
           "forwarding outside": "inbox-rule-forwarding-external", "mailbox forwarding": "mailbox-forwarding-external",
           "auditing off": "m365_mailbox_audit_disabled", "unified audit off": "m365_admin_audit_log_disabled",
           "role granted": "m365_role_member_added", "admin consent": "m365_consent_to_application",
           "mass download": "mass-download", "impossible travel": "impossible-travel"}
missing = [s for s, r in stories.items() if r not in rules]
assert not missing, (missing, sorted(rules))' || fail "a demo attack story was not detected"
[ -s "$TMP/a/country.mmdb" ] || fail "the demo did not write its country database"
echo "cli demo tests passed"
