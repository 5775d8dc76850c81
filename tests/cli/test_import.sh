#!/usr/bin/env bash
# import keeps raw inputs (compressed) once; score --rescore-all re-scores them with the current
# catalog; a catalog change is recorded as such in history and diff.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-01T00:00:00Z TMPDIR=$TMP
TENANT=11111111-2222-3333-4444-555555555555

out=$("$BIN" import "$SRC/tests/cases/score/identity-partial/snapshot")
expect_contains "$out" "Stored snapshot 1: 5 files"
expect_contains "$out" "72.0 / 111.0"
out=$("$BIN" import "$SRC/tests/cases/score/identity-partial/snapshot")
expect_contains "$out" "Already stored as snapshot 1"
"$BIN" import "$SRC/tests/cases/scuba/ProviderSettingsExport.json" --tenant "Fabrikam Ltd" --json |
	python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["files"]==1 and o["storedBytes"] < o["bytes"], o'
[ "$(sqlite3 "$SECSCORE_DB" 'SELECT count(*) FROM snapshot_files')" = 6 ] || fail "files stored twice or lost"
[ "$(sqlite3 "$SECSCORE_DB" "SELECT name FROM tenants WHERE tenant_id LIKE '2222%'")" = "Fabrikam Ltd" ] || fail "--tenant name not kept"

# the same catalog: nothing new
out=$("$BIN" score --rescore-all)
expect_contains "$out" "2 stored snapshot(s) re-scored, 0 new score(s) recorded"

# a new catalog version that reprices a control: new scores, attributed to the catalog
cp -r "$SRC/catalog" "$TMP/cat"
python3 - "$TMP/cat" <<'PY'
import json, sys
d = sys.argv[1]
c = json.load(open(d + "/catalog.json")); c["catalogVersion"] = "9999.1"; json.dump(c, open(d + "/catalog.json", "w"))
c = json.load(open(d + "/controls/AdminMFA.json")); c["maxScore"] = 60; json.dump(c, open(d + "/controls/AdminMFA.json", "w"))
PY
out=$("$BIN" --catalog "$TMP/cat" score --rescore-all)
expect_contains "$out" "2 new score(s) recorded"
out=$("$BIN" history --tenant "$TENANT")
expect_contains "$out" "catalog changed: 2026.12.1 -> 9999.1"
"$BIN" diff --tenant "$TENANT" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["catalogChanged"] and d["scoreDelta"] == 8, d
c = [c for c in d["changes"] if c["controlName"] == "AdminMFA"][0]
assert c["reason"] == "catalog changed the control'"'"'s points", c'
[ -z "$(ls "$TMP" | grep secscore-rescore || true)" ] || fail "temporary directories left behind"
expect_exit 2 "$BIN" score --rescore-all "$SRC/tests/cases/score/identity-partial/snapshot"
echo "cli import tests passed"
