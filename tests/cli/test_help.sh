#!/usr/bin/env bash
# --version, help, per-command --help and the usage exit code.
# Run by ctest as: bash tests/cli/test_help.sh BIN, with SS_SOURCE_DIR the repository root.
set -euo pipefail
BIN=${1:?usage: test_help.sh /path/to/secscore}
. "${SS_SOURCE_DIR:?}/tests/cli/lib.sh"
[ -x "$BIN" ] || fail "no executable at $BIN"

expect_exit 0 "$BIN" --version
out=$("$BIN" --version)
case "${out%%$'\n'*}" in "secscore "*) ;; *) fail "--version printed: $out" ;; esac

expect_exit 0 "$BIN" help
out=$("$BIN" help)
for c in demo score controls history diff plan; do
	expect_contains "$out" "  $c "
done
expect_exit 0 "$BIN" --help
expect_exit 2 "$BIN"
expect_exit 2 "$BIN" nosuchcmd
expect_exit 2 "$BIN" --nosuchoption demo

for c in demo score controls history diff plan; do
	expect_exit 0 "$BIN" "$c" --help
	out=$("$BIN" "$c" --help)
	expect_contains "${out,,}" "usage:"
	expect_contains "$out" "usage: secscore $c"
	expect_exit 0 "$BIN" help "$c"
	out=$("$BIN" help "$c")
	expect_contains "$out" "usage: secscore $c"
	expect_exit 2 "$BIN" "$c" --no-such-flag
done
echo "cli help tests passed"
