#!/usr/bin/env bash
# docs/controls.md is generated from the catalog: it must match a fresh generation.
set -euo pipefail
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
python3 "$SRC/tools/gen-controls-doc.py" "$TMP"
diff -u "$SRC/docs/controls.md" "$TMP" || fail "docs/controls.md is stale: run tools/gen-controls-doc.py"
echo "docs/controls.md is up to date"
