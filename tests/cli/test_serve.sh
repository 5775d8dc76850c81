#!/usr/bin/env bash
# secscore serve, tested as a client would: the real server on 127.0.0.1, called with curl and raw
# sockets, then stopped with SIGTERM. Shapes, paging, tokens, roles, PATCH recorded in history,
# acknowledgements, limits (body cap, slow and malformed clients, rate), loopback-only, TLS.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-20T12:00:00Z

"$BIN" demo --users 60 --days 10 --events-per-user-day 2 --out "$TMP/demo" >/dev/null 2>&1
ADMIN=$("$BIN" tokens create --name ops --role admin 2>/dev/null)
READ=$("$BIN" tokens create --name viewer --role read 2>/dev/null)
SPARE=$("$BIN" tokens create --name spare --role read 2>/dev/null)
[[ $ADMIN =~ ^ss_[A-Za-z0-9_-]{43}$ ]] || fail "unexpected token shape: $ADMIN"
expect_exit 2 "$BIN" tokens create --name ops --role admin # a live name is not reused
expect_exit 2 "$BIN" tokens create --name 'bad name' --role read
expect_exit 2 "$BIN" tokens create --name x --role root

# The store keeps the SHA-256 only, never the token.
python3 - "$SECSCORE_DB" "$ADMIN" <<'PY'
import hashlib, sqlite3, sys
db, token = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(db).execute("SELECT name, role, hash FROM api_tokens").fetchall()
assert any(r[0] == "ops" and r[1] == "admin" and r[2] == hashlib.sha256(token.encode()).hexdigest()
           for r in rows), rows
dump = "\n".join(sqlite3.connect(db).iterdump())
assert token not in dump and token[3:] not in dump, "the token itself is stored"
PY

# check FILE PYTHON: runs PYTHON with d = the JSON document in FILE.
check() {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$2" "$1" || fail "check failed on $(head -c 600 "$1")"
}

# call METHOD PATH TOKEN [curl args...]: sets STATUS; the body goes to $TMP/body, headers to $TMP/headers.
call() {
	local method=$1 path=$2 token=$3
	shift 3
	local auth=()
	[ -z "$token" ] || auth=(-H "Authorization: Bearer $token")
	STATUS=$(curl -s --max-time 10 -X "$method" "${auth[@]}" -D "$TMP/headers" -o "$TMP/body" \
		-w '%{http_code}' "$@" "$URL$path") || fail "curl $method $path failed"
}

# expect STATUS: the last call answered STATUS (and, for errors, in Graph's error shape).
expect() {
	[ "$STATUS" = "$1" ] || fail "expected $1, got $STATUS: $(head -c 400 "$TMP/body")"
	if [ "$1" -ge 400 ]; then
		check "$TMP/body" "e = d['error']; assert isinstance(e['code'], str) and e['code'] and e['message'], d
assert e['innerError']['request-id'], d"
	fi
}

# start NAME ARGS...: starts a server on a free port; sets URL and PID.
start() {
	local name=$1 i
	shift
	"$BIN" serve --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PID=$!
	PIDS+=("$PID")
	URL=
	for i in $(seq 200); do
		URL=$(sed -n 's/^secscore: serving \(http[^ ]*\) .*/\1/p' "$TMP/$name.out")
		[ -n "$URL" ] && break
		kill -0 "$PID" 2>/dev/null || fail "server $name exited: $(cat "$TMP/$name.err")"
		sleep 0.05
	done
	[ -n "$URL" ] || fail "server $name did not start"
	for i in $(seq 100); do
		curl -skf --max-time 2 "$URL/healthz" >/dev/null && return 0
		sleep 0.05
	done
	fail "server $name does not answer /healthz"
}

# stop PID NAME: SIGTERM, and the server exits 0 within 10 s (under ASan: without leaks).
stop() {
	local pid=$1 name=$2 i rc=0
	kill -TERM "$pid"
	for i in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && fail "server $name still runs 10 s after SIGTERM"
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "server $name exited $rc after SIGTERM: $(tail -20 "$TMP/$name.err")"
	expect_contains "$(cat "$TMP/$name.out")" "secscore: stopped"
}

