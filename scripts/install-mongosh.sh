#!/usr/bin/env bash
# Install mongosh (the MongoDB shell) from npm into .tools/mongosh: the test suite runs the
# mongosh examples of docs/querying.md with it. Needs Node.js 18+ and npm.
# With --optional (what setup.sh passes), a machine without npm gets one line saying what
# mongosh would add, and status 0: nothing else needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.12.0
target=.tools/mongosh
if [ -x "$target/node_modules/.bin/mongosh" ] && grep -q "\"version\": \"$version\"" "$target/node_modules/mongosh/package.json" 2>/dev/null; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "${1:-}" = "--optional" ]; then
    echo "install-mongosh: npm is not installed, so neither is mongosh (optional): it would run the mongosh examples of docs/querying.md in the tests, which skip them now (Debian: apt-get install npm)" >&2
    exit 0
  fi
  echo "install-mongosh: npm is not installed (Debian: apt-get install npm)" >&2
  exit 1
fi
echo "install-mongosh: installing mongosh $version into $target (first time only, about a minute)" >&2
mkdir -p "$target"
npm install --prefix "$target" --no-audit --no-fund --loglevel=error "mongosh@$version" >/dev/null
