package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

// A shutdown timeout shorter than the built-in grace is honoured: the
// listener is closed under a request that outlives it, and serveAll says
// so, instead of waiting the default 10 s.
func TestShutdownHonoursAShortConfiguredGrace(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	l, err := listen("gateway", "127.0.0.1:0", h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	l.grace = 50 * time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveAll(ctx, l) }()
	go func() {
		resp, err := http.Get(l.URL())
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	stop()
	var got error
	select {
	case got = <-done:
	case <-time.After(5 * time.Second): // a bound on the wait, not a timing assertion
		close(release)
		got = <-done
		t.Fatalf("serveAll waited for the request beyond its 50ms grace (returned %v once it finished)", got)
	}
	close(release)
	if !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("serveAll = %v, want the shutdown's deadline exceeded", got)
	}
}
