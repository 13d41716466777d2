#!/usr/bin/env bash
# Adding a fourth… here a third institution to a running federation, as deploy/README.md
# tells an operator to (real processes, mutual TLS):
#   1. new-federation.sh makes a two-member federation; both nodes run and replicate;
#   2. the new member runs `passerelle keys init` (signing key, TLS key, CSR);
#   3. the coordinator signs the CSR (deploy/sign-csr.sh) and adds the member to the
#      members file (deploy/add-member.sh);
#   4. the existing nodes restart one at a time on the new file, the new node starts;
#   5. the new node receives everything, its writes reach the others, nothing is lost.
# On a copy of the members file it also checks add-member.sh's argument checks: ACTS_FOR
# entries are trimmed and accepted ("inst-echo, inst-foxtrot" is stored as inst-echo and
# inst-foxtrot), a trimmed entry another member acts for and a port out of 1..65535 are
# refused with exit 1 and the file unchanged.
# Nodes run under setpriv --pdeathsig KILL: if the test's shell is killed (a ctest timeout),
# they die with it instead of holding their ports and data.
# Usage: add_member_test.sh SOURCE_DIR PASSERELLE_BIN. Needs bash, curl, jq, openssl and
# setpriv: without one, exits 77 (ctest: skipped), or fails with CI=true.
set -euo pipefail
ROOT=$1 BIN=$2
TEST_NAME=add_member_test
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools curl jq openssl setpriv
W=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "${ok:-}" != yes ]]; then
    for f in "$W"/*.log; do echo "---- $f"; tail -20 "$f"; done
  fi
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "add_member_test: FAIL: $*" >&2; exit 1; }

# wait_for DESCRIPTION COMMAND...: polls every 0.2 s, up to 60 s.
wait_for() {
  local what=$1; shift
  for _ in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  fail "timed out waiting for $what"
}

declare -A HTTP PEER
for m in alpha bravo charlie; do free_port; HTTP[$m]=$port; free_port; PEER[$m]=$port; done

# 1. Two members.
jq -n --arg ha "${HTTP[alpha]}" --arg hb "${HTTP[bravo]}" --arg pa "${PEER[alpha]}" --arg pb "${PEER[bravo]}" '{
  federation: "add-member-test", node_defaults: {repair_interval_ms: 1000},
  members: [
    {id: "alpha", acts_for: ["inst-alpha"], http: "127.0.0.1:\($ha)", grpc: "127.0.0.1:0", peer: "127.0.0.1:\($pa)"},
    {id: "bravo", acts_for: ["inst-bravo"], http: "127.0.0.1:\($hb)", grpc: "127.0.0.1:0", peer: "127.0.0.1:\($pb)"}]}' >"$W/spec.json"
"$ROOT/deploy/federation/new-federation.sh" "$W/spec.json" "$W/fed" --passerelle "$BIN" >"$W/new-federation.log" 2>&1 ||
  fail "new-federation.sh failed: $(cat "$W/new-federation.log")"

declare -A PID CSRF HAS_ADMIN
PASSWORD=add-member-test-password
start() {  # start MEMBER CONFIG; the first time, with an admin account; then log in
  if [[ -z "${HAS_ADMIN[$1]:-}" ]]; then
    printf '%s\n' "$PASSWORD" | "$BIN" users add admin --role admin --config "$2" >>"$W/$1.log" 2>&1 ||
      fail "users add on $1 failed"
    HAS_ADMIN[$1]=1
  fi
  setpriv --pdeathsig KILL -- "$BIN" node --config "$2" >>"$W/$1.log" 2>&1 &
  PID[$1]=$!
  pids+=($!)
  wait_for "$1 to answer" curl -fsS "http://127.0.0.1:${HTTP[$1]}/healthz"
  CSRF[$1]=$(curl -fsS -c "$W/$1.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:${HTTP[$1]}/api/v1/session" | jq -r .csrf_token) || fail "login on $1 failed"
}
stop() {  # stop MEMBER: SIGTERM, and it must exit 0
  kill -TERM "${PID[$1]}"
  wait "${PID[$1]}" || fail "$1 did not stop cleanly"
}
post() {  # post MEMBER ID
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${HTTP[$1]}/api/v1/institutions" \
    -b "$W/$1.jar" -H "X-CSRF-Token: ${CSRF[$1]}" -H 'Content-Type: application/json' -d "{\"id\":\"$2\",\"name\":\"$2\",\"type\":\"college\",\"country\":\"CA\"}")
  [[ "$code" == 201 ]] || fail "POST $2 on $1 answered $code"
}
has() { curl -fsS -b "$W/$1.jar" "http://127.0.0.1:${HTTP[$1]}/api/v1/institutions/$2" >/dev/null; }

start alpha "$W/fed/alpha.json"
# Alone, alpha is alive but not ready: it has peers and none is reachable.
code=$(curl -s -o "$W/readyz.json" -w '%{http_code}' "http://127.0.0.1:${HTTP[alpha]}/readyz")
[[ "$code" == 503 ]] && grep -q "no peer reachable" "$W/readyz.json" || fail "alpha ready without peers: $code"
start bravo "$W/fed/bravo.json"
wait_for "alpha to be ready" curl -fsS "http://127.0.0.1:${HTTP[alpha]}/readyz"
wait_for "bravo to be ready" curl -fsS "http://127.0.0.1:${HTTP[bravo]}/readyz"
post alpha before-alpha
post bravo before-bravo
wait_for "bravo to receive alpha's record" has bravo before-alpha
wait_for "alpha to receive bravo's record" has alpha before-bravo

# 2. The new member makes its keys on its own machine.
"$BIN" keys init --dir "$W/charlie" --member-id charlie >"$W/keys.log"
[[ -f "$W/charlie/tls.key" && -f "$W/charlie/tls.csr" && -f "$W/charlie/charlie.signing.key" ]] ||
  fail "keys init did not write the TLS key, the CSR and the signing key"
[[ $(stat -c %a "$W/charlie/tls.key") == 600 ]] || fail "tls.key is not private (mode 600)"

# 3. The coordinator signs its CSR and adds it to the members file.
"$ROOT/deploy/sign-csr.sh" "$W/fed/ca" "$W/charlie/tls.csr" charlie "$W/charlie/tls.crt" >/dev/null
! "$ROOT/deploy/sign-csr.sh" "$W/fed/ca" "$W/charlie/tls.csr" alpha "$W/wrong.crt" 2>/dev/null ||
  fail "sign-csr.sh signed charlie's CSR for alpha"
"$ROOT/deploy/add-member.sh" "$W/fed/members.json" charlie "Charlie" inst-charlie \
  "127.0.0.1:${PEER[charlie]}" "$(cat "$W/charlie/charlie.signing.pub")" >/dev/null
! "$ROOT/deploy/add-member.sh" "$W/fed/members.json" delta "Delta" inst-alpha "" \
  "$(cat "$W/charlie/charlie.signing.pub")" 2>/dev/null || fail "add-member.sh let two members act for inst-alpha"
cp "$W/fed/members.json" "$W/copy.json"
"$ROOT/deploy/add-member.sh" "$W/copy.json" echo "Echo" "inst-echo, inst-foxtrot" "" \
  "$(cat "$W/charlie/charlie.signing.pub")" >/dev/null || fail "add-member.sh refused 'inst-echo, inst-foxtrot'"
jq -e '.members[-1].acts_for == ["inst-echo", "inst-foxtrot"]' "$W/copy.json" >/dev/null ||
  fail "add-member.sh stored ACTS_FOR untrimmed: $(jq -c '.members[-1].acts_for' "$W/copy.json")"
cp "$W/copy.json" "$W/copy.before"
refused() {  # refused ARGUMENT_NAME ADD_MEMBER_ARGS...: exit 1 naming the argument, file unchanged
  local what=$1 rc=0; shift
  "$ROOT/deploy/add-member.sh" "$W/copy.json" "$@" >/dev/null 2>"$W/add-member.err" || rc=$?
  [[ $rc -eq 1 ]] || fail "add-member.sh $* exited $rc, not 1"
  grep -q "$what" "$W/add-member.err" || fail "add-member.sh $*: message does not name $what: $(cat "$W/add-member.err")"
  cmp -s "$W/copy.json" "$W/copy.before" || fail "add-member.sh $* changed the file"
}
refused ACTS_FOR golf "Golf" "inst-golf, inst-alpha" "" "$(cat "$W/charlie/charlie.signing.pub")"
refused NODE_ADDRESS golf "Golf" "inst-golf" "127.0.0.1:99999" "$(cat "$W/charlie/charlie.signing.pub")"
jq -n --arg fed "$W/fed" --arg c "$W/charlie" --arg h "${HTTP[charlie]}" '{
  member_id: "charlie", data_dir: "\($c)/data", members_file: "\($fed)/members.json",
  http_listen: "127.0.0.1:\($h)", grpc_listen: "127.0.0.1:0", signing_key: "\($c)/charlie.signing.key",
  tls_ca: "\($fed)/ca/ca.crt", tls_cert: "\($c)/tls.crt", tls_key: "\($c)/tls.key", repair_interval_ms: 1000}' >"$W/charlie.json"

# 4. Rolling restart of the existing nodes on the new members file, then the new node.
post alpha during-alpha
stop alpha; start alpha "$W/fed/alpha.json"
stop bravo; start bravo "$W/fed/bravo.json"
start charlie "$W/charlie.json"

# 5. Everything reaches the new node; its writes reach the others; nothing was lost.
for id in before-alpha before-bravo during-alpha; do wait_for "charlie to receive $id" has charlie "$id"; done
post charlie from-charlie
wait_for "alpha to receive charlie's record" has alpha from-charlie
wait_for "bravo to receive charlie's record" has bravo from-charlie
for id in before-alpha before-bravo during-alpha; do has alpha "$id" && has bravo "$id" || fail "$id was lost"; done
status=$(curl -fsS -b "$W/alpha.jar" "http://127.0.0.1:${HTTP[alpha]}/api/v1/federation/status")
jq -e '[.peers[].member_id] | index("charlie")' <<<"$status" >/dev/null || fail "alpha does not list charlie as a peer: $status"
ok=yes
echo "add_member_test: OK: charlie joined a running federation of alpha and bravo; no data lost"
