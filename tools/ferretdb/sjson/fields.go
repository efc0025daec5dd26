//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into FerretDB's
// sjson package, where the SQLite backend's query iterator calls UnmarshalFields.

package sjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// UnmarshalFields returns the document encoded in data with only the top-level fields named in
// fields, in the stored order (the whole document when fields is nil). The values of the other
// fields are scanned as raw JSON, never decoded: a find with a projection then no longer
// decodes, for instance, an article's whole body to return two small fields. The document comes
// from FerretDB's own storage, written by its Marshal: valid JSON, checked no further here.
// A whole document is read the same way: each of its values is then decoded once, where
// Unmarshal first runs encoding/json's decoder over the whole document to split it.
func UnmarshalFields(data []byte, fields []string) (*types.Document, error) {
	v, err := topLevel(data)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	jsch, ok := v["$s"]
	if !ok {
		return nil, lazyerrors.Errorf("schema is not set")
	}

	var sch schema
	r := bytes.NewReader(jsch)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()

	if err = dec.Decode(&sch); err != nil {
		return nil, lazyerrors.Error(err)
	}

	if err = checkConsumed(dec, r); err != nil {
		return nil, lazyerrors.Error(err)
	}

	delete(v, "$s")

	if len(sch.Keys) != len(v) {
		return nil, lazyerrors.Errorf(
			"sjson.UnmarshalFields: the data must have the same number of schema keys and document fields (keys: %d, fields: %d)",
			len(sch.Keys), len(v),
		)
	}

	d := must.NotFail(types.NewDocument())

	for _, key := range sch.Keys {
		if fields != nil && !slices.Contains(fields, key) {
			continue
		}

		b, ok := v[key]
		if !ok {
			return nil, lazyerrors.Errorf("sjson.UnmarshalFields: missing key %q", key)
		}

		value, err := unmarshalTopValue(b, sch.Properties[key])
		if err != nil {
			return nil, lazyerrors.Error(err)
		}

		d.Set(key, value)
	}

	return d, nil
}

// unmarshalTopValue returns a top-level value as unmarshalSingleValue does; binary data written
// as a plain base64 string (as Marshal writes it: no escapes) is decoded straight from its
// bytes, rather than by encoding/json's decoder (a kept page's body is such a value).
func unmarshalTopValue(data json.RawMessage, sch *elem) (any, error) {
	if sch == nil || sch.Type != elemTypeBinData || sch.Subtype == nil || len(data) < 2 || data[0] != '"' ||
		data[len(data)-1] != '"' || bytes.IndexByte(data[1:len(data)-1], '\\') >= 0 ||
		bytes.IndexByte(data[1:len(data)-1], '"') >= 0 {
		return unmarshalSingleValue(data, sch)
	}

	encoded := data[1 : len(data)-1]
	decoded := make([]byte, base64.StdEncoding.DecodedLen(len(encoded)))

	n, err := base64.StdEncoding.Decode(decoded, encoded)
	if err != nil {
		return nil, lazyerrors.Error(err)
	}

	return types.Binary{B: decoded[:n], Subtype: *sch.Subtype}, nil
}

// topLevel returns the raw JSON value of each top-level key of the object data, as slices of
// data: each value is skipped over (strings by their closing quote), never decoded.
func topLevel(data []byte) (map[string]json.RawMessage, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, lazyerrors.Errorf("sjson.topLevel: not an object")
	}

	values := make(map[string]json.RawMessage)

	if i = skipSpace(data, i+1); i < len(data) && data[i] == '}' {
		return values, atEnd(data, i+1)
	}

	for {
		if i >= len(data) || data[i] != '"' {
			return nil, lazyerrors.Errorf("sjson.topLevel: a key expected at %d", i)
		}

		end, err := skipString(data, i)
		if err != nil {
			return nil, err
		}

		var key string
		if quoted := data[i:end]; bytes.IndexByte(quoted, '\\') < 0 {
			key = string(quoted[1 : len(quoted)-1])
		} else if err = json.Unmarshal(quoted, &key); err != nil {
			return nil, lazyerrors.Error(err)
		}

		if i = skipSpace(data, end); i >= len(data) || data[i] != ':' {
			return nil, lazyerrors.Errorf("sjson.topLevel: ':' expected at %d", i)
		}

		start := skipSpace(data, i+1)
		if i, err = skipValue(data, start); err != nil {
			return nil, err
		}

		values[key] = data[start:i]

		switch i = skipSpace(data, i); {
		case i < len(data) && data[i] == ',':
			i = skipSpace(data, i+1)
		case i < len(data) && data[i] == '}':
			return values, atEnd(data, i+1)
		default:
			return nil, lazyerrors.Errorf("sjson.topLevel: ',' or '}' expected at %d", i)
		}
	}
}

// skipSpace returns the index of the first byte of data from i on that is not JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}

	return i
}

// atEnd returns an error unless only white space follows index i of data.
func atEnd(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return lazyerrors.Errorf("sjson.topLevel: data after the object at %d", i)
	}

	return nil
}

// skipString returns the index just after the string that opens at data[i].
func skipString(data []byte, i int) (int, error) {
	j := i + 1

	for {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return 0, lazyerrors.Errorf("sjson.topLevel: unterminated string at %d", i)
		}

		j += k

		// A quote preceded by an odd number of backslashes is escaped.
		backslashes := 0
		for b := j - 1; b > i && data[b] == '\\'; b-- {
			backslashes++
		}

		if backslashes%2 == 0 {
			return j + 1, nil
		}

		j++
	}
}

// skipValue returns the index just after the JSON value that starts at data[i].
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, lazyerrors.Errorf("sjson.topLevel: a value expected at %d", i)
	}

	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0

		for j := i; j < len(data); {
			switch data[j] {
			case '"':
				end, err := skipString(data, j)
				if err != nil {
					return 0, err
				}

				j = end

				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, nil
				}
			}

			j++
		}

		return 0, lazyerrors.Errorf("sjson.topLevel: unterminated value at %d", i)
	default:
		j := i
		for j < len(data) && !endsLiteral(data[j]) {
			j++
		}

		if j == i {
			return 0, lazyerrors.Errorf("sjson.topLevel: a value expected at %d", i)
		}

		return j, nil
	}
}

// endsLiteral reports whether c ends a number, true, false or null.
func endsLiteral(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	default:
		return false
	}
}
