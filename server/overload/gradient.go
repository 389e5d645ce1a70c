package overload

import "time"

// gradient is the adaptive concurrency limit: Netflix concurrency-limits'
// Gradient2, with a reference latency that overload cannot raise.
//
// Gradient2 compares the short-term latency (the mean of a window of
// samples) with a long-term average of it; while the short term is no worse
// than tolerance × the long term the limit grows by a small queue
// allowance, and when it is worse the limit shrinks in proportion, by at
// most half per window. Its long-term average follows whatever latency the
// admitted requests see, so under sustained overload the queueing itself
// becomes "normal" within seconds: the limit settled near twice the
// concurrency the machine served before the surge, and admitted p99 at 10×
// the clients was 2.1× the p99 before it.
//
// Here the reference — the latency the limit defends — learns only while
// nothing is refused: that is the latency of the load the gateway carries
// without turning anyone away. Once requests are refused, the limit is
// binding and what admitted requests measure is partly our own queueing,
// so it may lower the reference (the upstreams got faster) but never raise
// it. A lasting change of the upstreams' latency during a lasting surge
// must still become the new normal, so while requests are refused the
// reference is probed every probeEvery: the limit is halved until
// probeWindows windows admitted at half of it have been measured (BBR's
// ProbeRTT, for the same reason), which is latency with room to spare.
//
// It is not safe for concurrent use; the Limiter holds its lock.
type gradient struct {
	min, max  float64
	estimate  float64
	window    int           // the fewest samples per update; a window holds at least the limit's worth
	tolerance float64       // how much slower than the reference is still fine
	smoothing float64       // weight of a new estimate
	learning  float64       // weight of a window in the reference while nothing is refused
	calmAfter time.Duration // how long after the last refusal the limit counts as not binding again

	probeEvery   time.Duration // how long the reference may go unmeasured while refusing
	probeFor     time.Duration // the longest a probe lasts, unless three references are longer
	probeWindows int           // the windows a probe measures

	busy   window // samples admitted with more than half the limit in flight: they steer the limit
	learnt window // samples that may teach the reference

	reference   float64   // seconds; 0 before the first window
	measured    time.Time // when the reference last learnt
	lastRefused time.Time
	probing     time.Time // when the running probe began; zero when none runs
	probed      int       // windows the running probe measured
}

// window collects the latency samples of one update.
type window struct {
	n   int
	sum time.Duration
}

func (w *window) add(rtt time.Duration, size int) (mean float64, full bool) {
	w.n++
	w.sum += rtt
	if w.n < size {
		return 0, false
	}
	mean = (w.sum / time.Duration(w.n)).Seconds()
	*w = window{}
	return mean, mean > 0
}

func newGradient(initial, minLimit, maxLimit int) *gradient {
	return &gradient{
		min: float64(minLimit), max: float64(maxLimit), estimate: float64(initial),
		window: 10, tolerance: 1.05, smoothing: 0.2, learning: 0.1, calmAfter: time.Second,
		probeEvery: 10 * time.Second, probeFor: time.Second, probeWindows: 3,
	}
}

// limit is the current limit, a whole number within [min, max]; while a
// probe runs, half of it (even below the floor, for the few windows a
// probe takes: at the floor too, a limit brought down by slower upstreams
// must be able to learn that they are the new normal).
func (g *gradient) limit() int {
	if !g.probing.IsZero() {
		return g.spareLimit()
	}
	return int(g.estimate)
}

// spareLimit is half the estimate: requests admitted with at most this
// many in flight (themselves included) had room to spare, and more than
// this many steer the limit.
func (g *gradient) spareLimit() int { return max(1, int(g.estimate/2)) }

// refused notes that the limit refused a request at now.
func (g *gradient) refused(now time.Time) { g.lastRefused = now }

// sample adds one admitted request's latency, the requests in flight when
// it was admitted and the time it ended. It reports whether the limit
// changed.
func (g *gradient) sample(rtt time.Duration, inFlight int, now time.Time) bool {
	if g.min == g.max {
		return false // a fixed limit: nothing to learn, nothing to probe
	}
	before := g.limit()
	calm := g.lastRefused.IsZero() || now.Sub(g.lastRefused) >= g.calmAfter
	spare := inFlight <= g.spareLimit()
	if calm || (spare && !g.probing.IsZero()) {
		if short, full := g.learnt.add(rtt, max(g.window, g.spareLimit())); full {
			g.learn(short, now)
		}
	}
	if !spare {
		if short, full := g.busy.add(rtt, max(g.window, int(g.estimate))); full {
			g.adapt(short, calm)
		}
	}
	switch {
	case g.probing.IsZero() && !calm && (g.reference == 0 || now.Sub(g.measured) >= g.probeEvery):
		// The first probe runs as soon as requests are refused: the
		// gateway may start in a surge, and the limit steers by nothing
		// before.
		g.probing, g.probed, g.learnt = now, 0, window{}
	case !g.probing.IsZero() && g.reference != 0 &&
		now.Sub(g.probing) >= max(g.probeFor, time.Duration(3*g.reference*float64(time.Second))):
		// Not enough traffic at half the limit to measure: try later.
		g.probing, g.measured = time.Time{}, now
	}
	return g.limit() != before
}

// learn takes a window into the reference. A probe's windows weigh more —
// they are all it will measure for a while — and the probe ends after
// probeWindows of them.
func (g *gradient) learn(short float64, now time.Time) {
	g.measured = now
	switch {
	case g.reference == 0:
		g.reference = short
	case g.probing.IsZero():
		g.reference += (short - g.reference) * g.learning
	case short > g.reference:
		// Slower with room to spare than the reference: the upstreams
		// slowed. A probe never lowers the reference — latency at half
		// the limit is less than the load before the surge had, and a
		// reference below that would keep refusing that load after the
		// surge.
		g.reference += (short - g.reference) / 2
	}
	if !g.probing.IsZero() {
		if g.probed++; g.probed >= g.probeWindows {
			g.probing = time.Time{}
		}
	}
}

// adapt updates the limit from a window of requests admitted near it.
// While nothing is refused it only grows: the reference follows the
// latency then, and a limit that fell below the load it carries would
// start refusing it. A surge reaches the limit and is refused first.
func (g *gradient) adapt(short float64, calm bool) {
	switch {
	case g.reference == 0:
		return // nothing measured yet to steer by
	case short < g.reference && !calm:
		// Faster than the reference even near the limit: the upstreams
		// got faster.
		g.reference += (short - g.reference) * g.learning
	}
	grad := 1.0
	if !calm {
		grad = max(0.5, min(1.0, g.tolerance*g.reference/short))
	}
	next := g.estimate*grad + queueAllowance(g.estimate)
	next = g.estimate*(1-g.smoothing) + next*g.smoothing
	g.estimate = max(g.min, min(g.max, next))
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
