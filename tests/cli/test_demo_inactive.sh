#!/usr/bin/env bash
# 'audit inactive' on the demo tenant answers exactly: compared with a slow, obviously-correct
# reference that reads the demo's snapshot users and every audit record itself.
set -euo pipefail
BIN=$1
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export SECSCORE_DB=$TMP/store.db SECSCORE_NOW=2026-11-20T12:00:00Z

"$BIN" demo --users 120 --days 40 --events-per-user-day 2 --out "$TMP/demo" >/dev/null 2>&1
for days in 7 30 90; do
	"$BIN" audit inactive --days "$days" --json >"$TMP/inactive-$days.json"
	python3 - "$TMP/demo" "$TMP/inactive-$days.json" "$days" <<'PY'
import datetime, glob, json, sys
demo, got_file, days = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.timezone.utc)
start = now - datetime.timedelta(days=days)
users = json.load(open(f"{demo}/snapshot/graph/users.json"))["value"]
upns = sorted(u["userPrincipalName"].lower() for u in users)

def success(r):
    op = r.get("Operation")
    if op == "UserLoginFailed":
        return False
    if op not in ("UserLoggedIn", "PasswordLogonInitialAuthUsingPassword", "MailboxLogin"):
        return False
    err = r.get("ErrorNumber")
    if err is not None:
        return str(err) in ("", "0", "50140")
    if r.get("LogonError") is not None:
        return r["LogonError"] == ""
    return str(r.get("ResultStatus", "")).lower() not in ("failed", "failure")

def when(s):
    t = datetime.datetime.fromisoformat(s.rstrip("Z"))
    return t.replace(tzinfo=datetime.timezone.utc)

seen, last = set(), {}
first_day = None
for path in sorted(glob.glob(f"{demo}/audit/*.json")):
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["Id"] in seen:
            continue
        seen.add(r["Id"])
        t = when(r["CreationTime"])
        d = t.date()
        first_day = d if first_day is None or d < first_day else first_day
        if success(r) and r.get("UserId"):
            u = r["UserId"].lower()
            last[u] = max(last.get(u, t), t)
floor = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
want = sorted(u for u in upns if last.get(u, floor) < start)
o = json.load(open(got_file))
got = sorted(u["upn"] for u in o["users"])
if got != want:
    raise SystemExit(f"FAIL --days {days}: secscore {len(got)} users, reference {len(want)}\n"
                     f"  only secscore: {sorted(set(got) - set(want))}\n  only reference: {sorted(set(want) - set(got))}")
complete = datetime.datetime.combine(first_day, datetime.time(), datetime.timezone.utc) <= start
if o["complete"] != complete:
    raise SystemExit(f"FAIL --days {days}: complete {o['complete']}, expected {complete}")
for u in o["users"]:
    ref = last.get(u["upn"])
    if (ref is None) != (u["last_signin"] is None):
        raise SystemExit(f"FAIL: last sign-in of {u['upn']}: {u['last_signin']} vs {ref}")
print(f"--days {days}: {len(got)} inactive users, complete={complete}: equal to the reference")
PY
done
echo ok
