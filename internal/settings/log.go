package settings

import (
	"io"
	"log/slog"
	"os"
)

// Logger returns the structured logger that a program's log-format and
// log-level settings describe: format "json" writes JSON lines, anything
// else text; level is debug, info, warn or error (info when unknown). It
// writes to w, or to standard error when w is nil.
func Logger(w io.Writer, format, level string) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	var l slog.Level
	l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
