package overload

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
)

// blockingServer serves the limiter over a handler that holds every
// request until release is closed.
type blockingServer struct {
	*httptest.Server
	limiter *Limiter
	release chan struct{}
	reg     *prometheus.Registry
}

func newBlockingServer(t *testing.T, o Options) *blockingServer {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	o.Metrics = m
	s := &blockingServer{limiter: New(o), release: make(chan struct{}), reg: reg}
	s.Server = httptest.NewServer(s.limiter.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.release:
		case <-r.Context().Done():
		}
		w.Write([]byte(`{"data":{}}`))
	})))
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"query":"{__typename}"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRequestsBeyondTheBoundAreRefusedAtOnce(t *testing.T) {
	const bound = 3
	s := newBlockingServer(t, Options{MaxInFlight: bound})
	var wg sync.WaitGroup
	admitted := make(chan int, bound)
	for range bound {
		wg.Go(func() {
			resp, _ := post(t, s.URL)
			admitted <- resp.StatusCode
		})
	}
	waitfor.Until(t, "the bound is reached", waitfor.Budget, func() bool { return s.limiter.InFlight() == bound })

	for i := range 5 {
		resp, body := post(t, s.URL)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("request %d beyond the bound: status %d, want 503", i, resp.StatusCode)
		}
		if got := resp.Header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After = %q, want 1", got)
		}
		var gql struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if err := json.Unmarshal([]byte(body), &gql); err != nil || len(gql.Errors) != 1 {
			t.Fatalf("refusal is not one GraphQL error: %s", body)
		}
		if e := gql.Errors[0]; e.Extensions.Code != errcode.Overloaded || !strings.Contains(e.Message, "server.maxConcurrentOperations") {
			t.Errorf("refusal = %+v, want code OVERLOADED naming the setting", e)
		}
	}
	close(s.release)
	wg.Wait()
	close(admitted)
	for code := range admitted {
		if code != http.StatusOK {
			t.Errorf("an admitted request got %d", code)
		}
	}
	if got := value(t, s.limiter.opts.Metrics.refusedTotal.WithLabelValues("interactive")); got != 5 {
		t.Errorf("klynge_overload_rejections_total = %v, want 5", got)
	}
	if got := value(t, s.limiter.opts.Metrics.admittedTotal); got != bound {
		t.Errorf("klynge_operations_admitted_total = %v, want %d", got, bound)
	}
	if got := value(t, s.limiter.opts.Metrics.inFlight); got != 0 {
		t.Errorf("klynge_operations_in_flight = %v after all finished, want 0", got)
	}
	if got := value(t, s.limiter.opts.Metrics.limit); got != bound {
		t.Errorf("klynge_operations_max_in_flight = %v, want the fixed limit %d", got, bound)
	}

	// The slots are free again.
	if resp, _ := post(t, s.URL); resp.StatusCode != http.StatusOK {
		t.Errorf("after the burst a request got %d", resp.StatusCode)
	}
}

func TestPreflightsNeedNoSlot(t *testing.T) {
	l := New(Options{MaxInFlight: 1})
	l.acquire(Interactive) // full
	srv := httptest.NewServer(l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodOptions, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("preflight at the bound got %d, want it to pass", resp.StatusCode)
	}
}

func TestRetryAfterIsWholeSecondsRoundedUp(t *testing.T) {
	l := New(Options{MaxInFlight: 1, RetryAfter: 1500 * time.Millisecond})
	l.acquire(Interactive)
	rec := httptest.NewRecorder()
	l.Middleware(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("status %d, Retry-After %q; want 503 and 2", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestAdmittedRequestsRunUnderTheDeadline(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	l := New(Options{Timeout: 50 * time.Millisecond, Metrics: m})
	got := make(chan error, 1)
	srv := httptest.NewServer(l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deadline, ok := r.Context().Deadline()
		if !ok || time.Until(deadline) > 50*time.Millisecond {
			t.Errorf("request context deadline %v, %v; want one within the timeout", deadline, ok)
		}
		<-r.Context().Done()
		got <- r.Context().Err()
	})))
	defer srv.Close()
	resp, _ := post(t, srv.URL)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	if err := <-got; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the handler's context ended with %v, want the deadline", err)
	}
	if n := value(t, m.deadlineTotal); n != 1 {
		t.Errorf("klynge_request_deadline_exceeded_total = %v, want 1", n)
	}
}

func TestAClientThatGoesAwayCancelsItsRequest(t *testing.T) {
	l := New(Options{Timeout: time.Minute})
	started, got := make(chan struct{}), make(chan error, 1)
	srv := httptest.NewServer(l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// As the GraphQL transport does: net/http notices a closed
		// connection only once the body has been read.
		_, _ = io.ReadAll(r.Body)
		close(started)
		<-r.Context().Done()
		got <- r.Context().Err()
	})))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{}`))
	errc := make(chan error, 1)
	go func() {
		_, err := http.DefaultClient.Do(req)
		errc <- err
	}()
	<-started
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("the handler's context ended with %v, want cancellation", err)
	}
	<-errc
	waitfor.Until(t, "the slot is released", waitfor.Budget, func() bool { return l.InFlight() == 0 })
}

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Counter != nil {
		return out.GetCounter().GetValue()
	}
	return out.GetGauge().GetValue()
}

func TestTheReferenceLatencyIsExposed(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	// Each request takes 40 ms on the limiter's clock, which moves 40 ms at
	// every reading (admitted, ended).
	clock := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(40 * time.Millisecond)
		return clock
	}
	l := New(Options{Metrics: m, Now: now})
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"data":{}}`)) }))
	for range 32 { // two windows (16 samples each, at the initial limit of 32), nothing refused
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	}
	if got := value(t, m.reference); got < 0.039 || got > 0.041 {
		t.Errorf("klynge_operations_reference_latency_seconds = %v after requests of 40 ms, want 0.04", got)
	}
}
