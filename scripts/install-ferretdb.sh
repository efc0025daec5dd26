#!/usr/bin/env bash
# Build FerretDB 1.x (a MongoDB-compatible server on SQLite) into .tools/bin with Go.
# Only needed where no MongoDB is at hand: tests and `arabpress demo` use it when MONGO_URI is unset.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.tools/bin/ferretdb
if [ -x "$target" ] && [ "$target" -nt tools/ferretdb/go.sum ] && [ "$target" -nt tools/ferretdb/main.go ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-ferretdb: Go is not installed; install Go 1.24+ or set MONGO_URI to a MongoDB server" >&2
  exit 1
fi
echo "install-ferretdb: building FerretDB v1.24.2 into $target (first time only, about 2 minutes)" >&2
mkdir -p .tools/bin
(cd tools/ferretdb && go build -trimpath -o ../../"$target" .)
