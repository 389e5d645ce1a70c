package audit

import (
	"errors"
	"testing"
	"time"
)

func TestHealthFollowsTheLatestEvidence(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	down := errors.New("connection refused")
	var h health
	if err := h.writable(t0, time.Second); err != nil {
		t.Fatalf("a new log is writable, got %v", err)
	}
	h.started(t0)
	h.ended(t0.Add(10*time.Millisecond), down)
	h.probed(t0.Add(time.Second), down)
	var uw *UnwritableError
	if err := h.writable(t0.Add(2*time.Second), time.Second); !errors.As(err, &uw) || !uw.Since.Equal(t0.Add(10*time.Millisecond)) || !errors.Is(err, down) {
		t.Fatalf("after a failed commit and ping: %v, want unwritable since the first failure", err)
	}
	h.probed(t0.Add(3*time.Second), nil)
	if err := h.writable(t0.Add(3*time.Second), time.Second); err != nil {
		t.Errorf("a successful ping after failures makes it writable again, got %v", err)
	}
	h.started(t0.Add(4 * time.Second))
	if err := h.writable(t0.Add(4*time.Second+500*time.Millisecond), time.Second); err != nil {
		t.Errorf("a commit under way for less than StallAfter: %v, want writable", err)
	}
	if err := h.writable(t0.Add(6*time.Second), time.Second); !errors.As(err, &uw) || !uw.Since.Equal(t0.Add(4*time.Second)) {
		t.Errorf("a commit under way for 2s: %v, want unwritable since it started", err)
	}
}
