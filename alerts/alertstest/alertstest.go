// Package alertstest checks that an alerts.Store keeps the contract the
// watchers and hubs rely on; each store's tests run it.
package alertstest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/domain"
)

// Event is a test event of cluster with key, detected at at.
func Event(cluster, key string, at time.Time) alerts.Event {
	return alerts.Event{Cluster: cluster, Key: key, Kind: alerts.KindDischarged, At: at, DetectedAt: at,
		Municipality: 330, CPR: domain.CPR("6701011234"), Message: "Discharged to home nursing from Slagelse"}
}

// Contract runs the store contract against stores open returns; every call
// of open must return a store over the same (empty at first) log, as two
// replicas would see it.
func Contract(t *testing.T, open func(t *testing.T) alerts.Store) {
	c := contract{open: open, at: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	t.Run("append gives ids in order and keeps one event per cluster and key", c.appendKeepsOrderAndOnePerKey)
	t.Run("keys since a time, per cluster", c.keysSinceATime)
	t.Run("cursors", c.cursors)
	t.Run("an append wakes a store over the same log", c.appendWakesTheOthers)
	t.Run("one leader per cluster; released, another leads", c.oneLeaderPerCluster)
}

// contract is what the contract's parts share: how to open a store, and
// the time the events are detected.
type contract struct {
	open func(t *testing.T) alerts.Store
	at   time.Time
}

// appendKeepsOrderAndOnePerKey: ids increase, a second event of a cluster
// and key is not written, and After and Head read the log.
func (c contract) appendKeepsOrderAndOnePerKey(t *testing.T) {
	ctx := t.Context()
	s := c.open(t)
	got, err := s.Append(ctx, []alerts.Event{Event("a", "k1", c.at), Event("a", "k2", c.at), Event("b", "k1", c.at)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID >= got[1].ID || got[1].ID >= got[2].ID {
		t.Fatalf("ids %v, want three increasing", ids(got))
	}
	again, err := s.Append(ctx, []alerts.Event{Event("a", "k1", c.at), Event("a", "k3", c.at)})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].Key != "k3" {
		t.Fatalf("second append wrote %v, want only k3", keys(again))
	}
	all, err := s.After(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || all[3].ID != again[0].ID || all[0].Message != got[0].Message || all[0].CPR != got[0].CPR {
		t.Fatalf("After(0) = %v", keys(all))
	}
	some, _ := s.After(ctx, all[1].ID, 1)
	if len(some) != 1 || some[0].ID != all[2].ID {
		t.Fatalf("After(second, 1) = %v, want the third", ids(some))
	}
	head, _ := s.Head(ctx)
	if head != all[3].ID {
		t.Fatalf("head %d, want %d", head, all[3].ID)
	}

}

// keysSinceATime: Keys are a cluster's keys detected since a time.
func (c contract) keysSinceATime(t *testing.T) {
	ctx := t.Context()
	s := c.open(t)
	if _, err := s.Append(ctx, []alerts.Event{Event("c", "old", c.at.Add(-time.Hour)), Event("c", "new", c.at), Event("d", "other", c.at)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Keys(ctx, "c", c.at.Add(-time.Minute))
	if err != nil || !slices.Equal(got, []string{"new"}) {
		t.Fatalf("Keys = %v, %v; want [new]", got, err)
	}

}

// cursors: a cursor is empty until set, then its last value.
func (c contract) cursors(t *testing.T) {
	ctx := t.Context()
	s := c.open(t)
	if v, err := s.Cursor(ctx, "e", "gp"); err != nil || v != "" {
		t.Fatalf("unset cursor = %q, %v", v, err)
	}
	for _, v := range []string{"10", "12"} {
		if err := s.SetCursor(ctx, "e", "gp", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := s.Cursor(ctx, "e", "gp"); v != "12" {
		t.Fatalf("cursor %q, want 12", v)
	}

}

// appendWakesTheOthers: an append on one store wakes another over the same
// log.
func (c contract) appendWakesTheOthers(t *testing.T) {
	ctx := t.Context()
	a, b := c.open(t), c.open(t)
	drain(b)
	if _, err := a.Append(ctx, []alerts.Event{Event("f", fmt.Sprint(time.Now().UnixNano()), c.at)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.Wake():
	case <-time.After(10 * time.Second):
		t.Fatal("no wake-up within 10s of an append")
	}

}

// oneLeaderPerCluster: a cluster has one leader at a time; released, its
// lease is lost and another store may lead.
func (c contract) oneLeaderPerCluster(t *testing.T) {
	ctx := t.Context()
	a, b := c.open(t), c.open(t)
	la, ok, err := a.Lead(ctx, "g")
	if err != nil || !ok {
		t.Fatalf("first Lead = %v, %v", ok, err)
	}
	if _, ok, err := b.Lead(ctx, "g"); err != nil || ok {
		t.Fatalf("second Lead while held = %v, %v; want refused", ok, err)
	}
	lh, ok, err := b.Lead(ctx, "h")
	if err != nil || !ok {
		t.Fatalf("another cluster's Lead = %v, %v", ok, err)
	}
	defer lh.Release()
	la.Release()
	select {
	case <-la.Lost():
	default:
		t.Fatal("a released lease is not lost")
	}
	lb, ok, err := b.Lead(ctx, "g")
	if err != nil || !ok {
		t.Fatalf("Lead after release = %v, %v", ok, err)
	}
	lb.Release()

}

func drain(s alerts.Store) {
	for {
		select {
		case <-s.Wake():
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

func ids(es []alerts.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func keys(es []alerts.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}
