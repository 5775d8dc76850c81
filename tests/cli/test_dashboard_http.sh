#!/usr/bin/env bash
# The dashboard of secscore serve over plain HTTP (curl, no browser): sign-in and the session cookie,
# redirects, security headers, the state form and acknowledge buttons, refusal of cross-site and
# forged posts (which change nothing), read-only tokens, sessions that outlive a restart, end when
# idle, when their token is revoked, and on sign-out.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
TMP=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-20T12:00:00Z

out=$("$BIN" demo --users 60 --days 10 --events-per-user-day 2 --tenants 3 --out "$TMP/demo" 2>/dev/null)
expect_contains "$out" "Report: $TMP/demo/report.html"
expect_contains "$out" "Dashboard: secscore serve --db $SECSCORE_DB"
expect_contains "$out" "sign in with the token in $TMP/demo/admin.token"
[ "$(stat -c %a "$TMP/demo/admin.token")" = 600 ] || fail "admin.token is not mode 600"
ADMIN=$(cat "$TMP/demo/admin.token")
[[ $ADMIN =~ ^ss_[A-Za-z0-9_-]{43}$ ]] || fail "admin.token holds no token: $ADMIN"
# a second demo run on the same store keeps the token that still works
"$BIN" demo --users 60 --days 10 --events-per-user-day 2 --tenants 3 --out "$TMP/demo" >/dev/null 2>&1
[ "$(cat "$TMP/demo/admin.token")" = "$ADMIN" ] || fail "the demo replaced a working dashboard token"
READ=$("$BIN" tokens create --name viewer --role read 2>/dev/null)
TENANT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tenantId'])" "$TMP/demo/snapshot/manifest.json")

# start_server [SERVE-ARGS...]: runs serve on a free loopback port in the background; its address in $URL
start_server() {
	: >"$TMP/out"
	"$BIN" serve --listen 127.0.0.1:0 "$@" >"$TMP/out" 2>"$TMP/err" &
	PID=$!
	URL=
	for _ in $(seq 200); do
		URL=$(sed -n 's/^secscore: serving \(http[^ ]*\) .*/\1/p' "$TMP/out")
		[ -n "$URL" ] && break
		kill -0 "$PID" 2>/dev/null || fail "serve exited: $(cat "$TMP/err")"
		sleep 0.05
	done
	[ -n "$URL" ] || fail "the server did not start: $(cat "$TMP/err")"
}
stop_server() {
	kill -TERM "$PID"
	wait "$PID" || fail "the server exited $? after SIGTERM"
	PID=
}
start_server
expect_contains "$(cat "$TMP/out")" "secscore: the dashboard is at $URL/"

# req NAME CURL-ARGS...: the status in $STATUS, headers in $TMP/NAME.h, body in $TMP/NAME.html
req() {
	local name=$1
	shift
	STATUS=$(curl -s --max-time 10 -D "$TMP/$name.h" -o "$TMP/$name.html" -w '%{http_code}' "$@")
}
header() { grep -i "^$1:" "$TMP/$2.h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/$1.html" | head -1; }
history_len() {
	curl -sf -H "Authorization: Bearer $ADMIN" "$URL/security/secureScoreControlProfiles/AdminMFAV2?tenant=$TENANT" |
		python3 -c "import json,sys; print(len(json.load(sys.stdin)['controlStateUpdates']))"
}

# ---- without a session: every page sends to the sign-in form ----
for p in / /tenants "/controls/AdminMFAV2"; do
	req anon "$URL$p"
	[ "$STATUS" = 303 ] || fail "GET $p without a session: $STATUS"
	[ "$(header Location anon)" = /login ] || fail "GET $p redirects to $(header Location anon)"
