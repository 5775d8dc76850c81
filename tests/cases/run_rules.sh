#!/usr/bin/env bash
# Runs the data-driven Sigma rule cases: run_rules.sh SECSCORE_BINARY CASES_DIR
#
# Each case directory holds rule.yml (one or more rules), records.json (audit records in any format
# 'audit ingest' reads) and expected.json: the findings of `secscore rules test rule.yml records.json
# --json`, compared on every key but "summary" (its wording may change; the rest is the contract).
# An optional `threads` file gives --threads (default 1, then the case runs again with 4 threads:
# the findings must not change).
set -euo pipefail
bin=$1
dir=$2
fail=0
n=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for c in "$dir"/*/; do
	c=${c%/}
	name=$(basename "$c")
	n=$((n + 1))
	for t in 1 4; do
		if ! out=$("$bin" rules test "$c/rule.yml" "$c/records.json" --json --threads "$t" 2>"$err"); then
			echo "FAIL $name (threads $t): exit status; stderr: $(cat "$err")"
			fail=1
			continue
		fi
		if ! python3 - "$c/expected.json" "$out" "$name" "$t" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))
got = json.loads(sys.argv[2])
strip = lambda fs: [{k: v for k, v in f.items() if k != "summary"} for f in fs]
if strip(want) != strip(got):
    print(f"FAIL {sys.argv[3]} (threads {sys.argv[4]}):\n  want {json.dumps(strip(want))}\n  got  {json.dumps(strip(got))}")
    sys.exit(1)
PY
		then
			fail=1
		fi
	done
done
[ "$n" -gt 0 ] || { echo "no cases in $dir"; exit 1; }
[ $fail -eq 0 ] && echo "ok: $n rule cases"
exit $fail
