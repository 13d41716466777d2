#!/usr/bin/env bash
# deploy/sign-csr.sh signs only a CSR that asks for the member, compared literally, and
# leaves a certificate only when it verifies:
#   - a CSR for `axb` (SAN and CN) is signed as axb; signed as `a.b` it is refused (exit 1,
#     no certificate: the '.' is not a regex wildcard), likewise a CSR naming axb by CN only;
#   - with a CA certificate the signed certificate does not verify against, it exits 1 and
#     an OUT_CRT already there is left as it was; no temporary file stays behind.
# Usage: sign_csr_test.sh SOURCE_DIR. Needs openssl: without it, exits 77 (ctest: skipped),
# or fails with CI=true.
set -euo pipefail
ROOT=$1
SIGN=$ROOT/deploy/sign-csr.sh
TEST_NAME=sign_csr_test
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools openssl
fail() { echo "sign_csr_test: FAIL: $*" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

# ca/: a CA as new-federation.sh makes one; bad/: the same key, a certificate that is no CA.
mkdir ca bad out
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca/ca.key 2>/dev/null
cp ca/ca.key bad/ca.key
openssl req -x509 -new -key ca/ca.key -sha256 -days 30 -subj "/CN=test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca/ca.crt
openssl req -x509 -new -key bad/ca.key -sha256 -days 30 -subj "/CN=test CA" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" -out bad/ca.crt
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out member.key 2>/dev/null
openssl req -new -key member.key -subj "/CN=axb" -addext "subjectAltName=DNS:axb" -out axb.csr
openssl req -new -key member.key -subj "/CN=axb" -out axb-cn.csr

refused() {  # refused CA_DIR CSR ID OUT: exit 1, OUT as before (absent or its old bytes)
  local before="" rc=0
  [[ -f "$4" ]] && before=$(cat "$4")
  "$SIGN" "$@" >/dev/null 2>sign.err || rc=$?
  [[ $rc -eq 1 ]] || fail "sign-csr.sh $* exited $rc, not 1"
  if [[ -z "$before" ]]; then [[ ! -e "$4" ]] || fail "sign-csr.sh $* left a certificate"
  else [[ "$(cat "$4")" == "$before" ]] || fail "sign-csr.sh $* replaced $4"; fi
}
refused ca axb.csr a.b out/a.b.crt
grep -q "does not ask for member a.b" sign.err || fail "unexpected refusal: $(cat sign.err)"
refused ca axb-cn.csr a.b out/a.b.crt
"$SIGN" ca axb.csr axb out/axb.crt >/dev/null || fail "sign-csr.sh refused axb's CSR for axb"
"$SIGN" ca axb-cn.csr axb out/axb-cn.crt >/dev/null || fail "sign-csr.sh refused a CSR naming axb by CN"
openssl verify -CAfile ca/ca.crt out/axb.crt >/dev/null || fail "the certificate for axb does not verify"
openssl x509 -in out/axb.crt -noout -ext subjectAltName | grep -qF "DNS:axb, IP Address:127.0.0.1" ||
  fail "the certificate for axb does not name DNS:axb"
refused bad axb.csr axb out/axb.crt
grep -q "does not verify" sign.err || fail "unexpected refusal: $(cat sign.err)"
refused bad axb.csr axb out/new.crt
leftovers=$(find out -name '.sign-csr.*')
[[ -z "$leftovers" ]] || fail "temporary files left behind: $leftovers"
echo "sign_csr_test: OK: member ids compared literally; only verified certificates written"
