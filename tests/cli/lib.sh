# lib.sh - helpers for the CLI tests (sourced): fail, expect_exit, expect_contains.
# shellcheck shell=bash
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_exit CODE CMD...: runs CMD, output discarded, and checks its exit code.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >/dev/null 2>&1 || got=$?
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want"
}

# expect_contains HAYSTACK NEEDLE: the text contains the fixed string.
expect_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "expected to find '$2' in: $1" ;;
	esac
}
