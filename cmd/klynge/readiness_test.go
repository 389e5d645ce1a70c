package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

func TestReadinessFailsOnlyWhenEveryBreakerIsOpen(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()
	client := func(system string, open, disabled bool) *upstream.Client {
		c, err := upstream.New(upstream.Options{System: system, BaseURL: down.URL,
			Retry:   upstream.RetryOptions{Max: -1},
			Breaker: upstream.BreakerOptions{MinRequests: 1, FailureRatio: 1, Disabled: disabled}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		if open || disabled {
			var out any
			_ = c.GetJSON(context.Background(), "probe", "/", &out)
		}
		if open && c.BreakerState() != "open" {
			t.Fatalf("%s: breaker %s after a failure, want open", system, c.BreakerState())
		}
		return c
	}
	tests := []struct {
		name      string
		clients   []*upstream.Client
		wantReady bool
	}{
		{"one system's breaker open is a partial answer, not an unready gateway",
			[]*upstream.Client{client("ehospital", false, false), client("outofhours", true, false)}, true},
		{"every breaker open is unready",
			[]*upstream.Client{client("ehospital", true, false), client("outofhours", true, false)}, false},
		{"a system without a breaker is never counted open",
			[]*upstream.Client{client("ehospital", true, false), client("outofhours", false, true)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := upstreamsReady(tt.clients)
			if (err == nil) != tt.wantReady {
				t.Errorf("upstreamsReady = %v, want ready %v", err, tt.wantReady)
			}
		})
	}
}
