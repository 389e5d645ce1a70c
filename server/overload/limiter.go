package overload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// Defaults of Options.
const (
	DefaultMaxInFlight = 128
	DefaultRetryAfter  = time.Second
	DefaultTimeout     = 10 * time.Second
)

// Options configure a Limiter. Zero values are the defaults.
type Options struct {
	// MaxInFlight is how many requests may execute at once (default 128).
	MaxInFlight int
	// RetryAfter is sent with each refusal, in whole seconds, rounded up
	// (default 1s).
	RetryAfter time.Duration
	// Timeout is the deadline of each admitted request (default 10s).
	Timeout time.Duration
	// Metrics records admissions, refusals and deadlines; nil records
	// nothing.
	Metrics *Metrics
	// Logger receives a warning when refusals start (at most one every
	// 10s); nil discards.
	Logger *slog.Logger
}

// Limiter bounds the requests executing at once and gives each a deadline.
// It is safe for concurrent use.
type Limiter struct {
	opts     Options
	slots    chan struct{}
	inFlight atomic.Int64
	// lastWarned is the UnixNano of the last "refusing" warning.
	lastWarned atomic.Int64
}

// New builds a Limiter. Negative values are programming errors and panic;
// configuration validates them first.
func New(o Options) *Limiter {
	if o.MaxInFlight < 0 || o.RetryAfter < 0 || o.Timeout < 0 {
		panic(fmt.Sprintf("overload: negative option in %+v", o))
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Metrics.setLimit(o.MaxInFlight)
	return &Limiter{opts: o, slots: make(chan struct{}, o.MaxInFlight)}
}

// InFlight is the number of requests executing now.
func (l *Limiter) InFlight() int { return int(l.inFlight.Load()) }

// Limit is the bound on requests executing at once.
func (l *Limiter) Limit() int { return l.opts.MaxInFlight }

// Middleware admits a request when a slot is free and runs it under the
// deadline; otherwise it answers 503 with Retry-After at once. CORS
// preflights pass without a slot: they cost nothing.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case l.slots <- struct{}{}:
		default:
			l.refuse(w, r)
			return
		}
		l.inFlight.Add(1)
		l.opts.Metrics.admitted()
		defer func() {
			l.inFlight.Add(-1)
			l.opts.Metrics.left()
			<-l.slots
		}()

		ctx, cancel := context.WithTimeout(r.Context(), l.opts.Timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Context().Err() == nil {
			l.opts.Metrics.deadlineExceeded()
		}
	})
}

func (l *Limiter) refuse(w http.ResponseWriter, r *http.Request) {
	l.opts.Metrics.refused()
	now := time.Now().UnixNano()
	if last := l.lastWarned.Load(); now-last > int64(10*time.Second) && l.lastWarned.CompareAndSwap(last, now) {
		l.opts.Logger.WarnContext(r.Context(), "overloaded: refusing requests with 503",
			"max_concurrent_operations", l.opts.MaxInFlight, "in_flight", l.InFlight())
	}
	secs := int(math.Ceil(l.opts.RetryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	gqlhttp.WriteError(w, r, errcode.Overloaded, fmt.Sprintf(
		"the gateway is at its bound of %d operations at once (server.maxConcurrentOperations); retry after %d s",
		l.opts.MaxInFlight, secs))
}
