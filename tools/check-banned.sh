#!/usr/bin/env bash
# check-banned.sh - fails when C code calls a banned function.
#
# Banned: strcpy, strcat, sprintf, vsprintf, gets (unbounded writes); atoi, atol, atoll, atof
# (no error detection: use strtol/strtod and check the end pointer); strtok (hidden state);
# tmpnam, mktemp (races); asctime, ctime, localtime, gmtime (static buffers: use the _r forms).
set -euo pipefail
cd "$(dirname "$0")/.."
banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|atof|strtok|tmpnam|mktemp|asctime|ctime|localtime|gmtime'
hits=$(find src tests tools bench -name '*.[ch]' -print0 2>/dev/null |
	xargs -0 grep -nE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//|/\*)' || true)
if [ -n "$hits" ]; then
	echo "banned functions used:" >&2
	echo "$hits" >&2
	exit 1
fi
echo "check-banned: ok"
