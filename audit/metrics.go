package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics observes the log for Prometheus. A nil *Metrics observes nothing.
type Metrics struct {
	appendSeconds prometheus.Histogram
	batchRecords  prometheus.Histogram
	failures      *prometheus.CounterVec
	grantReads    prometheus.Counter
}

// NewMetrics registers the log's metrics with reg:
//
//	klynge_audit_append_duration_seconds   Append latency as callers see it (queue wait and commit)
//	klynge_audit_commit_batch_records      records per group-commit transaction
//	klynge_audit_append_failures_total     failed Append calls by reason (invalid, closed, cancelled, deadline, commit)
//	klynge_audit_grant_reads_total         reads of the break-the-glass register for active grants
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		appendSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "klynge_audit_append_duration_seconds",
			Help:    "Time an Append call takes until its records are durably committed or fail.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16), // 0.1ms .. ~3.3s
		}),
		batchRecords: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "klynge_audit_commit_batch_records",
			Help:    "Records committed together in one group-commit transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12), // 1 .. 2048
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_audit_append_failures_total",
			Help: "Append calls that returned an error, so the caller disclosed nothing.",
		}, []string{"reason"}),
		grantReads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "klynge_audit_grant_reads_total",
			Help: "Reads of the break-the-glass register for active grants: one per operation whose citizens lack a care relationship, however many they are.",
		}),
	}
	for _, c := range []prometheus.Collector{m.appendSeconds, m.batchRecords, m.failures, m.grantReads} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("audit: register metrics: %w", err)
		}
	}
	for _, r := range []string{"invalid", "closed", "cancelled", "deadline", "commit"} {
		m.failures.WithLabelValues(r)
	}
	return m, nil
}

func (m *Metrics) observeAppend(d time.Duration, err error) {
	if m == nil {
		return
	}
	m.appendSeconds.Observe(d.Seconds())
	if err == nil {
		return
	}
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		m.failures.WithLabelValues("invalid").Inc()
	case errors.Is(err, ErrClosed):
		m.failures.WithLabelValues("closed").Inc()
	case errors.Is(err, ErrNotCommitted) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		m.failures.WithLabelValues("cancelled").Inc()
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// The caller stopped waiting while its records were being
		// committed: withheld, though they may be in the log.
		m.failures.WithLabelValues("deadline").Inc()
	default:
		m.failures.WithLabelValues("commit").Inc()
	}
}

func (m *Metrics) observeBatch(records int, err error) {
	if m == nil || err != nil {
		return
	}
	m.batchRecords.Observe(float64(records))
}

func (m *Metrics) observeGrantRead() {
	if m != nil {
		m.grantReads.Inc()
	}
}
