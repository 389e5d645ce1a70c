package overload

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics observe a Limiter. A nil *Metrics records nothing.
type Metrics struct {
	inFlight      prometheus.Gauge
	limit         prometheus.Gauge
	reference     prometheus.Gauge
	admittedTotal prometheus.Counter
	refusedTotal  *prometheus.CounterVec
	deadlineTotal prometheus.Counter
}

// NewMetrics registers the limiter's metrics with reg:
//
//	klynge_operations_in_flight                 GraphQL requests executing now
//	klynge_operations_max_in_flight             the adaptive limit now
//	klynge_operations_reference_latency_seconds the latency the limit defends
//	klynge_operations_admitted_total            requests admitted
//	klynge_overload_rejections_total            requests refused with 503 at the limit, by priority
//	klynge_request_deadline_exceeded_total      admitted requests whose deadline passed
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "klynge_operations_in_flight",
			Help: "GraphQL requests executing now.",
		}),
		limit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "klynge_operations_max_in_flight",
			Help: "The adaptive limit on GraphQL requests executing at once now (at most server.maxConcurrentOperations).",
		}),
		reference: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "klynge_operations_reference_latency_seconds",
			Help: "The latency the adaptive limit defends: the mean latency of GraphQL requests while none was refused (0 before the first measurement).",
		}),
		admittedTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "klynge_operations_admitted_total",
			Help: "GraphQL requests admitted under the bound.",
		}),
		refusedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_overload_rejections_total",
			Help: "GraphQL requests refused with 503 because the limit was reached, by priority (interactive, bulk).",
		}, []string{"priority"}),
		deadlineTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "klynge_request_deadline_exceeded_total",
			Help: "Admitted requests whose deadline (server.requestTimeout) passed before they finished.",
		}),
	}
	for _, c := range []prometheus.Collector{m.inFlight, m.limit, m.reference, m.admittedTotal, m.refusedTotal, m.deadlineTotal} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("overload: register metrics: %w", err)
		}
	}
	for _, p := range []Priority{Interactive, Bulk} {
		m.refusedTotal.WithLabelValues(p.String()) // exposed at 0 before the first refusal
	}
	return m, nil
}

func (m *Metrics) setLimit(n int) {
	if m != nil {
		m.limit.Set(float64(n))
	}
}

func (m *Metrics) setReference(seconds float64) {
	if m != nil {
		m.reference.Set(seconds)
	}
}

// admitted and left move the gauge by one (not Set): concurrent requests
// would otherwise race to write stale counts.
func (m *Metrics) admitted() {
	if m != nil {
		m.admittedTotal.Inc()
		m.inFlight.Inc()
	}
}

func (m *Metrics) left() {
	if m != nil {
		m.inFlight.Dec()
	}
}

func (m *Metrics) refused(p Priority) {
	if m != nil {
		m.refusedTotal.WithLabelValues(p.String()).Inc()
	}
}

func (m *Metrics) deadlineExceeded() {
	if m != nil {
		m.deadlineTotal.Inc()
	}
}
