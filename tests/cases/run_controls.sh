#!/usr/bin/env bash
# Runs the per-control cases: run_controls.sh SECSCORE_BINARY CASES_DIR
set -euo pipefail
exec python3 "$(dirname "$0")/run_controls.py" "$1" "$2"
