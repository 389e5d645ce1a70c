package overload

import (
	"testing"
	"time"
)

// feed gives g windows of samples at rtt with the limit in flight (full
// load) or with inFlight requests when it is not zero.
func feed(g *gradient, windows int, rtt time.Duration, inFlight int) {
	for range windows * g.window {
		n := inFlight
		if n == 0 {
			n = g.limit()
		}
		g.sample(rtt, n)
	}
}

func TestTheLimitFollowsLatency(t *testing.T) {
	t.Run("steady latency under full load lets the limit grow to its ceiling", func(t *testing.T) {
		g := newGradient(10, 4, 64)
		feed(g, 500, 50*time.Millisecond, 0)
		if g.limit() != 64 {
			t.Errorf("limit after 500 steady windows = %d, want the ceiling 64", g.limit())
		}
	})
	t.Run("latency rising from queueing brings it down, to no less than the floor", func(t *testing.T) {
		g := newGradient(60, 4, 64)
		feed(g, 50, 50*time.Millisecond, 0)
		before := g.limit()
		feed(g, 5, 200*time.Millisecond, 0)
		mid := g.limit()
		if mid >= before {
			t.Fatalf("limit %d after latency quadrupled, want below %d", mid, before)
		}
		feed(g, 200, 2*time.Second, 0)
		if g.limit() < 4 {
			t.Errorf("limit %d below the floor 4", g.limit())
		}
	})
	t.Run("a lasting change of upstream latency becomes the new normal", func(t *testing.T) {
		g := newGradient(32, 4, 64)
		feed(g, 50, 50*time.Millisecond, 0)
		feed(g, 20000, 150*time.Millisecond, 0)
		if g.limit() != 64 {
			t.Errorf("limit %d long after latency settled at a higher level, want it grown back to 64", g.limit())
		}
	})
	t.Run("sustained overload does not become the new normal", func(t *testing.T) {
		g := newGradient(32, 4, 64)
		feed(g, 100, 70*time.Millisecond, 0)
		feed(g, 300, 175*time.Millisecond, 0) // 20 s of overload at 150 answers a second
		if g.limit() != 4 {
			t.Errorf("limit %d after 300 congested windows, want it at the floor 4", g.limit())
		}
	})
	t.Run("light traffic teaches nothing about a higher limit", func(t *testing.T) {
		g := newGradient(20, 4, 64)
		feed(g, 500, 50*time.Millisecond, 3)
		if g.limit() != 20 {
			t.Errorf("limit %d after windows with 3 in flight, want it kept at 20", g.limit())
		}
	})
}

func TestTheRateCountsWholeSeconds(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var r rate
	for i := range 100 {
		r.add(t0.Add(time.Duration(i) * 10 * time.Millisecond)) // 100 in the first second
	}
	if v := r.value(t0.Add(999 * time.Millisecond)); v != 100 {
		t.Errorf("during the first second: %v, want its count 100", v)
	}
	if v := r.value(t0.Add(1500 * time.Millisecond)); v != 50 {
		t.Errorf("after it: %v, want half-weighted 50", v)
	}
	if v := r.value(t0.Add(10 * time.Second)); v > 1 {
		t.Errorf("after nine quiet seconds: %v, want it decayed below 1", v)
	}
}
