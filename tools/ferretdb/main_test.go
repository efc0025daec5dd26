package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// formatted counts how often slog formats it.
type formatted struct{ calls *int }

func (f formatted) String() string {
	*f.calls++
	return "whole document"
}

func TestAttributesOfADroppedRecordAreNeverFormatted(t *testing.T) {
	var out bytes.Buffer
	calls := 0
	logger := slog.New(lazyAttrs{Handler: slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn})})
	logger.With(slog.Any("args", formatted{&calls})).Debug(">>> INSERT")
	if calls != 0 || out.Len() != 0 {
		t.Fatalf("a dropped debug record formatted its attributes %d times and wrote %q", calls, out.String())
	}
}

func TestALoggedRecordCarriesTheAttributesOfWithInOrder(t *testing.T) {
	var out bytes.Buffer
	calls := 0
	logger := slog.New(lazyAttrs{Handler: slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn})})
	logger.With("first", 1).With(slog.Any("args", formatted{&calls})).Warn("slow query", "time", "2s")
	line := out.String()
	want := []string{`msg="slow query"`, "first=1", `args="whole document"`, "time=2s"}
	at := 0
	for _, part := range want {
		found := strings.Index(line[at:], part)
		if found < 0 {
			t.Fatalf("%q not found in order in %q", part, line)
		}
		at += found + len(part)
	}
	if calls != 1 {
		t.Fatalf("the attribute was formatted %d times, want once", calls)
	}
}

func TestAGroupKeepsTheAttributesGivenBeforeItOutside(t *testing.T) {
	var out bytes.Buffer
	logger := slog.New(lazyAttrs{Handler: slog.NewTextHandler(&out, nil)})
	logger.With("conn", 7).WithGroup("query").With("table", "articles").Warn("x", "rows", 2)
	line := out.String()
	for _, part := range []string{"conn=7", "query.table=articles", "query.rows=2"} {
		if !strings.Contains(line, part) {
			t.Fatalf("%q not in %q", part, line)
		}
	}
}
