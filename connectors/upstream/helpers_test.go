package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/internal/metricstest"
)

// countingServer is a real HTTP server on loopback whose handler is told
// the 1-based number of the request it serves.
type countingServer struct {
	*httptest.Server
	calls atomic.Int32
}

func newCountingServer(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handle(int(s.calls.Add(1)), w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) count() int { return int(s.calls.Load()) }

// newTestClient builds a client for tests. Keep-alives are off so that no
// idle connection goroutine outlives a request: inside a synctest bubble
// such a goroutine would block on the network forever and stop the fake
// clock.
func newTestClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.System == "" {
		o.System = "testsys"
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.transport.DisableKeepAlives = true
	t.Cleanup(c.Close)
	return c
}

func get(ctx context.Context, c *Client, path string) error {
	var out map[string]any
	return c.GetJSON(ctx, "test_get", path, &out)
}

// metricValue reads one sample from reg (internal/metricstest).
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	return metricstest.Value(t, reg, name, labels)
}

func mustMetrics(t testing.TB, reg prometheus.Registerer) *Metrics {
	t.Helper()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
