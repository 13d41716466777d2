#!/usr/bin/env bash
# The main job: builds Passerelle and starts a node loaded with the demo data
# (../shared/seed-data), web/REST on http://127.0.0.1:8081, gRPC on 127.0.0.1:9081.
# Ctrl-C stops it cleanly. Data stays in run/demo/ (a second start re-imports
# idempotently: nothing changes). Run as root on a fresh Debian 12: it installs
# what it needs itself.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SEED_DIR=${PASSERELLE_SEED_DIR:-$ROOT/../shared/seed-data}
BUILD_DIR=${PASSERELLE_BUILD_DIR:-$ROOT/build}

"$ROOT/deploy/install-deps.sh"
echo "== building passerelle (first build takes several minutes on 2 cores)"
cmake -S "$ROOT" -B "$BUILD_DIR" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target passerelle

if [ ! -f "$SEED_DIR/institutions.json" ]; then
  echo "demo data not found in $SEED_DIR (set PASSERELLE_SEED_DIR)" >&2
  exit 1
fi
mkdir -p run/demo
echo "== starting node quebec-consortium with the demo data from $SEED_DIR"
echo "   web client and REST: http://127.0.0.1:8081/   (try http://127.0.0.1:8081/api/v1/forums)"
echo "   gRPC (reflection on): 127.0.0.1:9081          Ctrl-C stops the node"
exec "$BUILD_DIR/node/cli/passerelle" node --config deploy/demo/quebec-consortium.json \
  --web-root "$ROOT/web-client" --import "$SEED_DIR"
