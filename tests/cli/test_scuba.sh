#!/usr/bin/env bash
# A ScubaGear ProviderSettingsExport.json scores directly, and gives the same score as the
# same tenant written in the snapshot directory layout. Then the other whole-tenant import of
# issue 3, the legacy Get-MsolUser CSV, in the encodings and combinations the score case cannot
# show (UTF-16LE, together with graph/users.json).
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-01T00:00:00Z
CASE=$SRC/tests/cases/scuba

"$BIN" score "$CASE/ProviderSettingsExport.json" --json --no-save > "$TMP/scuba.json"
"$BIN" score "$CASE/snapshot" --json --no-save > "$TMP/dir.json"
python3 - "$TMP/scuba.json" "$TMP/dir.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["azureTenantId"] == b["azureTenantId"] == "22222222-3333-4444-5555-666666666666"
assert a["createdDateTime"] == b["createdDateTime"] == "2026-10-30T09:00:00Z"
assert a["enabledServices"] == b["enabledServices"], (a["enabledServices"], b["enabledServices"])
ca = {c["controlName"]: c for c in a["controlScores"]}
cb = {c["controlName"]: c for c in b["controlScores"]}
for name in cb:
    for k in ("status", "score", "maxScore", "count", "total", "offenders"):
        assert ca[name][k] == cb[name][k], (name, k, ca[name][k], cb[name][k])
assert a["currentScore"] == b["currentScore"] and a["maxScore"] == b["maxScore"]
# what the fixture was built to show
assert ca["BlockLegacyAuthentication"]["status"] == "passed"
assert ca["UserRiskPolicy"]["status"] == "failed"          # report-only
assert ca["IntegratedApps"]["status"] == "failed"          # legacy user consent
assert ca["GlobalAdminCount"]["status"] == "passed" and ca["GlobalAdminCount"]["count"] == 1
assert ca["NoGlobalMailForwarding"]["offenders"] == ["Journal to partner -> journal@partner.example"]
assert ca["AnonymousAccess"]["status"] == "failed"         # 2 = ExternalUserAndGuestSharing
assert ca["AdminMFA"]["status"] == "notScored"
# mail authentication: spf_records + dmarc_records -> dns/records.json, dkim_config
assert ca["SPFRecords"]["status"] == "passed" and ca["SPFRecords"]["total"] == 2
assert ca["DMARCRecords"]["offenders"] == ["mail.fabrikam.example"]      # empty rdata
assert ca["DKIMEnabled"]["offenders"] == ["mail.fabrikam.example"]
# Defender: the enabled Standard preset rule stands for its Safe Links / Safe Attachments policies
assert ca["SafeLinksEnabled"]["status"] == "passed"
assert ca["SafeAttachmentsEnabled"]["status"] == "passed"
assert ca["AntiPhishImpersonation"]["status"] == "passed"               # null element dropped
assert ca["CommonAttachmentFilter"]["status"] == "failed"               # malware_filter_policies wins
# a command ScubaGear lists as unsuccessful leaves its key out: Not scored, not failed
assert ca["DLPEnabled"]["status"] == "notScored"
assert ca["DLPEnabled"]["notScoredReason"] == "needs purview/Get-DlpCompliancePolicy.json"
# Teams: meeting_policies, federation_configuration (AllowedDomains.AllowedDomain lifted)
assert ca["TeamsAnonymousMeetingJoin"]["status"] == "passed"
assert ca["ExternalSFB"]["status"] == "passed"
assert ca["TeamsExternalAccess"]["status"] == "passed"
# directory_settings' EnableAdminConsentRequests -> adminConsentRequestPolicy
assert ca["AdminConsentWorkflow"]["status"] == "failed"
scored = lambda cs: sorted(n for n, c in cs.items() if c["status"] not in ("notScored", "notApplicable"))
assert scored(ca) == scored(cb), (scored(ca), scored(cb))
PY

# recording it: the tenant and date come from the export
out=$("$BIN" score "$CASE/ProviderSettingsExport.json")
expect_contains "$out" "Fabrikam (tenant 22222222-3333-4444-5555-666666666666)"
expect_contains "$out" "Measured       2026-10-30 09:00 UTC"

# a JSON file that is not a ScubaGear export is refused with the file named
echo '{"hello": 1}' > "$TMP/other.json"
err=$("$BIN" score "$TMP/other.json" --no-save 2>&1 || true)
expect_contains "$err" "other.json"
expect_contains "$err" "ScubaGear"
# --- the legacy Get-MsolUser CSV (tests/cases/score/msol-csv holds the UTF-8 case) ---
MSOL=$SRC/tests/cases/score/msol-csv/snapshot
expect_eq() { [ "$1" = "$2" ] || fail "expected '$2', got '$1'"; }
mfa() {  # prints "count/total" of UserMFA, or the not-scored reason
	"$BIN" score "$1" --json --no-save | python3 -c '
import json, sys
c = {c["controlName"]: c for c in json.load(sys.stdin)["controlScores"]}["UserMFA"]
print(c.get("notScoredReason") or "%d/%d" % (c["count"], c["total"]))'
}
expect_eq "$(mfa "$MSOL")" "2/4"

# Windows PowerShell 5.1's Export-Csv -Encoding Unicode: UTF-16LE with BOM scores the same
cp -r "$MSOL" "$TMP/msol16"
python3 -c 'import sys; t = open(sys.argv[1], encoding="utf-8-sig").read()
open(sys.argv[1], "wb").write(b"\xff\xfe" + t.encode("utf-16-le"))' "$TMP/msol16/msol/Get-MsolUser.csv"
expect_eq "$(head -c 2 "$TMP/msol16/msol/Get-MsolUser.csv" | od -An -tx1 | tr -d ' ')" "fffe"
expect_eq "$(mfa "$TMP/msol16")" "2/4"

# with graph/users.json, Graph lists the users (user2 is not there: its row is ignored) and the
# Msol rows still give the MFA state Graph lacks without userRegistrationDetails.json
cp -r "$MSOL" "$TMP/both"
cat > "$TMP/both/graph/users.json" <<'JSON'
{"value": [{"userPrincipalName": "admin1@contoso.com", "accountEnabled": true},
           {"userPrincipalName": "admin2@contoso.com", "accountEnabled": true},
           {"userPrincipalName": "user1@contoso.com", "accountEnabled": true,
            "passwordPolicies": "DisablePasswordExpiration"}]}
JSON
expect_eq "$(mfa "$TMP/both")" "2/3"
# ... and Graph's registration details win over the Msol state
echo '[{"userPrincipalName": "admin2@contoso.com", "isMfaRegistered": true}]' \
	> "$TMP/both/graph/userRegistrationDetails.json"
expect_eq "$(mfa "$TMP/both")" "1/3"

# a malformed row stops the run, naming the file and line
cp -r "$MSOL" "$TMP/bad"
printf '"x","unterminated\r\n' >> "$TMP/bad/msol/Get-MsolUser.csv"
err=$("$BIN" score "$TMP/bad" --no-save 2>&1 || true)
expect_contains "$err" "Get-MsolUser.csv:11"   # line 11: a field above spans two lines
echo "cli scuba tests passed"
