#!/usr/bin/env bash
# CLI behaviour of score / history / diff / plan / controls on a small fixture snapshot:
# recording, idempotent re-scoring, state changes with history, bad input and exit codes.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-01T00:00:00Z
SNAP=$TMP/snap
cp -r "$SRC/tests/cases/score/identity-partial/snapshot" "$SNAP"

# score records; the same snapshot again records nothing new
out=$("$BIN" score "$SNAP")
expect_contains "$out" "Recorded as score 11111111-2222-3333-4444-555555555555_2026-11-01.1"
expect_contains "$out" "72 / 111 points"
out=$("$BIN" score "$SNAP")
expect_contains "$out" "Unchanged since the recorded score"
[ "$(sqlite3 "$SECSCORE_DB" 'SELECT count(*) FROM scores')" = 1 ] || fail "re-scoring added a row"

# --json is one Graph secureScore object
"$BIN" score "$SNAP" --json --no-save > "$TMP/s.json"
python3 - "$TMP/s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("id", "azureTenantId", "createdDateTime", "currentScore", "maxScore", "enabledServices",
          "licensedUserCount", "activeUserCount", "controlScores"):
    assert k in s, k
for c in s["controlScores"]:
    for k in ("controlName", "controlCategory", "score", "maxScore", "count", "total",
              "scoreInPercentage", "implementationStatus", "state"):
        assert k in c, (c["controlName"], k)
assert s["createdDateTime"] == "2026-11-01T00:00:00Z"
PY

# a state change is recorded with history and re-scores the latest snapshot at once
out=$("$BIN" controls set AdminMFA --state third_party --reason "Duo MFA" --by alice)
expect_contains "$out" "AdminMFA is now 'third_party'"
expect_contains "$out" "Re-scored"
out=$("$BIN" controls show AdminMFA)
expect_contains "$out" "third_party"
expect_contains "$out" "Duo MFA"
"$BIN" controls show AdminMFA --json | python3 -c 'import json,sys; p=json.load(sys.stdin); u=p["controlStateUpdates"]; assert len(u)==1 and u[0]["updatedBy"]=="alice", u'
out=$("$BIN" history)
expect_contains "$out" "+10.0"
out=$("$BIN" diff)
expect_contains "$out" "AdminMFA: control state changed"
"$BIN" diff --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["scoreDelta"]==10, d["scoreDelta"]'

# plan: reachable and unreachable targets
out=$("$BIN" plan --target 90)
expect_contains "$out" "Plan:"
"$BIN" plan --target 90 --json | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["reachable"] and p["reachedScore"] >= p["targetScore"]'
"$BIN" controls set UserMFA --state risk_accepted --reason "rollout next year" --assigned-to "bob@contoso" >/dev/null
expect_contains "$("$BIN" controls show UserMFA)" "rollout next year (assigned to bob@contoso)"
"$BIN" controls show UserMFA --json | python3 -c 'import json,sys; u=json.load(sys.stdin)["controlStateUpdates"][-1]; assert u["assignedTo"]=="bob@contoso" and u["comment"]=="rollout next year", u'
expect_exit 1 "$BIN" plan --target 100
err=$("$BIN" plan --target 100 || true)
expect_contains "$err" "Not reachable"
expect_exit 2 "$BIN" plan --target 120
expect_exit 2 "$BIN" plan

# usage errors exit 2, other errors 1 with a clear message
expect_exit 2 "$BIN" score
expect_exit 2 "$BIN" controls set AdminMFA --state nonsense --reason x
expect_exit 2 "$BIN" controls set AdminMFA --state planned
expect_exit 1 "$BIN" controls set NoSuchControl --state planned --reason x
expect_exit 1 "$BIN" score "$TMP/does-not-exist"
err=$("$BIN" score "$TMP/does-not-exist" 2>&1 || true)
expect_contains "$err" "does-not-exist"

# a snapshot without manifest.json is refused, naming the file
mkdir -p "$TMP/nomanifest/graph"
err=$("$BIN" score "$TMP/nomanifest" --no-save 2>&1 || true)
expect_contains "$err" "manifest.json"

# a store that is not ours, or from a newer schema, is refused and left untouched
echo "not a database at all, but long enough to look like a header of something" > "$TMP/text.db"
before=$(sha256sum "$TMP/text.db")
err=$("$BIN" --db "$TMP/text.db" score "$SNAP" 2>&1 || true)
expect_contains "$err" "not a secscore store"
[ "$(sha256sum "$TMP/text.db")" = "$before" ] || fail "a foreign file was modified"
cp "$SECSCORE_DB" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" 'PRAGMA user_version = 42'
err=$("$BIN" --db "$TMP/newer.db" history 2>&1 || true)
expect_contains "$err" "newer than this secscore"

# a broken catalog entry names the file and the field
mkdir -p "$TMP/cat/controls"
cp "$SRC/catalog/catalog.json" "$SRC/catalog/services.json" "$TMP/cat/"
python3 - "$SRC/catalog/controls/AdminMFA.json" "$TMP/cat/controls/AdminMFA.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["userImpact"] = "Huge"; json.dump(c, open(sys.argv[2], "w"))
PY
err=$("$BIN" --catalog "$TMP/cat" controls 2>&1 || true)
expect_contains "$err" "AdminMFA.json"
expect_contains "$err" "field 'userImpact'"

# parameters can be overridden by a config file
echo '{"parameters": {"GlobalAdminCount": {"max_global_admins": 5}}}' > "$TMP/config.json"
"$BIN" --config "$TMP/config.json" score "$SNAP" --json --no-save |
	python3 -c 'import json,sys; s=json.load(sys.stdin); c=[c for c in s["controlScores"] if c["controlName"]=="GlobalAdminCount"][0]; assert c["status"]=="passed", c'
echo '{"parameters": {"GlobalAdminCount": {"no_such": 1}}}' > "$TMP/bad-config.json"
expect_exit 1 "$BIN" --config "$TMP/bad-config.json" score "$SNAP" --no-save

# terminal escapes in tenant data are neutralised in the summary
python3 - "$SNAP/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["displayName"] = "Evil\u001b]0;pwned\u0007 Corp"; json.dump(m, open(sys.argv[1], "w"))
PY
out=$("$BIN" score "$SNAP" --no-save)
case "$out" in *$'\x1b'*) fail "raw escape sequence reached the terminal" ;; esac
expect_contains "$out" 'Evil\x1b]0;pwned\x07 Corp'
echo "cli score tests passed"
