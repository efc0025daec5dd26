// Command ferretdb runs FerretDB 1.x with its SQLite backend for the project's tests and demo.
//
// The released ferretdb command refuses to start when built with `go install` outside its
// own repository (it expects generated version files), so this wraps the embeddable
// package instead. It accepts the released command's flags that the project uses; the
// others are accepted and ignored so either binary can be started the same way.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "backend handler (sqlite)")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite URI (a directory)")
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn, error")
	// Accepted for compatibility with the released command; the embedded server has no
	// debug handler and never sends telemetry.
	flag.String("debug-addr", "", "ignored")
	flag.String("telemetry", "disable", "ignored: telemetry is always off")
	flag.String("state-dir", "", "ignored")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad --log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(lazyAttrs{Handler: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Handler:   *handler,
		SQLiteURL: *sqliteURL,
		Logger:    logger,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

// lazyAttrs keeps the attributes given to Logger.With and formats them only for a record
// that is logged. FerretDB's SQL layer calls Logger.With with every query's arguments (a
// whole document as JSON) twice per statement before its Debug call: slog's TextHandler
// formats them at once, whatever the level, which took about half the server's CPU of an
// insert at level warn.
type lazyAttrs struct {
	slog.Handler
	attrs []slog.Attr
}

// WithAttrs returns a handler that adds attrs to each record it logs.
func (h lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return lazyAttrs{Handler: h.Handler, attrs: append(slices.Clip(h.attrs), attrs...)}
}

// WithGroup applies the attributes kept so far, which belong outside the group.
func (h lazyAttrs) WithGroup(name string) slog.Handler {
	return lazyAttrs{Handler: h.Handler.WithAttrs(h.attrs).WithGroup(name)}
}

// Handle logs the record with the kept attributes before its own.
func (h lazyAttrs) Handle(ctx context.Context, record slog.Record) error {
	if len(h.attrs) == 0 {
		return h.Handler.Handle(ctx, record)
	}
	return h.Handler.WithAttrs(h.attrs).Handle(ctx, record)
}
