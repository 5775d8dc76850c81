#!/usr/bin/env bash
# secscore serve --schedule: two tenants in the config's "collect" array, one served by
# tests/tools/fake_m365.py (its run is ok: audit collected and analysed, snapshot scored) and one
# the fake refuses (its run fails at "collect audit", with a message, and stores no snapshot);
# runs listed by GET /api/runs; SIGTERM stops the server with exit 0; a bad --schedule is a usage
# error. Run by ctest as: bash tests/cli/test_schedule.sh BIN, with SS_SOURCE_DIR the repository root.
set -euo pipefail
BIN=${1:?usage: test_schedule.sh /path/to/secscore}
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
FAKE="$SRC/tests/tools/fake_m365.py"
command -v curl >/dev/null || fail "curl is needed"

T=$(mktemp -d)
FAKE_PID=
SRV_PID=
cleanup() {
	[ -z "$SRV_PID" ] || kill -TERM "$SRV_PID" 2>/dev/null || true
	[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	[ -n "${SS_KEEP_TMP:-}" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT

NOW=2026-11-20T00:00:00Z
export SECSCORE_NOW=$NOW
unset SECSCORE_CONFIG SECSCORE_TENANT_ID SECSCORE_CLIENT_ID SECSCORE_CLIENT_SECRET SECSCORE_CLIENT_CERT \
	SECSCORE_CLIENT_KEY SECSCORE_CLOUD SECSCORE_PUBLISHER_ID SECSCORE_CATALOG || true
export SECSCORE_DB=$T/store.db

# ---- usage errors, before anything listens
expect_exit 2 "$BIN" serve --listen 127.0.0.1:0 --schedule 24:00
expect_exit 2 "$BIN" serve --listen 127.0.0.1:0 --schedule 1:00
expect_exit 2 "$BIN" serve --listen 127.0.0.1:0 --schedule 01:60
expect_exit 2 "$BIN" serve --listen 127.0.0.1:0 --schedule nightly
out=$("$BIN" serve --listen 127.0.0.1:0 --schedule 25:00 2>&1) && fail "--schedule 25:00 was accepted"
expect_contains "$out" "--schedule takes a time of day from 00:00 to 23:59"
expect_exit 2 "$BIN" serve --listen 127.0.0.1:0 --run-at-start
printf '{"parameters": {}}\n' >"$T/empty.json"
out=$("$BIN" --config "$T/empty.json" serve --listen 127.0.0.1:0 --schedule 03:00 2>&1) &&
	fail "--schedule without a configured tenant was accepted"
expect_contains "$out" "no tenant is configured"
expect_contains "$out" "$T/empty.json"
expect_exit 2 "$BIN" --config "$T/empty.json" serve --listen 127.0.0.1:0 --schedule 03:00
printf '{"schedule": "3 am"}\n' >"$T/badsched.json"
out=$("$BIN" --config "$T/badsched.json" serve --listen 127.0.0.1:0 2>&1) && fail "a bad config schedule was accepted"
expect_contains "$out" "$T/badsched.json"

# ---- the fake Microsoft 365 (its small built-in scenario: no faults, nothing lost)
python3 "$FAKE" --port 0 --now "$NOW" --state "$T/fake" >"$T/fake.out" 2>"$T/fake.err" &
FAKE_PID=$!
for _ in $(seq 100); do
	grep -q '^READY ' "$T/fake.out" 2>/dev/null && break
	sleep 0.1
done
URL=$(sed -n 's/^READY //p' "$T/fake.out")
[ -n "$URL" ] || fail "fake_m365 did not start: $(cat "$T/fake.err")"
export SECSCORE_LOGIN_URL=$URL SECSCORE_GRAPH_URL=$URL SECSCORE_MANAGE_URL=$URL

curl -s "$URL/_control/scenario" >"$T/scenario.json"
BAD=0b1c2d3e-dead-beef-0000-0000000000b4 # a tenant the fake does not know: its token endpoint says 400

# the config (mode 0600: it holds the secret); prints the good tenant's id, the client id and the secret
read -r TENANT CLIENT SECRET < <(python3 - "$T/config.json" "$T/scenario.json" "$BAD" <<'PY'
import json, os, sys
path, scenario, bad = sys.argv[1:]
sc = json.load(open(scenario))
tenant, client, secret = sc["tenant"]["id"], sc["client"]["client_id"], sc["client"]["client_secret"]
doc = {"collect": [
    {"name": "good", "tenant_id": tenant, "client_id": client, "client_secret": secret},
    {"name": "broken", "tenant_id": bad, "client_id": client, "client_secret": secret},
]}
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(doc).encode())
os.close(fd)
print(tenant, client, secret)
PY
)
[ -n "$TENANT" ] && [ ${#SECRET} -gt 10 ] || fail "no tenant or secret in the fake's scenario"

# collect with an array: --tenant picks the entry; without it, the error names the file and asks for it
rc=0
"$BIN" --config "$T/config.json" collect audit --dry-run >/dev/null 2>"$T/e0" || rc=$?
[ "$rc" = 1 ] || fail "collect with two tenants and no --tenant: exit $rc"
expect_contains "$(cat "$T/e0")" "$T/config.json"
expect_contains "$(cat "$T/e0")" "several tenants are configured"
expect_contains "$(cat "$T/e0")" "--tenant"

# ---- the server with a schedule far from now, and a run at start
READ=$("$BIN" tokens create --name viewer --role read 2>/dev/null)
"$BIN" --config "$T/config.json" serve --listen 127.0.0.1:0 --schedule 03:00 --run-at-start \
	>"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
SURL=
for _ in $(seq 200); do
	SURL=$(sed -n 's/^secscore: serving \(http[^ ]*\) .*/\1/p' "$T/srv.out")
	[ -n "$SURL" ] && break
	kill -0 "$SRV_PID" 2>/dev/null || fail "serve exited: $(cat "$T/srv.err")"
	sleep 0.05
done
[ -n "$SURL" ] || fail "serve did not start"

api() { curl -s --max-time 10 -H "Authorization: Bearer $READ" "$SURL$1"; }

# both runs finish (bounded wait)
done_runs=0
for _ in $(seq 600); do
	api /api/runs >"$T/runs.json" || true
	done_runs=$(grep -o '"status": *"\(ok\|failed\|interrupted\)"' "$T/runs.json" | wc -l || true)
	[ "$done_runs" -ge 2 ] && break
	kill -0 "$SRV_PID" 2>/dev/null || fail "serve exited during the runs: $(cat "$T/srv.err")"
	sleep 0.2
done
[ "$done_runs" -ge 2 ] || fail "the scheduled runs did not finish in 120 s: $(cat "$T/runs.json") $(cat "$T/srv.err")"

# ?tenant= filters by the configured name; $top pages
api "/api/runs?tenant=broken" >"$T/r1.json"
api "/api/runs?\$top=1" >"$T/r2.json"
python3 - "$T/runs.json" "$T/r1.json" "$T/r2.json" <<'PY' || fail "runs: $(cat "$T/runs.json" "$T/r1.json" "$T/r2.json")"
import json, sys
d = json.load(open(sys.argv[1]))
r1 = json.load(open(sys.argv[2]))
r2 = json.load(open(sys.argv[3]))
assert [r["tenant"] for r in r1["value"]] == ["broken"], r1
assert len(r2["value"]) == 1 and "@odata.nextLink" in r2, r2
runs = d["value"]
assert len(runs) == 2, runs
by = {r["tenant"]: r for r in runs}
assert runs[0]["id"] > runs[1]["id"], "not newest first"
g, b = by["good"], by["broken"]
assert g["status"] == "ok", g
assert g["finishedDateTime"] and g["startedDateTime"], g
assert g["step"] is None, g
assert b["status"] == "failed", b
assert b["step"] == "collect audit", b
assert b["message"] and len(b["message"]) <= 2048, b
assert "AADSTS90002" in b["message"] or "400" in b["message"], b
assert not any(ord(ch) < 32 and ch != "\n" for ch in b["message"]), b
for r in runs:
    assert set(r) == {"id", "tenant", "startedDateTime", "finishedDateTime", "status", "step", "message"}, r
PY

st=$(curl -s -o /dev/null -w '%{http_code}' "$SURL/api/runs")
[ "$st" = 401 ] || fail "/api/runs without a token: $st"
st=$(curl -s -o "$T/r3.json" -w '%{http_code}' -H "Authorization: Bearer $READ" "$SURL/api/runs?\$top=0")
[ "$st" = 400 ] || fail "/api/runs?\$top=0: $st"

# the good tenant was collected, analysed and scored; its score is served
api "/security/secureScores?tenant=good" >"$T/scores.json"
python3 - "$T/scores.json" "$TENANT" <<'PY' || fail "scores of the good tenant: $(head -c 600 "$T/scores.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["value"]) >= 1, d
assert d["value"][0]["azureTenantId"] == sys.argv[2], d["value"][0].get("azureTenantId")
assert d["value"][0]["currentScore"] >= 0
PY
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM audit_runs r JOIN tenants t ON t.id = r.tenant WHERE t.tenant_id = '$TENANT'")" -ge 1 ] ||
	fail "the good tenant's audit log was not ingested"
# the broken tenant: nothing half-applied, no snapshot stored or left on disk
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM snapshots s JOIN tenants t ON t.id = s.tenant WHERE t.tenant_id = '$BAD'")" = 0 ] ||
	fail "a snapshot of the broken tenant was stored"
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM scores s JOIN tenants t ON t.id = s.tenant WHERE t.tenant_id = '$BAD'")" = 0 ] ||
	fail "a score of the broken tenant was stored"
