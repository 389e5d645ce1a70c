package waitfor

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTB records a failure instead of ending the test, so that the
// give-up path can be checked.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = format
	panic(f) // Fatalf does not return
}

func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	var polls atomic.Int32
	Until(t, "the third poll", Budget, func() bool { return polls.Add(1) >= 3 })
	if polls.Load() != 3 {
		t.Fatalf("polled %d times, want 3", polls.Load())
	}
}

func TestUntilGivesUpNamingWhat(t *testing.T) {
	f := &fakeTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != f {
				t.Fatalf("recovered %v, want the fake's Fatalf", r)
			}
		}()
		Until(f, "a state that never comes", 10*time.Millisecond, func() bool { return false })
	}()
	if !strings.Contains(f.failed, "waiting for %s") {
		t.Fatalf("failure %q does not name what it waited for", f.failed)
	}
}
