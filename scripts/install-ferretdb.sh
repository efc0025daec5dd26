#!/usr/bin/env bash
# Build FerretDB 1.x (a MongoDB-compatible server on SQLite) into .tools/bin with Go.
# Only needed where no MongoDB is at hand: tests and `arabpress demo` use it when MONGO_URI is unset.
#
# One fix is applied at build time, to a copy of FerretDB's source: FerretDB 1.24 queries
# the SQLite table with `_ferretdb_sjson->'$._id'` but indexes `_ferretdb_sjson->"_id"`, so
# SQLite never uses the _id index and every {_id: value} lookup, update and delete reads
# the whole collection (docs/storage.md, "Differences"; the same class of bug as
# FerretDB/FerretDB#4646 on PostgreSQL). The copy writes the query's path as the index's.
# A second fix: FerretDB pushes `_id` down only when it is the filter's one key, so the
# writer's guarded replacement ({_id, content_hash, version}) read the whole collection too.
# The copy pushes down a string `_id` whatever else the filter holds (a filter may be nil); FerretDB's handlers
# apply the whole filter to what the query returns anyway, so results are unchanged.
# The wrapper (tools/ferretdb/main.go) also gives FerretDB a logger that formats Logger.With's
# attributes only for records it logs: FerretDB passes every SQL statement's arguments (whole
# documents) to With, and formatting them took about half its CPU per insert (its test runs first).
set -euo pipefail
cd "$(dirname "$0")/.."
target=.tools/bin/ferretdb
if [ -x "$target" ] && [ "$target" -nt tools/ferretdb/go.sum ] && [ "$target" -nt tools/ferretdb/main.go ] \
  && [ "$target" -nt tools/ferretdb/main_test.go ] && [ "$target" -nt tools/ferretdb/sqlite/id_in.go ] \
  && [ "$target" -nt tools/ferretdb/sqlite/fields.go ] && [ "$target" -nt tools/ferretdb/handler/fields.go ] \
  && [ "$target" -nt tools/ferretdb/sjson/fields.go ] && [ "$target" -nt tools/ferretdb/sjson/fields_test.go ] \
  && [ "$target" -nt tools/ferretdb/libc/memfast.go ] && [ "$target" -nt tools/ferretdb/memfast_test.go ] \
  && [ "$target" -nt scripts/install-ferretdb.sh ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-ferretdb: Go is not installed; install Go 1.24+ or set MONGO_URI to a MongoDB server" >&2
  exit 1
fi
echo "install-ferretdb: building FerretDB v1.24.2 into $target (first time only, about 2 minutes)" >&2
mkdir -p .tools/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
module=$(cd tools/ferretdb && go mod download -json github.com/FerretDB/FerretDB | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$module" "$work/FerretDB" && chmod -R u+w "$work/FerretDB"
metadata="$work/FerretDB/internal/backends/sqlite/metadata/metadata.go"
sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \"->'_id'\"|" "$metadata"
if ! grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$metadata"; then
  echo "install-ferretdb: $module is not the expected FerretDB source; not building" >&2
  exit 1
fi
collection="$work/FerretDB/internal/backends/sqlite/collection.go"
[ "$(grep -c 'if params.Filter.Len() == 1 {' "$collection")" = 2 ] || {
  echo "install-ferretdb: $collection is not the expected FerretDB source; not building" >&2
  exit 1
}
sed -i -e 's|if params.Filter.Len() == 1 {|if params.Filter.Len() > 0 \&\& params.Filter.Has("_id") {|' \
  -e 's|filterPushdown = true|filterPushdown = params.Filter.Len() == 1|' "$collection"
# A third: `_id: {$in: [strings]}` is pushed down too (tools/ferretdb/sqlite/id_in.go), so a batch of
# lookups by key is one query that searches the _id index rather than one that reads the collection.
args_line='args = \[\]any{string(must.NotFail(sjson.MarshalSingleValue(v)))}'
[ "$(grep -c "$args_line" "$collection")" = 2 ] || {
  echo "install-ferretdb: $collection is not the expected FerretDB source; not building" >&2
  exit 1
}
sed -i "/$args_line/a\\\\t\\tcase *types.Document:\n\t\t\twhereClause, args = idInClause(v)" "$collection"
[ "$(grep -c '^		case \*types.Document:$' "$collection")" = 2 ] || {
  echo "install-ferretdb: the \$in pushdown could not be applied to $collection; not building" >&2
  exit 1
}
sed '/^\/\/go:build ignore$/d' tools/ferretdb/sqlite/id_in.go >"$(dirname "$collection")/id_in.go"
# A fourth: a find whose projection includes plain top-level fields decodes only those (and the
# fields its filter and sort name) of each stored document, rather than every value of it
# (tools/ferretdb/handler/fields.go, sqlite/fields.go, sjson/fields.go); a whole document is split
# by the same scan and each value decoded once, a plain base64 binary straight from its text. The
# handler still applies the filter, sort and projection, so results are unchanged.
internal="$work/FerretDB/internal"
query_params="$internal/backends/collection.go"
[ "$(grep -c '^	OnlyRecordIDs bool$' "$query_params")" = 1 ] \
  && [ "$(grep -c 'Iter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),' "$collection")" = 1 ] \
  && [ "$(grep -c '^	onlyRecordIDs bool$' "$internal/backends/sqlite/query_iterator.go")" = 1 ] \
  && [ "$(grep -c 'doc, err = sjson.Unmarshal(b); err != nil' "$internal/backends/sqlite/query_iterator.go")" = 1 ] \
  && [ "$(grep -c 'h.L.DebugContext(ctx, fmt.Sprintf("Converted %+v for %+v to %+v.", params, cInfo, qp))' \
    "$internal/handler/msg_find.go")" = 1 ] || {
  echo "install-ferretdb: the projection's fields could not be pushed down in $module; not building" >&2
  exit 1
}
sed -i 's|^	OnlyRecordIDs bool$|&\n	Fields        []string // top-level fields to decode; nil: all|' "$query_params"
sed -i 's|Iter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),|Iter: withFields(newQueryIterator(ctx, rows, params.OnlyRecordIDs), params.Fields),|' \
  "$collection"
sed -i -e 's|^	onlyRecordIDs bool$|&\n	fields        []string|' \
  -e 's|doc, err = sjson.Unmarshal(b); err != nil|doc, err = sjson.UnmarshalFields(b, iter.fields); err != nil|' \
  "$internal/backends/sqlite/query_iterator.go"
sed -i 's|^	h.L.DebugContext(ctx, fmt.Sprintf("Converted %+v for %+v to %+v.", params, cInfo, qp))$|	qp.Fields = findFields(params)\n\n&|' \
  "$internal/handler/msg_find.go"
mkdir "$internal/handler/sjson/fields"
for part in sqlite/fields.go:backends/sqlite handler/fields.go:handler sjson/fields.go:handler/sjson \
  sjson/fields_test.go:handler/sjson/fields; do
  sed '/^\/\/go:build ignore$/d' "tools/ferretdb/${part%%:*}" >"$internal/${part#*:}/$(basename "${part%%:*}")"
done
(cd "$work/FerretDB" && go test -count=1 ./internal/handler/sjson/fields/)
cp tools/ferretdb/go.mod tools/ferretdb/go.sum tools/ferretdb/main.go tools/ferretdb/main_test.go tools/ferretdb/memfast_test.go \
  "$work/"
# A fifth, to the C library of FerretDB's SQLite (C translated to Go, modernc.org/libc): its memcmp
# and memcpy work byte by byte in Go, and SQLite compares each inserted document's whole JSON text
# with its JSON cache once per index it updates (a third of the server's CPU in a crawl). A copy
# of the library calls Go's bytes.Compare and copy instead (tools/ferretdb/libc/memfast.go).
libc=$(cd tools/ferretdb && go mod download -json modernc.org/libc | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$libc" "$work/libc" && chmod -R u+w "$work/libc"
sed '/^\/\/go:build ignore$/d' tools/ferretdb/libc/memfast.go >"$work/libc/memfast.go"
for arch in amd64 arm64 loong64; do
  translated="$work/libc/ccgo_linux_$arch.go"
  sed -i -e 's|^func Xmemcmp(tls \*TLS, vl uintptr, vr uintptr, n Tsize_t) (r1 int32) {$|&\n\treturn memcmpFast(vl, vr, n)|' \
    -e 's|^func Xmemcpy(tls \*TLS, dest uintptr, src uintptr, n Tsize_t) (r uintptr) {$|&\n\treturn memcpyFast(dest, src, n)|' \
    "$translated"
  [ "$(grep -c '^	return mem\(cmp\|cpy\)Fast(' "$translated")" = 2 ] || {
    echo "install-ferretdb: $libc is not the expected modernc.org/libc source ($translated); not building" >&2
    exit 1
  }
done
(cd "$work" && go mod edit -replace "github.com/FerretDB/FerretDB=$work/FerretDB" \
  -replace "modernc.org/libc=$work/libc" && go test -count=1 . \
  && go build -trimpath -o build/ferretdb .)
mv "$work/build/ferretdb" "$target"
