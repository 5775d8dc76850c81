#!/usr/bin/env python3
"""Data-driven score cases: tests/cases/score/<case>/ holds snapshot/ and expected.json.

For each case: optional `setup` (one secscore command per line, shell-quoted, run against a
fresh store after a first score), then `secscore score snapshot --json` and a comparison of
expected.json with the output. expected.json lists only what the case is about:
  {"exit": 0, "currentScore": 41, "maxScore": 80,
   "controls": {"AdminMFA": {"score": 40, "status": "partial", "count": 4, "total": 5,
                              "offenders": ["x@y"], "offenders_contain": ["x@y"]}},
   "absent_controls": ["PWAgePolicy"], "stderr_contains": "..."}
Every key given must match exactly (numbers within 1e-9); lists compare in order unless the
key ends in _contain (subset). Run: run_cases.py BIN CASES_DIR
"""
import json, os, shlex, subprocess, sys, tempfile

def fail(case, msg):
    print(f"FAIL {case}: {msg}")
    return 1

def compare(case, where, want, got):
    errs = 0
    for key, w in want.items():
        if key.endswith("_contain"):
            base = key[: -len("_contain")]
            g = got.get(base)
            if not isinstance(g, list) or any(x not in g for x in w):
                errs += fail(case, f"{where}.{base}: expected to contain {w!r}, got {g!r}")
            continue
        if key not in got:
            errs += fail(case, f"{where}.{key}: missing (expected {w!r})")
            continue
        g = got[key]
        if isinstance(w, (int, float)) and not isinstance(w, bool) and isinstance(g, (int, float)):
            if abs(w - g) > 1e-9:
                errs += fail(case, f"{where}.{key}: expected {w!r}, got {g!r}")
        elif w != g:
            errs += fail(case, f"{where}.{key}: expected {w!r}, got {g!r}")
    return errs

def run_case(binary, path):
    case = os.path.basename(path)
    want = json.load(open(os.path.join(path, "expected.json")))
    env = dict(os.environ)
    env["SECSCORE_NOW"] = open(os.path.join(path, "now")).read().strip() if os.path.exists(os.path.join(path, "now")) else "2026-11-01T00:00:00Z"
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "store.db")
        env["SECSCORE_DB"] = db
        snap = os.path.join(path, "snapshot")
        setup = os.path.join(path, "setup")
        if os.path.exists(setup):
            r = subprocess.run([binary, "score", snap], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                return fail(case, f"initial score failed: {r.stderr}")
            for line in open(setup):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                r = subprocess.run([binary] + shlex.split(line), env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    return fail(case, f"setup '{line}' failed: {r.stderr}")
            args = [binary, "score", snap, "--json"]
        else:
            args = [binary, "score", snap, "--json", "--no-save"]
        r = subprocess.run(args, env=env, capture_output=True, text=True)
    errs = 0
    if r.returncode != want.get("exit", 0):
        return fail(case, f"exit {r.returncode}, expected {want.get('exit', 0)}; stderr: {r.stderr}")
    if "stderr_contains" in want and want["stderr_contains"] not in r.stderr:
        errs += fail(case, f"stderr lacks {want['stderr_contains']!r}: {r.stderr!r}")
    if r.returncode != 0:
        return errs
    got = json.loads(r.stdout)
    top = {k: v for k, v in want.items() if k not in ("controls", "absent_controls", "exit", "stderr_contains")}
    errs += compare(case, "score", top, got)
    by_name = {c["controlName"]: c for c in got["controlScores"]}
    total_max = sum(c["maxScore"] for c in got["controlScores"])
    total_score = sum(c["score"] for c in got["controlScores"])
    if abs(total_max - got["maxScore"]) > 1e-9 or abs(total_score - got["currentScore"]) > 1e-9:
        errs += fail(case, "controlScores do not add up to currentScore / maxScore")
    for name, w in want.get("controls", {}).items():
        if name not in by_name:
            errs += fail(case, f"control {name} missing from the output")
            continue
        errs += compare(case, name, w, by_name[name])
    for name in want.get("absent_controls", []):
        if name in by_name:
            errs += fail(case, f"control {name} should not be scored")
    return errs

def main():
    binary, cases = sys.argv[1], sys.argv[2]
    names = sorted(d for d in os.listdir(cases) if os.path.isdir(os.path.join(cases, d)))
    failed = 0
    for name in names:
        errs = run_case(binary, os.path.join(cases, name))
        print(("ok   " if not errs else "FAIL ") + name)
        failed += 1 if errs else 0
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed or not names else 0

if __name__ == "__main__":
    sys.exit(main())
