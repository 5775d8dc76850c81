#!/usr/bin/env bash
# Every path that records a score (demo, score, import, collect, score --rescore-all, controls set)
# fills averageComparativeScores from the tenants of the store: AllTenants and TotalSeats, marked
# "source": "secscore store", never empty, never -1. See docs/store.md, "Comparisons".
# Run by ctest as: bash tests/cli/test_compare.sh BIN, with SS_SOURCE_DIR the repository root.
set -euo pipefail
BIN=${1:?usage: test_compare.sh /path/to/secscore}
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
FAKE="$SRC/tests/tools/fake_m365.py"
T=$(mktemp -d)
SRV_PID=
cleanup() {
	[ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
unset SECSCORE_CONFIG SECSCORE_CLIENT_SECRET SECSCORE_CLIENT_CERT SECSCORE_CLIENT_KEY || true
NOW=2026-11-20T00:00:00Z
export SECSCORE_DB=$T/store.db SECSCORE_NOW=$NOW TMPDIR=$T
CASE=$SRC/tests/cases/score/identity-partial/snapshot # 10 licensed users

# scores N: the store holds N scores
scores() {
	local n
	n=$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM scores")
	[ "$n" = "$1" ] || fail "$n scores in the store, expected $1"
}
# latest PATH: a member of the comparisons of the score recorded last, e.g. latest '[0].tenantCount'
latest() {
	sqlite3 "$SECSCORE_DB" "SELECT json_extract(doc, '\$.averageComparativeScores$1') FROM scores ORDER BY id DESC LIMIT 1"
}
# checks every stored score: two entries, the marks, and a cohort of at least the tenant itself
check_store() {
	python3 - "$SECSCORE_DB" <<'PY'
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT score_id, doc FROM scores ORDER BY id").fetchall()
for sid, doc in rows:
    a = json.loads(doc)["averageComparativeScores"]
    assert [e["basis"] for e in a] == ["AllTenants", "TotalSeats"], (sid, a)
    for e in a:
        assert e["source"] == "secscore store" and e["tenantCount"] >= 1, (sid, e)
        for k in ("averageScore", "identityScore", "dataScore", "deviceScore", "appsScore",
                  "infrastructureScore", "averagePercentage"):
            assert isinstance(e[k], (int, float)) and e[k] >= 0, (sid, k, e)
    assert a[1]["tenantCount"] <= a[0]["tenantCount"], (sid, a)
    assert isinstance(a[1]["SeatSizeRangeLowerValue"], int), (sid, a[1])
PY
}

# demo: the first tenant, compared with itself
"$BIN" demo --no-audit --history 0 --users 30 --seed 5 --out "$T/demo" >/dev/null 2>&1 || fail "demo failed"
scores 1
[ "$(latest '[0].tenantCount')" = 1 ] || fail "demo: AllTenants is not the tenant alone"
[ "$(latest '[1].SeatSizeRangeLowerValue')-$(latest '[1].SeatSizeRangeUpperValue')" = 11-100 ] ||
	fail "demo: 30 seats not in the band 11-100"
# score: a second tenant (10 seats, another band than the demo's 30)
"$BIN" score "$CASE" >/dev/null
scores 2
[ "$(latest '[0].tenantCount')/$(latest '[1].tenantCount')" = 2/1 ] || fail "score: not 2 tenants, 1 in its band"
[ "$(latest '[1].SeatSizeRangeLowerValue')-$(latest '[1].SeatSizeRangeUpperValue')" = 0-10 ] ||
	fail "score: 10 seats not in the band 0-10"
# import: a third tenant
"$BIN" import "$SRC/tests/cases/scuba/ProviderSettingsExport.json" --tenant "Fabrikam Ltd" >/dev/null
scores 3
[ "$(latest '[0].tenantCount')" = 3 ] || fail "import: not 3 tenants"
# controls set re-scores the latest snapshot of the tenant
"$BIN" controls set AdminMFA --state third_party --reason "Duo" --by alice --tenant 11111111-2222-3333-4444-555555555555 >/dev/null
scores 4
[ "$(latest '[0].tenantCount')" = 3 ] || fail "controls set: not 3 tenants"
# score --rescore-all with another catalog version: new scores through the stored snapshots
cp -r "$SRC/catalog" "$T/cat"
python3 - "$T/cat" <<'PY'
import json, sys
c = json.load(open(sys.argv[1] + "/catalog.json")); c["catalogVersion"] = "9999.1"
json.dump(c, open(sys.argv[1] + "/catalog.json", "w"))
PY
out=$("$BIN" --catalog "$T/cat" score --rescore-all)
expect_contains "$out" "1 new score(s) recorded"
scores 5
check_store

# collect snapshot (Graph, through tests/tools/fake_m365.py) imports and scores a fourth tenant
if [ -f "$FAKE" ]; then
	python3 "$FAKE" --port 0 --generate 2 --records-per-blob 2 --seed 7 --no-faults --now "$NOW" \
		--state "$T/srv" >"$T/srv.out" 2>"$T/srv.err" &
	SRV_PID=$!
	for _ in $(seq 100); do
		grep -q '^READY ' "$T/srv.out" 2>/dev/null && break
		sleep 0.1
	done
	URL=$(sed -n 's/^READY //p' "$T/srv.out")
	[ -n "$URL" ] || fail "fake_m365 did not start: $(cat "$T/srv.err")"
	SC=$(curl -s "$URL/_control/scenario")
	jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
	SECSCORE_LOGIN_URL=$URL SECSCORE_GRAPH_URL=$URL SECSCORE_MANAGE_URL=$URL \
		SECSCORE_TENANT_ID=$(jget "d['tenant']['id']" <<<"$SC") \
		SECSCORE_CLIENT_ID=$(jget "d['client']['client_id']" <<<"$SC") \
		SECSCORE_CLIENT_SECRET=$(jget "d['client']['client_secret']" <<<"$SC") \
		"$BIN" collect snapshot --out "$T/snap" >"$T/oc" 2>"$T/ec" || fail "collect snapshot: $(cat "$T/ec")"
	scores 6
	[ "$(latest '[0].tenantCount')" = 4 ] || fail "collect: not 4 tenants"
	check_store
fi
echo "cli compare tests passed"