done
req login "$URL/login"
[ "$STATUS" = 200 ] || fail "GET /login: $STATUS"
expect_contains "$(cat "$TMP/login.html")" '<form id="login" class="state" method="post" action="/login">'
csp=$(header Content-Security-Policy login)
expect_contains "$csp" "default-src 'none'"
expect_contains "$csp" "form-action 'self'"
expect_contains "$csp" "frame-ancestors 'none'"
[ "$(header X-Frame-Options login)" = DENY ] || fail "no X-Frame-Options: DENY"

# ---- sign in ----
req bad -X POST --data "token=ss_wrong" "$URL/login"
[ "$STATUS" = 401 ] || fail "a wrong token signed in: $STATUS"
expect_contains "$(cat "$TMP/bad.html")" 'class="error"'
req evil -X POST -H "Origin: http://evil.example" --data-urlencode "token=$ADMIN" "$URL/login"
[ "$STATUS" = 403 ] || fail "a sign-in posted from another origin: $STATUS"
[ -z "$(header Set-Cookie evil)" ] || fail "a cross-site sign-in got a cookie"
req in -X POST -H "Origin: $URL" --data-urlencode "token=$ADMIN" "$URL/login"
[ "$STATUS" = 303 ] || fail "sign-in: $STATUS $(cat "$TMP/in.html")"
cookie=$(header Set-Cookie in)
expect_contains "$cookie" "HttpOnly"
expect_contains "$cookie" "SameSite=Strict"
# the cookie is a session id of its own, never the token; the store keeps only its hash
SID=$(sed -n 's/^secscore_session=\(ss_s_[A-Za-z0-9_-]\{43\}\);.*/\1/p' <<<"$cookie")
[ -n "$SID" ] || fail "the sign-in cookie holds no session id: $cookie"
case $cookie in *"$ADMIN"*) fail "the session cookie holds the token" ;; esac
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM dashboard_sessions WHERE hash = '$(printf %s "$SID" | sha256sum | cut -c1-64)'")" = 1 ] ||
	fail "the store does not hold the session's hash"
[ "$(sqlite3 "$SECSCORE_DB" "SELECT count(*) FROM dashboard_sessions WHERE hash = '$SID' OR csrf = '$SID'")" = 0 ] ||
	fail "the store holds the session id itself"
JAR=(-b "secscore_session=$SID")
# a token put in the cookie by hand is not a session
req raw -b "secscore_session=$ADMIN" "$URL/"
[ "$STATUS" = 303 ] && [ "$(header Location raw)" = /login ] || fail "a token as the cookie opened a page: $STATUS"

# ---- the pages ----
req home "${JAR[@]}" "$URL/"
[ "$STATUS" = 200 ] || fail "GET / with a session: $STATUS"
[[ $(header Content-Type home) == text/html* ]] || fail "GET / is $(header Content-Type home)"
html=$(cat "$TMP/home.html")
for want in 'id="score"' 'id="controls-table"' 'id="findings-table"' 'id="controls-filter"' \
	"class=\"control-link\" href=\"/controls/" 'class="ack-form"' 'Signed in as <b>demo-dashboard</b> (admin)'; do
	expect_contains "$html" "$want"
done
score=$(curl -sf -H "Authorization: Bearer $ADMIN" "$URL/security/secureScores?\$top=1" |
	python3 -c "import json,sys; s=json.load(sys.stdin)['value'][0]; print('%.0f of %.0f points' % (s['currentScore'], s['maxScore']))")
