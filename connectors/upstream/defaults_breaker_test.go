package upstream

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/prometheus/client_golang/prometheus"
)

// With the default breaker settings, a system failing every other request
// keeps its breaker closed and retries recover every call; a system failing
// every request opens it.
func TestDefaultBreakerToleratesHalfFailingSystemButOpensOnDownSystem(t *testing.T) {
	tests := []struct {
		name       string
		failEvery  int // the n-th requests fail when n%failEvery == 0
		wantState  string
		wantFailed int
	}{
		{"every other request 503 is recovered by retries", 2, "closed", 0},
		{"every request 503 opens the breaker", 1, "open", 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n%tt.failEvery == 0 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				_, _ = w.Write([]byte(`{}`))
			})
			synctest.Test(t, func(t *testing.T) {
				c := newTestClient(t, Options{BaseURL: srv.URL, Metrics: mustMetrics(t, prometheus.NewRegistry())})
				failed := 0
				for range 40 {
					if err := get(context.Background(), c, "/r"); err != nil {
						failed++
					}
				}
				if got := c.BreakerState(); got != tt.wantState {
					t.Errorf("breaker %s, want %s", got, tt.wantState)
				}
				if failed != tt.wantFailed {
					t.Errorf("%d of 40 calls failed, want %d", failed, tt.wantFailed)
				}
			})
		})
	}
}

// The Wrap seam learns the call's operation and its attempts without
// reading the URL.
func TestCallOfNamesTheOperationAndCountsAttempts(t *testing.T) {
	srv := newCountingServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	var op string
	var attempts int
	var ok bool
	o := Options{BaseURL: srv.URL, Wrap: func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			op, attempts, ok = CallOf(r.Context())
			return resp, err
		})
	}}
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, o)
		if err := get(context.Background(), c, "/r?cpr=x"); err != nil {
			t.Fatal(err)
		}
	})
	if !ok || op != "test_get" || attempts != 2 {
		t.Errorf("CallOf = %q, %d, %v; want test_get, 2 attempts, true", op, attempts, ok)
	}
	if _, _, ok := CallOf(context.Background()); ok {
		t.Error("CallOf found a call in a bare context")
	}
}
