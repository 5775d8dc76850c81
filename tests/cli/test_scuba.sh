#!/usr/bin/env bash
# A ScubaGear ProviderSettingsExport.json scores directly, and gives the same score as the
# same tenant written in the snapshot directory layout.
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
echo "cli scuba tests passed"
