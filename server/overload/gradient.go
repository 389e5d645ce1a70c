package overload

import "time"

// gradient is the adaptive concurrency limit: Netflix concurrency-limits'
// Gradient2 in a few lines. It compares the short-term latency (the mean of
// a window of samples) with a long-term average of it; while the short term
// is no worse than tolerance × the long term the limit grows by a small
// queue allowance, and when it is worse the limit shrinks in proportion,
// by at most half per window. The long term follows the short term slowly
// (ten times slower while congested, quickly when the short term is much
// faster), so a sustained change of the upstreams' own latency becomes the
// new normal instead of holding the limit down for good, but overload
// itself does not.
//
// It is not safe for concurrent use; the Limiter holds its lock.
type gradient struct {
	min, max  float64
	estimate  float64
	window    int     // samples per update
	tolerance float64 // how much slower than the long term is still fine
	smoothing float64 // weight of a new estimate
	longSpan  float64 // windows the long-term average spans

	// The window being collected.
	n           int
	sum         time.Duration
	maxInFlight int

	long    float64 // long-term average latency, seconds
	windows int     // windows seen, for the warm-up of the average
}

func newGradient(initial, minLimit, maxLimit int) *gradient {
	return &gradient{
		min: float64(minLimit), max: float64(maxLimit), estimate: float64(initial),
		window: 10, tolerance: 1.5, smoothing: 0.2, longSpan: 600,
	}
}

// limit is the current limit, a whole number within [min, max].
func (g *gradient) limit() int { return int(g.estimate) }

// sample adds one admitted request's latency and the requests in flight
// when it was admitted; every window samples the limit is updated. It
// reports whether the limit changed.
func (g *gradient) sample(rtt time.Duration, inFlight int) bool {
	g.n++
	g.sum += rtt
	g.maxInFlight = max(g.maxInFlight, inFlight)
	if g.n < g.window {
		return false
	}
	short := (g.sum / time.Duration(g.n)).Seconds()
	inFlight = g.maxInFlight
	g.n, g.sum, g.maxInFlight = 0, 0, 0
	if short <= 0 {
		return false
	}
	g.windows++
	switch {
	case g.windows <= 10:
		// Warm-up: a plain mean of the first windows.
		g.long += (short - g.long) / float64(g.windows)
	case short > g.tolerance*g.long:
		// Congested: the long term follows ten times slower, so that
		// sustained overload does not become the new normal within
		// seconds (Gradient2's drift) while a lasting change of the
		// upstreams' latency still does, within some thousand windows.
		g.long += (short - g.long) / (10 * g.longSpan)
	default:
		g.long += (short - g.long) / g.longSpan
	}
	if g.long/short > 2 {
		// Much faster than usual now: let the long term come down soon.
		g.long *= 0.95
	}
	before := g.limit()
	if float64(inFlight) < g.estimate/2 {
		// Too little traffic to learn anything about a higher limit.
		return false
	}
	grad := max(0.5, min(1.0, g.tolerance*g.long/short))
	next := g.estimate*grad + queueAllowance(g.estimate)
	next = g.estimate*(1-g.smoothing) + next*g.smoothing
	g.estimate = max(g.min, min(g.max, next))
	return g.limit() != before
}

// queueAllowance is how far the limit may probe above what the latency
// justifies: a few requests, more for large limits.
func queueAllowance(limit float64) float64 {
	switch {
	case limit < 8:
		return 1
	case limit < 64:
		return 2
	}
	return 4
}
