package upstream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestRetriesOnlyWhatIsSafeToRepeat(t *testing.T) {
	failTwiceThenOK := func(status int) func(int, http.ResponseWriter, *http.Request) {
		return func(n int, w http.ResponseWriter, _ *http.Request) {
			if n <= 2 {
				w.WriteHeader(status)
				return
			}
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}
	dropConnection := func(n int, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	tests := []struct {
		name       string
		handler    func(int, http.ResponseWriter, *http.Request)
		req        Request
		retry      RetryOptions
		wantCalls  int
		wantStatus int // 0: success; -1: transport failure
	}{
		{"GET is retried after 503 until it succeeds", failTwiceThenOK(503),
			Request{Method: "GET", Path: "/r"}, RetryOptions{}, 3, 0},
		{"safe POST search is retried after 503", failTwiceThenOK(503),
			Request{Method: "POST", Path: "/search", Body: []byte(`{}`), Safe: true}, RetryOptions{}, 3, 0},
		{"unsafe POST is never retried", failTwiceThenOK(503),
			Request{Method: "POST", Path: "/create", Body: []byte(`{}`)}, RetryOptions{}, 1, 503},
		{"429 is retried", failTwiceThenOK(429),
			Request{Path: "/r"}, RetryOptions{}, 3, 0},
		{"400 is not retried", failTwiceThenOK(400),
			Request{Path: "/r"}, RetryOptions{}, 1, 400},
		{"404 is not retried", failTwiceThenOK(404),
			Request{Path: "/r"}, RetryOptions{}, 1, 404},
		{"501 is not retried", failTwiceThenOK(501),
			Request{Path: "/r"}, RetryOptions{}, 1, 501},
		{"after the last retry the last response is returned", failTwiceThenOK(503),
			Request{Path: "/r"}, RetryOptions{Max: 1}, 2, 503},
		{"negative Max disables retries", failTwiceThenOK(503),
			Request{Path: "/r"}, RetryOptions{Max: -1}, 1, 503},
		{"dropped connection is retried for GET", dropConnection,
			Request{Path: "/r"}, RetryOptions{}, 3, -1},
		{"dropped connection is not retried for unsafe POST", dropConnection,
			Request{Method: "POST", Path: "/create", Body: []byte(`{}`)}, RetryOptions{}, 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, tt.handler)
			synctest.Test(t, func(t *testing.T) {
				c := newTestClient(t, Options{BaseURL: srv.URL, Retry: tt.retry, Breaker: BreakerOptions{Disabled: true}})
				_, err := c.Do(context.Background(), tt.req)
				if got := srv.count(); got != tt.wantCalls {
					t.Errorf("upstream saw %d requests, want %d", got, tt.wantCalls)
				}
				var se *StatusError
				var ue *UnavailableError
				switch {
				case tt.wantStatus == 0 && err != nil:
					t.Fatalf("want success, got %v", err)
				case tt.wantStatus > 0 && (!errors.As(err, &se) || se.Status != tt.wantStatus):
					t.Fatalf("want *StatusError %d, got %v", tt.wantStatus, err)
				case tt.wantStatus < 0 && !errors.As(err, &ue):
					t.Fatalf("want *UnavailableError, got %T %v", err, err)
				}
				if se != nil && se.System != "testsys" {
					t.Errorf("StatusError.System = %q", se.System)
				}
			})
		})
	}
}

func TestBackoffIsBoundedAndJittered(t *testing.T) {
	c := &Client{opts: Options{Retry: RetryOptions{WaitMin: 25 * time.Millisecond, WaitMax: 400 * time.Millisecond, RetryAfterMax: time.Second}}}
	seen := map[time.Duration]bool{}
	for attempt := range 40 {
		for range 20 {
			d := c.backoff(c.opts.Retry.WaitMin, c.opts.Retry.WaitMax, attempt, nil)
			if d < 0 || d > 400*time.Millisecond {
				t.Fatalf("attempt %d: backoff %s outside [0, WaitMax]", attempt, d)
			}
			seen[d] = true
		}
	}
	if len(seen) < 10 {
		t.Errorf("backoff took only %d distinct values: no jitter", len(seen))
	}
	first := c.backoff(25*time.Millisecond, 400*time.Millisecond, 0, nil)
	if first < 12*time.Millisecond || first > 25*time.Millisecond {
		t.Errorf("first backoff %s, want within [WaitMin/2, WaitMin]", first)
	}
}

func TestRetryAfterIsHonouredButCapped(t *testing.T) {
	tests := []struct {
		name        string
		retryAfter  string
		callTimeout time.Duration
		wantWait    time.Duration // the bubble's fake time spent waiting
		wantCalls   int
	}{
		{"Retry-After of 1 second is waited for", "1", 0, time.Second, 2},
		{"Retry-After of an hour is capped at RetryAfterMax", "3600", 0, 1500 * time.Millisecond, 2},
		{"Retry-After beyond the call deadline returns the 503 at once", "3600", time.Second, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				_, _ = w.Write([]byte(`{}`))
			})
			synctest.Test(t, func(t *testing.T) {
				c := newTestClient(t, Options{BaseURL: srv.URL, CallTimeout: tt.callTimeout,
					Retry:   RetryOptions{RetryAfterMax: 1500 * time.Millisecond},
					Breaker: BreakerOptions{Disabled: true}})
				start := time.Now()
				err := get(context.Background(), c, "/r")
				elapsed := time.Since(start)
				if srv.count() != tt.wantCalls {
					t.Fatalf("upstream saw %d requests, want %d", srv.count(), tt.wantCalls)
				}
				if tt.wantCalls == 1 {
					var se *StatusError
					if !errors.As(err, &se) || se.RetryAfter != time.Hour {
						t.Fatalf("want the 503 with RetryAfter 1h, got %v", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("want success after waiting, got %v", err)
				}
				if elapsed != tt.wantWait {
					t.Errorf("waited %s between attempts, want %s", elapsed, tt.wantWait)
				}
			})
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"99999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.in != "" {
			h.Set("Retry-After", tt.in)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFailedCallsKeepThePooledConnections(t *testing.T) {
	var newConns atomic.Int32
	var failing atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if failing.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			newConns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(Options{System: "testsys", BaseURL: srv.URL, Breaker: BreakerOptions{Disabled: true},
		Retry: RetryOptions{WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := context.Background()
	if err := get(ctx, c, "/"); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	if err := get(ctx, c, "/"); err == nil {
		t.Fatal("want the 503")
	}
	failing.Store(false)
	if err := get(ctx, c, "/"); err != nil {
		t.Fatal(err)
	}
	// go-retryablehttp closes idle connections after a call it gives up
	// on; the client must not let that empty its pool.
	if n := newConns.Load(); n != 1 {
		t.Errorf("%d connections opened for 5 sequential requests, want 1 reused", n)
	}
}
