# Helpers for the shell tests in tests/ops: set TEST_NAME, then
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Exit status of a test that could not run, registered as SKIP_RETURN_CODE in
# tests/ops/CMakeLists.txt so that ctest reports it skipped, not passed.
SKIP_CODE=77

# need_tools TOOL...: a missing tool skips the test; with CI=true it fails it instead
# (deploy/install-deps.sh installs them all, so on CI a missing one is a broken set-up).
need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null && continue
    if [[ "${CI:-}" == true ]]; then
      echo "$TEST_NAME: FAIL: $tool is missing (CI=true: no test may be skipped)" >&2
      exit 1
    fi
    echo "$TEST_NAME: SKIP: $tool is missing"
    exit "$SKIP_CODE"
  done
}

# free_port: sets $port to a loopback port nothing answers on now, from 20000 up to below
# the kernel's ephemeral range (ip_local_port_range, 32768+ by default) and never above
# 32767 (tests/web/federation.mjs keeps to 20000-31999), so that no port another process
# gets by binding port 0 or connecting out (other tests, running at once) can take it
# between the pick and the bind; and not handed out before by this shell (call it
# directly, not in $(...), which would forget the pick).
picked_ports=" "
free_port() {
  local lo hi p
  lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  hi=$((lo < 32768 ? lo : 32768))
  ((hi > 21000)) || { echo "$TEST_NAME: FAIL: ip_local_port_range starts at $lo: no room for test ports" >&2; exit 1; }
  while :; do
    p=$((20000 + RANDOM % (hi - 20000)))
    [[ "$picked_ports" != *" $p "* ]] || continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    picked_ports+="$p "
    port=$p
    return
  done
}
