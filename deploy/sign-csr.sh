#!/usr/bin/env bash
# Signs a member's TLS certificate signing request with the federation CA:
#
#   deploy/sign-csr.sh CA_DIR CSR MEMBER_ID OUT_CRT
#
# CA_DIR holds ca.key and ca.crt (deploy/federation/new-federation.sh made them in
# OUTDIR/ca). CSR comes from `passerelle keys init` (tls.csr). The certificate names the
# member as peers check it (SAN DNS:<member id>, plus IP:127.0.0.1 for nodes on one
# machine), works as server and client (mutual TLS) and is valid 825 days. The CSR must
# ask for that member (its SAN or CN): a CSR for another name is refused.
# Needs openssl.
set -euo pipefail
die() { echo "sign-csr: $*" >&2; exit 1; }
[[ $# -eq 4 ]] || { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ca_dir=$1 csr=$2 id=$3 out=$4
[[ -f "$ca_dir/ca.key" && -f "$ca_dir/ca.crt" ]] || die "$ca_dir has no ca.key and ca.crt"
[[ -f "$csr" ]] || die "no CSR file $csr"
[[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ ]] || die "member id '$id' is not a valid id"
openssl req -in "$csr" -noout -verify >/dev/null 2>&1 || die "$csr is not a valid, self-signed CSR"
text=$(openssl req -in "$csr" -noout -text)
grep -q "DNS:$id\(,\|$\)" <<<"$text" || grep -q "CN *= *$id\(,\|$\)" <<<"$text" ||
  die "$csr does not ask for member $id (no DNS:$id nor CN=$id)"
ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
printf '%s\n' "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyAgreement" \
  "extendedKeyUsage=serverAuth,clientAuth" \
  "subjectAltName=DNS:$id,IP:127.0.0.1" >"$ext"
openssl x509 -req -in "$csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 -extfile "$ext" -out "$out" 2>/dev/null
openssl verify -CAfile "$ca_dir/ca.crt" "$out" >/dev/null || die "the signed certificate does not verify"
echo "sign-csr: wrote $out for $id (SAN DNS:$id, IP:127.0.0.1)"
