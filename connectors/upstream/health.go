package upstream

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Health is what the client's own calls have shown of its system lately:
// when it last answered, and when a call last failed and how (an outcome
// such as "timeout"). Readiness reads it so that it only probes systems
// nobody has called.
type Health struct {
	LastAnswer  time.Time // the last call the system answered (2xx or 4xx, even unreadable)
	LastFailure time.Time // the last call that failed (5xx, 429, timeout, unreachable, breaker open)
	Failure     string    // that call's outcome
}

// ProbeHeader marks a request the gateway makes on its own, not for a
// query: a readiness probe ("readiness") or a FHIR server's capability
// reading ("capabilities"). A system's operators (and the sandbox's request
// counts) can tell them from the graph's reads.
const ProbeHeader = "X-Klynge-Probe"

type health struct {
	mu sync.Mutex
	h  Health
}

func (h *health) observe(now time.Time, outcome string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch outcome {
	case OutcomeCanceled:
	case OutcomeOK, OutcomeStatus4xx, OutcomeBadResponse:
		h.h.LastAnswer = now
	default:
		h.h.LastFailure, h.h.Failure = now, outcome
	}
}

// Health is the evidence of the client's calls so far.
func (c *Client) Health() Health {
	c.health.mu.Lock()
	defer c.health.mu.Unlock()
	return c.health.h
}

// Probe asks the system whether it answers, with one GET of path and no
// retry, through the breaker (so a failed probe counts towards opening it
// and a good one closes it when half-open). Any answer but a failure status
// means it answers: a 404 is an answer. 401 and 403 are failures — the
// system refuses the gateway's credentials, so every real call would fail.
// The request carries ProbeHeader, so that a system (or the sandbox's
// request counts) can tell it from the graph's own reads.
func (c *Client) Probe(ctx context.Context, path string) error {
	_, err := c.Do(ctx, Request{Op: "probe", Path: path, NoRetry: true, Accept: "*/*",
		Header: http.Header{ProbeHeader: []string{"readiness"}}})
	var se *StatusError
	if errors.As(err, &se) && se.Status/100 == 4 && se.Status != http.StatusUnauthorized &&
		se.Status != http.StatusForbidden && se.Status != http.StatusTooManyRequests {
		return nil
	}
	return err
}
