#!/usr/bin/env bash
# Installs the Debian 12 packages Passerelle needs to build, test and demo. Idempotent: on a
# machine that already has them all it only checks (well under 2 s) and changes nothing.
# Run as root, or as a user who may sudo.
set -euo pipefail

PACKAGES=(
  # build (cmake and g++ are on a fresh Debian 12 machine; listed so a slimmer one works too)
  cmake make g++ ccache pkg-config
  # gRPC / protobuf (code generation happens in the build tree)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # storage, HTTP, JSON, tests
  librocksdb-dev libboost1.74-dev libboost-system1.74-dev nlohmann-json3-dev catch2
  # crypto, logging, CLI, text
  libsodium-dev libargon2-dev libspdlog-dev libcli11-dev libutf8proc-dev libssl-dev
  # tcmalloc for the node and bench programs (CMakeLists.txt says why)
  libgoogle-perftools-dev
  # libFuzzer targets (tests/fuzz) are built with clang and its sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # demo and web client; chromium drives the browser tests
  curl ca-certificates nodejs npm chromium
  # federation set-up (deploy/federation/new-federation.sh): JSON editing, CA and certificates
  jq openssl
  # deployment checks (tests/ops/deploy_files_test.sh: `docker-compose config` parses the
  # compose file without a Docker daemon; python3-yaml checks it against the federation;
  # systemd-analyze verifies the unit; with CI=true a missing one fails the test)
  python3-yaml docker-compose systemd
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # A nodejs built elsewhere (e.g. NodeSource) bundles npm and conflicts with Debian's npm.
  if [[ "$pkg" == npm ]] && command -v npm >/dev/null; then continue; fi
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present, nothing to do"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
"${SUDO[@]}" apt-get update -q
echo "install-deps: apt-get install"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
