#!/usr/bin/env bash
# check-format.sh - checks (or with --fix, applies) .clang-format on our C sources.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -d '' files < <(find src tests tools bench -name '*.[ch]' -print0 2>/dev/null)
if [ "${1:-}" = "--fix" ]; then
	clang-format -i "${files[@]}"
	exit 0
fi
bad=()
for f in "${files[@]}"; do
	clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
	printf 'not formatted (run tools/check-format.sh --fix):\n' >&2
	printf '  %s\n' "${bad[@]}" >&2
	exit 1
fi
echo "check-format: ok (${#files[@]} files)"
