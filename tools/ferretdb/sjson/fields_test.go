//go:build ignore

// scripts/install-ferretdb.sh copies this file, without the build line above, into a package of
// its own beside FerretDB's sjson package (whose own tests need FerretDB's git checkout) and runs
// it before it builds.

package sjson_test

import (
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
		if _, err := sjson.UnmarshalFields([]byte(data), []string{"_id"}); err == nil {
			t.Fatalf("%q: no error", data)
		}
	}
}
