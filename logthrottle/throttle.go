// Package logthrottle keeps one failing dependency from flooding the log.
// When a database or an upstream system fails, every request that needs it
// fails the same way; a line per request says nothing the first did not,
// and thousands of them bury everything else. A Throttle lets the first
// line of a kind through at once, counts the repeats, and lets the next
// line through once the interval has passed, carrying how many were held
// back.
//
// It is a leaf: it imports nothing of the project and logs nothing itself.
package logthrottle

import (
	"sync"
	"time"
)

// DefaultInterval is the interval of a Throttle built with zero.
const DefaultInterval = 10 * time.Second

// maxKinds bounds the kinds a Throttle remembers, so that keys made from
// input can never grow it without end; past it, every kind shares one.
const maxKinds = 1024

// Throttle decides which lines of each kind are written. It is safe for
// concurrent use; the zero value is not usable, build one with New.
type Throttle struct {
	interval time.Duration
	now      func() time.Time

	mu    sync.Mutex
	kinds map[string]*kind
}

type kind struct {
	last       time.Time // when a line of this kind was last let through
	suppressed int
}

// New builds a Throttle that lets one line per kind through per interval
// (DefaultInterval when zero). now is the clock (time.Now when nil).
func New(interval time.Duration, now func() time.Time) *Throttle {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if now == nil {
		now = time.Now
	}
	return &Throttle{interval: interval, now: now, kinds: map[string]*kind{}}
}

// Allow reports whether a line of kind key may be written now, and if so
// how many lines of that kind were held back since the last one written
// (the "repeated" count to log with it).
func (t *Throttle) Allow(key string) (repeated int, ok bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	k, found := t.kinds[key]
	if !found {
		if len(t.kinds) >= maxKinds {
			key = "\x00overflow"
			k = t.kinds[key]
		}
		if k == nil {
			k = &kind{}
			t.kinds[key] = k
			k.last = now
			return 0, true
		}
	}
	if now.Sub(k.last) < t.interval {
		k.suppressed++
		return 0, false
	}
	repeated, k.suppressed, k.last = k.suppressed, 0, now
	return repeated, true
}
