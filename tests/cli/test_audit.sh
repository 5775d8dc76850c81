#!/usr/bin/env bash
# audit ingest / stats / grep over every input shape: NDJSON (BOM, CRLF, no final newline), a
# content blob, the Purview and Search-UnifiedAuditLog CSV exports (UTF-16LE, #TYPE), Sentinel,
# .gz and .zst, stdin; dedup within and across runs; rejects with file:line; incremental reads.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-20T00:00:00Z
D=$TMP/in
mkdir -p "$D/sub"

python3 - "$D" <<'PY'
import gzip, json, sys
d = sys.argv[1]
def rec(i, day, op="UserLoggedIn", user="alice@contoso.example", **kw):
    r = {"CreationTime": f"2026-11-{day:02d}T10:{i % 60:02d}:00", "Id": f"00000000-0000-4000-8000-{i:012d}",
         "Operation": op, "OrganizationId": "11111111-2222-3333-4444-555555555555", "RecordType": 15,
         "ResultStatus": "Success", "UserType": 0, "Workload": "AzureActiveDirectory",
         "ClientIP": "203.0.113.7:5123", "UserId": user, "ErrorNumber": "0"}
    r.update(kw)
    return r
# NDJSON with a BOM, CRLF, a duplicate, a malformed line, a record without time, no final newline
lines = [json.dumps(rec(1, 1)), json.dumps(rec(2, 1, user="Bob@Contoso.example")), json.dumps(rec(1, 1)),
         '{"Id":tru}', json.dumps({"Id": "x", "Operation": "Nothing"}),
         json.dumps(rec(3, 3, op="UserLoginFailed", ErrorNumber="50126"))]
