#!/bin/sh
# Start scrapyd, deploy the project's egg to it with scrapyd-deploy, then stay with it.
# A new version is deployed only when the project's code changed since the last deploy
# (deploy/versions.py fingerprint, kept in SCRAPYD_HOME), and only the newest
# SCRAPYD_KEEP_VERSIONS versions are kept. The scrapyd image runs this; so do the tests,
# natively. Environment:
#   SCRAPYD_HOME       scrapyd's state folder: eggs, job database, logs (default /var/lib/scrapyd)
#   SCRAPYD_HTTP_PORT  API port (default 6800)
#   SCRAPYD_KEEP_VERSIONS  deployed versions kept (default 3)
#   SCRAPYD_USERNAME, SCRAPYD_PASSWORD   API credentials, for scrapyd and for the deploy
#   MONGO_URI, ARABPRESS_BASE_URL, ...   the crawl's settings, passed on to every job
set -eu

project_dir=$(cd "$(dirname "$0")/.." && pwd)
home=${SCRAPYD_HOME:-/var/lib/scrapyd}
SCRAPYD_HTTP_PORT=${SCRAPYD_HTTP_PORT:-6800}
export SCRAPYD_HTTP_PORT
keep=${SCRAPYD_KEEP_VERSIONS:-3}
mkdir -p "$home"
workdir=$(mktemp -d)
egg="$workdir/arabpress.egg"
# "FINGERPRINT VERSION" of the last deploy from this state folder.
state="$home/arabpress-deployed"
fingerprint=$(python "$project_dir/deploy/versions.py" fingerprint)

echo "scrapyd-entrypoint: building the egg from $project_dir" >&2
(cd "$project_dir" && scrapyd-deploy --build-egg "$egg" >/dev/null 2>"$workdir/build.log") || {
  cat "$workdir/build.log" >&2
  echo "scrapyd-entrypoint: building the egg failed" >&2
  exit 1
}

# scrapyd reads ./scrapyd.conf (after /etc/scrapyd/scrapyd.conf) and starts its jobs in
# this folder: outside the source tree, so the jobs import the deployed egg. No pid file:
# a stale one left by a killed container would stop the next start.
cd "$home"
scrapyd --pidfile= &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM INT

# Deploy once the API answers; give up after about a minute.
tries=0
until python -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
  "$SCRAPYD_HTTP_PORT" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "scrapyd-entrypoint: scrapyd exited before answering" >&2
    exit 1
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge 600 ]; then
    echo "scrapyd-entrypoint: scrapyd did not answer on port $SCRAPYD_HTTP_PORT within 60s" >&2
    kill -TERM "$pid"
    exit 1
  fi
  sleep 0.1
done
SCRAPYD_URL="http://127.0.0.1:$SCRAPYD_HTTP_PORT/"
export SCRAPYD_URL
saved_fingerprint=
saved_version=
if [ -f "$state" ]; then
  read -r saved_fingerprint saved_version <"$state" || true
fi
if [ "$saved_fingerprint" = "$fingerprint" ] && [ -n "$saved_version" ] \
  && python "$project_dir/deploy/versions.py" has "$saved_version"; then
  deployed="version $saved_version, its code unchanged"
else
  # A timestamp: scrapyd runs the highest version, and timestamps sort in deploy order.
  version=$(date +%s)
  if ! (cd "$project_dir" && scrapyd-deploy env --egg "$egg" --version "$version"); then
    echo "scrapyd-entrypoint: deploying the egg failed" >&2
    kill -TERM "$pid"
    wait "$pid" || true
    exit 1
  fi
  echo "$fingerprint $version" >"$state"
  for removed in $(python "$project_dir/deploy/versions.py" prune "$keep"); do
    echo "scrapyd-entrypoint: removed version $removed (keeping the newest $keep)" >&2
  done
  deployed="new version $version"
fi
rm -rf "$workdir"
echo "scrapyd-entrypoint: project arabpress deployed ($deployed); scrapyd is serving on port $SCRAPYD_HTTP_PORT" >&2

# wait returns early when a signal arrives (the trap passes it on): wait again for the exit.
status=0
wait "$pid" || status=$?
if kill -0 "$pid" 2>/dev/null; then
  status=0
  wait "$pid" || status=$?
fi
exit "$status"
