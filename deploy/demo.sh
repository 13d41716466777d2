#!/usr/bin/env bash
# The main job: builds Passerelle and starts a three-node federation on loopback loaded with
# the demo data (../shared/seed-data): quebec-consortium (web/REST http://127.0.0.1:8081),
# morocco (:8082) and pacific-alliance (:8083), replicating over mutual TLS. Each node
# imports the part of the data its member owns; the script waits until all three hold the
# same state, prints their addresses and the demo login (admin / passerelle on each node),
# and Ctrl-C stops all three cleanly. Keys, certificates
# and data stay in run/demo/federation/ (a second start reuses them; re-importing changes
# nothing); logs in run/demo/<member>.log. Run as root on a fresh Debian 12: it installs
# what it needs itself.
#   env: PASSERELLE_SEED_DIR, PASSERELLE_BUILD_DIR, DEMO_CONVERGE_SECONDS (default 180),
#        PASSERELLE_BIN (a passerelle binary already built: skips the build),
#        DEMO_RUN_DIR (instead of run/demo), DEMO_SKIP_DEPS=1 (no install-deps.sh),
#        DEMO_HTTP_PORTS, DEMO_GRPC_PORTS, DEMO_PEER_PORTS (one port per member, in the
#        order of deploy/demo/federation.json, space- or comma-separated: instead of the
#        spec's 8081-8083, 9081-9083, 7081-7083),
#        DEMO_EXIT_AFTER_CONVERGE=1 (a check, as ctest demo_main_job runs it: once the nodes
#        have converged, each node's /healthz must answer and quebec-consortium must list the
#        demo data's 5 forums; then the nodes are stopped, and each must exit 0; exits 0,
#        or 1 at the first failure, not converging in time included)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SEED_DIR=${PASSERELLE_SEED_DIR:-$ROOT/../shared/seed-data}
BUILD_DIR=${PASSERELLE_BUILD_DIR:-$ROOT/build}
SPEC="$ROOT/deploy/demo/federation.json"
RUN=${DEMO_RUN_DIR:-$ROOT/run/demo}
mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)  # the configurations name their files by absolute path
FED="$RUN/federation"
CONVERGE_SECONDS=${DEMO_CONVERGE_SECONDS:-180}
CHECK_ONLY=${DEMO_EXIT_AFTER_CONVERGE:-0}
# ccache: paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true

# DEMO_SKIP_DEPS=1: the packages are known to be there (tests run it so: no apt-get
# in the middle of a test run).
[[ "${DEMO_SKIP_DEPS:-}" == 1 ]] || "$ROOT/deploy/install-deps.sh"
if [[ -n "${PASSERELLE_BIN:-}" ]]; then
  BIN=$(cd "$(dirname "$PASSERELLE_BIN")" && pwd)/$(basename "$PASSERELLE_BIN")
else
  echo "== building passerelle (first build takes several minutes on 2 cores)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target passerelle
  BIN="$BUILD_DIR/node/cli/passerelle"
fi

if [ ! -f "$SEED_DIR/institutions.json" ]; then
  echo "demo data not found in $SEED_DIR (set PASSERELLE_SEED_DIR)" >&2
  exit 1
fi
SEED_DIR=$(cd "$SEED_DIR" && pwd)
# Demo-only examples merged into a copy of the seed data (deploy/demo/seed-extra: example
# levels of the national frameworks, MRC-AP descriptors and level mappings, all marked
# "example for demonstration", the mappings with status proposed). Each node imports the
# copy; the records each member owns decide which node creates what.
mkdir -p "$RUN"
"$ROOT/deploy/demo/merge-seed.sh" "$SEED_DIR" "$ROOT/deploy/demo/seed-extra" "$RUN/seed"
SEED_DIR="$RUN/seed"

