#!/usr/bin/env bash
# secscore collect against tests/tools/fake_m365.py: every record exactly once, kill -9 and resume,
# throttling (AF429 with 403, 429 with Retry-After, 500, AF50000, dropped connections) without loss,
# AF20051 reported as lost coverage, secrets in no output, certificate (RS256 assertion) auth, the
# 0600 rule of the config file, --dry-run, and the Graph snapshot.
# Run by ctest as: bash tests/cli/test_collect.sh BIN, with SS_SOURCE_DIR the repository root.
set -euo pipefail
BIN=${1:?usage: test_collect.sh /path/to/secscore}
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
FAKE="$SRC/tests/tools/fake_m365.py"
[ -f "$FAKE" ] || fail "no $FAKE"
command -v openssl >/dev/null || fail "openssl is needed"

T=$(mktemp -d)
SRV_PID=
cleanup() {
	[ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

NOW=2026-11-20T00:00:00Z
export SECSCORE_NOW=$NOW
python3 "$FAKE" --port 0 --generate 60 --records-per-blob 12 --seed 42 --now "$NOW" \
	--state "$T/srv" >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
for _ in $(seq 100); do
	grep -q '^READY ' "$T/srv.out" 2>/dev/null && break
	sleep 0.1
done
URL=$(sed -n 's/^READY //p' "$T/srv.out")
[ -n "$URL" ] || fail "fake_m365 did not start: $(cat "$T/srv.err")"

jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
ctl() { curl -s -X POST -H 'Content-Type: application/json' --data-binary "${2:-{\}}" "$URL/_control/$1" >/dev/null; }

SC=$(curl -s "$URL/_control/scenario")
TENANT=$(jget "d['tenant']['id']" <<<"$SC")
CLIENT=$(jget "d['client']['client_id']" <<<"$SC")
SECRET=$(jget "d['client']['client_secret']" <<<"$SC")
FAULTS=$(python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['faults']))" <<<"$SC")
[ ${#SECRET} -gt 10 ] || fail "no secret in the scenario"

export SECSCORE_LOGIN_URL=$URL SECSCORE_GRAPH_URL=$URL SECSCORE_MANAGE_URL=$URL
export SECSCORE_TENANT_ID=$TENANT SECSCORE_CLIENT_ID=$CLIENT
unset SECSCORE_CONFIG SECSCORE_CLIENT_SECRET SECSCORE_CLIENT_CERT SECSCORE_CLIENT_KEY SECSCORE_DB || true

records() { "$BIN" --db "$1" audit stats --json | jget "d['records']"; }

# ---- the config file: a secret in a file others can read is refused, naming the file
mkdir -p "$T/cfg"
printf '{"collect": {"tenant_id": "%s", "client_id": "%s", "client_secret": "%s"}}\n' \
	"$TENANT" "$CLIENT" "$SECRET" >"$T/cfg/config.json"
chmod 644 "$T/cfg/config.json"
rc=0
"$BIN" --db "$T/a/s.db" --config "$T/cfg/config.json" collect audit --dry-run >"$T/o0" 2>"$T/e0" || rc=$?
[ "$rc" = 1 ] || fail "a 0644 config with a secret: exit $rc, expected 1"
expect_contains "$(cat "$T/e0")" "$T/cfg/config.json"
expect_contains "$(cat "$T/e0")" "chmod 600"
chmod 600 "$T/cfg/config.json"

# ---- dry run: what would be fetched, nothing fetched
"$BIN" --db "$T/a/s.db" --config "$T/cfg/config.json" collect audit --dry-run --json >"$T/o1" 2>"$T/e1" ||
	fail "dry run failed: $(cat "$T/e1")"
[ "$(jget "len(d['plan'])" <"$T/o1")" -ge 28 ] || fail "dry run: fewer windows than 4 types x 7 days"
[ "$(jget "len(d['subscriptions']['started'])" <"$T/o1")" = 4 ] || fail "dry run: subscriptions to start"
[ "$(curl -s "$URL/_control/stats" | jget "d['blobs_served']")" = 0 ] || fail "dry run fetched blobs"
[ "$(curl -s "$URL/_control/stats" | jget "len(d['subscriptions'])")" = 0 ] || fail "dry run started subscriptions"

# ---- A: one uninterrupted run with every fault of the scenario (throttling included), config file
ctl reset
rc=0
"$BIN" --db "$T/a/s.db" --config "$T/cfg/config.json" collect audit --json --no-progress \
	>"$T/oa" 2>"$T/ea" || rc=$?
[ "$rc" = 1 ] || fail "run A: exit $rc, expected 1 (one blob expired): $(cat "$T/ea")"
STATS=$(curl -s "$URL/_control/stats")
EXPECTED=$(jget "d['expected']['record_count']" <<<"$STATS")
SERVED=$(jget "d['distinct_record_count']" <<<"$STATS")
[ "$SERVED" = "$EXPECTED" ] || fail "run A: the server served $SERVED distinct records, expected $EXPECTED"
A=$(records "$T/a/s.db")
[ "$A" = "$EXPECTED" ] || fail "run A: $A records in the store, the server has $EXPECTED distinct ids"
[ "$(jget "d['records']" <"$T/oa")" = "$EXPECTED" ] || fail "run A: report's records"
[ "$(jget "d['duplicates']" <"$T/oa")" -gt 0 ] || fail "run A: the overlapping duplicates were not seen"
for f in AF429 429 500 AF50000 drop; do
	[ "$(jget "d['faults_by_type'].get('$f', 0)" <<<"$STATS")" -ge 1 ] || fail "run A: fault $f not served"
done
[ "$(jget "d['throttled']" <"$T/oa")" -ge 2 ] || fail "run A: throttling not counted"
[ "$(jget "d['retries']" <"$T/oa")" -ge 5 ] || fail "run A: retries not counted"
[ "$(jget "d['missing_publisher']" <<<"$STATS")" = 0 ] || fail "a call without PublisherIdentifier"
[ "$(jget "d['windows'].get('open', 0)" <"$T/oa")" = 0 ] || fail "run A left windows open"
# AF20051: lost coverage, loudly, with the blob named
EXPIRED=$(jget "d['expected']['expired_blobs'][0]" <<<"$STATS")
expect_contains "$(cat "$T/ea")" "LOST COVERAGE"
expect_contains "$(cat "$T/ea")" "$EXPIRED"
[ "$(jget "d['lost'][0]['contentId']" <"$T/oa")" = "$EXPIRED" ] || fail "run A: lost blob not in the report"
# raw blobs kept, zstd, named by content type and id
ls "$T/a/blobs/$TENANT/Audit.Exchange/"*.json.zst >/dev/null || fail "no blobs kept under the store's folder"
# a second run finds nothing new and fetches nothing again
ctl reset
"$BIN" --db "$T/a/s.db" --config "$T/cfg/config.json" collect audit --json >"$T/oa2" 2>"$T/ea2" ||
	fail "run A again: $(cat "$T/ea2")"
[ "$(curl -s "$URL/_control/stats" | jget "d['blobs_served']")" = 0 ] || fail "run A again fetched blobs"
[ "$(records "$T/a/s.db")" = "$A" ] || fail "run A again changed the records"

# ---- B: the same collection killed with -9 after some blobs were ingested, then resumed
ctl reset
ctl faults "$(python3 -c "import json,sys; f=json.loads(sys.argv[1]); f.append({'match': 'blob/*', 'always': True, 'type': 'delay', 'seconds': 0.15}); print(json.dumps(f))" "$FAULTS")"
export SECSCORE_CLIENT_SECRET=$SECRET
"$BIN" --db "$T/b/s.db" collect audit --parallel 2 --no-progress >"$T/ob1" 2>"$T/eb1" &
PID=$!
killed=0
for _ in $(seq 300); do
	n=$(sqlite3 "$T/b/s.db" "SELECT count(*) FROM collect_blobs WHERE state = 'ingested'" 2>/dev/null || echo 0)
	if [ "${n:-0}" -ge 20 ]; then
		kill -9 "$PID" 2>/dev/null && killed=1
		break
	fi
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.05
done
wait "$PID" 2>/dev/null || true
[ "$killed" = 1 ] || fail "run B finished before it could be killed"
left=$(sqlite3 "$T/b/s.db" "SELECT count(*) FROM collect_blobs WHERE state IN ('listed', 'fetched')")
[ "$left" -gt 0 ] || fail "run B was killed too late to test resuming"
before=$(sqlite3 "$T/b/s.db" "SELECT group_concat(content_id) FROM collect_blobs WHERE state = 'ingested'")
ctl faults "$FAULTS"
curl -s -X POST "$URL/_control/reset" >/dev/null
rc=0
"$BIN" --db "$T/b/s.db" collect audit --json --no-progress >"$T/ob2" 2>"$T/eb2" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "run B resumed: exit $rc: $(cat "$T/eb2")"
B=$(records "$T/b/s.db")
[ "$B" = "$A" ] || fail "killed and resumed: $B records, uninterrupted: $A"
[ "$(sqlite3 "$T/b/s.db" "SELECT count(*) FROM collect_windows WHERE state <> 'closed'")" = 0 ] ||
	fail "run B left windows open"
[ "$(sqlite3 "$T/b/s.db" "SELECT count(*) FROM collect_blobs WHERE state = 'ingested'")" = \
	"$(sqlite3 "$T/a/s.db" "SELECT count(*) FROM collect_blobs WHERE state = 'ingested'")" ] ||
	fail "run B: ingested blobs differ from run A"
# blobs ingested before the kill were not fetched again
served=$(curl -s "$URL/_control/stats" | jget "' '.join(d['blob_ids_served'])")
IFS=, read -r -a done_before <<<"$before"
for id in "${done_before[@]}"; do
	case " $served " in *" $id "*) fail "blob $id was ingested before the kill and fetched again" ;; esac
done

# ---- certificate authentication (RS256 client assertion with x5t) and the Graph snapshot
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj "/CN=secscore-test" >/dev/null 2>&1 || fail "openssl req failed"
ctl 'scenario?merge=1' "$(python3 -c "import json,sys; print(json.dumps({'client': {'client_id': sys.argv[1], 'client_secret': sys.argv[2], 'certificate_pem': open(sys.argv[3]).read()}}))" "$CLIENT" "$SECRET" "$T/cert.pem")"
ctl reset
unset SECSCORE_CLIENT_SECRET
export SECSCORE_CLIENT_CERT=$T/cert.pem SECSCORE_CLIENT_KEY=$T/key.pem
"$BIN" --db "$T/c/s.db" collect snapshot --out "$T/snap" --json >"$T/oc" 2>"$T/ec" ||
	fail "snapshot with a certificate failed: $(cat "$T/ec")"
STATS=$(curl -s "$URL/_control/stats")
[ "$(jget "d['token_grants'].get('client_assertion', 0)" <<<"$STATS")" -ge 1 ] || fail "no client assertion used"
[ "$(jget "d['token_grants'].get('client_secret', 0)" <<<"$STATS")" = 0 ] || fail "the secret was used"
[ "$(jget "d['assertions_unverified']" <<<"$STATS")" = 0 ] || fail "the assertion was not verified"
[ "$(jget "d['token_errors']" <<<"$STATS")" = 0 ] || fail "the token endpoint refused the assertion"
[ -f "$T/snap/manifest.json" ] && [ -f "$T/snap/graph/users.json" ] || fail "snapshot files missing"
[ "$(jget "d['tenantId']" <"$T/snap/manifest.json")" = "$TENANT" ] || fail "manifest tenantId"
[ "$(jget "len(d['value'])" <"$T/snap/graph/users.json")" = 25 ] || fail "users.json: pages not followed"
ls -d "$T"/snap.tmp-* 2>/dev/null && fail "temporary snapshot directory left behind"
[ "$(jget "d['imported']" <"$T/oc")" = True ] || fail "the snapshot was not imported"
# the key signs, it is never shown
"$BIN" --db "$T/c/s.db" collect audit --content-types Audit.General --json >"$T/oc2" 2>"$T/ec2" ||
	fail "audit with a certificate failed: $(cat "$T/ec2")"

# ---- secrets appear in no output, no store, no blob
KEYLINE=$(sed -n 2p "$T/key.pem")
for f in "$T"/o* "$T"/e* "$T"/a/s.db* "$T"/b/s.db* "$T"/c/s.db*; do
	[ -f "$f" ] || continue
	[ "$(grep -c -F -- "$SECRET" "$f" || true)" = 0 ] || fail "the client secret appears in $f"
	[ "$(grep -c -F -- "$KEYLINE" "$f" || true)" = 0 ] || fail "the private key appears in $f"
done
if grep -rlF -- "$SECRET" "$T/a/blobs" "$T/b/blobs" "$T/snap" 2>/dev/null; then
	fail "the client secret appears in a collected file"
fi
echo "collect tests passed ($A records, exactly once; kill -9 resumed)"
