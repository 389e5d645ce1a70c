// Package waitfor is the tests' one way to wait for a state: poll a
// condition until it holds, and fail naming what never happened once a
// budget is spent. The budget bounds a wait; it is never a timing
// assertion, so it is generous (a loaded two-core machine under -race).
package waitfor

import (
	"testing"
	"time"
)

// Budget is the default time a test waits for a state before it gives up.
const Budget = time.Minute

// Until polls cond every few milliseconds until it holds, and fails the
// test naming what once budget has passed without it.
func Until(tb testing.TB, what string, budget time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(budget)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up after %s waiting for %s", budget, what)
		}
		time.Sleep(pause(budget))
	}
}

// pause is how long to sleep between polls: short against the budget, so a
// state is seen soon after it holds, and never a busy loop.
func pause(budget time.Duration) time.Duration {
	return min(max(budget/1000, time.Millisecond), 50*time.Millisecond)
}