# ---- refusals before listening ----
out=$("$BIN" serve --listen 0.0.0.0:18089 2>&1) && fail "serve listened on 0.0.0.0 without TLS"
expect_contains "$out" "refusing to listen on 0.0.0.0:18089 without TLS"
expect_exit 2 "$BIN" serve --listen 10.1.2.3:18089
expect_exit 2 "$BIN" serve --listen nonsense
expect_exit 2 "$BIN" serve --tls-cert /nonexistent
expect_exit 1 "$BIN" serve --db "$TMP/none.db"

start main
TENANT=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT tenant_id FROM tenants").fetchone()[0])' "$SECSCORE_DB")

# ---- health and authentication ----
call GET /healthz ""
expect 200
check "$TMP/body" "assert d['status'] == 'ok'"
call GET /security/secureScores ""
expect 401
expect_contains "$(cat "$TMP/headers")" 'WWW-Authenticate: Bearer'
call GET /security/secureScores "ss_not-a-real-token"
expect 401
call GET /security/secureScores "" -H "Authorization: Basic b3BzOm9wcw=="
expect 401
call GET /nope "$READ"
expect 404

# ---- PATCH: roles, recorded in history, 204 and return=representation ----
P=/security/secureScoreControlProfiles/AdminMFAV2
JSON=(-H 'Content-Type: application/json')
call PATCH "$P" "$READ" "${JSON[@]}" -d '{"state":"Ignored","comment":"read tokens cannot"}'
expect 403
check "$TMP/body" "assert d['error']['code'] == 'accessDenied'"
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"state":"ThirdParty","comment":"duo covers admins","assignedTo":"alice@contoso"}'
expect 204
[ ! -s "$TMP/body" ] || fail "204 with a body"
call GET "$P" "$READ"
expect 200
check "$TMP/body" "u = d['controlStateUpdates']
assert len(u) == 1, u
assert u[0]['state'] == 'third_party' and u[0]['updatedBy'] == 'ops', u
assert u[0]['comment'] == 'duo covers admins' and u[0]['assignedTo'] == 'alice@contoso', u
assert d['id'] == 'AdminMFAV2' and d['azureTenantId'] == '$TENANT', d
assert d['lastModifiedDateTime'] == u[0]['updatedDateTime']
assert d['@odata.context'].endswith('\$metadata#security/secureScoreControlProfiles/\$entity')"
show=$("$BIN" controls show AdminMFAV2)
expect_contains "$show" "third_party"
expect_contains "$show" "by ops: duo covers admins"
call PATCH "$P" "$ADMIN" "${JSON[@]}" -H 'Prefer: return=representation' -d '{"state":"Reviewed","comment":"reviewed monthly"}'
expect 200
check "$TMP/body" "u = d['controlStateUpdates']
assert d['id'] == 'AdminMFAV2' and len(u) == 2, d
assert u[-1]['state'] == 'alternate_mitigation' and u[-1]['assignedTo'] is None, u"
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"state":"to_address","comment":"our own state names work too"}'
expect 204
"$BIN" controls show AdminMFAV2 --json >"$TMP/show.json"
check "$TMP/show.json" "assert [u['state'] for u in d['controlStateUpdates']] == ['third_party', 'alternate_mitigation', 'to_address']"
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"comment":"only a comment keeps the state"}'
expect 204
# assignedTo has its own column: brackets in it or at the end of the comment are kept as given
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"comment":"see [INC-7]","assignedTo":"ops [tier 2]"}'
expect 204
call GET "$P" "$READ"
check "$TMP/body" "u = d['controlStateUpdates'][-1]
assert u['comment'] == 'see [INC-7]' and u['assignedTo'] == 'ops [tier 2]', u"
expect_contains "$("$BIN" controls show AdminMFAV2)" "by ops: see [INC-7] (assigned to ops [tier 2])"
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"comment":"x","assignedTo":"a\u001b]0;b"}'
expect 400
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"state":"Bogus","comment":"x"}'
expect 400
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"state":"Ignored"}'
expect 400
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"state":"Ignored","comment":"x","stat":1}'
expect 400
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '{"state":'
expect 400
call PATCH "$P" "$ADMIN" "${JSON[@]}" -d '["state"]'
expect 400
call PATCH "$P" "$ADMIN" -H 'Content-Type: text/plain' -d '{"state":"Ignored","comment":"x"}'
expect 415
call PATCH /security/secureScoreControlProfiles/NoSuchControl "$ADMIN" "${JSON[@]}" -d '{"state":"Ignored","comment":"x"}'
expect 404
call DELETE "$P" "$ADMIN"
expect 405
expect_contains "$(cat "$TMP/headers")" "Allow: GET, HEAD, PATCH"
"$BIN" controls show AdminMFAV2 --json >"$TMP/show.json"
check "$TMP/show.json" "assert len(d['controlStateUpdates']) == 5, d['controlStateUpdates']"

