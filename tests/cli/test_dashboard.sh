#!/usr/bin/env bash
# The web dashboard of `secscore serve` in headless Chromium, driven over chromedriver's W3C
# WebDriver protocol (tests/tools/webdriver.py, Python's standard library only). On a demo store:
# the login form and the session cookie, the score against the API, the donut, the trend, sorting
# and filtering the controls table, a control's page and its state form (recorded in the history
# and in the API), CSRF and cross-origin refusals checked with curl, acknowledging a finding, a
# read token's disabled form, the tenants page. Then hostile strings in tenant and audit data
# (user, rule, file and tenant names, finding titles, state comments, acknowledgement notes:
# <script>, "onmouseover=, <img onerror=>, terminal escapes) on every page: no dialog opens, no
# element or handler comes from the data, the text is shown literally and the page still works.
# Screenshots go to $SS_ARTIFACTS (dashboard.png is the README's). Skipped without Chromium or
# chromedriver (Debian: chromium, chromium-driver; .ci/run installs both).
set -euo pipefail
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
CHROMEDRIVER=$(command -v chromedriver || true)
if [ -z "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ]; then
	echo "SKIP: the dashboard browser tests need chromium and chromedriver" \
		"(Debian: apt-get install chromium chromium-driver; .ci/run installs both)"
	exit 0
fi
command -v curl >/dev/null || fail "curl is needed"
export CHROMIUM CHROMEDRIVER

TMP=$(mktemp -d)
SERVER=
# chromedriver runs in its own process group, which webdriver.py kills when it ends; should
# Python itself be killed, the groups it noted in this file are killed here.
export WEBDRIVER_PIDFILE=$TMP/webdriver.pids
cleanup() {
	local p
	if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; fi
	if [ -f "$WEBDRIVER_PIDFILE" ]; then
		while read -r p; do
			if pgrep -g "$p" >/dev/null 2>&1; then kill -KILL -- "-$p" 2>/dev/null || true; fi
		done <"$WEBDRIVER_PIDFILE"
	fi
	wait 2>/dev/null || true
	if [ -n "${SS_KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
ART=${SS_ARTIFACTS:-$TMP/artifacts}
mkdir -p "$ART"
rm -f "$ART"/dashboard-failed-*.png # a failure's screenshot, from an earlier run
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-01T12:00:00Z

# --- the demo: a store with a score history, an admin token for the dashboard ------------------
out=$("$BIN" demo --users 60 --days 10 --events-per-user-day 2 --tenants 3 --out "$TMP/d" 2>/dev/null)
expect_contains "$out" "Report: $TMP/d/report.html"
expect_contains "${out##*Report: }" "secscore serve" # then how to start the dashboard
[ -f "$TMP/d/admin.token" ] || fail "the demo wrote no DIR/admin.token"
[ "$(stat -c %a "$TMP/d/admin.token")" = 600 ] ||
	fail "DIR/admin.token has mode $(stat -c %a "$TMP/d/admin.token"), expected 600"
ADMIN=$(tr -d '\r\n' <"$TMP/d/admin.token")
[[ $ADMIN =~ ^ss_[A-Za-z0-9_-]{43}$ ]] || fail "DIR/admin.token does not hold a token: $ADMIN"
READ=$("$BIN" tokens create --name viewer --role read 2>/dev/null)
export ADMIN READ ART TMP BIN

# --- the server -------------------------------------------------------------------------------
"$BIN" serve --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER=$!
URL=
for _ in $(seq 200); do
	URL=$(sed -n 's/^secscore: serving \(http[^ ]*\) .*/\1/p' "$TMP/serve.out")
	[ -n "$URL" ] && break
	kill -0 "$SERVER" 2>/dev/null || fail "serve exited: $(cat "$TMP/serve.err")"
	sleep 0.05
done
[ -n "$URL" ] || fail "serve did not print its URL"
curl -sf --max-time 5 "$URL/healthz" >/dev/null || fail "serve does not answer /healthz"
export URL

# --- the browser part (Python: tests/tools/webdriver.py drives chromedriver) ----------------------
cat >"$TMP/dash.py" <<'PY'
import contextlib, http.client, json, os, re, shutil, sqlite3, subprocess, sys, time, traceback, urllib.parse
sys.path.insert(0, os.path.join(os.environ["SS_SOURCE_DIR"], "tests", "tools"))
from webdriver import AlertOpen, Driver, WebDriverError, png_size

URL, ADMIN, READ, ART, TMP, BIN = (os.environ[k] for k in ("URL", "ADMIN", "READ", "ART", "TMP", "BIN"))
U = urllib.parse.urlparse(URL)
SUBMIT = "button[type=submit], input[type=submit], button:not([type])"
STATES = ["to_address", "planned", "risk_accepted", "third_party", "alternate_mitigation", "ignored"]
T0 = time.monotonic()


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def step(msg):
    print(f"[{time.monotonic() - T0:5.1f}s] {msg}", flush=True)


def req(method, path, token=None, form=None, headers=None, cookie=None):
    """One request, redirects not followed: (status, headers, body text)."""
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=15)
    h = dict(headers or {})
    body = None
    if token:
        h["Authorization"] = "Bearer " + token
    if cookie:
        h["Cookie"] = cookie
    if form is not None:
        body = urllib.parse.urlencode(form)
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, r.headers, data


def api(path, token=None, method="GET", body=None):
    h = {"Content-Type": "application/json"} if body is not None else {}
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=15)
    c.request(method, path, body=None if body is None else json.dumps(body),
              headers=dict(h, Authorization="Bearer " + (token or ADMIN)))
    r = c.getresponse()
    data = r.read()
    c.close()
    check(200 <= r.status < 300, f"{method} {path} answered {r.status}: {data[:300]!r}")
    return json.loads(data) if data else None


def q(v):
    return urllib.parse.quote(v, safe="")


def all_pages(path, token=None):
    out, link = [], path
    while link:
        d = api(link, token)
        out += d["value"]
        nxt = d.get("@odata.nextLink")
        link = None
        if nxt:
            p = urllib.parse.urlparse(nxt)
            link = p.path + ("?" + p.query if p.query else "")
    return out


def tenants():
    db = sqlite3.connect(f"file:{os.environ['SECSCORE_DB']}?mode=ro", uri=True)
    try:
        # the demo's own tenant first, then its neighbours (demo --tenants) and the others
        return db.execute("SELECT tenant_id, name FROM tenants ORDER BY name = 'Contoso Demo' DESC, id").fetchall()
    finally:
        db.close()


def pts(v):
    return f"{v:.0f}" if abs(v - round(v)) < 0.005 else f"{v:.1f}"


def path_of(url):
    return urllib.parse.urlparse(urllib.parse.urljoin(URL + "/", url)).path


def query_of(url):
    return urllib.parse.parse_qs(urllib.parse.urlparse(urllib.parse.urljoin(URL + "/", url)).query)


def curl(*args, jar=None):
    """curl with a cookie jar; returns (status, body)."""
    out = os.path.join(TMP, "curl.body")
    cmd = ["curl", "-s", "--max-time", "10", "-o", out, "-w", "%{http_code}"]
    if jar:
        cmd += ["-b", jar, "-c", jar]
    r = subprocess.run(cmd + list(args), capture_output=True, text=True)
    check(r.returncode == 0, f"curl {' '.join(args)} failed: {r.stderr}")
    with open(out, encoding="utf-8", errors="replace") as f:
        return int(r.stdout), f.read()


def curl_login(token, name):
    jar = os.path.join(TMP, f"{name}.jar")
    st, body = curl("--data-urlencode", f"token={token}", URL + "/login", jar=jar)
    check(st == 303, f"curl POST /login answered {st}, expected 303: {body[:300]}")
    check(os.path.getsize(jar) > 0, "POST /login set no cookie for curl")
    return jar


def csrf_of(html):
    m = re.search(r'<input[^>]*name="csrf"[^>]*>', html)
    check(m, "no csrf field in the page")
    v = re.search(r'value="([^"]*)"', m.group(0))
    check(v and v.group(1), f"the csrf field has no value: {m.group(0)}")
    return v.group(1)


# ---- the browser -------------------------------------------------------------------------
@contextlib.contextmanager
def browser(name="browser"):
    """A fresh browser; when the test fails in it: the URL, the console and a screenshot."""
    d = Driver(window=(1280, 1000), log_dir=TMP)
    try:
        yield d
    except BaseException:
        try:
            text = d.alert_text()
            if text is not None:
                print(f"an alert is open: {text!r}", file=sys.stderr)
                d.accept_alert()
            print(f"the browser ({name}) is at {d.url}", file=sys.stderr)
            for level, msg in d.console():
                if level in ("SEVERE", "WARNING"):
                    print(f"console {level}: {msg.strip()[:400]}", file=sys.stderr)
            path = os.path.join(ART, f"dashboard-failed-{name}.png")
            d.screenshot(path)
            print(f"screenshot of the failure: {path}", file=sys.stderr)
        except Exception as e:
            print(f"(no diagnostics: {e})", file=sys.stderr)
        raise
    finally:
        d.quit()


def visit(d, path):
    d.get(URL + path)
    d.assert_no_alert(f"loading {path}")
    return d


def wait_path(d, want, timeout=10, what=""):
    deadline = time.monotonic() + timeout
    while True:
        d.assert_no_alert(what or f"waiting for {want}")
        cur = d.url
        if path_of(cur) == want:
            return cur
        check(time.monotonic() < deadline, f"{what}: the browser is at {cur}, expected the path {want}")
        time.sleep(0.05)


def login(d, token, via_form_checks=False):
    visit(d, "/login")
    form = d.find("form#login")
    check((form.attribute("method") or "").lower() == "post", "form#login is not method=post")
    check(path_of(form.attribute("action") or "") == "/login",
          f"form#login posts to {form.attribute('action')!r}, expected /login")
    check(form.find_all(SUBMIT), "form#login has no submit button")
    if via_form_checks:
        form.find("input[name=token]").send_keys("ss_" + "x" * 43)
        form.find(SUBMIT).click()
        d.assert_no_alert("a wrong token")
        err = d.find_all("p.error")
        check(d.status in (401, None) and err and err[0].text.strip(),
              f"a wrong token from the form: status {d.status}, p.error {[e.text for e in err]} "
              f"(at {d.url}), expected 401 with p.error{origin_hint(d)}")
        if not d.find_all("form#login"):
            visit(d, "/login")
        form = d.find("form#login")
    form.find("input[name=token]").send_keys(token)
    form.find(SUBMIT).click()
    try:
        wait_path(d, "/", what="after signing in")
    except Fail as e:
        raise Fail(f"{e} (status {d.status}){origin_hint(d)}")
    check(d.status in (200, None), f"after signing in: status {d.status}")


def origin_hint(d):
    """Why a form the browser posted may have been refused as cross-site."""
    if d.status != 403:
        return ""
    _, h, _ = req("GET", "/login")
    if (h.get("Referrer-Policy") or "").strip().lower() != "no-referrer":
        return ""
    return ("; note: under Referrer-Policy: no-referrer Chromium sends the form's POST with "
            "'Origin: null' (and Sec-Fetch-Site: same-origin), which the server takes for another site")


def rows_of(d, table):
    return d.execute(
        "return [].map.call(document.querySelectorAll(arguments[0]+' tbody tr'),function(r){"
        "return {text:r.textContent, cells:r.cells.length,"
        "visible:r.getClientRects().length>0&&getComputedStyle(r).visibility!=='hidden'}})", table)


def col_index(d, table, label):
    heads = d.execute("return [].map.call(document.querySelectorAll(arguments[0]+' thead th'),"
                      "function(h){return h.textContent.trim().toLowerCase()})", table)
    check(label in heads, f"{table} has no column {label!r}: {heads}")
    return heads.index(label)


def sort_values(d, table, i):
    return d.execute("var i=arguments[1];return [].map.call(document.querySelectorAll(arguments[0]+"
                     "' tbody tr'),function(r){return r.cells[i].getAttribute('data-sort')})", table, i)


def shoot(d, name, element=None, height=None, full=False):
    path = os.path.join(ART, name)
    if element is not None:
        element.screenshot(path, margin=8)
    elif full:
        d.screenshot_full(path, max_height=height or 6000)
    else:
        w = d.execute("return document.documentElement.clientWidth")
        d.screenshot_clip(path, 0, 0, w, height or 1000)
    w, h = png_size(path)
    size = os.path.getsize(path)
    check(size > 15000, f"{name} is only {size} bytes: the page did not render")
    step(f"screenshot {path} ({w}x{h}, {size} bytes)")
    return path


# ---- the dashboard on the demo store -----------------------------------------------
def http_checks():
    (demo_id, demo_name) = tenants()[0]
    # no session: every page sends to /login; Bearer works for curl; the login answer's cookie
    for path in ("/", "/tenants", "/controls/AdminMFAV2", f"/?tenant={q(demo_id)}"):
        st, h, _ = req("GET", path)
        check(st == 303 and path_of(h.get("Location", "")) == "/login",
              f"GET {path} without a session answered {st} Location {h.get('Location')!r}, "
              "expected 303 to /login")
    st, h, body = req("GET", "/", token=ADMIN)
    check(st == 200 and 'id="controls-table"' in body and "text/html" in h.get("Content-Type", ""),
          f"GET / with a bearer token answered {st} {h.get('Content-Type')}")
    st, h, body = req("GET", "/login")
    check(st == 200 and 'id="login"' in body, f"GET /login answered {st}")
    st, h, body = req("POST", "/login", form={"token": "ss_" + "y" * 43})
    check(st == 401 and 'class="error"' in body, f"POST /login with a wrong token answered {st}, "
          "expected 401 with p.error")
    check(not h.get_all("Set-Cookie"), "a wrong token got a cookie")
    st, h, body = req("POST", "/login", form={"token": ADMIN})
    check(st == 303 and path_of(h.get("Location", "")) == "/",
          f"POST /login answered {st} Location {h.get('Location')!r}, expected 303 to /")
    cookies = h.get_all("Set-Cookie") or []
    check(cookies, "POST /login set no cookie")
    for c in cookies:
        attrs = [a.strip().lower() for a in c.split(";")[1:]]
        check("httponly" in attrs and "samesite=strict" in attrs,
              f"the session cookie lacks HttpOnly or SameSite=Strict: {c}")
    step("no session: 303 to /login; bearer accepted; login answers 401 / 303 with the cookie")

    return demo_id, demo_name


def admin_flow(d, demo_id, demo_name):
    login(d, ADMIN, via_form_checks=True)
    jar = d.cookies()
    check(jar and all(c.get("httpOnly") and c.get("sameSite") == "Strict" for c in jar),
          f"the browser's cookies are not all HttpOnly, SameSite=Strict: {jar}")
    check(all(c.get("value", "").startswith("ss_s_") and ADMIN not in c.get("value", "") for c in jar),
          "the browser's session cookie is not a session id of its own")
    step("signed in through form#login (a wrong token first: p.error)")
    dashboard(d, demo_id, demo_name)
    run_banner(d, demo_id)
    ctl = controls(d, demo_id)
    csrf_refusals(ctl, demo_id)
    state_form(d, ctl, demo_id)
    acknowledge(d, demo_id)
    tenants_page(d, 3)
    return ctl


def dashboard(d, demo_id, demo_name):
    d.wait_for("#score svg")
    check(not d.find_all("div.run-failed"), "a div.run-failed banner on a store without failed runs")
    shoot(d, "dashboard.png", height=1000)
    # the score: the donut's text and arcs against the API's newest secureScore
    s = api("/security/secureScores?$top=1")["value"][0]
    cur, mx = s["currentScore"], s["maxScore"]
    pct = 100 * cur / mx if mx else 0
    txt = d.find("#score").text
    check(f"{pts(cur)} of {pts(mx)} points" in txt and f"{pct:.0f}%" in txt,
          f"#score says {txt!r}; the API: {cur} of {mx} ({pct:.1f}%)")
    arcs = d.execute("return [].map.call(document.querySelectorAll('#score svg circle[stroke-dasharray]'),"
                     "function(c){return c.getAttribute('stroke-dasharray')})")
    check(arcs, "the donut has no arcs (circle[stroke-dasharray])")
    circ = 2 * 3.14159265358979 * float(d.execute(
        "return document.querySelector('#score svg circle[stroke-dasharray]').getAttribute('r')"))
    first = float(arcs[0].split()[0])
    check(abs(first - circ * cur / mx) < 0.5, f"the donut's arc is {first} of {circ:.2f}; the score "
          f"says {circ * cur / mx:.2f}")
    step(f"score {pts(cur)} of {pts(mx)} ({pct:.0f}%) as the API says; donut arcs {arcs}")
    # the trend: one point per recorded score, a line through them
    scores = all_pages("/security/secureScores?$top=100")
    check(len(scores) >= 2, f"the demo store holds {len(scores)} score(s): no score history")
    pts_drawn = d.execute("var t=document.querySelector('#trend svg, .trend svg');"
                          "return t?[t.querySelectorAll('circle').length,"
                          "t.querySelectorAll('polyline').length]:null")
    check(pts_drawn, "no trend chart (#trend svg or .trend svg)")
    check(pts_drawn[0] == min(len(scores), 180) and pts_drawn[1] >= 1,
          f"the trend draws {pts_drawn[0]} points and {pts_drawn[1]} lines for {len(scores)} scores")
    step(f"trend: {pts_drawn[0]} points for {len(scores)} scores")
    # tenants in the navigation, with their scores
    links = d.find_all("nav.tenants a.tenant")
    check(len(links) == 3, f"nav.tenants lists {len(links)} a.tenant, the store has 3 tenants")
    for a in links[:1]:
        lt = a.text
        check(demo_name in lt and (f"{pct:.0f}%" in lt or f"{pct:.1f}%" in lt or pts(cur) in lt),
              f"the tenant link {lt!r} lacks the name {demo_name!r} or its score")
        check(query_of(a.attribute("href")).get("tenant", [None])[0] in (demo_id, demo_name),
              f"the tenant link points to {a.attribute('href')!r}")


def add_run(tenant, status, step=None, message=None, started="2026-11-01T03:00:00Z"):
    """A run of `serve --schedule`, as the scheduler records it (store/run_store.h)."""
    db = sqlite3.connect(os.environ["SECSCORE_DB"], timeout=10)
    try:
        db.execute("INSERT INTO schedule_runs (tenant, started, finished, status, step, message) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (tenant, started, started, status, step, message))
        db.commit()
    except sqlite3.Error as e:
        raise Fail(f"cannot record a scheduled run in the store: {e}")
    finally:
        db.close()


def run_banner(d, demo_id):
    add_run(demo_id, "failed", "collect audit", "Graph answered 401: the client secret has expired")
    d.refresh()
    d.assert_no_alert("the dashboard with a failed run")
    b = d.find_all("div.run-failed")
    check(len(b) == 1 and "collect audit" in b[0].text and "client secret has expired" in b[0].text,
          f"the tenant's latest scheduled run failed: div.run-failed {[e.text for e in b]}")
    add_run(demo_id, "ok", started="2026-11-01T03:10:00Z")
    d.refresh()
    check(not d.find_all("div.run-failed"), "div.run-failed stays after a run that succeeded")
    step("div.run-failed while the latest scheduled run has failed, gone after one that succeeded")


def controls(d, demo_id):
    rows = rows_of(d, "#controls-table")
    check(len(rows) > 30, f"#controls-table has {len(rows)} rows")
    # sorting by Points, both ways, by the numeric data-sort values
    i = col_index(d, "#controls-table", "points")
    th = d.find_all("#controls-table thead th")[i]
    before = sort_values(d, "#controls-table", i)
    for want in ("ascending", "descending"):
        th.click()
        d.assert_no_alert("sorting")
        check(th.attribute("aria-sort") == want, f"after a click Points has aria-sort "
              f"{th.attribute('aria-sort')!r}, expected {want!r}")
        others = d.execute("return document.querySelectorAll('#controls-table th[aria-sort]').length")
        check(others == 1, f"{others} headers carry aria-sort")
        vals = [float(v) for v in sort_values(d, "#controls-table", i)]
        check(vals == sorted(vals, reverse=want == "descending"), f"{want}: not in order: {vals[:12]}")
        check(len(vals) == len(before), "sorting lost rows")
    step(f"sorted by Points both ways ({len(vals)} rows, {vals[0]} .. {vals[-1]})")
    # the filter: only matching rows stay visible; emptied, all are back
    term = d.execute(
        "var rows=[].slice.call(document.querySelectorAll('#controls-table tbody tr'));"
        "var c=arguments[0];for(var k=0;k<c.length;k++){var t=c[k],"
        "a=rows.filter(function(r){return r.textContent.indexOf(t)>=0}).length,"
        "b=rows.filter(function(r){return r.textContent.toLowerCase().indexOf(t.toLowerCase())>=0}).length;"
        "if(a===b&&a>1&&a<rows.length/2)return t}return null",
        ["Exchange", "SharePoint", "Teams", "Defender", "mailbox", "MFA", "guest", "admin"])
    check(term, "no filter term matches a few controls")
    want = [term.lower() in r["text"].lower() for r in rows_of(d, "#controls-table")]
    box = d.find("input#controls-filter")
    box.send_keys(term)
    d.wait_until("return [].filter.call(document.querySelectorAll('#controls-table tbody tr'),"
                 "function(r){return r.getClientRects().length>0}).length===arguments[0]",
                 sum(want), timeout=5, what=f"filtering by {term!r}")
    got = [r["visible"] for r in rows_of(d, "#controls-table")]
    check(got == want, f"filtering by {term!r}: {sum(got)} rows visible, {sum(want)} match")
    box.send_keys("\ue003" * len(term))  # backspaces
    d.wait_until("return [].every.call(document.querySelectorAll('#controls-table tbody tr'),"
                 "function(r){return r.getClientRects().length>0})", timeout=5,
                 what="every row visible again after emptying the filter")
    step(f"filter {term!r}: {sum(want)} of {len(want)} rows visible, then all again")
    # each row links to its control's page, for this tenant
    links = d.execute(
        "return [].map.call(document.querySelectorAll('#controls-table tbody tr'),function(r){"
        "var a=r.querySelector('a.control-link');return [a?a.getAttribute('href'):null,"
        "r.cells[0].querySelector('.sub')?r.cells[0].querySelector('.sub').textContent:r.cells[0].textContent]})")
    for href, sub in links:
        check(href, f"a controls row without a.control-link: {sub[:60]!r}")
        name = urllib.parse.unquote(path_of(href).rsplit("/", 1)[-1])
        check(path_of(href) == "/controls/" + q(name) and sub.startswith(name),
              f"a.control-link {href!r} in the row of {sub[:40]!r}")
        t = query_of(href).get("tenant", [None])[0]
        check(t in (demo_id, tenants()[0][1]), f"a.control-link {href!r} does not name the tenant")
    # open the first control that misses points (the table's default order puts them first)
    d.refresh()
    d.wait_for("#controls-table a.control-link")
    link = d.find("#controls-table tbody tr a.control-link")
    href = link.attribute("href")
    ctl = urllib.parse.unquote(path_of(href).rsplit("/", 1)[-1])
    link.click()
    wait_path(d, "/controls/" + q(ctl), what="after clicking a.control-link")
    prof = api(f"/security/secureScoreControlProfiles/{q(ctl)}?tenant={q(demo_id)}")
    h1 = d.find("h1").text.strip()
    check(h1 == prof["title"], f"the control page's h1 is {h1!r}, the control's title {prof['title']!r}")
    check(d.find_all("table#score-history tbody tr"), "table#score-history has no rows")
    d.find("table#state-history")
    shoot(d, "dashboard-control.png", full=True, height=4000)
    step(f"control page of {ctl}: h1, score and state history")
    return ctl


def state_updates(ctl, tenant):
    return api(f"/security/secureScoreControlProfiles/{q(ctl)}?tenant={q(tenant)}")["controlStateUpdates"]


def csrf_refusals(ctl, tenant):
    jar = curl_login(ADMIN, "admin")
    page = f"{URL}/controls/{q(ctl)}?tenant={q(tenant)}"
    st, html = curl(page, jar=jar)
    check(st == 200, f"curl GET the control page with the session cookie answered {st}")
    csrf = csrf_of(html)
    m = re.search(r'<form[^>]*id="state-form"[^>]*>', html)
    check(m, "no form#state-form")
    action = re.search(r'action="([^"]*)"', m.group(0)).group(1).replace("&amp;", "&")
    target = urllib.parse.urljoin(URL + "/", action)
    before = state_updates(ctl, tenant)
    form = ["--data-urlencode", "state=ignored", "--data-urlencode", "comment=forged by curl"]
    for what, extra in (("no csrf field", []),
                        ("a wrong csrf field", ["--data-urlencode", "csrf=" + "A" * len(csrf)]),
                        ("an empty csrf field", ["--data-urlencode", "csrf="]),
                        ("the csrf field of another session's shape", ["--data-urlencode", "csrf=" + csrf[::-1]]),
                        ("Origin: http://evil.example", ["--data-urlencode", "csrf=" + csrf,
                                                         "-H", "Origin: http://evil.example"])):
        st, body = curl(*form, *extra, target, jar=jar)
        check(st == 403, f"a POST of the state form with {what} answered {st}, expected 403: {body[:200]}")
    st, body = curl("--data-urlencode", "csrf=", f"{URL}/findings/0123456789abcdef/ack", jar=jar)
    check(st == 403, f"an ack without a valid csrf answered {st}, expected 403")
    check(state_updates(ctl, tenant) == before, "a refused POST changed the control's state history")
    # the same POST with the session's csrf field and our own origin is taken
    st, body = curl("--data-urlencode", "state=planned", "--data-urlencode", "comment=planned via curl",
                    "--data-urlencode", "csrf=" + csrf, "-H", f"Origin: {URL}", target, jar=jar)
    check(st == 303, f"the state form with its csrf field answered {st}, expected 303: {body[:200]}")
    after = state_updates(ctl, tenant)
    check(len(after) == len(before) + 1 and after[-1]["state"] == "planned", f"not recorded: {after[-1:]}")
    step("curl: missing, wrong, empty csrf and a foreign Origin are 403 and change nothing; "
         "the right csrf is 303")


def state_form(d, ctl, tenant):
    form = d.find("form#state-form")
    check((form.attribute("method") or "").lower() == "post", "form#state-form is not method=post")
    action = form.attribute("action") or ""
    check(path_of(action) == f"/controls/{q(ctl)}/state" and
          query_of(action).get("tenant", [None])[0] in (tenant, tenants()[0][1]),
          f"form#state-form posts to {action!r}, expected /controls/{ctl}/state?tenant=...")
    opts = d.execute("return [].map.call(document.querySelectorAll('form#state-form select[name=state] "
                     "option'),function(o){return o.value})")
    check(sorted(opts) == sorted(STATES), f"the state options are {opts}")
    check(d.find_all("form#state-form textarea[name=comment]"), "no textarea[name=comment]")
    check(d.find_all("form#state-form input[name=assignedTo]"), "no input[name=assignedTo]")
    csrf = d.find_all("form#state-form input[name=csrf]")
    check(csrf and csrf[0].attribute("type") == "hidden" and csrf[0].attribute("value"),
          "no hidden input[name=csrf] with a value")
    check(d.find_all("form#state-form fieldset") and
          not d.find("form#state-form fieldset").prop("disabled"), "the admin's fieldset is disabled")
    comment = "Accepted until the <b>migration</b> & the \"new\" tenant"
    d.find("form#state-form select[name=state] option[value=risk_accepted]").click()
    d.find("form#state-form textarea[name=comment]").send_keys(comment)
    d.find("form#state-form input[name=assignedTo]").send_keys("alice@contoso-demo.com")
    form.find(SUBMIT).click()
    wait_path(d, f"/controls/{q(ctl)}", what="after submitting the state form")
    notice = d.find_all("p.notice")
    check(notice and notice[0].text.strip(), "no p.notice after saving")
    # the newest row, its cells by their headers (state, comment or why, by, when)
    heads, row = d.execute(
        "var t=document.querySelector('table#state-history'),r=t&&t.tBodies[0]&&t.tBodies[0].rows[0];"
        "function c(x){return [].map.call(x.cells,function(e){return e.textContent.trim()})}"
        "return t&&t.tHead?[c(t.tHead.rows[0]),r?c(r):null]:[null,null]")
    check(heads and row, f"table#state-history: headers {heads}, newest row {row}")
    col = {}
    for k, names in (("state", ("state",)), ("comment", ("comment", "why", "reason")), ("by", ("by",)),
                     ("when", ("when", "when (utc)", "date"))):
        i = [j for j, h in enumerate(heads) if h.lower() in names]
        check(i, f"table#state-history has no {k} column: {heads}")
        col[k] = row[i[0]]
    u = state_updates(ctl, tenant)[-1]
    check(u["state"] == "risk_accepted" and u["comment"] == comment and
          u["assignedTo"] == "alice@contoso-demo.com", f"the API's newest state update: {u}")
    check(col["state"].lower().replace("_", " ").startswith("risk accepted"), f"state cell {col['state']!r}")
    check(comment in col["comment"], f"comment cell {col['comment']!r}, expected {comment!r}")
    check(u["updatedBy"] and u["updatedBy"] in col["by"], f"by cell {col['by']!r}, the API: {u['updatedBy']!r}")
    check(col["when"], "empty when cell")
    step(f"state form: risk_accepted with a comment, newest in table#state-history and the API (by {u['updatedBy']})")


def findings_api(tenant):
    return all_pages(f"/api/findings?$top=1000&tenant={q(tenant)}")


def acknowledge(d, tenant):
    visit(d, f"/?tenant={q(tenant)}")
    fs = findings_api(tenant)
    n_open = sum(f["status"] == "open" for f in fs)
    forms = d.find_all("form.ack-form")
    check(len(forms) == min(n_open, 300), f"{len(forms)} form.ack-form for {n_open} open findings")
    info = d.execute(
        "var f=document.querySelector('#findings-table form.ack-form'),r=f.closest('tr');"
        "return [f.getAttribute('action'),(f.getAttribute('method')||'').toLowerCase(),"
        "!!f.querySelector('input[type=hidden][name=csrf]'),r.cells[1].textContent]")
    action, method, has_csrf, key = info
    check(method == "post" and has_csrf, f"form.ack-form: method {method!r}, csrf field {has_csrf}")
    m = re.search(r"/findings/([^/?]+)/ack", action or "")
    check(m, f"form.ack-form posts to {action!r}")
    fid = urllib.parse.unquote(m.group(1))
    match = [f for f in fs if f["id"].startswith(fid)]
    check(len(match) == 1 and match[0]["status"] == "open", f"the form's finding {fid}: {match}")
    d.find("#findings-table form.ack-form button.ack").click()
    wait_path(d, "/", what="after acknowledging")
    st = d.execute(
        "var k=arguments[0],rs=[].filter.call(document.querySelectorAll('#findings-table tbody tr'),"
        "function(r){return r.cells[1].textContent===k});"
        "return rs.map(function(r){return [r.cells[r.cells.length-1].textContent,"
        "!!r.querySelector('form.ack-form')]})", key)
    check(len(st) == 1, f"{len(st)} rows of the acknowledged finding after the ack")
    check("acknowledged" in st[0][0].lower() and not st[0][1],
          f"the finding's row after the ack: status {st[0][0]!r}, ack form {st[0][1]}")
    f = [f for f in findings_api(tenant) if f["id"] == match[0]["id"]][0]
    check(f["status"] == "acknowledged", f"GET /api/findings says {f['status']!r}")
    shoot(d, "dashboard-findings.png", element=d.find("#findings"))
    step(f"acknowledged finding {match[0]['id'][:8]} with its button.ack: shown and in the API")


def tenants_page(d, n):
    visit(d, "/tenants")
    rows = d.find_all("table#tenants-table tbody tr")
    check(len(rows) == n, f"table#tenants-table has {len(rows)} rows for {n} tenants")
    step(f"/tenants: {n} row(s)")


def read_session(d, ctl, tenant):
    # a fresh session: the admin's cookie is dropped, so the browser is signed out
    d.delete_cookies()
    visit(d, "/")
    check(path_of(d.url) == "/login", f"without its cookie the browser is at {d.url}, not /login")
    login(d, READ)
    visit(d, f"/controls/{q(ctl)}?tenant={q(tenant)}")
    fs = d.find_all("form#state-form fieldset")
    check(fs and fs[0].prop("disabled") is True, "a read token's state form is not disabled")
    notice = " ".join(e.text for e in d.find_all("p.notice")).lower()
    check("admin" in notice, f"the read token's p.notice does not say an admin token is needed: {notice!r}")
    step("read token in a fresh session: the state form is disabled, p.notice says why")
    # and the server refuses it even with the session's csrf field
    jar = curl_login(READ, "read")
    st, html = curl(f"{URL}/controls/{q(ctl)}?tenant={q(tenant)}", jar=jar)
    before = state_updates(ctl, tenant)
    st, body = curl("--data-urlencode", "state=ignored", "--data-urlencode", "comment=read token",
                    "--data-urlencode", "csrf=" + csrf_of(html),
                    f"{URL}/controls/{q(ctl)}/state?tenant={q(tenant)}", jar=jar)
    check(st == 403, f"a read session's state POST answered {st}, expected 403")
    check(state_updates(ctl, tenant) == before, "a read session's POST changed the history")


# ---- hostile strings ------------------------------------------------------------------
ESC = "\x1b]0;pwned\x07"
SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"
ATTR = "\"onmouseover=alert(1) x=\""
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
H = {
    "esc": ESC, "script": SCRIPT, "attr": ATTR, "img": IMG, "control": "AdminMFAV2",
    "file": "<u>x\"onmouseover=alert(1)" + ESC + ".json",
    "title": "=HYPERLINK(\"http://evil.example\") " + SCRIPT,
    "by": IMG + ESC, "reason": SCRIPT + ATTR + ESC,
    "patch": "<svg onload=alert(3)>" + SCRIPT.replace("script'", "patch'") + ESC,
    "assigned": IMG.replace("'img'", "'assigned'") + ATTR,  # no ']' (stored as "[assignedTo: X]")
    "ackby": ATTR + ESC + "<b>ack</b>", "note": IMG.replace("'img'", "'note'") + SCRIPT,
    "name": SCRIPT.replace("'script'", "'tenant'") + ATTR + ESC + IMG.replace("'img'", "'tenant'"),
    "tenantId": "t\"onmouseover=alert(1) x=\"<script>&amp;?tenant=x#",
}


def clean(s):
    return s.replace("\x1b", "\\x1b").replace("\x07", "\\x07")


PAGE_CHECK = r"""
var out = {pwned: document.documentElement.hasAttribute('data-pwned') ||
                  (document.body && document.body.hasAttribute('data-pwned')),
           handlers: [], scripts: [], injected: [], tables: []};
document.querySelectorAll('*').forEach(function(e) {
  for (var i = 0; i < e.attributes.length; i++)
    if (/^on/i.test(e.attributes[i].name))
      out.handlers.push(e.tagName + ' ' + e.attributes[i].name + '=' + e.attributes[i].value.slice(0, 40));
});
[].forEach.call(document.scripts, function(s) {
  out.scripts.push({src: s.getAttribute('src'), text: s.textContent.slice(0, 60)});
});
document.querySelectorAll('img, u, iframe, object, embed, svg script, base').forEach(function(e) {
  out.injected.push(e.outerHTML.slice(0, 80));
});
document.querySelectorAll('table').forEach(function(t) {
  var w = t.tHead && t.tHead.rows.length ? t.tHead.rows[0].cells.length : 0;
  if (!w || !t.tBodies.length) return;
  [].forEach.call(t.tBodies[0].rows, function(r) {
    var n = 0; [].forEach.call(r.cells, function(c) { n += c.colSpan; });
    if (n !== w) out.tables.push((t.id || 'table') + ': a row of ' + n + ' cells under ' + w + ' headers');
  });
});
out.text = document.body.textContent + ' ' + document.title;
return out;
"""


def assert_clean(d, where, texts=(), itexts=()):
    d.assert_no_alert(where)
    r = d.execute(PAGE_CHECK)
    check(not r["pwned"], f"{where}: an injected script ran (data-pwned is set)")
    check(not r["handlers"], f"{where}: event handler attributes: {r['handlers'][:5]}")
    check(len(r["scripts"]) == 1 and not r["scripts"][0]["src"],
          f"{where}: script elements other than the page's own: {r['scripts']}")
    check(not r["injected"], f"{where}: elements from the data: {r['injected'][:5]}")
    check(not r["tables"], f"{where}: broken tables: {r['tables'][:5]}")
    check("\x1b" not in r["text"] and "\x07" not in r["text"], f"{where}: a raw terminal escape is shown")
    for t in texts:
        check(clean(t) in r["text"], f"{where}: the literal text {clean(t)!r} is not shown")
    for t in itexts:
        check(clean(t).lower() in r["text"].lower(), f"{where}: the literal text {clean(t)!r} is not shown")
    # hovering everything runs nothing either
    d.execute("document.querySelectorAll('body *').forEach(function(e){['mouseover','mouseenter',"
              "'mousemove','focus'].forEach(function(k){e.dispatchEvent(new MouseEvent(k,{bubbles:true}))})})")
    time.sleep(0.1)
    d.assert_no_alert(f"{where}, after hovering every element")
    check(not d.execute("return document.documentElement.hasAttribute('data-pwned')||"
                        "document.body.hasAttribute('data-pwned')"), f"{where}: data-pwned after hovering")


def still_sorts(d, where):
    if not d.find_all("#controls-table"):
        return
    th = d.find_all("#controls-table thead th")[col_index(d, "#controls-table", "points")]
    th.click()
    check(th.attribute("aria-sort") == "ascending", f"{where}: the page's own script no longer sorts")


def hostile_data():
    """Hostile strings in the store: audit records (user, operation, workload, file name) that
    become a finding, a finding with a hostile title, rule, user and summary, a state change
    with a hostile author and reason, a second tenant with a hostile id and display name, a
    failed scheduled run with a hostile step and message, and through the API a hostile state
    comment and acknowledgement."""
    ts = dict(tenants())
    demo_id = [t for t, n in ts.items() if n == "Contoso Demo"][0]
    H["demo"] = demo_id
    user = H["script"] + H["attr"] + H["esc"] + "@evil.example"
    inp = os.path.join(TMP, "in")
    os.makedirs(inp, exist_ok=True)
    recs = [
        {"Id": "0f0f0f0f-0000-4000-8000-000000000001", "CreationTime": "2026-10-30T10:00:00",
         "RecordType": 8, "Operation": "Add member to role.", "Workload": "AzureActiveDirectory",
         "UserId": user, "ClientIP": "203.0.113.9", "ResultStatus": "Success",
         "ModifiedProperties": [{"Name": "Role.DisplayName", "NewValue": H["img"], "OldValue": ""}]},
        {"Id": "0f0f0f0f-0000-4000-8000-000000000002", "CreationTime": "2026-10-30T11:00:00",
         "RecordType": 1, "Operation": H["img"] + H["esc"], "Workload": H["script"] + H["attr"] + H["esc"],
         "UserId": user, "ClientIP": "203.0.113.9"},
    ]
    with open(os.path.join(inp, H["file"]), "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    run(BIN, "audit", "ingest", inp)
    db = sqlite3.connect(os.environ["SECSCORE_DB"], timeout=10)
    try:
        db.execute(
            "INSERT INTO findings (tenant, id, rule, title, severity, severity_rank, user, first, last,"
            " count, summary, evidence, status, created, updated) VALUES ((SELECT id FROM tenants"
            " WHERE tenant_id = ?), 'ffffffffinjected', ?, ?, 'critical', 4, ?, 1793440000000,"
            " 1793440000000, 1, ?, ?, 'open', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
            (demo_id, "rule" + H["img"], H["title"], "@SUM(1)" + H["attr"] + H["esc"],
             "-2+3 " + H["img"] + " " + H["esc"], json.dumps([H["script"]])))
        db.commit()
    finally:
        db.close()
    run(BIN, "controls", "set", H["control"], "--state", "third_party", "--reason", H["reason"],
        "--by", H["by"])
    add_run(demo_id, "failed", "collect " + H["img"], H["script"] + H["attr"] + H["esc"],
            started="2026-11-01T04:00:00Z")
    # the hostile tenant: the demo's snapshot under a hostile id and display name
    evil = os.path.join(TMP, "evil")
    shutil.copytree(os.path.join(TMP, "d", "snapshot"), evil)
    for name, obj in (("manifest.json", None), (os.path.join("graph", "organization.json"), "value")):
        path = os.path.join(evil, name)
        doc = json.load(open(path))
        o = doc[obj][0] if obj else doc
        o["tenantId" if not obj else "id"], o["displayName"] = H["tenantId"], H["name"]
        json.dump(doc, open(path, "w"))
    run(BIN, "score", evil)
    check(H["tenantId"] in dict(tenants()), f"the hostile tenant is not in the store: {tenants()}")
    # and through the API: a state comment, an assignment and an acknowledgement
    api(f"/security/secureScoreControlProfiles/{q(H['control'])}?tenant={q(demo_id)}", method="PATCH",
        body={"state": "planned", "comment": H["patch"], "assignedTo": H["assigned"]})
    target = [f for f in findings_api(demo_id) if f["status"] == "open" and f["id"] != "ffffffffinjected"][0]
    api(f"/api/findings/{target['id']}/ack?tenant={q(demo_id)}", method="POST",
        body={"by": H["ackby"], "note": H["note"]})
    step("hostile strings put in the store")


def run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    check(r.returncode == 0, f"{' '.join(cmd[1:3])} exited {r.returncode}: {r.stderr[-500:]}")
    return r.stdout


def hostile_pages(d):
    demo_id, evil_id, ctl = H["demo"], H["tenantId"], H["control"]
    user = H["script"] + H["attr"] + H["esc"] + "@evil.example"
    pages = [
        (f"/?tenant={q(demo_id)}", [H["title"], "rule" + H["img"], H["file"], H["note"], H["ackby"],
                                    H["name"], "collect " + H["img"], H["script"] + H["attr"] + H["esc"]],
         [user]),  # the detection lower-cases user names
        (f"/?tenant={q(evil_id)}", [H["name"]], []),
        ("/", [H["name"]], []),
        ("/tenants", [H["name"]], []),
        (f"/controls/{q(ctl)}?tenant={q(demo_id)}", [H["by"], H["reason"], H["patch"], H["assigned"]], []),
        (f"/controls/{q(ctl)}?tenant={q(evil_id)}", [], []),
    ]
    login(d, ADMIN)
    known = set(dict(tenants())) | set(dict(tenants()).values())
    for path, texts, itexts in pages:
        visit(d, path)
        assert_clean(d, path, texts, itexts)
        still_sorts(d, path)
        # links and forms name the tenants intact, the hostile id too
        for a in d.execute("return [].map.call(document.querySelectorAll('a[href], form[action]'),"
                           "function(e){return e.getAttribute('href')||e.getAttribute('action')})"):
            t = query_of(a).get("tenant", [None])[0]
            check(t is None or t in known, f"{path}: {a!r} names the tenant {t!r}, not one of the store's")
        if path.startswith("/controls/") and evil_id in path:
            action = d.find("form#state-form").attribute("action")
            check(query_of(action).get("tenant", [None])[0] in (evil_id, H["name"]),
                  f"the hostile tenant's state form posts to {action!r}")
        step(f"hostile strings on {urllib.parse.unquote(path)[:50]!r}: no dialog, no element or "
             "handler from the data, shown as text, the page still sorts")
        if path == f"/?tenant={q(evil_id)}":
            check(clean(H["name"]) in d.find("h1").text, "the hostile tenant's name is not the h1")
            shoot(d, "dashboard-hostile.png", height=1000)
        if path == f"/?tenant={q(demo_id)}":
            x, y, w, h = d.execute("var r=document.querySelector('#findings').getBoundingClientRect();"
                                   "return [r.left+scrollX,r.top+scrollY,r.width,r.height]")
            d.screenshot_clip(os.path.join(ART, "dashboard-hostile-findings.png"),
                              x - 8, y - 8, w + 16, min(h, 900) + 16)
    links = d.execute("return document.querySelectorAll('nav.tenants a.tenant').length")
    check(links == 4, f"nav.tenants has {links} a.tenant for 4 tenants")
    tenants_page(d, 4)


def main():
    demo_id, demo_name = http_checks()
    with browser() as d:
        ctl = admin_flow(d, demo_id, demo_name)
        read_session(d, ctl, demo_id)
        d.delete_cookies()
        hostile_data()
        hostile_pages(d)


try:
    main()
except (Fail, AlertOpen, WebDriverError, AssertionError) as e:
    print(f"FAIL: {e}", file=sys.stderr)
    if not isinstance(e, Fail):
        traceback.print_exc()
    sys.exit(1)
step("passed")
PY

timeout --foreground 150 python3 "$TMP/dash.py" ||
	fail "the dashboard in the browser (server log: $(tail -5 "$TMP/serve.err"))"

# --- the server stops cleanly -------------------------------------------------------------------
kill -TERM "$SERVER"
rc=0
wait "$SERVER" || rc=$?
SERVER=
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM: $(tail -5 "$TMP/serve.err")"
ls -l "$ART"/dashboard*.png
echo "dashboard browser tests passed"
