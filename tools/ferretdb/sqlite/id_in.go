//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into FerretDB's
// SQLite backend (package sqlite), where its Query and Explain call idInClause.

package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxIDIn bounds the keys of a pushed-down $in, well under SQLite's limit of bound parameters.
const maxIDIn = 1000

// idInClause returns the WHERE clause and arguments of a filter's `_id: {$in: [...]}` whose
// keys are all strings or ObjectIDs, so that SQLite searches the _id index; "" and nil otherwise.
// FerretDB's handlers apply the whole filter to the rows returned, as for `_id: value`.
func idInClause(v any) (string, []any) {
	operator, ok := v.(*types.Document)
	if !ok || operator.Len() != 1 {
		return "", nil
	}
	in, _ := operator.Get("$in")
	keys, ok := in.(*types.Array)
	if !ok || keys.Len() == 0 || keys.Len() > maxIDIn {
		return "", nil
	}
	args := make([]any, keys.Len())
	for i := range args {
		key := must.NotFail(keys.Get(i))
		switch key.(type) {
		case string, types.ObjectID:
			args[i] = string(must.NotFail(sjson.MarshalSingleValue(key)))
		default:
			return "", nil
		}
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, marks), args
}
