# Merges demo-only additions ($extra) into a seed-data qualification_frameworks.json
# ($base): a record with the same id (levels: the same framework_id and level) takes the
# extra's fields, `notes` lists are joined; records with new ids are appended.
def key: if has("id") then .id else "\(.framework_id):\(.level)" end;
def merge($base; $extra):
  ($extra | map({key: key, value: .}) | from_entries) as $x
  | ($base | map(key)) as $keys
  | ($base | map(. as $r | $x[$r | key] as $e
      | if $e == null then $r
        else ($r * $e)
             + (if ($r.notes | type) == "array" and ($e.notes | type) == "array"
                then {notes: ($r.notes + $e.notes)} else {} end)
        end))
    + ($extra | map(select(key as $k | $keys | index($k) | not)));
$base[0] as $B | $extra[0] as $E
| $B + {frameworks: merge($B.frameworks; $E.frameworks // []),
        levels: merge($B.levels; $E.levels // []),
        qualifications: merge($B.qualifications; $E.qualifications // []),
        mappings: merge($B.mappings; $E.mappings // [])}
