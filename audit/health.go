package audit

import (
	"fmt"
	"sync"
	"time"
)

// UnwritableError says why the log cannot be expected to take a write now,
// and since when (for a Retry-After that grows with the outage).
type UnwritableError struct {
	Since time.Time // when the failure was first seen; zero after Close
	Cause error
}

func (e *UnwritableError) Error() string {
	return "audit: the log cannot be written: " + e.Cause.Error()
}

func (e *UnwritableError) Unwrap() error { return e.Cause }

// health is the log's latest evidence of whether it can be written: the
// outcome of the last commit or ping, and the start of a commit under way.
type health struct {
	mu            sync.Mutex
	err           error     // the latest outcome; nil is success
	since         time.Time // when the current run of failures began
	commitStarted time.Time // zero when no commit is under way
}

func (h *health) started(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.commitStarted = now
}

func (h *health) ended(now time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.commitStarted = time.Time{}
	h.record(now, err)
}

func (h *health) probed(now time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record(now, err)
}

// record keeps err as the latest outcome; h.mu is held.
func (h *health) record(now time.Time, err error) {
	if err == nil {
		h.err, h.since = nil, time.Time{}
		return
	}
	if h.err == nil {
		h.since = now
	}
	h.err = err
}

func (h *health) writable(now time.Time, stallAfter time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.commitStarted.IsZero() && now.Sub(h.commitStarted) > stallAfter {
		since := h.commitStarted
		if h.err != nil && h.since.Before(since) {
			since = h.since
		}
		return &UnwritableError{Since: since, Cause: fmt.Errorf("a commit has not ended after %s", now.Sub(h.commitStarted).Round(time.Millisecond))}
	}
	if h.err != nil {
		return &UnwritableError{Since: h.since, Cause: h.err}
	}
	return nil
}
