//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into FerretDB's
// handler package, where makeFindQueryParams calls findFields.

package handler

import (
	"strings"

	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// findFields returns the top-level fields a find needs of each stored document: `_id` and those
// its projection includes, its filter tests and its sort orders by. It returns nil (every field)
// unless the projection includes plain top-level fields (`_id` may be excluded beside them) and the
// filter's and sort's keys are plain top-level fields: an exclusion, an operator (`$or`,
// `$slice`, `$natural`...) or a dotted path needs the whole document. The handler still applies
// the filter, sort and projection to what is returned, so results are those of the whole documents.
func findFields(params *common.FindParams) []string {
	if params.Projection == nil || params.Projection.Len() == 0 {
		return nil
	}

	fields := []string{"_id"}
	idExcluded := false

	for _, key := range params.Projection.Keys() {
		if !plainField(key) {
			return nil
		}

		switch {
		case included(must.NotFail(params.Projection.Get(key))):
			if key != "_id" {
				fields = append(fields, key)
			}
		case key == "_id":
			idExcluded = true
		default:
			return nil
		}
	}

	if idExcluded && len(fields) == 1 {
		return nil // `{_id: 0}` alone excludes: every other field is returned
	}

	for _, doc := range []*types.Document{params.Filter, params.Sort} {
		if doc == nil {
			continue
		}

		for _, key := range doc.Keys() {
			if !plainField(key) {
				return nil
			}

			fields = append(fields, key)
		}
	}

	return fields
}

// included reports whether a projection's value includes its field: true or a number other than 0
// (anything else, such as an operator, is not a plain inclusion).
func included(value any) bool {
	switch value := value.(type) {
	case bool:
		return value
	case int32:
		return value != 0
	case int64:
		return value != 0
	case float64:
		return value != 0
	default:
		return false
	}
}

// plainField reports whether key names a top-level field: no operator, no path.
func plainField(key string) bool {
	return key != "" && !strings.ContainsAny(key, ".$")
}