[ ! -d "$T/snapshots/$BAD" ] || [ -z "$(ls -A "$T/snapshots/$BAD")" ] || fail "a snapshot of the broken tenant is on disk"

# each run's start and end is logged
expect_contains "$(cat "$T/srv.err")" "secscore: schedule: tenant good: collect audit ok ("
expect_contains "$(cat "$T/srv.err")" "secscore: schedule: tenant good: collect snapshot ok ("
expect_contains "$(cat "$T/srv.err")" "secscore: schedule: tenant broken: collect audit failed"
expect_contains "$(cat "$T/srv.err")" "next run at "
# the secret is in no log and no run
[ "$(grep -c -F -- "$SECRET" "$T/srv.err" "$T/srv.out" "$T/runs.json" | awk -F: '{s += $2} END {print s}')" = 0 ] ||
	fail "the client secret appears in the server's output"

# ---- SIGTERM: exit 0, promptly
kill -TERM "$SRV_PID"
for _ in $(seq 200); do
	kill -0 "$SRV_PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$SRV_PID" 2>/dev/null && fail "serve still runs 10 s after SIGTERM"
rc=0
wait "$SRV_PID" || rc=$?
SRV_PID=
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM: $(tail -20 "$T/srv.err")"
expect_contains "$(cat "$T/srv.out")" "secscore: stopped"

