package upstream

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/sony/gobreaker/v2"
)

// breakerTransport counts every attempt against the system's circuit
// breaker and refuses attempts at once while it is open. Failures are
// transport errors, timeouts, 5xx and 429. A 4xx other than 429 is an
// answer (the upstream is up) and counts as a success; a caller's
// cancellation counts as nothing.
type breakerTransport struct {
	next http.RoundTripper
	cb   *gobreaker.CircuitBreaker[*http.Response]
}

// errFailureStatus marks a response the breaker must count as a failure
// while the response itself still goes back to the caller.
var errFailureStatus = errors.New("failure status")

func newBreaker(o Options) *gobreaker.CircuitBreaker[*http.Response] {
	b := o.Breaker
	bucket := b.Window / 10
	return gobreaker.NewCircuitBreaker[*http.Response](gobreaker.Settings{
		Name:         o.System,
		MaxRequests:  uint32(b.HalfOpenRequests),
		Interval:     b.Window,
		BucketPeriod: bucket,
		Timeout:      b.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= uint32(b.MinRequests) &&
				float64(c.TotalFailures) >= b.FailureRatio*float64(c.Requests)
		},
		// Called with the breaker's lock held: touch nothing of the breaker.
		OnStateChange: func(name string, from, to gobreaker.State) {
			o.Logger.Warn("upstream circuit breaker changed state",
				slog.String("system", name), slog.String("from", breakerStateName(from)), slog.String("to", breakerStateName(to)))
			o.Metrics.setBreakerState(name, breakerStateValue(to))
		},
		IsSuccessful: func(err error) bool {
			var tooLarge *ResponseTooLargeError
			return err == nil || errors.As(err, &tooLarge)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
	})
}

func (t *breakerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.cb.Execute(func() (*http.Response, error) {
		resp, err := t.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return resp, errFailureStatus
		}
		return resp, nil
	})
	switch {
	case errors.Is(err, errFailureStatus):
		return resp, nil
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return nil, ErrBreakerOpen
	}
	return resp, err
}

func breakerStateName(s gobreaker.State) string {
	switch s {
	case gobreaker.StateClosed:
		return "closed"
	case gobreaker.StateHalfOpen:
		return "half-open"
	case gobreaker.StateOpen:
		return "open"
	}
	return "unknown"
}

func breakerStateValue(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	}
	return 0
}
