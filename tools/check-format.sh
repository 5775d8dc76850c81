#!/usr/bin/env bash
# check-format.sh - checks (or with --fix, applies) .clang-format on our C sources.
#
# Files: every *.c and *.h under src/ tests/ tools/ bench/, skipping build directories and fuzz
# corpora. The formatter is Debian 12's clang-format 14; other versions may disagree on details,
# so set CLANG_FORMAT=clang-format-14 (or similar) where the default one is a different version.
#
# Usage: tools/check-format.sh [--fix]
#   exits 0 when every file is formatted, 1 with the list of files that are not (2: usage).
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
"") ;;
--fix) fix=1 ;;
*) echo "usage: tools/check-format.sh [--fix]" >&2; exit 2 ;;
esac

cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null || { echo "check-format: $cf not found (tools/install-deps.sh)" >&2; exit 1; }

dirs=()
for d in src tests tools bench; do
	[ -d "$d" ] && dirs+=("$d")
done
files=()
[ ${#dirs[@]} -eq 0 ] ||
	mapfile -d '' files < <(find "${dirs[@]}" -name 'build*' -prune -o -name corpus -prune -o \
		-type f -name '*.[ch]' -print0 | sort -z)
if [ ${#files[@]} -eq 0 ]; then
	echo "check-format: no C files"
	exit 0
fi

if [ "$fix" = 1 ]; then
	"$cf" -i "${files[@]}"
	echo "check-format: formatted ${#files[@]} files"
	exit 0
fi

bad=()
for f in "${files[@]}"; do
	"$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
	printf 'check-format: not formatted (see the diff with: clang-format FILE | diff FILE -;\n' >&2
	printf 'fix with: tools/check-format.sh --fix):\n' >&2
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi
echo "check-format: ok (${#files[@]} files)"
