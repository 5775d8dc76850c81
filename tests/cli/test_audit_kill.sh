#!/usr/bin/env bash
# A killed ingest (kill -9 in the middle) leaves whole batches only: ingesting again gives the same
# totals as one clean run. The input is fed through a pipe at a bounded rate, so the kill lands
# after some batches committed and before the end, whatever the machine's speed.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT
export SECSCORE_NOW=2026-11-20T00:00:00Z SECSCORE_BATCH_BYTES=65536

python3 - "$TMP/all.json" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(40000):
        u = "user%d@contoso.example" % (i % 300)
        f.write(json.dumps({"CreationTime": "2026-11-%02dT%02d:%02d:00" % (1 + i % 19, i % 24, i % 60),
                            "Id": "00000000-0000-4000-8000-%012d" % (i if i % 50 else i - 1),
                            "Operation": "UserLoggedIn" if i % 7 else "UserLoginFailed",
                            "Workload": "AzureActiveDirectory", "UserId": u, "ErrorNumber": "0" if i % 7 else "50126",
                            "ClientIP": "203.0.113.%d" % (i % 200)}) + "\n")
PY

totals() {
	sqlite3 "$1" "SELECT (SELECT sum(records) FROM audit_volume), (SELECT count(*) FROM audit_users),
		(SELECT sum(records) || '/' || sum(signins_ok) || '/' || sum(signins_fail) || '/' || max(last_signin_ok) FROM audit_users),
		(SELECT sum(n) FROM audit_ids)"
}

"$BIN" --db "$TMP/clean.db" audit ingest "$TMP/all.json" >/dev/null
clean=$(totals "$TMP/clean.db")

# slow writer -> ingest from stdin; kill -9 once a few batches are committed
python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
out = sys.stdout.buffer
for i in range(0, len(data), 16384):
    out.write(data[i:i + 16384]); out.flush(); time.sleep(0.01)' "$TMP/all.json" 2>/dev/null |
	"$BIN" --db "$TMP/killed.db" audit ingest - >/dev/null 2>&1 &
pid=$!
batches=0
for _ in $(seq 1 600); do
	sleep 0.05
	batches=$(sqlite3 "$TMP/killed.db" 'SELECT count(DISTINCT seq) FROM audit_ids' 2>/dev/null || echo 0)
	[ "${batches:-0}" -ge 3 ] && break
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ "${batches:-0}" -ge 3 ] || fail "no batch was committed before the kill"
partial=$(sqlite3 "$TMP/killed.db" 'SELECT coalesce(sum(records), 0) FROM audit_volume')
[ "$partial" -gt 0 ] || fail "nothing committed before the kill"
all=$(sqlite3 "$TMP/clean.db" 'SELECT sum(records) FROM audit_volume')
[ "$partial" -lt "$all" ] || fail "the kill came after the end ($partial of $all)"
sqlite3 "$TMP/killed.db" 'PRAGMA integrity_check' | grep -qx ok || fail "store damaged by the kill"

"$BIN" --db "$TMP/killed.db" audit ingest "$TMP/all.json" >/dev/null
again=$(totals "$TMP/killed.db")
[ "$again" = "$clean" ] || fail "after kill + re-ingest: $again, clean run: $clean"
# a memory budget far below the key set: days are dropped and reloaded, the totals do not move
"$BIN" --db "$TMP/budget.db" audit ingest --memory 64K "$TMP/all.json" >/dev/null
budget=$(totals "$TMP/budget.db")
[ "$budget" = "$clean" ] || fail "with --memory 64K: $budget, clean run: $clean"
echo "ok: killed at $partial of $all records; totals equal ($clean)"
