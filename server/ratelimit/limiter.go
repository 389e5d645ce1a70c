package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Rate is a token bucket: PerSecond tokens flow in, up to Burst are kept,
// and each request takes one.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Validate names what is wrong with r.
func (r Rate) Validate() error {
	var errs []error
	if r.PerSecond <= 0 {
		errs = append(errs, fmt.Errorf("requestsPerSecond must be above 0, got %v", r.PerSecond))
	}
	if r.Burst < 1 {
		errs = append(errs, fmt.Errorf("burst must be at least 1, got %d", r.Burst))
	}
	return errors.Join(errs...)
}

// Decision is the answer for one request.
type Decision struct {
	Allowed bool
	// RetryAfter is how long until a request would be allowed (0 when
	// allowed).
	RetryAfter time.Duration
}

// Limiter decides whether the principal key may make one more request.
type Limiter interface {
	Allow(ctx context.Context, key string) (Decision, error)
	// Rate is the bucket every key gets.
	Rate() Rate
}
