#!/usr/bin/env bash
# `secscore report`: HTML (self-contained, charts, well-formed, escaped), Markdown, CSV (neutralised
# formulas) and Graph-shaped JSON from a demo store; the demo writes DIR/report.html; hostile
# strings in user names, finding titles and file names never come out unescaped; with Chromium
# installed, the page is rendered to a PNG (kept in $SS_ARTIFACTS) and its DOM checked.
set -euo pipefail
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap '[ -n "${SS_KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT
ART=${SS_ARTIFACTS:-$TMP}
mkdir -p "$ART"
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-01T12:00:00Z

# --- the demo writes its report and ends by printing the path ---------------------------------
out=$("$BIN" demo --users 60 --days 10 --events-per-user-day 2 --out "$TMP/d" 2>/dev/null)
expect_contains "$out" "Report: $TMP/d/report.html"
[ -s "$TMP/d/report.html" ] || fail "demo did not write DIR/report.html"
# one more score: the demo's six weeks of history, today's and this one give the trend 8 points
"$BIN" controls set AdminMFA --state risk_accepted --reason "break-glass review" --by "Ann Admin" >/dev/null

# --- hostile strings in the store ---------------------------------------------------------------
# Audit records whose UserId, Operation and Workload carry markup and a terminal escape, in a
# file whose name does too; "Add member to role." makes the shipped rule turn one into a finding.
ESC=$'\x1b]0;pwned\x07'
SCRIPT="<script>document.body.setAttribute('data-pwned','script')</script>"
ATTR="\"onmouseover=alert(1) x=\""
IMG="<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
mkdir -p "$TMP/in"
hostile_file="$TMP/in/<u>x\"onmouseover=alert(1)${ESC}.json"
python3 - "$hostile_file" "$SCRIPT" "$ATTR" "$IMG" "$ESC" <<'PY'
import json, sys
path, script, attr, img, esc = sys.argv[1:6]
user = script + attr + esc + "@evil.example"
recs = [
    {"Id": "0f0f0f0f-0000-4000-8000-000000000001", "CreationTime": "2026-10-30T10:00:00",
     "RecordType": 8, "Operation": "Add member to role.", "Workload": "AzureActiveDirectory",
     "UserId": user, "ClientIP": "203.0.113.9", "ResultStatus": "Success",
     "ModifiedProperties": [{"Name": "Role.DisplayName", "NewValue": img, "OldValue": ""}]},
    {"Id": "0f0f0f0f-0000-4000-8000-000000000002", "CreationTime": "2026-10-30T11:00:00",
     "RecordType": 1, "Operation": img + esc, "Workload": script + attr + esc,
     "UserId": user, "ClientIP": "203.0.113.9"},
]
with open(path, "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
PY
"$BIN" audit ingest "$TMP/in" --json >"$TMP/ingest.json" 2>/dev/null || fail "ingest of the hostile records failed"
# A finding written straight into the store (findings table of migration 4): hostile title,
# user, summary, rule and evidence, and formula cells for the CSV check.
sql_str() { printf "'%s'" "${1//\'/\'\'}"; }
sqlite3 "$SECSCORE_DB" "INSERT INTO findings (tenant, id, rule, title, severity, severity_rank, user,
  first, last, count, summary, evidence, status, created, updated) VALUES
  ((SELECT id FROM tenants ORDER BY id LIMIT 1), 'ffffffffinjected', $(sql_str "rule$IMG"),
   $(sql_str "=HYPERLINK(\"http://evil.example\") $SCRIPT"), 'critical', 4, $(sql_str "@SUM(1)$ATTR$ESC"),
   1793440000000, 1793440000000, 1, $(sql_str "-2+3 $IMG $ESC"),
   $(sql_str "[\"+cmd|' /C calc'!A0\", \"$(printf '%s' "$SCRIPT" | sed 's/"/\\"/g')\"]"), 'open',
   '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');"

# --- HTML ---------------------------------------------------------------------------------------
expect_exit 0 "$BIN" report --out "$TMP/r.html"
(cd "$TMP" && "$BIN" report >/dev/null && [ -s secscore-report.html ]) || fail "default html path"
expect_exit 0 "$BIN" report --format md --out "$TMP/r.md"
expect_exit 0 "$BIN" report --format csv --out "$TMP/r.csv"
"$BIN" report --format json >"$TMP/r.json"
"$BIN" report --format csv >"$TMP/stdout.csv"
"$BIN" report --format md >"$TMP/stdout.md"
cmp -s "$TMP/stdout.md" "$TMP/r.md" || fail "md on stdout and in a file differ"

python3 - "$TMP/r.html" "$TMP/d/report.html" <<'PY'
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "circle", "line", "rect", "polyline", "polygon", "path", "stop"}

