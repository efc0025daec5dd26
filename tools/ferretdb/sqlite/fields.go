//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into FerretDB's
// SQLite backend (package sqlite), where its Query calls withFields.

package sqlite

import "github.com/FerretDB/FerretDB/internal/types"

// withFields makes a query iterator decode only the top-level fields named in fields of each
// document it reads (every field when fields is nil).
func withFields(iter types.DocumentsIterator, fields []string) types.DocumentsIterator {
	if query, ok := iter.(*queryIterator); ok {
		query.fields = fields
	}

	return iter
}
