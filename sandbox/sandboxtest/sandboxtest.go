// Package sandboxtest starts the sandbox on a loopback listener for a test
// and calls its control routes over HTTP. It is for tests only: every helper
// fails the test on error.
package sandboxtest

import (
	"net/http/httptest"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox"
)

// Server is a running sandbox.
type Server struct {
	URL     string // root URL, e.g. http://127.0.0.1:41234
	URLs    sandbox.BaseURLs
	Sandbox *sandbox.Sandbox
}

// Start generates a sandbox from cfg and serves it on loopback until the test
// ends. A zero cfg.Now is the pinned test present (Now), never the wall clock.
func Start(t testing.TB, cfg sandbox.Config) *Server {
	t.Helper()
	if cfg.Now.IsZero() {
		cfg.Now = Now(t)
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL, URLs: sandbox.URLs(srv.URL), Sandbox: sb}
}
