package logthrottle

import (
	"fmt"
	"testing"
	"time"
)

func TestOneLinePerKindPerIntervalCarryingTheRepeats(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	th := New(10*time.Second, func() time.Time { return now })
	type step struct {
		after    time.Duration
		key      string
		ok       bool
		repeated int
	}
	steps := []step{
		{0, "audit", true, 0},                // the first line is written at once
		{time.Second, "audit", false, 0},     // repeats within the interval are counted
		{time.Second, "audit", false, 0},     //
		{0, "ehospital", true, 0},            // another kind has its own interval
		{8 * time.Second, "audit", true, 2},  // after the interval: written, with the two held back
		{time.Second, "audit", false, 0},     //
		{20 * time.Second, "audit", true, 1}, //
	}
	for i, s := range steps {
		now = now.Add(s.after)
		repeated, ok := th.Allow(s.key)
		if ok != s.ok || repeated != s.repeated {
			t.Errorf("step %d (%s): Allow = %d, %v; want %d, %v", i, s.key, repeated, ok, s.repeated, s.ok)
		}
	}
}

func TestKeysFromInputCannotGrowItWithoutEnd(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	th := New(time.Minute, func() time.Time { return now })
	written := 0
	for i := range 10 * maxKinds {
		if _, ok := th.Allow(fmt.Sprint("kind-", i)); ok {
			written++
		}
	}
	if len(th.kinds) > maxKinds+1 {
		t.Errorf("%d kinds remembered, want at most %d", len(th.kinds), maxKinds+1)
	}
	if written != maxKinds+1 {
		t.Errorf("%d lines written, want one per remembered kind and one for the overflow (%d)", written, maxKinds+1)
	}
}
