#!/usr/bin/env bash
# merge-seed.sh BASE_DIR EXTRA_DIR OUT_DIR: OUT_DIR gets BASE_DIR's seed-data files, with
# EXTRA_DIR/qualification_frameworks.json merged into that file (merge-seed.jq). The demo
# imports OUT_DIR, so a re-run imports the same content (import stays idempotent).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE=$1 EXTRA=$2 OUT=$3
mkdir -p "$OUT"
for f in "$BASE"/*.json; do
  [[ "$(basename "$f")" == qualification_frameworks.json ]] || cp "$f" "$OUT/"
done
jq -n --slurpfile base "$BASE/qualification_frameworks.json" \
      --slurpfile extra "$EXTRA/qualification_frameworks.json" \
      -f "$HERE/merge-seed.jq" >"$OUT/qualification_frameworks.json.tmp"
mv "$OUT/qualification_frameworks.json.tmp" "$OUT/qualification_frameworks.json"
