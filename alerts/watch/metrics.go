package watch

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count what the watchers cost and find.
type Metrics struct {
	polls    *prometheus.CounterVec
	events   *prometheus.CounterVec
	leader   *prometheus.GaugeVec
	watching *prometheus.GaugeVec
	assessed *prometheus.CounterVec
}

// NewMetrics registers the watchers' collectors with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_alerts_poll_requests_total",
			Help: "Upstream requests the alert watchers made to read what changed, by cluster and upstream (ehospital, municipal, gpreferral); reassessment reads go through the loaders and count in klynge_upstream_requests_total.",
		}, []string{"cluster", "upstream"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_alerts_events_total",
			Help: "Alerts appended to the event log, by cluster and kind.",
		}, []string{"cluster", "kind"}),
		leader: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "klynge_alerts_leader",
			Help: "1 while this replica holds the cluster's watch (its lease), from the moment it takes it over.",
		}, []string{"cluster"}),
		watching: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "klynge_alerts_watching",
			Help: "1 while this replica watches the cluster with its first assessment done (what changes from then on is news to it).",
		}, []string{"cluster"}),
		assessed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_alerts_citizens_assessed_total",
			Help: "Citizens whose pathways the watchers reassessed, by cluster and why (changed, timer, sweep, start).",
		}, []string{"cluster", "reason"}),
	}
	for _, c := range []prometheus.Collector{m.polls, m.events, m.leader, m.watching, m.assessed} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("watch: register metrics"), err)
		}
	}
	return m, nil
}

func (m *Metrics) poll(cluster, upstream string) {
	if m != nil {
		m.polls.WithLabelValues(cluster, upstream).Inc()
	}
}

func (m *Metrics) event(cluster, kind string) {
	if m != nil {
		m.events.WithLabelValues(cluster, kind).Inc()
	}
}

func (m *Metrics) leading(cluster string, on bool) {
	if m != nil {
		m.leader.WithLabelValues(cluster).Set(gauge(on))
	}
}

func (m *Metrics) watches(cluster string, on bool) {
	if m != nil {
		m.watching.WithLabelValues(cluster).Set(gauge(on))
	}
}

func gauge(on bool) float64 {
	if on {
		return 1
	}
	return 0
}

func (m *Metrics) assess(cluster, reason string, n int) {
	if m != nil {
		m.assessed.WithLabelValues(cluster, reason).Add(float64(n))
	}
}
