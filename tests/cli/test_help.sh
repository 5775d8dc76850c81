#!/usr/bin/env bash
# --version, help, per-command --help and the usage exit code.
set -euo pipefail
BIN=$1
. "${SS_SOURCE_DIR:?}/tests/cli/lib.sh"

out=$("$BIN" --version)
case "$out" in "secscore "*) ;; *) fail "--version printed: $out" ;; esac
out=$("$BIN" help)
for c in demo score controls history diff plan; do
	expect_contains "$out" "  $c "
done
expect_exit 0 "$BIN" --help
expect_exit 2 "$BIN"
expect_exit 2 "$BIN" nosuchcmd
expect_exit 2 "$BIN" --nosuchoption demo
for c in demo score controls history diff plan; do
	out=$("$BIN" "$c" --help)
	expect_contains "$out" "usage: secscore $c"
	out=$("$BIN" help "$c")
	expect_contains "$out" "usage: secscore $c"
	expect_exit 2 "$BIN" "$c" --no-such-flag
done
echo "cli help tests passed"
