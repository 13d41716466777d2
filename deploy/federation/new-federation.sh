#!/usr/bin/env bash
# Creates (or completes) a federation's keys, certificates and node configurations from a
# spec such as deploy/demo/federation.json:
#
#   deploy/federation/new-federation.sh SPEC.json OUTDIR [--passerelle BIN]
#
# SPEC: {"federation": NAME, "node_defaults": {config keys for every node} (optional),
#        "members": [{"id", "name", "acts_for": [...], "http", "grpc", "peer" (host:port),
#                     "claim_unowned" (optional), "node": {config keys} (optional)}]}
# A member without "peer" runs no node that others dial (no node_address).
#
# OUTDIR afterwards holds:
#   ca/ca.key, ca/ca.crt             the federation CA (EC P-256, self-signed, 10 years)
#   nodes/<id>/tls.key, tls.csr,     the member's TLS key and its certificate signed by the CA,
#             tls.crt                SAN DNS:<id>, IP:127.0.0.1 (peers check the DNS name)
#   nodes/<id>/<id>.signing.key,     the member's Ed25519 op-signing key (`passerelle keys init`)
#             <id>.signing.pub
#   members.json                     the members file: id, name, acts_for, node_address, public_key
#   <id>.json                        the node configuration (absolute paths), data in data/<id>
#
# Idempotent: existing keys are never overwritten, they are reused; a certificate is kept
# while it still verifies against the CA, names the member and has 30+ days left, else it is
# signed again. members.json and <id>.json are derived files and rewritten on every run.
# Needs bash, jq and openssl (deploy/install-deps.sh installs them).
set -euo pipefail

usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "new-federation: $*" >&2; exit 1; }

# ---- arguments -------------------------------------------------------------------------
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
spec="" out="" passerelle=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --passerelle) passerelle=${2:?--passerelle needs a path}; shift ;;
    --passerelle=*) passerelle=${1#--passerelle=} ;;
    -h|--help) usage ;;
    -*) echo "new-federation: unknown option $1" >&2; usage ;;
    *) if [[ -z "$spec" ]]; then spec=$1; elif [[ -z "$out" ]]; then out=$1; else usage; fi ;;
  esac
  shift
done
[[ -n "$spec" && -n "$out" ]] || usage
[[ -f "$spec" ]] || die "no spec file $spec"
command -v jq >/dev/null || die "jq is missing (run deploy/install-deps.sh)"
command -v openssl >/dev/null || die "openssl is missing (run deploy/install-deps.sh)"
# The binary that writes signing keys: --passerelle, else the default build, else PATH.
if [[ -z "$passerelle" ]]; then
  if [[ -x "$ROOT/build/node/cli/passerelle" ]]; then passerelle="$ROOT/build/node/cli/passerelle"
  else passerelle=$(command -v passerelle || true); fi
fi

# ---- read and check the spec -----------------------------------------------------------
jq -e '(.members | type == "array" and length > 0) and all(.members[]; (.id | type == "string"))' \
  "$spec" >/dev/null || die "$spec: needs a non-empty \"members\" list, each with an \"id\""
federation=$(jq -r '.federation // "federation"' "$spec")
mapfile -t ids < <(jq -r '.members[].id' "$spec")
for id in "${ids[@]}"; do
  # Member ids become file names and certificate names: keep them to a safe alphabet.
  [[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ ]] || die "member id '$id' is not a valid id"
done
[[ $(printf '%s\n' "${ids[@]}" | sort | uniq -d | wc -l) -eq 0 ]] || die "duplicate member ids"

mkdir -p "$out"
out=$(cd "$out" && pwd)  # configs carry absolute paths: nodes may start from any directory
mkdir -p "$out/ca" "$out/nodes" "$out/data"
umask 077                # every key and certificate written below is private to this user

# ---- 1. the federation CA: one key, one self-signed certificate valid 10 years -------------
ca_key="$out/ca/ca.key" ca_crt="$out/ca/ca.crt"
if [[ ! -f "$ca_key" ]]; then
  echo "new-federation: creating the CA key $ca_key"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ca_key" 2>/dev/null
  rm -f "$ca_crt"  # a certificate for another key is useless
fi
if [[ ! -f "$ca_crt" ]] || ! openssl x509 -in "$ca_crt" -noout -checkend $((30 * 86400)) >/dev/null; then
  echo "new-federation: creating the CA certificate $ca_crt"
  openssl req -x509 -new -key "$ca_key" -sha256 -days 3650 \
    -subj "/O=Passerelle $federation/CN=$federation federation CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$ca_crt"
fi

