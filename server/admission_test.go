package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/server/auth"
	"github.com/sundhedsklynge/klynge/server/overload"
)

// syncBuffer is a log destination safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// At a full limit a request is refused before its token is looked at and
// without a line in the request log, and health and readiness still answer
// (metrics have their own listener, apart from the API).
func TestRefusalIsTheCheapestPath(t *testing.T) {
	authn, err := auth.New(auth.Options{Issuer: "http://127.0.0.1:1/never", Audience: "klynge"})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	held := make(chan struct{})
	limiter := overload.New(overload.Options{MaxInFlight: 1, MinInFlight: 1})
	h := New(Options{
		Schema: schematest.New(),
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Guards: Guards{Auth: authn},
		// The one slot is taken by a request that waits in the guards.
		Overload: func(next http.Handler) http.Handler {
			return limiter.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Hold") != "" {
					<-held
				}
				next.ServeHTTP(w, r)
			}))
		},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	holding := make(chan struct{})
	go func() {
		defer close(holding)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{version}"}`))
		req.Header.Set("X-Hold", "1")
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for limiter.InFlight() != 1 {
		runtime.Gosched() // a wait for a state, not a timing assertion
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{version}"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer not-a-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Errors []struct{ Extensions struct{ Code string } }
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || len(body.Errors) != 1 || body.Errors[0].Extensions.Code != errcode.Overloaded {
		t.Errorf("a request with a bad token at a full limit: %d %+v, want 503 OVERLOADED (refused before the token is verified)", resp.StatusCode, body)
	}
	if resp.Header.Get("X-Request-Id") != "" {
		t.Error("the refusal went through the request-id middleware")
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s at a full limit: %d, want 200 (never refused)", path, resp.StatusCode)
		}
	}
	close(held)
	<-holding
	if strings.Count(logs.String(), `"msg":"http request"`) != 3 {
		t.Errorf("request log has %d lines, want 3 (the held request and the two probes; none for the refusal):\n%s",
			strings.Count(logs.String(), `"msg":"http request"`), logs.String())
	}
}