class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids = [], [], set()
        self.svgs = self.scripts = 0
        self.text = []
        self.tables = {}
        self.cur_table = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k.startswith("on"):
                self.errors.append(f"event handler attribute {k} on <{tag}>")
            if k in ("src", "href", "xlink:href", "action", "srcset", "data", "poster") and v and \
                    ("http://" in v or "https://" in v or v.startswith("//")):
                self.errors.append(f"external reference {k}={v!r} on <{tag}>")
        if tag == "script":
            self.scripts += 1
            if "src" in a:
                self.errors.append("<script src>")
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.errors.append("<link rel=stylesheet>")
        if tag in ("iframe", "object", "embed", "img", "form", "base"):
            self.errors.append(f"unexpected <{tag}>")
        if tag == "svg":
            self.svgs += 1
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table":
            self.cur_table = a.get("id")
            self.tables[self.cur_table] = 0
        if tag == "tr" and self.cur_table:
            self.tables[self.cur_table] += 1
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "table":
            self.cur_table = None
    def handle_data(self, d):
        self.text.append(d)

for path in sys.argv[1:]:
    src = open(path, encoding="utf-8").read()
    c = Check()
    c.feed(src)
    c.close()
    assert not c.errors, (path, c.errors[:5])
    assert not c.stack, (path, "unclosed", c.stack)
    assert src.startswith("<!DOCTYPE html>"), path
    assert c.scripts == 1, c.scripts
    assert c.svgs >= 5, c.svgs   # donut, trend, two breakdowns, coverage
    for want in ("score", "controls", "findings", "coverage", "plan", "next"):
        assert want in c.ids, (path, want)
    assert c.tables.get("controls-table", 0) > 30, c.tables
    assert c.tables.get("findings-table", 0) > 5, c.tables
    text = "".join(c.text)
    assert "Secure score" in text and "Contoso Demo" in text
    assert "Trend" in text and ("8 scores" in text or path.endswith("d/report.html")), "trend"
    assert "Target plan: 80%" in text
    assert "Days without records" in text or "days without records" in text
    assert "Evidence:" in text
    assert "Content-Security-Policy" in src and "default-src 'none'" in src
    # the donut: an svg labelled with the score, arcs drawn with stroke-dasharray
    i = src.index('id="score"')
    donut = src[i:src.index("</svg>", i)]
    assert "Secure score" in donut and "stroke-dasharray" in donut and "%</text>" in donut, donut[:300]
print("html structure ok")
PY

# No hostile string survives unescaped in any format; their escaped forms are there.
python3 - "$TMP" <<'PY'
import csv, io, json, sys
t = sys.argv[1]
html = open(f"{t}/r.html", encoding="utf-8").read()
md = open(f"{t}/r.md", encoding="utf-8").read()
csvs = [open(f"{t}/{n}", encoding="utf-8", newline="").read()
        for n in ("r.csv", "r-findings.csv", "stdout.csv")]
raw = ["<script", "<img", "<u>x", "\"onmouseover", "\x1b", "\x07"]
for name, doc in [("html", html), ("md", md)] + [(f"csv{i}", c) for i, c in enumerate(csvs)]:
    low = doc.lower().replace("<script>document.documentelement.classname='js'", "", 1)
    for r in raw:
        if name.startswith("csv") and r in ("<script", "<img", "<u>x", "\"onmouseover"):
            continue  # CSV is not markup: these stay literal text inside quoted cells
        assert r not in low, (name, repr(r))
# our one script is the only <script> in the html; every hostile one is escaped text
assert html.count("<script>") == 1 and html.count("&lt;script&gt;document.body") >= 3, html.count("&lt;script&gt;")
assert "&lt;img src=x onerror=&quot;" in html
assert "&lt;u&gt;x&quot;onmouseover=alert(1)\\x1b]0;pwned\\x07.json" in html, "file name"
assert "&quot;onmouseover=alert(1) x=&quot;" in html
assert "\\x1b]0;pwned\\x07" in html and "\\\\x1b\\]0;pwned\\\\x07" in md
assert "&lt;script&gt;" in md and "&lt;img src=x" in md
# md: no raw pipe from data can split a row: every table row has as many cells as its header
for block in md.split("\n\n"):
    lines = [l for l in block.split("\n") if l.startswith("|")]
    if len(lines) < 2:
        continue
    def cells(l):
        n, i = 0, 0
        while i < len(l):
            if l[i] == "\\":
                i += 2
                continue
            n += l[i] == "|"
            i += 1
        return n
    widths = {cells(l) for l in lines}
    assert len(widths) == 1, (widths, lines[:3])
# CSV: every cell of every row parses; none starts with a formula character
for c in csvs:
    rows = [r for r in csv.reader(io.StringIO(c)) if r]
    assert len(rows) > 10
    for r in rows:
        for cell in r:
            assert not cell[:1] in ("=", "+", "-", "@", "\t", "\r"), cell