expect_contains "$html" "$score"
[ "$(grep -c '<script>' "$TMP/home.html")" = 1 ] || fail "the page has more than its one script"
req tenants "${JAR[@]}" "$URL/tenants"
[ "$STATUS" = 200 ] || fail "GET /tenants: $STATUS"
expect_contains "$(cat "$TMP/tenants.html")" 'id="tenants-table"'
# three tenants in one store: the header lists them, /tenants has a row each, and so does the API
[ "$(grep -o 'class="tenant[ "]' "$TMP/home.html" | wc -l)" = 3 ] || fail "the header does not list the 3 tenants"
expect_contains "$html" 'class="tenant current" href="/?tenant='"$TENANT"'"'
[ "$(grep -c '<tr><td><a href="/?tenant=' "$TMP/tenants.html")" = 3 ] || fail "/tenants does not list 3 tenants"
for name in "Contoso Demo" "Fabrikam Demo" "Northwind Traders Demo"; do
	expect_contains "$(cat "$TMP/tenants.html")" "$name"
done
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/api/tenants" | python3 -c "import json,sys
v = json.load(sys.stdin)['value']
assert sorted(t['displayName'] for t in v) == ['Contoso Demo', 'Fabrikam Demo', 'Northwind Traders Demo'], v
assert all(0 <= t['percentage'] <= 100 and t['maxScore'] > 0 for t in v), v" || fail "GET /api/tenants"
# and the page shows the averages at a glance
expect_contains "$html" "Average of the store's tenants"
# Graph's averageComparativeScores from the store's tenants, marked as ours
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/security/secureScores?\$top=1&tenant=$TENANT" | python3 -c "import json,sys
s = json.load(sys.stdin)['value'][0]
a = {x['basis']: x for x in s['averageComparativeScores']}
assert a['AllTenants']['tenantCount'] == 3 and a['AllTenants']['source'] == 'secscore store', a
assert a['AllTenants']['averageScore'] > 0 and 'TotalSeats' in a, a" || fail "averageComparativeScores"
req ctl "${JAR[@]}" "$URL/controls/AdminMFAV2?tenant=$TENANT"
[ "$STATUS" = 200 ] || fail "GET /controls/AdminMFAV2: $STATUS"
for want in 'id="state-history"' 'id="score-history"' 'id="state-form"' '<option value="risk_accepted"'; do
	expect_contains "$(cat "$TMP/ctl.html")" "$want"
done
CSRF=$(csrf_of ctl)
[[ $CSRF =~ ^[0-9a-f]{64}$ ]] || fail "no CSRF token in the form"
req nope "${JAR[@]}" "$URL/controls/NoSuchControl"
[ "$STATUS" = 404 ] || fail "an unknown control: $STATUS"
req nope "${JAR[@]}" "$URL/controls/..%2F..%2Fetc"
[ "$STATUS" = 404 ] || fail "a control path with dots: $STATUS"

# ---- forged posts change nothing ----
before=$(history_len)
form=(--data-urlencode "state=risk_accepted" --data-urlencode "comment=break-glass <b>account</b>"
	--data-urlencode "assignedTo=ann@contoso-demo.com")
req f1 "${JAR[@]}" -X POST "${form[@]}" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a post without the CSRF token: $STATUS"
expect_contains "$(cat "$TMP/f1.html")" "cross-site"
req f2 "${JAR[@]}" -X POST "${form[@]}" --data "csrf=$(printf '0%.0s' $(seq 64))" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a post with a wrong CSRF token: $STATUS"
req f3 "${JAR[@]}" -X POST -H "Origin: http://evil.example" "${form[@]}" --data "csrf=$CSRF" \
	"$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a post from another origin: $STATUS"
req f4 "${JAR[@]}" -X POST -H "Sec-Fetch-Site: cross-site" "${form[@]}" --data "csrf=$CSRF" \
	"$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a post marked cross-site: $STATUS"
req f5 "${JAR[@]}" -X POST "${form[@]}" --data "csrf=$CSRF&csrf=$CSRF" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 400 ] || fail "a form with a repeated field: $STATUS"
req f6 "${JAR[@]}" -X POST -H "Origin: null" "${form[@]}" --data "csrf=$CSRF" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a post from an opaque origin (Origin: null) without Sec-Fetch-Site: $STATUS"
[ "$(history_len)" = "$before" ] || fail "a refused post changed the history"
expect_contains "$(cat "$TMP/ctl.html")" '<meta name="referrer" content="same-origin">'
[ "$(header Referrer-Policy ctl)" = same-origin ] || fail "Referrer-Policy: $(header Referrer-Policy ctl)"

# ---- the real form ----
# a browser whose referrer policy hides the origin says so in Sec-Fetch-Site
req ok "${JAR[@]}" -X POST -H "Origin: null" -H "Sec-Fetch-Site: same-origin" "${form[@]}" --data "csrf=$CSRF" \
	"$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 303 ] || fail "the state form: $STATUS $(head -c 300 "$TMP/ok.html")"
[ "$(header Location ok)" = "/controls/AdminMFAV2?tenant=$TENANT&saved=1" ] || fail "after the form: $(header Location ok)"
[ "$(history_len)" = $((before + 1)) ] || fail "the form did not add a history entry"
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/security/secureScoreControlProfiles/AdminMFAV2?tenant=$TENANT" |
	python3 -c "import json,sys
u = json.load(sys.stdin)['controlStateUpdates'][-1]
assert u['state'] == 'risk_accepted' and u['comment'] == 'break-glass <b>account</b>', u
assert u['assignedTo'] == 'ann@contoso-demo.com' and u['updatedBy'] == 'demo-dashboard', u" ||
	fail "the API does not show the form's change"
req home2 "${JAR[@]}" "$URL/?tenant=$TENANT"
expect_contains "$(cat "$TMP/home2.html")" "break-glass &lt;b&gt;account&lt;/b&gt; (demo-dashboard; assigned to ann@contoso-demo.com)"
req saved "${JAR[@]}" "$URL/controls/AdminMFAV2?tenant=$TENANT&saved=1"
expect_contains "$(cat "$TMP/saved.html")" 'class="note notice"'
expect_contains "$(cat "$TMP/saved.html")" 'break-glass &lt;b&gt;account&lt;/b&gt;'
req empty "${JAR[@]}" -X POST --data "state=planned&comment=&csrf=$CSRF" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 400 ] || fail "a state change without a reason: $STATUS"

