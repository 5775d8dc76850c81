#!/usr/bin/env bash
# check-banned.sh - fails, listing file:line, when C code calls a banned function.
#
# Banned:
#   strcpy, strcat, sprintf, vsprintf, gets   unbounded writes (use snprintf, our buffers)
#   atoi, atol, atoll, atof                   no error detection (strtol/strtod, check the end pointer)
#   strtok                                    hidden static state (use slices, or strtok_r)
#   tmpnam, mktemp                            name races (mkstemp)
#   asctime, ctime, localtime, gmtime         static result buffers (the _r forms are fine)
# strncpy/strncat stay allowed (they cannot overflow), though a slice or snprintf is clearer.
#
# A call is the name as a whole word followed by optional blanks and '(': ss_sprintf(,
# snprintf(, gmtime_r( and s.gets_count do not match. Comments (// and /* */, also across lines)
# and string and character literals are blanked before matching, so prose does not trip it.
#
# Usage: tools/check-banned.sh [PATH...]   (default: src tests tools bench)
set -euo pipefail
cd "$(dirname "$0")/.."

banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|atof|strtok|tmpnam|mktemp|asctime|ctime|localtime|gmtime'
[ $# -gt 0 ] || set -- src tests tools bench

dirs=()
for d in "$@"; do
	[ -e "$d" ] && dirs+=("$d")
done
[ ${#dirs[@]} -gt 0 ] || { echo "check-banned: nothing to check"; exit 0; }

mapfile -d '' files < <(find "${dirs[@]}" -name 'build*' -prune -o -name corpus -prune -o \
	-type f -name '*.[ch]' -print0 | sort -z)
[ ${#files[@]} -gt 0 ] || { echo "check-banned: no C files"; exit 0; }

# The awk program strips comments and literals, keeping line numbers, then prints file:line: text.
hits=$(awk -v re="(^|[^A-Za-z0-9_])(${banned})[ \t]*\\(" '
FNR == 1 { incomment = 0 }
{
	src = $0; out = ""; i = 1; n = length(src)
	while (i <= n) {
		c = substr(src, i, 1); c2 = substr(src, i, 2)
		if (incomment) {
			if (c2 == "*/") { incomment = 0; i += 2; out = out "  " } else { out = out " "; i++ }
		} else if (c2 == "/*") {
			incomment = 1; i += 2; out = out "  "
		} else if (c2 == "//") {
			break
		} else if (c == "\"" || c == "\047") {
			q = c; out = out q; i++
			while (i <= n && substr(src, i, 1) != q) {
				if (substr(src, i, 1) == "\\") i++
				i++; out = out " "
			}
			out = out q; i++
		} else {
			out = out c; i++
		}
	}
	if (out ~ re)
		printf "%s:%d: %s\n", FILENAME, FNR, $0
}' "${files[@]}")

if [ -n "$hits" ]; then
	echo "check-banned: banned functions used (see the list in tools/check-banned.sh):" >&2
	echo "$hits" >&2
	exit 1
fi
echo "check-banned: ok (${#files[@]} files)"
