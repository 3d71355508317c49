#!/usr/bin/env bash
# Fetches the console's third-party modules from npm into this folder, pinned: the versions
# below, checked against npm's integrity hashes by `npm pack`. Run it to update them (change
# the versions here), then rebuild: the files are compiled into the server binary and served
# from /console/vendor/ under a strict Content-Security-Policy. Nothing is fetched at build
# time, and nothing is bundled or minified here: these are the packages' own module files.
#
# One change is made, and checked: Preact's hooks module imports the bare specifier "preact",
# which a browser can only resolve through an import map — and an import map is an inline
# script, which the console's policy forbids. The one specifier is rewritten to the file
# beside it; SHA256SUMS lists the files as served, VERSIONS the packages' npm integrity.
set -euo pipefail
PREACT=11.2.0
HTM=3.1.1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "preact@$PREACT" "htm@$HTM" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
cp "preact-$PREACT/package/dist/preact.mjs" "$here/preact.mjs"
cp "htm-$HTM/package/dist/htm.mjs" "$here/htm.mjs"
hooks="preact-$PREACT/package/hooks/dist/hooks.mjs"
[ "$(grep -o 'from"preact"' "$hooks" | wc -l)" = 1 ] || { echo "hooks.mjs: expected exactly one import of \"preact\"" >&2; exit 1; }
sed 's|from"preact"|from"./preact.mjs"|' "$hooks" > "$here/hooks.mjs"
if grep -qE 'from *"[^.]' "$here/preact.mjs" "$here/hooks.mjs" "$here/htm.mjs"; then
  echo "a vendored module still imports a bare specifier" >&2; exit 1
fi
{
  echo "preact $PREACT (MIT): preact.mjs, hooks.mjs"; echo; cat "preact-$PREACT/package/LICENSE"; echo
  echo "htm $HTM (Apache-2.0): htm.mjs"; echo; cat "htm-$HTM/package/LICENSE"
} > "$here/LICENSES"
{
  printf 'preact %s %s\n' "$PREACT" "$(npm view "preact@$PREACT" dist.integrity)"
  printf 'htm %s %s\n' "$HTM" "$(npm view "htm@$HTM" dist.integrity)"
} > "$here/VERSIONS"
(cd "$here" && sha256sum preact.mjs hooks.mjs htm.mjs > SHA256SUMS)
echo "updated: $(cut -d' ' -f1,2 "$here/VERSIONS" | tr '\n' ' ')"
