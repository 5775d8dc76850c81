#!/usr/bin/env bash
# Runs the data-driven score cases: run_score.sh SECSCORE_BINARY CASES_DIR
set -euo pipefail
exec python3 "$(dirname "$0")/run_cases.py" "$1" "$2"
