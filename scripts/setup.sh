#!/usr/bin/env bash
# Prepare a fresh machine: a virtualenv with arabpress and its test tools, plus the local
# servers the tests and the demo start (FerretDB built with Go, redis-server from Debian).
# Needs only Python 3.11 and Go; mongosh comes too where npm is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,deploy]'
if [ -z "${MONGO_URI:-}" ] && ! command -v mongod >/dev/null 2>&1; then
  bash scripts/install-ferretdb.sh
fi
bash scripts/install-mongosh.sh --optional  # the mongosh examples of docs/querying.md; skipped without npm
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing redis-server from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: redis-server is missing; install it (Debian: apt-get install redis-server)" >&2
    exit 1
  fi
fi