# ---- acknowledge a finding with its button ----
FID=$(sed -n 's/.*action="\/findings\/\([0-9a-f]*\)\/ack.*/\1/p' "$TMP/home.html" | head -1)
[ -n "$FID" ] || fail "no acknowledge button on the dashboard"
req ack "${JAR[@]}" -X POST --data "csrf=$CSRF" "$URL/findings/$FID/ack?tenant=$TENANT"
[ "$STATUS" = 303 ] || fail "acknowledge: $STATUS $(head -c 300 "$TMP/ack.html")"
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/api/findings?tenant=$TENANT&\$top=1000" |
	python3 -c "import json,sys
f = [x for x in json.load(sys.stdin)['value'] if x['id'].startswith('$FID')]
assert f and f[0]['status'] == 'acknowledged', f" || fail "the finding is not acknowledged"

# ---- a read token sees the form disabled and cannot post ----
req rin -X POST --data-urlencode "token=$READ" "$URL/login"
[ "$STATUS" = 303 ] || fail "sign-in with the read token: $STATUS"
RSID=$(header Set-Cookie rin | sed -n 's/^secscore_session=\([^;]*\);.*/\1/p')
RJAR=(-b "secscore_session=$RSID")
req r "${RJAR[@]}" "$URL/controls/AdminMFAV2?tenant=$TENANT"
expect_contains "$(cat "$TMP/r.html")" '<fieldset disabled>'
expect_contains "$(cat "$TMP/r.html")" 'needs an admin token'
RCSRF=$(csrf_of r)
[ "$RCSRF" != "$CSRF" ] || fail "two sessions share a CSRF token"
req rpost "${RJAR[@]}" -X POST "${form[@]}" --data "csrf=$RCSRF" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a read token changed a state: $STATUS"
# another session's CSRF token is not accepted
req cross "${RJAR[@]}" -X POST "${form[@]}" --data "csrf=$CSRF" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 403 ] || fail "a CSRF token of another session was accepted: $STATUS"

