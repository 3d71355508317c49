#!/usr/bin/env bash
# Fetches the GraphiQL page's assets from npm into this folder, pinned: the versions below,
# checked against npm's integrity hashes by `npm pack`. Run it to update them (change the
# versions here), then rebuild: the files are compiled into the server binary and served
# from /graphiql/ under a strict Content-Security-Policy. Nothing is fetched at build time.
set -euo pipefail
GRAPHIQL=3.8.3
REACT=18.3.1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
cp "graphiql-$GRAPHIQL/package/graphiql.min.js" "graphiql-$GRAPHIQL/package/graphiql.min.css" "$here/"
cp "react-$REACT/package/umd/react.production.min.js" "$here/"
cp "react-dom-$REACT/package/umd/react-dom.production.min.js" "$here/"
{
  echo "graphiql $GRAPHIQL (MIT)"; echo; cat "graphiql-$GRAPHIQL/package/LICENSE"; echo
  echo "react $REACT (MIT)"; echo; cat "react-$REACT/package/LICENSE"; echo
  echo "react-dom $REACT (MIT)"; echo; cat "react-dom-$REACT/package/LICENSE"
} > "$here/LICENSES"
printf 'graphiql %s\nreact %s\nreact-dom %s\n' "$GRAPHIQL" "$REACT" "$REACT" > "$here/VERSIONS"
(cd "$here" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js > SHA256SUMS)
echo "updated: $(tr '\n' ' ' < "$here/VERSIONS")"
