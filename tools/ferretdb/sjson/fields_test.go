//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into a package of
// its own beside FerretDB's sjson package (whose own tests need FerretDB's git checkout) and runs
// it before it builds.

package sjson_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// stored returns a document as FerretDB stores it: strings with quotes, backslashes and
// non-ASCII text, a nested document with an array, binary data, numbers, a date and a null.
func stored(t *testing.T) ([]byte, *types.Document) {
	t.Helper()

	doc := must.NotFail(types.NewDocument(
		"_id", "example.com/a",
		"body", `a "quoted" \ backslash \" and } ] { [ , : text عربي`+"\n",
		"nested", must.NotFail(types.NewDocument("list", must.NotFail(types.NewArray("x}", int32(1), 2.5)))),
		"bytes", types.Binary{B: []byte{0, 1, 2, '"', '\\'}, Subtype: types.BinaryGeneric},
		"record_hash", "0123abcd",
		"extractor_version", int32(7),
		"fetched_at", time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC),
		"empty", "",
		"backslash_at_end", `\`,
		"missing", types.Null,
		"big", int64(1)<<40,
		"flag", true,
	))

	data, err := sjson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}

	return data, doc
}

func TestUnmarshalFieldsKeepsTheNamedFieldsInStoredOrder(t *testing.T) {
	data, doc := stored(t)

	got, err := sjson.UnmarshalFields(data, []string{"extractor_version", "_id", "record_hash", "absent"})
	if err != nil {
		t.Fatal(err)
	}

	want := must.NotFail(types.NewDocument(
		"_id", "example.com/a", "record_hash", "0123abcd", "extractor_version", int32(7),
	))
	same(t, got, want)

	for _, key := range doc.Keys() {
		one, err := sjson.UnmarshalFields(data, []string{key})
		if err != nil {
			t.Fatal(err)
		}

		same(t, one, must.NotFail(types.NewDocument(key, must.NotFail(doc.Get(key)))))
	}
}

// same fails the test unless got and want are stored alike: the same keys, values and types.
func same(t *testing.T, got, want *types.Document) {
	t.Helper()

	if g, w := string(must.NotFail(sjson.Marshal(got))), string(must.NotFail(sjson.Marshal(want))); g != w {
		t.Fatalf("got %s, want %s", g, w)
	}
}

func TestUnmarshalFieldsWithoutFieldsIsUnmarshal(t *testing.T) {
	data, doc := stored(t)

	got, err := sjson.UnmarshalFields(data, nil)
	if err != nil {
		t.Fatal(err)
	}

	same(t, got, doc)
}

func TestUnmarshalFieldsRefusesWhatIsNotAStoredDocument(t *testing.T) {
	for _, data := range []string{``, `[]`, `{"_id": "a"`, `{"_id": "a}`, `{"$s": {}} x`, `{"a" 1}`} {
		for _, fields := range [][]string{nil, {"_id"}} {
			if _, err := sjson.UnmarshalFields([]byte(data), fields); err == nil {
				t.Fatalf("%q, fields %v: no error", data, fields)
			}
		}
	}
}

// TestUnmarshalFieldsDecodesBinaryAsUnmarshal reads binary data of every length up to 64 bytes
// (each base64 padding), whole and by name, as Unmarshal does; and binary data whose base64
// string holds an escape, which Marshal never writes, by the general decoder.
func TestUnmarshalFieldsDecodesBinaryAsUnmarshal(t *testing.T) {
	for size := 0; size <= 64; size++ {
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = byte(i*37 + size)
		}

		doc := must.NotFail(types.NewDocument(
			"_id", "example.com/b",
			"body", types.Binary{B: payload, Subtype: types.BinaryUser},
		))

		data := must.NotFail(sjson.Marshal(doc))
		want := must.NotFail(sjson.Unmarshal(data))

		for _, fields := range [][]string{nil, {"body"}} {
			got, err := sjson.UnmarshalFields(data, fields)
			if err != nil {
				t.Fatalf("%d bytes, fields %v: %v", size, fields, err)
			}

			if fields == nil {
				same(t, got, want)
			} else {
				same(t, got, must.NotFail(types.NewDocument("body", must.NotFail(want.Get("body")))))
			}
		}

		if size == 0 {
			continue
		}

		// The same document with the base64 string's first character written as a JSON escape.
		encoded := base64.StdEncoding.EncodeToString(payload)
		escaped := bytes.Replace(data, []byte(`"`+encoded+`"`), []byte(fmt.Sprintf(`"\u%04x%s"`, encoded[0], encoded[1:])), 1)

		if bytes.Equal(escaped, data) {
			t.Fatalf("%d bytes: the base64 string %q is not in %s", size, encoded, data)
		}

		got, err := sjson.UnmarshalFields(escaped, nil)
		if err != nil {
			t.Fatalf("%d bytes, escaped: %v", size, err)
		}

		same(t, got, want)
	}
}
