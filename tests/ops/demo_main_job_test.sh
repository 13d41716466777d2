#!/usr/bin/env bash
# The README's main job, ./deploy/demo.sh, as a check (DEMO_EXIT_AFTER_CONVERGE=1): with
# the built binary (PASSERELLE_BIN: no build), the three demo nodes in a temporary run
# directory (DEMO_RUN_DIR: run/demo untouched) on ports picked free and distinct below the
# ephemeral range (DEMO_*_PORTS), it waits for convergence, checks /healthz on each node and
# the 5 forums on quebec-consortium, stops the nodes (each must exit 0) and exits 0.
# demo.sh runs under setpriv --pdeathsig KILL and starts its nodes under --pdeathsig TERM:
# if ctest kills this shell (timeout), they all go with it.
# Usage: demo_main_job_test.sh SOURCE_DIR PASSERELLE_BIN. Needs curl, jq, openssl and
# setpriv: without one, exits 77 (ctest: skipped), or fails with CI=true.
set -euo pipefail
ROOT=$1 BIN=$2
TEST_NAME=demo_main_job_test
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools curl jq openssl setpriv
RUN_DIR=$(mktemp -d)
trap 'rm -rf "$RUN_DIR"' EXIT
http=() grpc=() peer=()
for _ in 1 2 3; do
  free_port; http+=("$port")
  free_port; grpc+=("$port")
  free_port; peer+=("$port")
done
rc=0
DEMO_EXIT_AFTER_CONVERGE=1 DEMO_SKIP_DEPS=1 DEMO_RUN_DIR="$RUN_DIR" PASSERELLE_BIN="$BIN" \
  DEMO_HTTP_PORTS="${http[*]}" DEMO_GRPC_PORTS="${grpc[*]}" DEMO_PEER_PORTS="${peer[*]}" \
  setpriv --pdeathsig KILL -- "$ROOT/deploy/demo.sh" </dev/null || rc=$?
if [[ $rc -ne 0 ]]; then
  for f in "$RUN_DIR"/*.log; do [[ -f "$f" ]] && { echo "---- $f"; tail -n 20 "$f"; }; done
  echo "$TEST_NAME: FAIL: deploy/demo.sh exited $rc" >&2
  exit 1
fi
echo "$TEST_NAME: OK: demo.sh started, converged, checked and stopped the three nodes"
