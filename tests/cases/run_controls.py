#!/usr/bin/env python3
"""Per-control cases: tests/cases/controls/<ControlId>.json holds small snapshot fragments and
what the control must say about each:

  {"control": "MailboxAuditingEnabled",
   "cases": [{"name": "passing", "files": {"exchange/Get-Mailbox.json": [...]},
              "expect": {"status": "passed", "score": 10}}, ...]}

Each case is written as a snapshot (a manifest is added), scored with --no-save --json, and
the control's entry compared with "expect" (keys ending in _contain: subset of a list).
The runner also checks coverage: every control in catalog/controls has a case file, and every
scored (non-deprecated) control has a passing case (passed) and a failing one (failed or
partial) - except the evidence-measured ones (measure "review"), which must show their
Not scored reason until the audit analytics exist.
Run: run_controls.py BIN CASES_DIR  (the catalog is found through $SS_SOURCE_DIR)
"""
import json, os, subprocess, sys, tempfile

MANIFEST = {"tenantId": "33333333-4444-5555-6666-777777777777", "displayName": "Control Case",
            "takenDateTime": "2026-11-01T00:00:00Z"}

def check(expect, got):
    errs = []
    for k, w in expect.items():
        if k.endswith("_contain"):
            g = got.get(k[:-8], [])
            if any(x not in g for x in w):
                errs.append(f"{k[:-8]}: expected to contain {w!r}, got {g!r}")
        elif k not in got:
            errs.append(f"{k}: missing (expected {w!r})")
        elif isinstance(w, (int, float)) and not isinstance(w, bool):
            if abs(w - got[k]) > 1e-9:
                errs.append(f"{k}: expected {w!r}, got {got[k]!r}")
        elif w != got[k]:
            errs.append(f"{k}: expected {w!r}, got {got[k]!r}")
    return errs

def run(binary, spec):
    control = spec["control"]
    failures, statuses = [], set()
    for case in spec["cases"]:
        with tempfile.TemporaryDirectory() as tmp:
            snap = os.path.join(tmp, "snapshot")
            files = dict(case.get("files", {}))
            files.setdefault("manifest.json", MANIFEST)
            for name, content in files.items():
                path = os.path.join(snap, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    json.dump(content, f)
            env = dict(os.environ, SECSCORE_NOW="2026-11-01T00:00:00Z", SECSCORE_DB=os.path.join(tmp, "no-store.db"))
            r = subprocess.run([binary, "score", snap, "--json", "--no-save"], env=env,
                               capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"{case['name']}: exit {r.returncode}: {r.stderr.strip()}")
            continue
        got = {c["controlName"]: c for c in json.loads(r.stdout)["controlScores"]}.get(control)
        if got is None:
            failures.append(f"{case['name']}: control not in the output")
            continue
        statuses.add(got["status"])
        failures += [f"{case['name']}: {e}" for e in check(case["expect"], got)]
    return failures, statuses

def main():
    binary, cases_dir = sys.argv[1], sys.argv[2]
    catalog = os.path.join(os.environ.get("SS_SOURCE_DIR", os.path.join(cases_dir, "../../..")), "catalog", "controls")
    controls = {}
    for name in sorted(os.listdir(catalog)):
        c = json.load(open(os.path.join(catalog, name)))
        controls[c["id"]] = c
    passed = failed = 0
    for cid, c in controls.items():
        path = os.path.join(cases_dir, cid + ".json")
        problems = []
        if not os.path.exists(path):
            problems.append("no case file")
        else:
            spec = json.load(open(path))
            problems, statuses = run(binary, spec)
            if not c.get("deprecated"):
                if c["measure"] == "review":
                    if statuses != {"notScored"}:
                        problems.append(f"evidence control should be notScored, got {statuses}")
                else:
                    if "passed" not in statuses:
                        problems.append("no passing case")
                    if not statuses & {"failed", "partial"}:
                        problems.append("no failing case")
        if problems:
            failed += 1
            print(f"FAIL {cid}")
            for p in problems:
                print(f"     {p}")
        else:
            passed += 1
    stray = [f[:-5] for f in os.listdir(cases_dir) if f.endswith(".json") and f[:-5] not in controls]
    for s in stray:
        failed += 1
        print(f"FAIL {s}: case file for a control that is not in the catalog")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0

if __name__ == "__main__":
    sys.exit(main())
