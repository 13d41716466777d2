#!/usr/bin/env bash
# Assembles the web client as the node serves it (run by the CMake target web_client on
# every build; quick when nothing changed):
#   build.sh SRC_DIR OUT_DIR NPM_DIR
# copies index.html, style.css and js/ from SRC_DIR (web-client/) to OUT_DIR, installs the
# npm packages of tools/package-lock.json into NPM_DIR (only when the lock file changed)
# and writes OUT_DIR/vendor/world.json (the map outline) with tools/build-map.mjs. Without
# npm or the registry it warns and goes on: the map is then left out and the browser
# tests cannot run.
set -euo pipefail
src=${1:?SRC_DIR} out=${2:?OUT_DIR} npm_dir=${3:?NPM_DIR}
mkdir -p "$out" "$npm_dir"
rm -rf "$out/js.new"
cp -r "$src/js" "$out/js.new"
rm -rf "$out/js"
mv "$out/js.new" "$out/js"
cp "$src/index.html" "$src/style.css" "$out/"

if [[ ! -d "$npm_dir/node_modules" ]] || ! cmp -s "$src/tools/package-lock.json" "$npm_dir/package-lock.json"; then
  cp "$src/tools/package.json" "$src/tools/package-lock.json" "$npm_dir/"
  if ! (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "web-client: WARNING: npm ci failed in $npm_dir: no map outline, no browser tests" >&2
    rm -f "$npm_dir/package-lock.json"
    exit 0
  fi
fi
map="$out/vendor/world.json"
if [[ ! -f "$map" || "$src/tools/build-map.mjs" -nt "$map" || "$npm_dir/package-lock.json" -nt "$map" ]]; then
  node "$src/tools/build-map.mjs" "$npm_dir/node_modules" "$map"
fi