# Ports from DEMO_*_PORTS: a copy of the spec in $RUN/spec.json with the i-th port of each
# list in the i-th member's address (the host stays); new-federation.sh rewrites the
# configurations and members.json from it on every run.
members_count=$(jq '.members | length' "$SPEC")
for key in http grpc peer; do
  var=DEMO_${key^^}_PORTS
  [[ -n "${!var:-}" ]] || continue
  read -r -a ports <<<"${!var//,/ }"
  [[ ${#ports[@]} -eq $members_count ]] ||
    { echo "$var: needs $members_count ports, one per member (got '${!var}')" >&2; exit 1; }
  for p in "${ports[@]}"; do
    [[ "$p" =~ ^[1-9][0-9]{0,4}$ ]] && ((p <= 65535)) ||
      { echo "$var: '$p' is not a port (1..65535)" >&2; exit 1; }
  done
  jq --arg key "$key" --argjson ports "$(printf '%s\n' "${ports[@]}" | jq -cs .)" \
    '.members |= [to_entries[] | .key as $i | .value | .[$key] |= sub(":[0-9]+$"; ":\($ports[$i])")]' \
    "$SPEC" >"$RUN/spec.json.tmp"
  mv "$RUN/spec.json.tmp" "$RUN/spec.json"
  SPEC="$RUN/spec.json"
done

# The federation: CA, per-member TLS certificates and signing keys, members.json and one
# configuration per node (kept across runs).
echo "== federation keys, certificates and configurations in $FED"
"$ROOT/deploy/federation/new-federation.sh" "$SPEC" "$FED" --passerelle "$BIN"
mapfile -t MEMBERS < <(jq -r '.members[].id' "$SPEC")
declare -A HTTP GRPC PID LOG_START
for m in "${MEMBERS[@]}"; do
  HTTP[$m]=$(jq -r --arg m "$m" '.members[] | select(.id == $m) | .http' "$SPEC")
  GRPC[$m]=$(jq -r --arg m "$m" '.members[] | select(.id == $m) | .grpc' "$SPEC")
done

# Stops every node this script started (SIGTERM, then waits for each to finish); a node
# that exits with a status other than 0 sets stop_failed.
stopping=0 stop_failed=0
stop_all() {
  [[ $stopping -eq 0 && ${#PID[@]} -gt 0 ]] || return 0
  stopping=1
  echo
  echo "== stopping ${!PID[*]}"
  for m in "${!PID[@]}"; do kill -TERM "${PID[$m]}" 2>/dev/null || true; done
  for m in "${!PID[@]}"; do
    if wait "${PID[$m]}" 2>/dev/null; then
      echo "   $m stopped cleanly"
    else
      echo "   $m exited with status $?"
      stop_failed=1
    fi
  done
}
trap 'stop_all; exit 130' INT TERM
trap 'stop_all' EXIT

# A node that exits during start-up (port taken, another demo running…): show why and stop.
check_alive() {
  local m=$1
  if ! kill -0 "${PID[$m]}" 2>/dev/null; then
    echo "node $m exited during start-up; last lines of $RUN/$m.log:" >&2
    tail -n 20 "$RUN/$m.log" | sed 's/^/    /' >&2
    unset "PID[$m]"
    exit 1
  fi
}

# Each node's first account, added on its data directory before the node starts (a
# second run finds it there). The demo password is public: never use it on a real node.
DEMO_USER=admin DEMO_PASSWORD=passerelle
for m in "${MEMBERS[@]}"; do
  # (`users list` refuses a data directory with no store yet: the first run has none.)
  if ! "$BIN" users list --json --config "$FED/$m.json" 2>/dev/null |
      jq -e --arg u "$DEMO_USER" 'any(.[]; .username == $u)' >/dev/null; then
    printf '%s\n' "$DEMO_PASSWORD" | "$BIN" users add "$DEMO_USER" --role admin --config "$FED/$m.json"
  fi
done

# The web client as built (with its map outline), else the sources as they are.
WEB_ROOT="$BUILD_DIR/web-root"
[[ -f "$WEB_ROOT/index.html" ]] || WEB_ROOT="$ROOT/web-client"
echo "== starting ${MEMBERS[*]}"
for m in "${MEMBERS[@]}"; do
  # Logs append across runs: remember where this run's lines begin.
  touch "$RUN/$m.log"
  LOG_START[$m]=$(( $(wc -l <"$RUN/$m.log") + 1 ))
  # Each node imports the records its member owns; records touching no member go to the
  # node whose claim_unowned is true; the import is retried as replication brings records
  # that others own and this node's records reference. setpriv: the node gets SIGTERM if
  # this script dies without its trap running (SIGKILL, a test's timeout).
  setpriv --pdeathsig TERM -- "$BIN" node --config "$FED/$m.json" --web-root "$WEB_ROOT" \
    --import "$SEED_DIR" >>"$RUN/$m.log" 2>&1 &
  PID[$m]=$!
done

# Waits with a deadline: every node answers /healthz, has finished its import, and all report
# the same version vector and state digest (GET /api/v1/federation/status, logged in as the
# demo admin: the session cookie is kept in $RUN/<member>.cookies).
login() {
  curl -sf --max-time 5 -c "$RUN/$1.cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$DEMO_USER\",\"password\":\"$DEMO_PASSWORD\"}" \
    "http://${HTTP[$1]}/api/v1/session" >/dev/null
}
status_of() { curl -sf --max-time 2 -b "$RUN/$1.cookies" "http://${HTTP[$1]}/api/v1/federation/status"; }
deadline=$((SECONDS + CONVERGE_SECONDS))
for m in "${MEMBERS[@]}"; do
  until curl -sf --max-time 2 "http://${HTTP[$m]}/healthz" >/dev/null; do
    check_alive "$m"
    [[ $SECONDS -lt $deadline ]] || { echo "node $m does not answer on ${HTTP[$m]}" >&2; exit 1; }
    sleep 0.2
  done
  login "$m" || { echo "cannot log in to $m as $DEMO_USER" >&2; exit 1; }
done
started=$SECONDS
echo "== all three nodes are up; waiting until they hold the same state (up to ${CONVERGE_SECONDS} s)"
converged=0
while [[ $SECONDS -lt $deadline ]]; do
  for m in "${MEMBERS[@]}"; do check_alive "$m"; done
  imported=1 states=()
  for m in "${MEMBERS[@]}"; do
    # This run's "imported" line (the log keeps earlier runs: look after this run's start).
    tail -n +"${LOG_START[$m]}" "$RUN/$m.log" 2>/dev/null | grep -q "passerelle node $m: imported" ||
      imported=0
    states+=("$(status_of "$m" | jq -c '[.version_vector, .digest]' 2>/dev/null || echo none-$m)")
  done
  if [[ $imported -eq 1 && "$(printf '%s\n' "${states[@]}" | sort -u | wc -l)" -eq 1 &&
        "${states[0]}" != none-* ]]; then
    converged=1
    break
  fi
  sleep 0.5
done

echo
if [[ $converged -eq 1 ]]; then
  echo "== the three nodes have converged in $((SECONDS - started)) s:" \
    "digest $(status_of "${MEMBERS[0]}" | jq -r .digest)"
elif [[ "$CHECK_ONLY" == 1 ]]; then
  echo "== FAILED: the nodes had not converged after ${CONVERGE_SECONDS} s (logs in $RUN)" >&2
  exit 1
else
  echo "== WARNING: the nodes had not converged after ${CONVERGE_SECONDS} s; they keep running."
  echo "   Check with: $BIN status --config $FED/<member>.json"
fi

# DEMO_EXIT_AFTER_CONVERGE=1: check what the README promises, stop, exit.
if [[ "$CHECK_ONLY" == 1 ]]; then
  for m in "${MEMBERS[@]}"; do
    curl -sf --max-time 5 "http://${HTTP[$m]}/healthz" >/dev/null ||
      { echo "== FAILED: $m does not answer /healthz on ${HTTP[$m]}" >&2; exit 1; }
  done
  q=quebec-consortium
  [[ -n "${HTTP[$q]:-}" ]] || { echo "== FAILED: no member $q in $SPEC" >&2; exit 1; }
  want=5  # the thematic forums of the demo data (forums.json)
  got=$(curl -sf --max-time 10 -b "$RUN/$q.cookies" "http://${HTTP[$q]}/api/v1/forums" | jq -c '[.forums[].id]') ||
    { echo "== FAILED: GET /api/v1/forums on $q" >&2; exit 1; }
  [[ $(jq length <<<"$got") -eq $want ]] ||
    { echo "== FAILED: $q lists $(jq length <<<"$got") forums, not the demo data's $want: $got" >&2; exit 1; }
  echo "== checked: /healthz answers on ${MEMBERS[*]}; $q lists the $want forums"
  stop_all
  [[ $stop_failed -eq 0 ]] || { echo "== FAILED: a node did not stop cleanly (logs in $RUN)" >&2; exit 1; }
  echo "== DEMO_EXIT_AFTER_CONVERGE: all checks passed"
  exit 0
fi
for m in "${MEMBERS[@]}"; do
  printf '   %-18s web client and REST: http://%s/   gRPC: %s   (log %s)\n' "$m" "${HTTP[$m]}" "${GRPC[$m]}" "$RUN/$m.log"
done
echo "   log in on each web client as: $DEMO_USER / $DEMO_PASSWORD   (demo only: change it with"
echo "   $BIN users passwd $DEMO_USER --config $FED/<member>.json while the node is stopped)"
echo "   try: curl -s -b $RUN/${MEMBERS[0]}.cookies http://${HTTP[${MEMBERS[0]}]}/api/v1/forums"
echo "   federation status (peers, digest, refused ops): $BIN status --config $FED/${MEMBERS[0]}.json"
echo "   admin: each node writes only records its member owns; keys and certificates are in"
echo "   $FED/nodes/<member>/ (keep the *.key files private)."
echo "   Ctrl-C stops all three nodes"

# Serve until Ctrl-C (the trap stops the nodes) or until a node exits on its own.
while true; do
  for m in "${MEMBERS[@]}"; do
    if ! kill -0 "${PID[$m]}" 2>/dev/null; then
      wait "${PID[$m]}" && rc=0 || rc=$?
      echo "node $m exited (status $rc); see $RUN/$m.log — stopping the others" >&2
      unset "PID[$m]"
      exit 1
    fi
  done
  sleep 1
done
