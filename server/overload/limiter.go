package overload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// Defaults of Options.
const (
	DefaultMaxInFlight = 128
	DefaultMinInFlight = 8
	DefaultBulkShare   = 0.5
	DefaultRetryAfter  = time.Second
	DefaultTimeout     = 10 * time.Second
	// maxRetryAfter bounds the Retry-After the drain rate can ask for.
	maxRetryAfter = time.Minute
)

// Priority is how much a request matters when there is not room for all.
type Priority int

// The priorities. Health checks and metrics are never refused: they do not
// pass through the Limiter at all.
const (
	// Interactive is a person waiting for an answer: a clinician's read of
	// one citizen, a citizen reading their own data. It may use the whole
	// limit.
	Interactive Priority = iota
	// Bulk is work no one is waiting for second by second (an integrator's
	// worklists and statistics). It may use only Options.BulkShare of the
	// limit, so that interactive requests always find room.
	Bulk
)

func (p Priority) String() string {
	if p == Bulk {
		return "bulk"
	}
	return "interactive"
}

// Options configure a Limiter. Zero values are the defaults.
type Options struct {
	// MaxInFlight is the ceiling of the adaptive limit (default 128).
	MaxInFlight int
	// MinInFlight is its floor (default 8, at most MaxInFlight); a probe
	// of the latency halves the limit for a few windows, even below it.
	// Equal to MaxInFlight, the limit is fixed and never probed.
	MinInFlight int
	// InitialInFlight is where the limit starts (default MaxInFlight/4,
	// within the bounds).
	InitialInFlight int
	// BulkShare is the share of the limit Bulk requests may use (default
	// 0.5); at least one Bulk request is always admitted when there is room.
	BulkShare float64
	// RetryAfter is the least Retry-After of a refusal, whole seconds
	// rounded up (default 1s). Above it, Retry-After is the time the
	// gateway needs, at the rate it completes requests, to serve the
	// requests it refused in the last second.
	RetryAfter time.Duration
	// Timeout is the deadline of each admitted request (default 10s).
	Timeout time.Duration
	// LogReserve is the part of Timeout kept for writing the access log
	// after the executor's deadline (default a quarter of Timeout, at
	// least 500ms and at most 1s, and never more than half of Timeout): the
	// executor's context ends that much before ResponseDeadline. A commit's
	// fsync on a busy disk takes hundreds of milliseconds at its tail.
	LogReserve time.Duration
	// Classify gives a request's priority before anything of it is read
	// but its headers; nil makes every request Interactive.
	Classify func(*http.Request) Priority
	// Now is the clock of latency samples and rates (default time.Now);
	// deadlines always run on the real clock.
	Now func() time.Time
	// Metrics records admissions, refusals, deadlines and the limit; nil
	// records nothing.
	Metrics *Metrics
	// Logger receives a warning when refusals start (at most one every
	// 10s); nil discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxInFlight < 0 || o.MinInFlight < 0 || o.InitialInFlight < 0 || o.BulkShare < 0 || o.BulkShare > 1 ||
		o.RetryAfter < 0 || o.Timeout < 0 || o.LogReserve < 0 {
		panic(fmt.Sprintf("overload: option out of range in %+v", o))
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.MinInFlight == 0 {
		o.MinInFlight = DefaultMinInFlight
	}
	o.MinInFlight = min(o.MinInFlight, o.MaxInFlight)
	if o.InitialInFlight == 0 {
		o.InitialInFlight = o.MaxInFlight / 4
	}
	o.InitialInFlight = max(o.MinInFlight, min(o.MaxInFlight, o.InitialInFlight))
	if o.BulkShare == 0 {
		o.BulkShare = DefaultBulkShare
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.LogReserve == 0 {
		o.LogReserve = min(max(o.Timeout/4, 500*time.Millisecond), time.Second)
	}
	o.LogReserve = min(o.LogReserve, o.Timeout/2)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Limiter admits requests under the adaptive limit and gives each a
// deadline. It is safe for concurrent use.
type Limiter struct {
	opts Options

	mu         sync.Mutex
	limit      *gradient
	inFlight   int
	bulk       int
	completed  rate
	refused    rate
	lastWarned time.Time
}

// New builds a Limiter. Values out of range are programming errors and
// panic; configuration validates them first.
func New(o Options) *Limiter {
	o = o.withDefaults()
	l := &Limiter{opts: o, limit: newGradient(o.InitialInFlight, o.MinInFlight, o.MaxInFlight)}
	o.Metrics.setLimit(l.limit.limit())
	return l
}

// InFlight is the number of requests executing now.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight
}

type responseDeadlineKey struct{}

// ResponseDeadline is when the response to the request ctx belongs to must
// leave: the request's deadline, which the executor's context anticipates
// by Options.LogReserve. The gate bounds the access log's write by it.
func ResponseDeadline(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(responseDeadlineKey{}).(time.Time)
	return t, ok
}

// Middleware admits a request when the limit allows and runs it under the
// deadline; otherwise it answers 503 with Retry-After at once, having read
// nothing but the headers Classify looks at. CORS preflights pass without
// a slot: they cost nothing.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		prio := Interactive
		if l.opts.Classify != nil {
			prio = l.opts.Classify(r)
		}
		admittedWith, ok := l.acquire(prio)
		if !ok {
			l.refuse(w, r, prio)
			return
		}
		start := l.opts.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		respond := time.Now().Add(l.opts.Timeout)
		ctx, cancel := context.WithDeadline(r.Context(), respond)
		defer cancel()
		ctx = context.WithValue(ctx, responseDeadlineKey{}, respond)
		work, cancelWork := context.WithDeadline(ctx, respond.Add(-l.opts.LogReserve))
		defer cancelWork()

		defer func() {
			// A request that ended early (refused by a guard, or its
			// client gone) says nothing about how long work takes.
			sample := sw.status == http.StatusOK && r.Context().Err() == nil
			l.release(prio, admittedWith, l.opts.Now().Sub(start), sample)
		}()
		next.ServeHTTP(sw, r.WithContext(work))
		if errors.Is(work.Err(), context.DeadlineExceeded) && r.Context().Err() == nil {
			l.opts.Metrics.deadlineExceeded()
		}
	})
}