# ---- secureScores: shapes, newest first, paging with $top and @odata.nextLink ----
# Each state change above re-scored the demo snapshot, so the store holds several scores.
call GET /security/secureScores "$READ"
expect 200
cp "$TMP/body" "$TMP/scores.json"
check "$TMP/scores.json" "v = d['value']
assert d['@odata.context'].endswith('/\$metadata#security/secureScores'), d['@odata.context']
assert len(v) >= 3, len(v)
for s in v:
    for k in ('id', 'azureTenantId', 'createdDateTime', 'currentScore', 'maxScore', 'enabledServices',
              'controlScores', 'averageComparativeScores', 'vendorInformation'):
        assert k in s, k
    assert s['azureTenantId'] == '$TENANT'
    assert isinstance(s['currentScore'], (int, float)) and isinstance(s['controlScores'], list)
nums = [int(s['id'].rsplit('.', 1)[1]) for s in v]
assert nums == sorted(nums, reverse=True), nums
assert '@odata.nextLink' not in d"
python3 - "$TMP/scores.json" "$URL" "$READ" <<'PY'
import json, subprocess, sys
want = [s["id"] for s in json.load(open(sys.argv[1]))["value"]]
url, token = sys.argv[2], sys.argv[3]
link, got, pages = url + "/security/secureScores?$top=1", [], 0
while link:
    out = subprocess.run(["curl", "-sf", "--max-time", "10", "-H", "Authorization: Bearer " + token, link],
                         check=True, capture_output=True).stdout
    d = json.loads(out)
    assert len(d["value"]) <= 1, d
    got += [s["id"] for s in d["value"]]
    link = d.get("@odata.nextLink")
    pages += 1
    assert pages <= len(want), "nextLink does not end"
assert got == want, (got, want)
PY
call GET '/security/secureScores?$top=2&$skip=1' "$READ"
expect 200
check "$TMP/body" "ids = [s['id'] for s in json.load(open('$TMP/scores.json'))['value']]
assert [s['id'] for s in d['value']] == ids[1:3], d['value']"
call GET '/security/secureScores?$top=0' "$READ"
expect 400
call GET '/security/secureScores?$top=abc' "$READ"
expect 400
call GET '/security/secureScores?$filter=x' "$READ"
expect 400
ID=$(python3 -c "import json; print(json.load(open('$TMP/scores.json'))['value'][-1]['id'])")
call GET "/security/secureScores/$ID" "$READ"
expect 200
check "$TMP/body" "assert d['id'] == '$ID' and d['@odata.context'].endswith('secureScores/\$entity')"
call GET "/v1.0/security/secureScores/$ID" "$READ"
expect 200
call GET /security/secureScores/nosuch_2026-01-01.9 "$READ"
expect 404
check "$TMP/body" "assert d['error']['code'] == 'itemNotFound'"
call HEAD /security/secureScores "$READ" -I
expect 200

# ---- control profiles ----
"$BIN" controls --json >"$TMP/controls.json"
call GET /security/secureScoreControlProfiles "$READ"
expect 200
check "$TMP/body" "cat = json.load(open('$TMP/controls.json'))['value']
v = d['value']
assert [p['id'] for p in v] == [c['id'] for c in cat]
for p in v:
    for k in ('id', 'controlName', 'title', 'actionType', 'controlCategory', 'service', 'maxScore', 'tier',
              'userImpact', 'implementationCost', 'rank', 'threats', 'deprecated', 'remediation',
              'controlStateUpdates', 'vendorInformation', 'azureTenantId'):
        assert k in p, (p['id'], k)