# ---- revoking the token ends its sessions ----
"$BIN" tokens revoke viewer >/dev/null
req gone "${RJAR[@]}" "$URL/"
[ "$STATUS" = 303 ] || fail "a revoked token's session still works: $STATUS"
expect_contains "$(header Set-Cookie gone)" "Max-Age=0"

# ---- a restart keeps sessions and their CSRF tokens: an open page's form still works ----
stop_server
start_server
req again "${JAR[@]}" "$URL/controls/AdminMFAV2?tenant=$TENANT"
[ "$STATUS" = 200 ] || fail "the session did not outlive a restart: $STATUS"
[ "$(csrf_of again)" = "$CSRF" ] || fail "the CSRF token changed with the restart"
req again "${JAR[@]}" -X POST --data-urlencode "state=planned" --data-urlencode "comment=after the restart" \
	--data "csrf=$CSRF" "$URL/controls/AdminMFAV2/state?tenant=$TENANT"
[ "$STATUS" = 303 ] || fail "a form of a page from before the restart: $STATUS $(head -c 300 "$TMP/again.html")"

# ---- a session unused for 8 hours has ended (the server's clock is SECSCORE_NOW) ----
req in2 -X POST --data-urlencode "token=$ADMIN" "$URL/login"
SID2=$(header Set-Cookie in2 | sed -n 's/^secscore_session=\([^;]*\);.*/\1/p')
req idle -b "secscore_session=$SID2" "$URL/"
[ "$STATUS" = 200 ] || fail "a second session: $STATUS"
sqlite3 "$SECSCORE_DB" "UPDATE dashboard_sessions SET last_seen = '2026-11-20T04:00:00Z' WHERE hash = '$(printf %s "$SID2" | sha256sum | cut -c1-64)'"
req idle -b "secscore_session=$SID2" "$URL/"
[ "$STATUS" = 303 ] || fail "a session idle for 8 hours still works: $STATUS"
expect_contains "$(header Set-Cookie idle)" "Max-Age=0"
req idle "${JAR[@]}" "$URL/"
[ "$STATUS" = 200 ] || fail "another session ended with the idle one: $STATUS"

# ---- sign-out clears the cookie and ends the session in the store ----
req out "${JAR[@]}" -X POST --data "csrf=$CSRF" "$URL/logout"
[ "$STATUS" = 303 ] && [ "$(header Location out)" = /login ] || fail "sign-out: $STATUS"
expect_contains "$(header Set-Cookie out)" "secscore_session=; Path=/; Max-Age=0"
req after "${JAR[@]}" "$URL/"
[ "$STATUS" = 303 ] || fail "the signed-out session id still opens pages: $STATUS"

stop_server

# ---- behind a reverse proxy: --public-url is the origin forms must come from, and the links' prefix ----
PUB=https://secscore.example.test
start_server --public-url "$PUB/"
expect_contains "$(cat "$TMP/out")" "secscore: the dashboard is at $PUB/ "
req pin -X POST -H "Origin: $URL" --data-urlencode "token=$ADMIN" "$URL/login"
[ "$STATUS" = 403 ] || fail "with --public-url, a sign-in from the server's own address: $STATUS"
req pin -X POST -H "Origin: $PUB" -H "Host: 127.0.0.1" --data-urlencode "token=$ADMIN" "$URL/login"
[ "$STATUS" = 303 ] || fail "with --public-url, a sign-in from the public origin: $STATUS"
expect_contains "$(header Set-Cookie pin)" "; Secure"
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/security/secureScores?\$top=1" | python3 -c "import json,sys
d = json.load(sys.stdin)
assert d['@odata.context'].startswith('$PUB/'), d['@odata.context']
assert d['@odata.nextLink'].startswith('$PUB/security/secureScores?'), d.get('@odata.nextLink')" ||
	fail "the API's links do not use the public URL"
stop_server
out=$("$BIN" serve --listen 127.0.0.1:0 --public-url "$PUB/dashboard" 2>&1) && fail "a public URL with a path was taken"
expect_contains "$out" "no path"

echo "dashboard HTTP tests passed"
