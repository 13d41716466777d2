#!/usr/bin/env bash
# Checks the deployment files that cannot run here as a whole:
#   deploy/docker-compose.yml  `docker compose config` where docker compose works, and a
#                              static check with python3 + PyYAML where present;
#   deploy/passerelle.service  `systemd-analyze verify` where present (with ExecStart
#                              pointed at an existing binary) and a static check of its
#                              hardening;
#   deploy/Dockerfile          multi-stage, Debian 12 base, non-root user, data volume;
#   deploy/*.sh                bash syntax;
#   .dockerignore              keeps run/ (keys, data) and build trees out of the image context.
# A check whose tool is missing is skipped with the reason and is not a pass: the test then
# exits 77 (ctest reports it skipped, SKIP_RETURN_CODE in tests/ops/CMakeLists.txt) once the
# other checks passed; with CI=true a missing tool is a failure (deploy/install-deps.sh
# installs them all). Usage: deploy_files_test.sh SOURCE_DIR
set -euo pipefail
ROOT=$1
D=$ROOT/deploy
SKIP_CODE=77
failures=0 skipped=0
fail() { echo "deploy_files_test: FAIL: $*" >&2; failures=$((failures + 1)); }
skip() {
  if [[ "${CI:-}" == true ]]; then fail "$* (CI=true: no check may be skipped)"; return; fi
  echo "deploy_files_test: SKIP: $*"
  skipped=$((skipped + 1))
}
pass() { echo "deploy_files_test: ok: $*"; }

# ---- docker-compose.yml -------------------------------------------------------------------
export PASSERELLE_FEDERATION_DIR=/srv/passerelle/federation
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  if docker compose -f "$D/docker-compose.yml" config -q; then pass "docker compose config"; else fail "docker compose config"; fi
elif command -v docker-compose >/dev/null; then  # Debian's docker-compose (v1): parses without a daemon
  if docker-compose -f "$D/docker-compose.yml" config -q; then pass "docker-compose config"; else fail "docker-compose config"; fi
else
  skip "docker compose config: neither the docker compose plugin nor docker-compose is installed"
fi
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
  if python3 - "$D/docker-compose.yml" "$D/compose/federation.json" <<'PY'
import json, sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
spec = json.load(open(sys.argv[2]))
members = [m["id"] for m in spec["members"]]
services = compose["services"]
assert sorted(services) == sorted(members), f"services {sorted(services)} != members {sorted(members)}"
ports = set()
for name, s in services.items():
    assert s.get("image") or s.get("build"), f"{name}: no image/build"
    assert s["build"]["dockerfile"] == "deploy/Dockerfile", name
    vols = s["volumes"]
    assert any(v.endswith(":/var/lib/passerelle") for v in vols), f"{name}: data not on a volume"
    assert any(v.endswith(":ro") for v in vols), f"{name}: federation files not read-only"
    data_volume = next(v.split(":")[0] for v in vols if v.endswith(":/var/lib/passerelle"))
    assert data_volume in compose["volumes"], f"{name}: volume {data_volume} not declared"
    assert f"/{name}.json" in " ".join(s["command"]), f"{name}: runs another member's config"
    assert s["hostname"] == name, f"{name}: hostname must be the member id (certificate name)"
    assert "no-new-privileges:true" in s["security_opt"], name
    assert s["cap_drop"] == ["ALL"], name
    for p in s["ports"]:
        assert p.startswith("127.0.0.1:"), f"{name}: port {p} published beyond loopback"
        host = p.split(":")[1]
        assert host not in ports, f"port {host} published twice"
        ports.add(host)
    assert s["environment"]["PASSERELLE_PEER_LISTEN"].endswith(":7081"), name
for m in spec["members"]:
    assert m["peer"] == f'{m["id"]}:7081', m["id"]
print("compose:", ", ".join(sorted(services)))
PY
  then pass "docker-compose.yml static check"; else fail "docker-compose.yml static check"; fi
else
  skip "compose static check: python3 with PyYAML (python3-yaml) is not installed"
fi

# ---- passerelle.service --------------------------------------------------------------------
unit=$D/passerelle.service
for want in "ProtectSystem=strict" "NoNewPrivileges=yes" "ProtectHome=yes" "PrivateTmp=yes" \
            "User=passerelle" "StateDirectory=passerelle" "KillSignal=SIGTERM" "CapabilityBoundingSet=" \
            "RestrictAddressFamilies=" "SystemCallFilter=@system-service" "MemoryDenyWriteExecute=yes"; do
  grep -q "^$want" "$unit" || fail "passerelle.service lacks $want"
done
grep -q '^ExecStart=/usr/local/bin/passerelle node --config /etc/passerelle/node.json$' "$unit" ||
  fail "passerelle.service: unexpected ExecStart"
if command -v systemd-analyze >/dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # verify checks that ExecStart exists: point it at a binary that does.
  sed "s#/usr/local/bin/passerelle#$(command -v true)#" "$unit" >"$tmp/passerelle.service"
  if out=$(systemd-analyze verify "$tmp/passerelle.service" 2>&1) && [[ -z "$out" ]]; then
    pass "systemd-analyze verify"
  else
    fail "systemd-analyze verify: $out"
  fi
else
  skip "systemd-analyze verify: systemd-analyze is not installed"
fi

# ---- Dockerfile ----------------------------------------------------------------------------
df=$D/Dockerfile
[[ $(grep -c '^FROM debian:12' "$df") -ge 2 ]] || fail "Dockerfile: not a multi-stage Debian 12 build"
grep -q '^FROM .* AS build' "$df" || fail "Dockerfile: no named build stage"
grep -q '^COPY --from=build' "$df" || fail "Dockerfile: the runtime does not copy from the build stage"
grep -q '^USER passerelle' "$df" || fail "Dockerfile: does not run as the passerelle user"
grep -q '^VOLUME \["/var/lib/passerelle"\]' "$df" || fail "Dockerfile: data not on a volume"
grep -q 'PASSERELLE_DATA_DIR=/var/lib/passerelle/data' "$df" || fail "Dockerfile: data_dir not on the volume"
pass "Dockerfile static check"

# ---- scripts -------------------------------------------------------------------------------
for s in "$D"/*.sh "$D"/federation/*.sh; do bash -n "$s" || fail "bash syntax: $s"; done
pass "bash syntax of deploy/*.sh"

# ---- .dockerignore -------------------------------------------------------------------------
# The compose build's context is the checkout (COPY . .): run/ holds the federations' keys.
di=$ROOT/.dockerignore
if [[ ! -f "$di" ]]; then
  fail ".dockerignore is missing"
elif ! grep -qxE '/?run/?' "$di"; then
  fail ".dockerignore does not list run/"
elif ! grep -qxE '/?build[*]?/?' "$di"; then
  fail ".dockerignore does not list build (or build*/)"
else
  pass ".dockerignore lists run/ and build*/"
fi

if [[ $failures -gt 0 ]]; then echo "deploy_files_test: $failures failure(s)"; exit 1; fi
if [[ $skipped -gt 0 ]]; then
  echo "deploy_files_test: the checks that ran passed; $skipped skipped (not a pass)"
  exit $SKIP_CODE
fi
echo "deploy_files_test: all checks passed"
