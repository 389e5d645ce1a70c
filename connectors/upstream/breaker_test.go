package upstream

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/errcode"
)

// switchableServer answers with whatever status is set, counting requests.
func switchableServer(t *testing.T, status *atomic.Int32) *countingServer {
	return newCountingServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		s := int(status.Load())
		w.WriteHeader(s)
		if s == http.StatusOK {
			_, _ = w.Write([]byte(`{}`))
		}
	})
}

func breakerOptions(t testing.TB, base string, reg *prometheus.Registry) Options {
	return Options{
		BaseURL: base,
		Retry:   RetryOptions{Max: -1},
		Breaker: BreakerOptions{MinRequests: 4, FailureRatio: 0.5, OpenFor: 10 * time.Second, HalfOpenRequests: 1},
		Metrics: mustMetrics(t, reg),
	}
}

func TestBreakerOpensFailsFastAndCloses(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	srv := switchableServer(t, &status)
	reg := prometheus.NewRegistry()
	var logged bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		o := breakerOptions(t, srv.URL, reg)
		o.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))
		c := newTestClient(t, o)
		ctx := context.Background()
		gauge := func() float64 {
			return metricValue(t, reg, "klynge_upstream_breaker_state", map[string]string{"system": "testsys"})
		}

		for i := range 4 {
			var se *StatusError
			if err := get(ctx, c, "/r"); !errors.As(err, &se) {
				t.Fatalf("call %d: want the upstream's 503, got %v", i+1, err)
			}
		}
		if got := c.BreakerState(); got != "open" {
			t.Fatalf("after 4 failures of 4 the breaker is %s, want open", got)
		}
		if gauge() != 2 {
			t.Errorf("breaker gauge %v, want 2 (open)", gauge())
		}

		err := get(ctx, c, "/r")
		var ue *UnavailableError
		if !errors.As(err, &ue) || !errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("while open: want *UnavailableError wrapping ErrBreakerOpen, got %v", err)
		}
		if sys, code, _ := Classify(err); sys != "testsys" || code != errcode.UpstreamUnavailable {
			t.Errorf("Classify = %s %s, want testsys %s", sys, code, errcode.UpstreamUnavailable)
		}
		if srv.count() != 4 {
			t.Fatalf("an open breaker let a request through: %d requests", srv.count())
		}
		if n := metricValue(t, reg, "klynge_upstream_requests_total", map[string]string{"outcome": OutcomeBreakerOpen}); n != 1 {
			t.Errorf("breaker_open outcomes = %v, want 1", n)
		}

		time.Sleep(10*time.Second + time.Millisecond)
		if got := c.BreakerState(); got != "half-open" {
			t.Fatalf("after OpenFor the breaker is %s, want half-open", got)
		}
		status.Store(http.StatusOK)
		if err := get(ctx, c, "/r"); err != nil {
			t.Fatalf("probe after recovery: %v", err)
		}
		if got := c.BreakerState(); got != "closed" {
			t.Fatalf("after a successful probe the breaker is %s, want closed", got)
		}
		if gauge() != 0 {
			t.Errorf("breaker gauge %v, want 0 (closed)", gauge())
		}
	})
	for _, change := range []string{"from=closed to=open", "from=open to=half-open", "from=half-open to=closed"} {
		if !strings.Contains(logged.String(), "system=testsys "+change) {
			t.Errorf("no warning for the change %s in:\n%s", change, logged.String())
		}
	}
}

func TestBreakerProbeThatFailsReopens(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusBadGateway)
	srv := switchableServer(t, &status)
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, breakerOptions(t, srv.URL, prometheus.NewRegistry()))
		for range 4 {
			_ = get(context.Background(), c, "/r")
		}
		time.Sleep(11 * time.Second)
		if err := get(context.Background(), c, "/r"); err == nil {
			t.Fatal("probe against a failing upstream succeeded")
		}
		if got := c.BreakerState(); got != "open" {
			t.Fatalf("after a failed probe the breaker is %s, want open", got)
		}
		if srv.count() != 5 {
			t.Errorf("upstream saw %d requests, want 4 failures and 1 probe", srv.count())
		}
	})
}

func TestBreakerCountsOnlyUpstreamFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		wantState string
	}{
		{"404 answers keep the breaker closed", http.StatusNotFound, "closed"},
		{"400 answers keep the breaker closed", http.StatusBadRequest, "closed"},
		{"429 answers open the breaker", http.StatusTooManyRequests, "open"},
		{"500 answers open the breaker", http.StatusInternalServerError, "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var status atomic.Int32
			status.Store(int32(tt.status))
			srv := switchableServer(t, &status)
			synctest.Test(t, func(t *testing.T) {
				c := newTestClient(t, breakerOptions(t, srv.URL, prometheus.NewRegistry()))
				for range 10 {
					_ = get(context.Background(), c, "/r")
				}
				if got := c.BreakerState(); got != tt.wantState {
					t.Errorf("after 10 answers of %d the breaker is %s, want %s", tt.status, got, tt.wantState)
				}
			})
		})
	}
}

func TestBreakerNeedsMinimumRequests(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	srv := switchableServer(t, &status)
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, breakerOptions(t, srv.URL, prometheus.NewRegistry()))
		for range 3 {
			_ = get(context.Background(), c, "/r")
		}
		if got := c.BreakerState(); got != "closed" {
			t.Fatalf("3 failures below MinRequests 4 opened the breaker (%s)", got)
		}
		// Failures older than the window are forgotten.
		time.Sleep(31 * time.Second)
		_ = get(context.Background(), c, "/r")
		if got := c.BreakerState(); got != "closed" {
			t.Fatalf("failures outside the 30s window still counted: breaker %s", got)
		}
	})
}

func TestBreakerDisabled(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	srv := switchableServer(t, &status)
	synctest.Test(t, func(t *testing.T) {
		o := breakerOptions(t, srv.URL, prometheus.NewRegistry())
		o.Breaker.Disabled = true
		c := newTestClient(t, o)
		for range 20 {
			_ = get(context.Background(), c, "/r")
		}
		if srv.count() != 20 || c.BreakerState() != "disabled" {
			t.Errorf("disabled breaker: %d requests reached the upstream, state %s", srv.count(), c.BreakerState())
		}
	})
}
