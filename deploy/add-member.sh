#!/usr/bin/env bash
# Adds a member institution to a federation's members file (a new file is written next to
# it and moved into place; nothing else changes):
#
#   deploy/add-member.sh MEMBERS_JSON ID NAME ACTS_FOR NODE_ADDRESS PUBLIC_KEY
#
# ACTS_FOR: comma-separated institution ids ("" for none); blanks around each id are
# trimmed ("inst-a, inst-b" stores inst-a and inst-b), empty entries are ignored, and each id
# must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$ (what nodes accept in acts_for).
# NODE_ADDRESS: host:port of the new node's peer port, port 1..65535 ("" if it runs no node
# others dial). PUBLIC_KEY: the hex Ed25519 key `passerelle keys init` printed (its
# .signing.pub). Refuses (exit 1, the file unchanged, the message naming the argument) a
# malformed argument, a member id already there and an institution another member acts for.
# Then give every node the new file and restart them one at a time (deploy/README.md).
# Needs jq.
set -euo pipefail
die() { echo "add-member: $*" >&2; exit 1; }
[[ $# -eq 6 ]] || { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
file=$1 id=$2 name=$3 acts_for=$4 address=$5 key=$6
id_re='^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'
[[ -f "$file" ]] || die "MEMBERS_JSON: no members file $file"
[[ "$id" =~ $id_re ]] || die "ID: member id '$id' is not a valid id"
[[ "$key" =~ ^[0-9a-f]{64}$ ]] || die "PUBLIC_KEY: must be 64 hex characters (got '$key')"
if [[ -n "$address" ]]; then
  [[ "$address" =~ ^[^:]+:([1-9][0-9]{0,4})$ ]] && ((BASH_REMATCH[1] <= 65535)) ||
    die "NODE_ADDRESS: must be host:port with a port in 1..65535 (got '$address')"
fi
institutions=()
rest=$acts_for,
while [[ -n "$rest" ]]; do
  inst=${rest%%,*} rest=${rest#*,}
  inst=${inst#"${inst%%[![:space:]]*}"} inst=${inst%"${inst##*[![:space:]]}"}  # trim blanks
  [[ -n "$inst" ]] || continue
  [[ "$inst" =~ $id_re ]] || die "ACTS_FOR: '$inst' is not a valid institution id"
  for seen in "${institutions[@]}"; do [[ "$seen" != "$inst" ]] || die "ACTS_FOR: $inst is listed twice"; done
  institutions+=("$inst")
done
jq -e --arg id "$id" 'any(.members[]; .id == $id) | not' "$file" >/dev/null || die "ID: member $id is already in $file"
acts=$(jq -cn '$ARGS.positional' --args "${institutions[@]}")
taken=$(jq -r --argjson want "$acts" \
  '[.members[] | .id as $m | .acts_for[]? | select(. as $i | $want | index($i) != null) | "\(.) (\($m))"] | join(", ")' "$file")
[[ -z "$taken" ]] || die "ACTS_FOR: already acted for by another member: $taken"
trap 'rm -f "$file.tmp"' EXIT
jq --arg id "$id" --arg name "$name" --argjson acts "$acts" --arg addr "$address" --arg key "$key" \
  '.members += [{id: $id, name: $name, acts_for: $acts} + (if $addr == "" then {} else {node_address: $addr} end) + {public_key: $key}]' \
  "$file" >"$file.tmp"
mv "$file.tmp" "$file"
echo "add-member: $id added to $file ($(jq '.members | length' "$file") members); restart each node with it"
