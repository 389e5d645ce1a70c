package alerts_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/alerts/alertstest"
	"github.com/sundhedsklynge/klynge/alerts/sqlite"
)

var at = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func startHub(t *testing.T, opts alerts.HubOptions) (*alerts.Hub, alerts.Store) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "alerts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, err := alerts.NewHub(t.Context(), s, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h, s
}

func appendN(t *testing.T, s alerts.Store, cluster string, from, n int) {
	t.Helper()
	var evs []alerts.Event
	for i := from; i < from+n; i++ {
		evs = append(evs, alertstest.Event(cluster, fmt.Sprint("k", i), at))
	}
	if _, err := s.Append(t.Context(), evs); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, s *alerts.Subscription) alerts.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	e, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return e
}

func TestHubResumesExactlyOnce(t *testing.T) {
	for _, ring := range []int{2, 4096} {
		t.Run(fmt.Sprintf("ring of %d", ring), func(t *testing.T) {
			h, s := startHub(t, alerts.HubOptions{Ring: ring, Buffer: 100})
			appendN(t, s, "c", 0, 10)
			first, _ := s.After(t.Context(), 0, 100)
			// A client saw the first three, went away, and resumes after
			// the third while more events come.
			sub, err := h.Subscribe("p", alerts.Filter{Cluster: "c"}, first[2].ID)
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			appended := make(chan error, 1)
			go func() {
				var evs []alerts.Event
				for i := 10; i < 20; i++ {
					evs = append(evs, alertstest.Event("c", fmt.Sprint("k", i), at))
				}
				_, err := s.Append(context.Background(), evs)
				appended <- err
			}()
			defer func() {
				if err := <-appended; err != nil {
					t.Error(err)
				}
			}()
			seen := map[int64]bool{}
			var last int64 = first[2].ID
			for range 17 {
				e := next(t, sub)
				if seen[e.ID] || e.ID <= last {
					t.Fatalf("event %d after %d: delivered twice or out of order", e.ID, last)
				}
				seen[e.ID], last = true, e.ID
			}
			if len(seen) != 17 {
				t.Fatalf("got %d events, want 17", len(seen))
			}
		})
	}
}

func TestHubFiltersByClusterMunicipalityAndKind(t *testing.T) {
	h, s := startHub(t, alerts.HubOptions{})
	sub, err := h.Subscribe("p", alerts.Filter{Cluster: "c", Municipality: 330, Kinds: []alerts.Kind{alerts.KindGapDetected}}, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	other := alertstest.Event("other", "x", at)
	otherMuni := alertstest.Event("c", "y", at)
	otherMuni.Municipality = 370
	otherKind := alertstest.Event("c", "z", at)
	want := alertstest.Event("c", "w", at)
	want.Kind = alerts.KindGapDetected
	if _, err := s.Append(t.Context(), []alerts.Event{other, otherMuni, otherKind, want}); err != nil {
		t.Fatal(err)
	}
	if e := next(t, sub); e.Key != "w" {
		t.Fatalf("got %q, want only w", e.Key)
	}
}

func TestHubRidesOutABurstAndEndsASlowConsumer(t *testing.T) {
	h, s := startHub(t, alerts.HubOptions{Buffer: 3, Ring: 8})
	join := func() *alerts.Subscription {
		sub, err := h.Subscribe("p", alerts.Filter{Cluster: "c"}, -1)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if _, err := sub.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Next on an empty subscription = %v", err) // it has now joined the live ones
		}
		return sub
	}
	waitHead := func(id int64) {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && h.Head() < id {
			time.Sleep(10 * time.Millisecond)
		}
	}

	t.Run("a burst beyond the buffer but within the ring arrives whole", func(t *testing.T) {
		sub := join()
		defer sub.Close()
		head := h.Head()
		appendN(t, s, "c", 0, 7)
		waitHead(head + 7)
		var last int64
		for range 7 {
			e := next(t, sub)
			if e.ID <= last {
				t.Fatalf("id %d after %d", e.ID, last)
			}
			last = e.ID
		}
	})
	t.Run("a reader that falls behind the ring is ended", func(t *testing.T) {
		sub := join()
		defer sub.Close()
		head := h.Head()
		appendN(t, s, "c", 100, 20)
		waitHead(head + 20)
		var err error
		for range 21 {
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			_, err = sub.Next(ctx)
			cancel()
			if err != nil {
				break
			}
		}
		if !errors.Is(err, alerts.ErrSlowConsumer) {
			t.Fatalf("a subscription that never read got %v, want ErrSlowConsumer", err)
		}
	})
}

func TestHubLimitsSubscriptionsPerPrincipal(t *testing.T) {
	h, _ := startHub(t, alerts.HubOptions{MaxPerPrincipal: 2})
	a, _ := h.Subscribe("p", alerts.Filter{Cluster: "c"}, -1)
	if _, err := h.Subscribe("p", alerts.Filter{Cluster: "c"}, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe("p", alerts.Filter{Cluster: "c"}, -1); !errors.Is(err, alerts.ErrTooManySubscriptions) {
		t.Fatalf("third subscription: %v, want ErrTooManySubscriptions", err)
	}
	if _, err := h.Subscribe("q", alerts.Filter{Cluster: "c"}, -1); err != nil {
		t.Fatalf("another principal: %v", err)
	}
	a.Close()
	if _, err := h.Subscribe("p", alerts.Filter{Cluster: "c"}, -1); err != nil {
		t.Fatalf("after one closed: %v", err)
	}
}