ctl = list(csv.reader(io.StringIO(csvs[0])))
assert ctl[0][:3] == ["controlName", "title", "controlCategory"], ctl[0]
fnd = list(csv.reader(io.StringIO(csvs[1])))
assert fnd[0][:3] == ["id", "severity", "status"], fnd[0]
inj = [r for r in fnd if r[0] == "ffffffffinjected"][0]
assert inj[4].startswith("'=HYPERLINK"), inj[4]
assert inj[5].startswith("'@SUM"), inj[5]
assert inj[9].startswith("'-2+3"), inj[9]
assert "+cmd" in inj[10]
# stdout CSV: both tables, separated by an empty line
assert "\r\n\r\n\"id\",\"severity\"" in csvs[2]
# JSON: Graph shapes
j = json.load(open(f"{t}/r.json"))
for k in ("secureScore", "secureScoreControlProfiles", "findings", "coverage", "history", "plan", "nextActions"):
    assert k in j, k
s = j["secureScore"]
for k in ("id", "azureTenantId", "createdDateTime", "currentScore", "maxScore", "controlScores",
          "enabledServices", "averageComparativeScores", "vendorInformation"):
    assert k in s, k
assert len(s["controlScores"]) > 30 and "controlName" in s["controlScores"][0]
p = j["secureScoreControlProfiles"]
assert len(p) >= len(s["controlScores"])
for k in ("id", "title", "maxScore", "controlCategory", "service", "actionType", "tier", "userImpact",
          "implementationCost", "rank", "threats", "remediation", "controlStateUpdates"):
    assert k in p[0], k
assert any(u.get("updatedBy") == "Ann Admin" for x in p for u in x["controlStateUpdates"])
assert len(j["history"]) == 8
assert j["plan"]["targetPercentage"] == 80 and "actions" in j["plan"]
assert j["coverage"]["records"] > 1000 and "gaps" in j["coverage"]
assert any(f["id"] == "ffffffffinjected" for f in j["findings"])
assert any(f["rule"] == "m365_role_member_added" and "<script" in (f["user"] or "") for f in j["findings"]), \
    "the hostile audit record did not become a finding"
print("escaping, csv and json ok")
PY

# --- usage and errors -----------------------------------------------------------------------------
expect_exit 0 "$BIN" report --help
expect_exit 2 "$BIN" report --format pdf
expect_exit 2 "$BIN" report --target 101
expect_exit 2 "$BIN" report --target abc
expect_exit 2 "$BIN" report extra
expect_exit 1 env SECSCORE_DB="$TMP/none.db" "$BIN" report --format md
expect_exit 1 "$BIN" report --tenant no-such-tenant --format md
expect_exit 0 "$BIN" report --target 95 --format md
"$BIN" report --format json --target 30 | python3 -c 'import json,sys; p=json.load(sys.stdin)["plan"]; assert p["targetPercentage"] == 30 and not p["actions"], p'

# --- headless Chromium: the page renders, and nothing injected runs --------------------------------
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium is not installed; the browser check of the HTML report did not run"
	echo "cli report tests passed"
	exit 0
fi
chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/chr" "$@" 2>/dev/null
}
cp "$TMP/r.html" "$TMP/report.html"
chrome --screenshot="$ART/report.png" --window-size=1280,2000 "file://$TMP/report.html" >/dev/null
[ -f "$ART/report.png" ] || fail "chromium wrote no screenshot"
size=$(stat -c %s "$ART/report.png")
[ "$size" -gt 20000 ] || fail "the screenshot is only $size bytes"
cp "$TMP/d/report.html" "$TMP/report-demo.html"
chrome --screenshot="$ART/report-demo.png" --window-size=1280,2000 "file://$TMP/report-demo.html" >/dev/null || true
chrome --dump-dom "file://$TMP/report.html" >"$TMP/dom.html"
python3 - "$TMP/dom.html" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
assert "<svg" in dom and "controls-table" in dom, "the page did not render"
assert re.search(r'<html[^>]*class="js"', dom), "the sort script did not run (is its CSP hash right?)"
assert not re.search(r"<[a-z][^>]*data-pwned", dom), "an injected script ran"
assert not re.search(r"<(img|u)[\s>]", dom), "an element from the data exists"
assert not re.search(r"<[a-z][^>]*\son[a-z]+=", dom), "an event handler attribute exists"
assert dom.count("<script") == 1, "a script element from the data exists"
assert "&lt;script&gt;document.body.setAttribute('data-pwned','script')&lt;/script&gt;" in dom, "escaped text"
assert "&lt;u&gt;x\"onmouseover=alert(1)\\x1b]0;pwned\\x07.json" in dom or \
    "&lt;u&gt;x&quot;onmouseover=alert(1)\\x1b]0;pwned\\x07.json" in dom, "escaped file name"
print("chromium: rendered, the page's own script ran, no injected script or element")
PY
echo "screenshot: $ART/report.png ($size bytes)"
echo "cli report tests passed"