open(f"{d}/a.json", "wb").write(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
# a content blob, pretty-printed, one record also in a.json
blob = [rec(2, 1, user="Bob@Contoso.example"), rec(10, 4, op="New-InboxRule", RecordType=1, Workload="Exchange",
        Parameters=[{"Name": "ForwardTo", "Value": "x@evil.example"}, {"Name": "Name", "Value": "."}]),
        rec(11, 4, op="FileDownloaded", Workload="SharePoint", RecordType=6)]
open(f"{d}/sub/blob.json", "w").write(json.dumps(blob, indent=2))
# Purview CSV export: AuditData JSON with doubled quotes, a pretty-printed cell with newlines
def csvq(s): return '"' + s.replace('"', '""') + '"'
rows = ["RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames"]
r20 = rec(20, 5, user="carol@contoso.example")
rows.append(",".join(["r20", "11/5/2026 10:20:00 AM", "15", "UserLoggedIn", "carol@contoso.example", csvq(json.dumps(r20)), "", ""]))
r21 = rec(21, 5, user="carol@contoso.example")
rows.append(",".join(["r21", "11/5/2026 10:21:00 AM", "15", "UserLoggedIn", "carol@contoso.example", csvq(json.dumps(r21, indent=1)), "", ""]))
rows.append(",".join(["r22", "11/5/2026 10:22:00 AM", "15", "UserLoggedIn", "carol@contoso.example", csvq('{"CreationTime":'), "", ""]))
open(f"{d}/purview.csv", "w", newline="").write("\r\n".join(rows) + "\r\n")
# Search-UnifiedAuditLog | Export-Csv from Windows PowerShell 5.1: #TYPE, UTF-16LE with BOM
rows = ['#TYPE Deserialized.Microsoft.Exchange.Data.ApplicationLogic.UnifiedAuditLogEvent',
        '"RecordType","CreationDate","UserIds","Operations","AuditData","ResultIndex","ResultCount","Identity","IsValid","ObjectState"']
r30 = rec(30, 6, op="Set-Mailbox", RecordType="ExchangeAdmin", Workload="Exchange", user="dave@contoso.example",
          ClientIP="[2001:db8::5]:443", Parameters=[{"Name": "AuditEnabled", "Value": "False"}])
rows.append(",".join([csvq("ExchangeAdmin"), csvq("11/6/2026 10:30:00 AM"), csvq("dave@contoso.example"), csvq("Set-Mailbox"), csvq(json.dumps(r30)), '"1"', '"1"', '"x"', '"True"', '"Unchanged"']))
open(f"{d}/search.csv", "wb").write(b"\xff\xfe" + ("\r\n".join(rows) + "\r\n").encode("utf-16-le"))
# Sentinel OfficeActivity
s = {"TenantId": "t", "RecordType": "50", "TimeGenerated": "2026-11-07T13:32:07Z", "Operation": "MailItemsAccessed",
     "OfficeWorkload": "Exchange", "UserType": "Regular", "ResultStatus": "Succeeded", "UserId": "erin@contoso.example",
     "Client_IPAddress": "198.51.100.9", "OfficeId": "00000000-0000-4000-8000-000000000040"}
open(f"{d}/sentinel.json", "w").write(json.dumps(s) + "\n")
# compressed copies: a new record each, and one record already seen
g = [json.dumps(rec(50, 8, user="frank@contoso.example")), json.dumps(rec(1, 1))]
with gzip.open(f"{d}/x.json.gz", "wt") as f: f.write("\n".join(g) + "\n")
open(f"{d}/y.plain", "w").write(json.dumps(rec(60, 8, user="gina@contoso.example")) + "\n")
PY
zstd -q --rm "$D/y.plain" -o "$D/y.json.zst"
# a truncated .gz: the records before the break are kept and the input is reported
python3 -c '
import gzip, json, sys
data = "\n".join(json.dumps({"CreationTime": "2026-11-09T00:00:%02d" % i, "Id": "t%d" % i, "Operation": "X", "Workload": "W", "UserId": "h@contoso.example"}) for i in range(50)).encode()
z = gzip.compress(data)
open(sys.argv[1], "wb").write(z[: len(z) - 30])' "$D/trunc.json.gz"

# --- first ingest
code=0
"$BIN" audit ingest "$D" --json >"$TMP/r1.json" || code=$?
[ "$code" = 1 ] || fail "a broken input must make ingest exit 1 (got $code)"
python3 - "$TMP/r1.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
ins = {i["path"].split("/in/")[1]: i for i in o["inputs"]}
def need(c, m):
    if not c: raise SystemExit("FAIL: " + m + "\n" + json.dumps(o, indent=1))
need(ins["a.json"]["records"] == 3 and ins["a.json"]["duplicates"] == 1 and ins["a.json"]["rejected"] == 2, "a.json counts")
need(ins["a.json"]["format"] == "ndjson", "ndjson detected")
need(ins["sub/blob.json"]["format"] == "json-array" and ins["sub/blob.json"]["records"] == 2 and ins["sub/blob.json"]["duplicates"] == 1, "blob")
need(ins["purview.csv"]["format"] == "csv" and ins["purview.csv"]["records"] == 2 and ins["purview.csv"]["rejected"] == 1 and ins["purview.csv"]["rows"] == 3, "purview csv")
need(ins["search.csv"]["encoding"] == "utf-16le" and ins["search.csv"]["records"] == 1, "utf-16 csv")
need(ins["sentinel.json"]["records"] == 1, "sentinel")
need(ins["x.json.gz"]["codec"] == "gzip" and ins["x.json.gz"]["records"] == 1 and ins["x.json.gz"]["duplicates"] == 1, "gzip")
need(ins["y.json.zst"]["codec"] == "zstd" and ins["y.json.zst"]["records"] == 1, "zstd")
t = ins["trunc.json.gz"]
need("error" in t and "truncated gzip" in t["error"] and t["records"] >= 1, "truncated gz reported, earlier records kept")
need(o["duplicates"] == 3, "duplicates total")
rj = {(r["file"].split("/in/")[1], r["line"]) for r in o["rejects"]}
need(("a.json", 4) in rj and ("a.json", 5) in rj, "rejects name file:line: %s" % sorted(rj))
need(("purview.csv", 16) in rj, "csv reject names its row line: %s" % sorted(rj))
reasons = " ".join(r["reason"] for r in o["rejects"])
need("CreationTime" in reasons, "missing field named")
need(o["first"].startswith("2026-11-01") and o["last"].startswith("2026-11-09"), "span")
PY
n1=$(sqlite3 "$SECSCORE_DB" 'SELECT sum(records) FROM audit_volume')

# --- a second run adds nothing and reads nothing new
out=$("$BIN" audit ingest "$D" --json || true)
python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["records"] == 0, o["records"]
skipped = [i for i in o["inputs"] if i.get("skipped") == "unchanged"]
assert len(skipped) == 7, [i["path"] for i in o["inputs"] if "skipped" not in i]' "$out" || fail "second run was not empty"
[ "$(sqlite3 "$SECSCORE_DB" 'SELECT sum(records) FROM audit_volume')" = "$n1" ] || fail "second run changed totals"

# --- an NDJSON file that grew is read from where the last run stopped
python3 - "$D/a.json" <<'PY'
import json, sys
r = {"CreationTime": "2026-11-10T08:00:00", "Id": "00000000-0000-4000-8000-000000000099", "Operation": "UserLoggedIn",
     "Workload": "AzureActiveDirectory", "UserId": "alice@contoso.example", "ErrorNumber": "0", "ClientIP": "203.0.113.7"}
open(sys.argv[1], "a").write("\n" + json.dumps(r) + "\n")
PY
out=$("$BIN" audit ingest "$D/a.json" --json)
python3 -c '
import json, sys
o = json.loads(sys.argv[1])
i = o["inputs"][0]
assert o["records"] == 1 and i.get("resumed_at_byte", 0) > 0, o' "$out" || fail "appended file not read incrementally"

# --- stdin, and the text summary
out=$(printf '%s\n' '{"CreationTime":"2026-11-11T00:00:00","Id":"s1","Operation":"Y","Workload":"W","UserId":"i@contoso.example"}' |
	"$BIN" audit ingest -)
expect_contains "$out" "1 records"

# --- stats
"$BIN" audit stats --json >"$TMP/stats.json"
python3 - "$TMP/stats.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["first"] == "2026-11-01" and o["last"] == "2026-11-11", o
assert "2026-11-02" in o["gaps"], o["gaps"]
assert o["duplicates"] >= 3 and o["rejected"] >= 3, o
w = {x["workload"]: x for x in o["workloads"]}
assert w["Exchange"]["records"] == 3 and w["SharePoint"]["records"] == 1, w
assert any(i["format"] == "csv" for i in o["inputs"]), o["inputs"]
PY
out=$("$BIN" audit stats)
expect_contains "$out" "Days without any record"

# --- grep: filters on normalised fields and on Name/Value paths, dedup on by default
code=0
"$BIN" audit grep --op X "$D" >/dev/null 2>&1 || code=$?
[ "$code" = 1 ] || fail "grep over a broken input must exit 1 (got $code)"
rm "$D/trunc.json.gz"
out=$("$BIN" audit grep --field Parameters.ForwardTo=x@evil.example "$D")
[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || fail "grep --field: $out"
expect_contains "$out" "New-InboxRule"
out=$("$BIN" audit grep --user BOB@contoso.example "$D")
[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || fail "grep dedups: $out"
out=$("$BIN" audit grep --all --user bob@contoso.example "$D" 2>/dev/null || true)
[ "$(printf '%s\n' "$out" | grep -c .)" = 2 ] || fail "grep --all keeps copies: $out"
out=$("$BIN" audit grep --ip 2001:db8::5 --op set-mailbox "$D" 2>/dev/null || true)
expect_contains "$out" "AuditEnabled"
out=$("$BIN" audit grep --since 2026-11-06 --until 2026-11-08 "$D" 2>/dev/null || true)
[ "$(printf '%s\n' "$out" | grep -c .)" = 2 ] || fail "grep --since/--until: $out"
printf '%s\n' "$out" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' || fail "grep output is not NDJSON"

# --- a record over --max-record is rejected with its line, the rest is read
python3 -c '
import json
print(json.dumps({"CreationTime": "2026-11-12T00:00:00", "Id": "big1", "Operation": "Z", "Workload": "W", "X": "y" * 5000}))
print(json.dumps({"CreationTime": "2026-11-12T00:00:01", "Id": "ok2", "Operation": "Z", "Workload": "W"}))' >"$TMP/big.json"
out=$("$BIN" --db "$TMP/other.db" audit ingest --max-record 2K "$TMP/big.json" --json)
python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["records"] == 1 and o["rejected"] == 1 and o["rejects"][0]["line"] == 1 and "limit" in o["rejects"][0]["reason"], o' "$out" ||
	fail "oversize record"

# --- a CSV of exactly 5,000 rows is flagged as probably truncated
python3 - "$TMP/c5000.csv" <<'PY'
import json, sys
with open(sys.argv[1], "w", newline="") as f:
    f.write("CreationDate,UserIds,Operations,AuditData\r\n")
    for i in range(5000):
        r = {"CreationTime": "2026-11-13T00:00:00", "Id": "c%d" % i, "Operation": "Op", "Workload": "W"}
        f.write('2026-11-13,u,Op,"%s"\r\n' % json.dumps(r).replace('"', '""'))
PY
out=$("$BIN" --db "$TMP/other.db" audit ingest "$TMP/c5000.csv")
expect_contains "$out" "exactly 5000 rows"

# --- usage errors
expect_exit 2 "$BIN" audit
expect_exit 2 "$BIN" audit frobnicate
expect_exit 2 "$BIN" audit ingest
expect_exit 2 "$BIN" audit ingest --threads 0 "$D"
expect_exit 2 "$BIN" audit grep --field nope "$D"
expect_exit 1 "$BIN" audit ingest "$TMP/does-not-exist"
echo "ok"