# ---- a failure at the second step: the audit log is collected, the snapshot fails and nothing of it
# is stored, on disk or in the store; the run is failed at "collect snapshot" (and retried next time)
snaps_before=$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM snapshots")
scores_before=$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM scores")
curl -s -X POST -H 'Content-Type: application/json' \
	--data-binary '[{"match": "graph/users", "always": true, "type": "401"}]' "$URL/_control/faults" >/dev/null
printf '{"collect": {"name": "good", "tenant_id": "%s", "client_id": "%s", "client_secret": "%s"}}\n' \
	"$TENANT" "$CLIENT" "$SECRET" >"$T/one.json"
chmod 600 "$T/one.json"
"$BIN" --config "$T/one.json" serve --listen 127.0.0.1:0 --schedule 03:00 --run-at-start \
	>"$T/srv3.out" 2>"$T/srv3.err" &
SRV_PID=$!
for _ in $(seq 600); do
	[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM schedule_runs WHERE id > 2 AND status <> 'running'" 2>/dev/null)" = 1 ] && break
	kill -0 "$SRV_PID" 2>/dev/null || fail "serve exited: $(cat "$T/srv3.err")"
	sleep 0.2
done
kill -TERM "$SRV_PID"
rc=0
wait "$SRV_PID" || rc=$?
SRV_PID=
[ "$rc" = 0 ] || fail "serve (second step failing) exited $rc: $(tail -20 "$T/srv3.err")"
last=$(sqlite3 "$SECSCORE_DB" "SELECT tenant || '|' || status || '|' || step FROM schedule_runs ORDER BY id DESC LIMIT 1")
[ "$last" = "good|failed|collect snapshot" ] || fail "the run whose snapshot failed: '$last': $(cat "$T/srv3.err")"
expect_contains "$(cat "$T/srv3.err")" "tenant good: collect audit ok ("
expect_contains "$(sqlite3 "$SECSCORE_DB" "SELECT message FROM schedule_runs ORDER BY id DESC LIMIT 1")" "401"
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM snapshots")" = "$snaps_before" ] || fail "a failed snapshot was stored"
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM scores")" = "$scores_before" ] || fail "a failed snapshot was scored"
[ "$(find "$T/snapshots" -mindepth 2 -maxdepth 2 | wc -l)" = 1 ] ||
	fail "the failed snapshot left files: $(find "$T/snapshots" -mindepth 2 -maxdepth 2)"
curl -s -X POST -H 'Content-Type: application/json' --data-binary '[]' "$URL/_control/faults" >/dev/null

# ---- SIGTERM during a step: the child is stopped and the run recorded interrupted
curl -s -X POST -H 'Content-Type: application/json' \
	--data-binary '[{"match": "subscriptions/*", "always": true, "type": "delay", "seconds": 30}]' \
	"$URL/_control/faults" >/dev/null
"$BIN" --config "$T/config.json" serve --listen 127.0.0.1:0 --schedule 03:00 --run-at-start \
	>"$T/srv2.out" 2>"$T/srv2.err" &
SRV_PID=$!
for _ in $(seq 200); do
	[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM schedule_runs WHERE status = 'running'" 2>/dev/null)" = 1 ] && break
	sleep 0.05
done
sleep 0.5
kill -TERM "$SRV_PID"
for _ in $(seq 300); do
	kill -0 "$SRV_PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$SRV_PID" 2>/dev/null && fail "serve still runs 15 s after SIGTERM during a step"
rc=0
wait "$SRV_PID" || rc=$?
SRV_PID=
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM during a step: $(tail -20 "$T/srv2.err")"
last=$(sqlite3 "$SECSCORE_DB" "SELECT tenant || '|' || status || '|' || step FROM schedule_runs ORDER BY id DESC LIMIT 1")
[ "$last" = "good|interrupted|collect audit" ] || fail "the stopped run: '$last'"
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM schedule_runs WHERE status = 'running'")" = 0 ] ||
	fail "a run is left 'running'"
echo "schedule tests passed"
