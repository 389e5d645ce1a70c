package upstream

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
)

// These tests run on the real clock: a request in flight on a real socket
// is not "durably blocked", so a synctest bubble's clock would never reach
// the timeout. The durations are short and nothing asserts how long a call
// took, only how it failed.

func hangingServer(t *testing.T) *countingServer {
	release := make(chan struct{})
	srv := newCountingServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	return srv
}

func TestTimeouts(t *testing.T) {
	tests := []struct {
		name        string
		timeout     time.Duration
		callTimeout time.Duration
		callerLimit time.Duration
		wantCalls   int
	}{
		{"each attempt times out and is retried, then the call is a timeout", 30 * time.Millisecond, 5 * time.Second, 0, 3},
		{"the call deadline ends the retries", 5 * time.Second, 60 * time.Millisecond, 0, 1},
		{"a shorter caller deadline wins over CallTimeout", 5 * time.Second, 5 * time.Second, 60 * time.Millisecond, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := hangingServer(t)
			c := newTestClient(t, Options{BaseURL: srv.URL, Timeout: tt.timeout, CallTimeout: tt.callTimeout,
				Retry: RetryOptions{WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}})
			ctx := context.Background()
			if tt.callerLimit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.callerLimit)
				defer cancel()
			}
			err := get(ctx, c, "/slow")
			var te *TimeoutError
			if !errors.As(err, &te) || te.System != "testsys" {
				t.Fatalf("want *TimeoutError naming testsys, got %T %v", err, err)
			}
			if sys, code, ok := Classify(err); !ok || sys != "testsys" || code != errcode.UpstreamTimeout {
				t.Errorf("Classify = %q, %q, %v; want testsys, %s", sys, code, ok, errcode.UpstreamTimeout)
			}
			if got := srv.count(); got != tt.wantCalls {
				t.Errorf("upstream saw %d requests, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestCallerCancellationIsNotAnUpstreamFailure(t *testing.T) {
	srv := hangingServer(t)
	c := newTestClient(t, Options{BaseURL: srv.URL, Breaker: BreakerOptions{MinRequests: 1, FailureRatio: 1}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- get(ctx, c, "/slow") }()
	waitfor.Until(t, "the call to reach the upstream", waitfor.Budget, func() bool {
		select {
		case err := <-done:
			t.Fatalf("the call returned before the upstream saw it: %v", err)
		default:
		}
		return srv.count() > 0
	})
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want an error wrapping context.Canceled, got %v", err)
	}
	if _, _, ok := Classify(err); ok {
		t.Errorf("Classify(%v) reported an upstream failure", err)
	}
	if got := c.BreakerState(); got != "closed" {
		t.Errorf("breaker %s after a cancelled call, want closed (one failure would open it)", got)
	}
	if got := srv.count(); got != 1 {
		t.Errorf("cancelled call was retried: %d requests", got)
	}
}
