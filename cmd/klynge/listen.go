package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// shutdownGrace is how long in-flight requests may run on after a stop
// signal before the listener is closed under them, for a listener that sets
// no grace of its own (the gateway's is server.shutdownTimeout, honoured as
// configured, shorter or longer).
const shutdownGrace = 10 * time.Second

// listener is an HTTP server bound to its address before serving, so that
// "ready" is only printed once the port is taken (port 0 works too).
type listener struct {
	name string
	srv  *http.Server
	ln   net.Listener
	// grace replaces shutdownGrace when set.
	grace time.Duration
}

func listen(name, addr string, h http.Handler, logger *slog.Logger) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return &listener{name: name, srv: srv, ln: ln}, nil
}

// URL is the base URL clients use, e.g. http://127.0.0.1:8080.
func (l *listener) URL() string { return "http://" + l.ln.Addr().String() }

// serveAll serves every listener until ctx is done, then shuts them down
// gracefully: each stops accepting at once and waits for its requests in
// flight up to its own grace. It returns the first serve error.
func serveAll(ctx context.Context, ls ...*listener) error {
	errc := make(chan error, len(ls))
	for _, l := range ls {
		go func() {
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s: %w", l.name, err)
				return
			}
			errc <- nil
		}()
	}
	var first error
	select {
	case <-ctx.Done():
	case first = <-errc:
	}
	// Concurrently: one after the other, the gateway would go on accepting
	// requests while the demo's sandbox is already gone.
	errs := make([]error, len(ls))
	var wg sync.WaitGroup
	for i, l := range ls {
		wg.Go(func() {
			grace := l.grace
			if grace <= 0 {
				grace = shutdownGrace
			}
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
			defer cancel()
			if err := l.srv.Shutdown(sctx); err != nil {
				errs[i] = fmt.Errorf("%s: shutdown: %w", l.name, err)
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = errors.Join(errs...)
	}
	return first
}
