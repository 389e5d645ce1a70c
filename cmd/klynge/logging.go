package main

import (
	"io"
	"log/slog"
)

// newLogger is the process logger: JSON lines to w. Nothing that identifies
// a citizen is ever passed to it.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
