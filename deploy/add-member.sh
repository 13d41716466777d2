#!/usr/bin/env bash
# Adds a member institution to a federation's members file (a new file is written next to
# it and moved into place; nothing else changes):
#
#   deploy/add-member.sh MEMBERS_JSON ID NAME ACTS_FOR NODE_ADDRESS PUBLIC_KEY
#
# ACTS_FOR: comma-separated institution ids ("" for none). NODE_ADDRESS: host:port of the
# new node's peer port ("" if it runs no node others dial). PUBLIC_KEY: the hex Ed25519
# key `passerelle keys init` printed (its .signing.pub). Refuses a member id already
# there, an institution another member acts for, and a malformed key.
# Then give every node the new file and restart them one at a time (deploy/README.md).
# Needs jq.
set -euo pipefail
die() { echo "add-member: $*" >&2; exit 1; }
[[ $# -eq 6 ]] || { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
file=$1 id=$2 name=$3 acts_for=$4 address=$5 key=$6
[[ -f "$file" ]] || die "no members file $file"
[[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ ]] || die "member id '$id' is not a valid id"
[[ "$key" =~ ^[0-9a-f]{64}$ ]] || die "public key must be 64 hex characters (got '$key')"
[[ -z "$address" || "$address" =~ ^[^:]+:[0-9]{1,5}$ ]] || die "node address must be host:port (got '$address')"
jq -e --arg id "$id" 'any(.members[]; .id == $id) | not' "$file" >/dev/null || die "member $id is already in $file"
institutions=$(jq -cn --arg s "$acts_for" '$s | split(",") | map(select(length > 0))')
taken=$(jq -r --argjson want "$institutions" '[.members[] | .id as $m | .acts_for[]? | select(. as $i | $want | index($i)) | "\(.) (\($m))"] | join(", ")' "$file")
[[ -z "$taken" ]] || die "already acted for by another member: $taken"
jq --arg id "$id" --arg name "$name" --argjson acts "$institutions" --arg addr "$address" --arg key "$key" \
  '.members += [{id: $id, name: $name, acts_for: $acts} + (if $addr == "" then {} else {node_address: $addr} end) + {public_key: $key}]' \
  "$file" >"$file.tmp"
mv "$file.tmp" "$file"
echo "add-member: $id added to $file ($(jq '.members | length' "$file") members); restart each node with it"