# cert_ok CERT ID: the certificate verifies against the CA, names ID and has 30+ days left.
cert_ok() {
  [[ -f "$1" ]] || return 1
  openssl verify -CAfile "$ca_crt" "$1" >/dev/null 2>&1 || return 1
  openssl x509 -in "$1" -noout -checkend $((30 * 86400)) >/dev/null || return 1
  # The id as a whole SAN entry, literally (a "." in it matches only a ".").
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tr ',' '\n' | sed 's/^ *//' | grep -qxF "DNS:$2"
}

# ---- 2. per member: TLS key + CSR + certificate, and the Ed25519 signing key ---------------
keys_json='{}'  # member id -> public key hex, for members.json
for id in "${ids[@]}"; do
  dir="$out/nodes/$id"
  mkdir -p "$dir"
  # 2a. TLS key (EC P-256), kept once created.
  if [[ ! -f "$dir/tls.key" ]]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/tls.key" 2>/dev/null
    rm -f "$dir/tls.crt"
  fi
  # 2b. CSR and certificate signed by the CA. The SAN names the member (peers dialling it
  #     check DNS:<id>) and the loopback address; usable as server and as client (mutual TLS).
  if ! cert_ok "$dir/tls.crt" "$id"; then
    echo "new-federation: certificate for $id"
    openssl req -new -key "$dir/tls.key" -subj "/O=Passerelle $federation/CN=$id" \
      -out "$dir/tls.csr"
    ext="$dir/tls.ext"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyAgreement" \
      "extendedKeyUsage=serverAuth,clientAuth" \
      "subjectAltName=DNS:$id,IP:127.0.0.1" >"$ext"
    openssl x509 -req -in "$dir/tls.csr" -CA "$ca_crt" -CAkey "$ca_key" \
      -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 -extfile "$ext" \
      -out "$dir/tls.crt" 2>/dev/null
    rm -f "$ext"
  fi
  # 2c. Ed25519 signing key: `passerelle keys init` refuses to overwrite, so only when absent.
  if [[ ! -f "$dir/$id.signing.key" ]]; then
    [[ -n "$passerelle" && -x "$passerelle" ]] ||
      die "no passerelle binary to create signing keys (build it or pass --passerelle BIN)"
    "$passerelle" keys init --dir "$dir" --member-id "$id" >/dev/null
  fi
  # The public key is the second half of libsodium's 64-byte secret key (seed + public key),
  # so it is recovered from the key file even when the .pub file was lost.
  secret=$(tr -d ' \n\r' <"$dir/$id.signing.key")
  [[ "$secret" =~ ^[0-9a-f]{128}$ ]] || die "$dir/$id.signing.key is not a 64-byte hex key"
  pub=${secret:64:64}
  (umask 022; echo "$pub" >"$dir/$id.signing.pub")
  keys_json=$(jq -c --arg id "$id" --arg pub "$pub" '. + {($id): $pub}' <<<"$keys_json")
done

# ---- 3. members.json: who acts for which institutions, where its node listens, its key -----
(umask 022; jq --argjson keys "$keys_json" '{
    federation: (.federation // "federation"),
    members: [.members[] | {id, name: (.name // .id), acts_for: (.acts_for // [])}
                           + (if .peer then {node_address: .peer} else {} end)
                           + {public_key: $keys[.id]}]
  }' "$spec" >"$out/members.json.tmp" && mv "$out/members.json.tmp" "$out/members.json")

# ---- 4. one node configuration per member -----------------------------------------------
for id in "${ids[@]}"; do
  dir="$out/nodes/$id"
  (umask 022; jq --arg id "$id" --arg out "$out" --arg dir "$dir" '
    (.node_defaults // {}) as $defaults
    | .members[] | select(.id == $id)
    | {member_id: .id, data_dir: "\($out)/data/\(.id)", members_file: "\($out)/members.json",
       grpc_listen: (.grpc // "127.0.0.1:0"), http_listen: (.http // "127.0.0.1:0")}
      + (if .peer then {peer_listen: .peer} else {} end)
      + {signing_key: "\($dir)/\(.id).signing.key", tls_ca: "\($out)/ca/ca.crt",
         tls_cert: "\($dir)/tls.crt", tls_key: "\($dir)/tls.key"}
      + (if has("claim_unowned") then {claim_unowned} else {} end)
      + $defaults + (.node // {})' "$spec" >"$out/$id.json.tmp" && mv "$out/$id.json.tmp" "$out/$id.json")
done

echo "new-federation: $federation with ${#ids[@]} member(s) in $out (members.json, ${ids[*]/%/.json})"
