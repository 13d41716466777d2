#!/usr/bin/env bash
# Signs a member's TLS certificate signing request with the federation CA:
#
#   deploy/sign-csr.sh CA_DIR CSR MEMBER_ID OUT_CRT
#
# CA_DIR holds ca.key and ca.crt (deploy/federation/new-federation.sh made them in
# OUTDIR/ca). CSR comes from `passerelle keys init` (tls.csr). The certificate names the
# member as peers check it (SAN DNS:<member id>, plus IP:127.0.0.1 for nodes on one
# machine), works as server and client (mutual TLS) and is valid 825 days. The CSR must
# ask for that member (a SAN DNS name or the subject CN equal to it, compared literally): a
# CSR for another name is refused. OUT_CRT is replaced only by a certificate that verifies
# against ca.crt; on any refusal or failure it is left as it was (or absent).
# Needs openssl.
set -euo pipefail
die() { echo "sign-csr: $*" >&2; exit 1; }
[[ $# -eq 4 ]] || { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ca_dir=$1 csr=$2 id=$3 out=$4
[[ -f "$ca_dir/ca.key" && -f "$ca_dir/ca.crt" ]] || die "$ca_dir has no ca.key and ca.crt"
[[ -f "$csr" ]] || die "no CSR file $csr"
[[ -d "$(dirname "$out")" ]] || die "no directory $(dirname "$out") for $out"
[[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ ]] || die "member id '$id' is not a valid id"
openssl req -in "$csr" -noout -verify >/dev/null 2>&1 || die "$csr is not a valid, self-signed CSR"
# The names the CSR asks for, one a line, compared as whole strings (an id may hold a '.').
sans=$(openssl req -in "$csr" -noout -text | sed -n '/X509v3 Subject Alternative Name:/{n;p}' |
  tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
cns=$(openssl req -in "$csr" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
grep -qxF "DNS:$id" <<<"$sans" || grep -qxF "$id" <<<"$cns" ||
  die "$csr does not ask for member $id (no DNS:$id nor CN=$id)"
ext=$(mktemp)
tmp_crt=$(mktemp "$(dirname "$out")/.sign-csr.XXXXXX")  # beside OUT_CRT: the final mv is a rename
trap 'rm -f "$ext" "$tmp_crt"' EXIT
printf '%s\n' "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyAgreement" \
  "extendedKeyUsage=serverAuth,clientAuth" \
  "subjectAltName=DNS:$id,IP:127.0.0.1" >"$ext"
openssl x509 -req -in "$csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 -extfile "$ext" -out "$tmp_crt" 2>/dev/null ||
  die "openssl could not sign $csr with $ca_dir/ca.key"
openssl verify -CAfile "$ca_dir/ca.crt" "$tmp_crt" >/dev/null 2>&1 ||
  die "the signed certificate does not verify against $ca_dir/ca.crt; $out left as it was"
chmod "$(printf '%o' $((0666 & ~0$(umask))))" "$tmp_crt"  # as openssl -out would (mktemp: 0600)
mv -f "$tmp_crt" "$out"
echo "sign-csr: wrote $out for $id (SAN DNS:$id, IP:127.0.0.1)"
