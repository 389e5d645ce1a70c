package population

import (
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/registry"
)

// TestWorldAtHoldsNothingFromLater: the world at t has no record after t,
// stays that end later are ongoing, and more happens as t moves on.
func TestWorldAtHoldsNothingFromLater(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	full, err := Generate(Config{Population: 5000, Seed: 3, Now: end, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	if full.At(end) != full {
		t.Fatal("the world at its own present is not itself")
	}
	var prev int
	for _, at := range []time.Time{end.Add(-7 * 24 * time.Hour), end.Add(-3 * 24 * time.Hour), end.Add(-time.Hour)} {
		w := full.At(at)
		if !w.Now().Equal(at) {
			t.Fatalf("Now %s, want %s", w.Now(), at)
		}
		finished := 0
		for _, e := range w.Encounters() {
			if e.Status != domain.EncounterPlanned && e.Start.After(at) {
				t.Fatalf("encounter %s starts %s, after %s", e.ID, e.Start, at)
			}
			if e.End.After(at) || (e.Status == domain.EncounterFinished && e.End.IsZero()) {
				t.Fatalf("encounter %s: status %s, end %s at %s", e.ID, e.Status, e.End, at)
			}
			for _, n := range e.Notifications {
				if n.SentAt.After(at) {
					t.Fatalf("notification %s sent %s, after %s", n.ID, n.SentAt, at)
				}
			}
			if e.Status == domain.EncounterFinished {
				finished++
			}
			if got, ok := w.Encounter(e.ID); !ok || got.ID != e.ID {
				t.Fatalf("Encounter(%s) not found in the view", e.ID)
			}
		}
		if finished <= prev {
			t.Fatalf("%d stays finished by %s, not more than %d earlier", finished, at, prev)
		}
		prev = finished
		for _, c := range w.Citizens()[:200] {
			for _, v := range w.VisitsOf(c.CPR) {
				if !v.PerformedAt.IsZero() && v.PerformedAt.After(at) {
					t.Fatalf("visit %s performed %s, after %s", v.ID, v.PerformedAt, at)
				}
			}
			for _, r := range w.ReceivedNotificationsOf(c.CPR) {
				if r.ReceivedAt.After(at) {
					t.Fatalf("notification received %s, after %s", r.ReceivedAt, at)
				}
			}
		}
		for _, g := range w.Gaps() {
			if g.DetectedAt.After(at) {
				t.Fatalf("gap %s detected %s, after %s", g.Kind, g.DetectedAt, at)
			}
		}
		for _, f := range w.Feed() {
			r := w.Referrals()[f.Referral]
			if f.Change >= len(r.History) || r.History[f.Change].At.After(at) {
				t.Fatalf("feed event of %s after %s", r.ID, at)
			}
		}
	}
}