m = [p for p in v if p['id'] == 'AdminMFAV2'][0]
assert len(m['controlStateUpdates']) == 5"
call GET '/security/secureScoreControlProfiles?$top=5' "$READ"
expect 200
check "$TMP/body" "assert len(d['value']) == 5 and d['@odata.nextLink'].endswith('\$top=5&\$skip=5'), d.get('@odata.nextLink')"

# ---- tenants ----
call GET "/security/secureScores?tenant=$TENANT" "$READ"
expect 200
call GET "/security/secureScores?tenant=Contoso%20Demo" "$READ"
expect 200
call GET /security/secureScores?tenant=nosuch "$READ"
expect 404
call GET /api/coverage "$READ" -H 'X-Secscore-Tenant: nosuch'
expect 404
call GET /api/coverage "$READ" -H "X-Secscore-Tenant: $TENANT"
expect 200

# ---- findings and acknowledgement ----
call GET /api/findings "$READ"
expect 200
cp "$TMP/body" "$TMP/findings.json"
check "$TMP/findings.json" "v = d['value']
assert len(v) > 3
for f in v:
    for k in ('id', 'rule', 'title', 'severity', 'first', 'last', 'count', 'status', 'history'):
        assert k in f, k"
call GET '/api/findings?severity=high' "$READ"
expect 200
check "$TMP/body" "assert d['value'] and all(f['severity'] in ('high', 'critical') for f in d['value'])"
call GET '/api/findings?since=2030-01-01' "$READ"
expect 200
check "$TMP/body" "assert d['value'] == []"
call GET '/api/findings?severity=loud' "$READ"
expect 400
FID=$(python3 -c "import json; print(json.load(open('$TMP/findings.json'))['value'][0]['id'])")
call POST "/api/findings/$FID/ack" "$READ" "${JSON[@]}" -d '{"note":"x"}'
expect 403
call POST "/api/findings/$FID/ack" "$ADMIN" "${JSON[@]}" -d '{"by":"alice","note":"checked with the user","status":"resolved"}'
expect 200
check "$TMP/body" "assert d['id'] == '$FID' and d['status'] == 'resolved', d
h = d['history'][-1]
assert h['by'] == 'alice (token ops)' and h['note'] == 'checked with the user', h"
"$BIN" audit findings --json >"$TMP/cli-findings.json"
check "$TMP/cli-findings.json" "f = [f for f in d['value'] if f['id'] == '$FID'][0]
assert f['status'] == 'resolved', f"
call POST "/api/findings/${FID:0:8}/ack" "$ADMIN"
expect 200
check "$TMP/body" "assert d['status'] == 'acknowledged' and d['history'][-1]['by'] == 'ops'"
call POST /api/findings/abcdef0123/ack "$ADMIN" "${JSON[@]}" -d '{}'
expect 404
call POST "/api/findings/%25%25%25%25%25%25/ack" "$ADMIN" "${JSON[@]}" -d '{}'
expect 400
call POST "/api/findings/$FID/ack" "$ADMIN" "${JSON[@]}" -d '{"status":"closed"}'
expect 400
call GET "/api/findings/$FID/ack" "$ADMIN"
expect 405

# ---- audit: inactive users and coverage ----
call GET '/api/inactive-users?days=7' "$READ"
expect 200
cp "$TMP/body" "$TMP/inactive.json"
"$BIN" audit inactive --days 7 --json >"$TMP/cli-inactive.json"
check "$TMP/inactive.json" "c = json.load(open('$TMP/cli-inactive.json'))
assert d['days'] == 7 and d['count'] == len(d['users'])
assert sorted(u['upn'] for u in d['users']) == sorted(u['upn'] for u in c['users'])
assert d['statement'] == c['statement'] and d['tenant'] == '$TENANT'"
call GET /api/inactive-users "$READ"
expect 200
check "$TMP/body" "assert d['days'] == 90"
call GET '/api/inactive-users?days=-1' "$READ"
expect 400
call GET /api/coverage "$READ"
expect 200
check "$TMP/body" "assert d['records'] > 0 and d['tenant'] == '$TENANT' and 'gaps' in d and d['workloads']"

