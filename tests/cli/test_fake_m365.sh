#!/usr/bin/env bash
# The fake Microsoft 365 endpoints used by the collection tests (tests/tools/fake_m365.py) work:
# token (secret and certificate assertion), Graph paging, Management Activity API subscriptions,
# content listing with NextPageUri, blobs, every fault type once, stats, shutdown and --state restart.
# $1 (the secscore binary) is not used.
set -euo pipefail
SRC=${SS_SOURCE_DIR:?}
. "$SRC/tests/cli/lib.sh"
python3 "$SRC/tests/tools/test_fake_m365.py" || fail "tests/tools/test_fake_m365.py failed"
