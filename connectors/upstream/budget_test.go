package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestTheBudgetAllowsAShareOfCallsPlusAReserve(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	b := newRetryBudget(0.2, 0.5, func() time.Time { return now })
	for range 100 {
		b.call()
	}
	allowed := 0
	for b.retry() {
		allowed++
	}
	if allowed != 25 { // 0.2 × 100 + 0.5/s × 10 s
		t.Errorf("%d retries allowed after 100 calls, want 25", allowed)
	}
	now = now.Add(budgetBuckets * time.Second) // the window has moved past them
	if !b.retry() {
		t.Error("no retry allowed once the spent retries left the window")
	}
}

// One instance failing every attempt: the retries stop at the budget
// instead of tripling the load, while a system failing every other attempt
// at a quiet rate gets every call back.
func TestRetriesCannotAmplifyAnOutage(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tests := []struct {
		name      string
		failEvery int // 1: every attempt fails; 2: every other
		reserve   float64
		wantMax   int64 // upstream requests for 50 calls
		wantOK    int
	}{
		{"an outage: 50 calls, at most 20% more attempts", 1, 0.01, 50 + 10, 0},
		{"every other attempt failing at a quiet rate: the reserve recovers every call", 2, 10, 100, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if k := n.Add(1); tt.failEvery == 1 || k%2 == 1 { // every first attempt of a call fails
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			c, err := New(Options{System: "ehospital", BaseURL: srv.URL, Breaker: BreakerOptions{Disabled: true},
				Retry: RetryOptions{WaitMin: time.Microsecond, WaitMax: time.Microsecond, BudgetRatio: 0.2, BudgetMinPerSecond: tt.reserve, Now: clock}})
			if err != nil {
				t.Fatal(err)
			}
			ok := 0
			for range 50 {
				var out any
				if c.GetJSON(context.Background(), "search", "/", &out) == nil {
					ok++
				}
			}
			if n.Load() > tt.wantMax || ok != tt.wantOK {
				t.Errorf("%d upstream requests, %d calls answered; want at most %d requests and %d answered", n.Load(), ok, tt.wantMax, tt.wantOK)
			}
		})
	}
}