# ---- limits: body cap, malformed requests, slow clients ----
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/big"
call PATCH "$P" "$ADMIN" "${JSON[@]}" --data-binary @"$TMP/big"
expect 413
call PATCH "$P" "$ADMIN" "${JSON[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big"
expect 413
python3 - "$URL" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
def raw(data):
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    s.close()
    return out
for bad in (b"GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"):
    out = raw(bad)
    assert out.startswith(b"HTTP/1.1 400"), (bad, out[:100])
PY
# Slow clients trickle their headers and stall; others are still answered at once.
python3 - "$URL" "$READ" <<'PY'
import socket, subprocess, sys, threading, time, urllib.parse
url, token = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(url)
stop = threading.Event()
def slow():
    s = socket.create_connection((u.hostname, u.port))
    for ch in b"GET /security/secureScores HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ":
        if stop.is_set():
            break
        s.send(bytes([ch]))
        time.sleep(0.02)
    stop.wait(5)
    s.close()
threads = [threading.Thread(target=slow) for _ in range(6)]
for t in threads:
    t.start()
time.sleep(0.5)
try:
    for path in ("/healthz", "/security/secureScores?$top=1", "/api/coverage"):
        t0 = time.monotonic()
        r = subprocess.run(["curl", "-sf", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
                            "-H", "Authorization: Bearer " + token, url + path], capture_output=True)
        took = time.monotonic() - t0
        assert r.stdout == b"200", (path, r.stdout, r.stderr)
        assert took < 3.0, f"{path} took {took:.2f} s while slow clients were connected"
finally:
    stop.set()
    for t in threads:
        t.join()
PY

# Concurrent readers: each worker thread has its own store connection.
seq 48 | xargs -P 8 -I{} curl -sf --max-time 10 -o /dev/null -H "Authorization: Bearer $READ" \
	"$URL/security/secureScoreControlProfiles?\$top=3&n={}" || fail "a concurrent read failed"

# ---- revoked tokens ----
call GET /api/coverage "$SPARE"
expect 200
"$BIN" tokens revoke spare >/dev/null
call GET /api/coverage "$SPARE"
expect 401
expect_exit 1 "$BIN" tokens revoke spare
"$BIN" tokens list --json >"$TMP/tokens.json"
check "$TMP/tokens.json" "t = {x['name']: x for x in d['value']}
assert t['spare']['revoked'] and t['ops']['revoked'] is None and t['ops']['lastUsed']
assert all('hash' not in x for x in d['value'])"

stop "$PID" main
grep -q 'PATCH /security/secureScoreControlProfiles/AdminMFAV2" 204 ops' "$TMP/main.err" ||
	fail "the access log lacks the PATCH: $(tail -5 "$TMP/main.err")"

# ---- rate limit: 429 with Retry-After past the per-address rate; /healthz is not counted ----
start rate --rate 5 --quiet
for i in 1 2 3 4 5; do
	call GET /api/coverage "$READ"
	expect 200
done
call GET /api/coverage "$READ"
expect 429
expect_contains "$(cat "$TMP/headers")" "Retry-After:"
call GET /healthz ""
expect 200
stop "$PID" rate

# ---- TLS ----
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
		-subj /CN=127.0.0.1 >/dev/null 2>&1
	start tls --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" --quiet
	case "$URL" in https://*) ;; *) fail "TLS server URL: $URL" ;; esac
	call GET /security/secureScores "$READ" -k
	expect 200
	expect_contains "$(cat "$TMP/headers")" "Strict-Transport-Security"
	curl -s --max-time 5 "http${URL#https}/healthz" >/dev/null 2>&1 && fail "plain HTTP answered on the TLS port"
	stop "$PID" tls
fi
echo "serve tests passed"
