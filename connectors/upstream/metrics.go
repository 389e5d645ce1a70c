package upstream

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Call outcomes, the values of the outcome label of
// klynge_upstream_requests_total.
const (
	OutcomeOK          = "ok"
	OutcomeStatus4xx   = "status_4xx"
	OutcomeStatus5xx   = "status_5xx"
	OutcomeTimeout     = "timeout"
	OutcomeUnavailable = "unavailable"
	OutcomeBadResponse = "bad_response"
	OutcomeBreakerOpen = "breaker_open"
	// OutcomeCanceled is a call the caller gave up on; not the upstream's
	// fault, but worth seeing.
	OutcomeCanceled = "canceled"
)

// Metrics are the Prometheus collectors of all upstream clients of one
// process. Build one with NewMetrics and pass it to every client; labels
// carry the system and operation.
type Metrics struct {
	requests     *prometheus.CounterVec
	attemptDur   *prometheus.HistogramVec
	callDur      *prometheus.HistogramVec
	retries      *prometheus.CounterVec
	budgetOut    *prometheus.CounterVec
	breakerState *prometheus.GaugeVec
	batchKeys    *prometheus.HistogramVec
}

// NewMetrics creates the upstream collectors and registers them with reg
// (nil: not registered, for tests). Like every NewMetrics in klynge it
// returns reg's refusal as an error and never panics: one Metrics per
// registry, shared by every upstream client.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	latency := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_upstream_requests_total",
			Help: "Calls to upstream systems by final outcome (one per call, whatever its retries).",
		}, []string{"system", "op", "outcome"}),
		attemptDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "klynge_upstream_request_duration_seconds",
			Help:    "Duration of one attempt of an upstream call, including reading the body.",
			Buckets: latency,
		}, []string{"system", "op"}),
		callDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "klynge_upstream_call_duration_seconds",
			Help:    "Duration of a whole upstream call including retries and backoff.",
			Buckets: latency,
		}, []string{"system", "op"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_upstream_retries_total",
			Help: "Attempts repeated after a failed attempt.",
		}, []string{"system", "op"}),
		budgetOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_upstream_retry_budget_exhausted_total",
			Help: "Retries not made because the instance's retry budget was spent (retries at most a share of calls).",
		}, []string{"system"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "klynge_upstream_breaker_state",
			Help: "Circuit breaker state per upstream instance: 0 closed, 1 half-open, 2 open.",
		}, []string{"system"}),
		batchKeys: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "klynge_upstream_batch_keys",
			Help:    "Keys (CPRs, ydernumre) asked for in one upstream call.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}, []string{"system", "op"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.requests, m.attemptDur, m.callDur, m.retries, m.budgetOut, m.breakerState, m.batchKeys} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("upstream: register metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) observeCall(system, op, outcome string, seconds float64, retries, keys int) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(system, op, outcome).Inc()
	m.callDur.WithLabelValues(system, op).Observe(seconds)
	if retries > 0 {
		m.retries.WithLabelValues(system, op).Add(float64(retries))
	}
	if keys > 0 {
		m.batchKeys.WithLabelValues(system, op).Observe(float64(keys))
	}
}

func (m *Metrics) observeAttempt(system, op string, seconds float64) {
	if m == nil {
		return
	}
	m.attemptDur.WithLabelValues(system, op).Observe(seconds)
}

func (m *Metrics) budgetExhausted(system string) {
	if m != nil {
		m.budgetOut.WithLabelValues(system).Inc()
	}
}

func (m *Metrics) setBreakerState(system string, state float64) {
	if m == nil {
		return
	}
	m.breakerState.WithLabelValues(system).Set(state)
}