// acquire takes a slot for a request of prio, reporting the requests in
// flight with it.
func (l *Limiter) acquire(prio Priority) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.limit.limit()
	if l.inFlight >= limit {
		return 0, false
	}
	if prio == Bulk {
		if l.bulk >= max(1, int(float64(limit)*l.opts.BulkShare)) {
			return 0, false
		}
		l.bulk++
	}
	l.inFlight++
	l.opts.Metrics.admitted()
	return l.inFlight, true
}

func (l *Limiter) release(prio Priority, admittedWith int, took time.Duration, sample bool) {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	if prio == Bulk {
		l.bulk--
	}
	l.completed.add(now)
	l.opts.Metrics.left()
	if sample {
		if l.limit.sample(took, admittedWith, now) {
			l.opts.Metrics.setLimit(l.limit.limit())
		}
		l.opts.Metrics.setReference(l.limit.reference)
	}
}

func (l *Limiter) refuse(w http.ResponseWriter, r *http.Request, prio Priority) {
	now := l.opts.Now()
	l.mu.Lock()
	l.refused.add(now)
	l.limit.refused(now)
	retry := l.retryAfter(now)
	limit, inFlight := l.limit.limit(), l.inFlight
	warn := now.Sub(l.lastWarned) >= 10*time.Second
	if warn {
		l.lastWarned = now
	}
	l.mu.Unlock()

	l.opts.Metrics.refused(prio)
	if warn {
		l.opts.Logger.WarnContext(r.Context(), "overloaded: refusing requests with 503",
			"limit", limit, "max_concurrent_operations", l.opts.MaxInFlight, "in_flight", inFlight, "priority", prio.String())
	}
	secs := strconv.Itoa(retry)
	w.Header().Set("Retry-After", secs)
	gqlhttp.WriteError(w, r, errcode.Overloaded,
		"the gateway is at its limit of "+strconv.Itoa(limit)+" "+prio.String()+
			" operations at once (adaptive, at most server.maxConcurrentOperations); retry after "+secs+" s")
}

// retryAfter is the whole seconds a refused client should wait: the time
// the gateway needs, at the rate it completes requests, to serve what it
// refused in the last second; at least Options.RetryAfter, at most a
// minute; the least when nothing has completed lately (no rate to go by).
// l.mu is held.
func (l *Limiter) retryAfter(now time.Time) int {
	wait := l.opts.RetryAfter.Seconds()
	if drain := l.completed.value(now); drain > 0 {
		wait = max(wait, l.refused.value(now)/drain)
	}
	return int(math.Ceil(min(wait, maxRetryAfter.Seconds())))
}

// statusWriter notes the status of an admitted request's response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush keeps streaming transports working.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
