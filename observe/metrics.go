package observe

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the gateway's own Prometheus collectors: per operation and per
// loader batch. The upstream clients, the overload limiter and the access
// log register theirs beside them. A nil *Metrics records nothing.
type Metrics struct {
	opDuration    *prometheus.HistogramVec
	operations    *prometheus.CounterVec
	opErrors      *prometheus.CounterVec
	batchKeys     *prometheus.HistogramVec
	batchDuration *prometheus.HistogramVec
	batches       *prometheus.CounterVec
	names         *operationNames
}

// NewMetrics registers the collectors with reg:
//
//	klynge_graphql_operation_duration_seconds{operation,type}   execution time of an operation
//	klynge_graphql_operations_total{operation,type,result}      operations by result: ok, partial (data and errors), failed (no data)
//	klynge_graphql_errors_total{operation,code,system}          errors in answers by extensions.code (and the upstream system)
//	klynge_loader_batch_keys{loader}                            keys per loader batch call
//	klynge_loader_batch_duration_seconds{loader,system}         duration of a loader batch call to one upstream instance
//	klynge_loader_batches_total{loader,system,outcome}          loader batch calls by outcome: ok, unavailable, timeout, bad_response, canceled, error
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	latency := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	m := &Metrics{
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "klynge_graphql_operation_duration_seconds",
			Help:    "Execution time of a GraphQL operation, from after validation to its answer.",
			Buckets: latency,
		}, []string{"operation", "type"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_graphql_operations_total",
			Help: "GraphQL operations executed, by result: ok, partial (data with errors) or failed (no data).",
		}, []string{"operation", "type", "result"}),
		opErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_graphql_errors_total",
			Help: "Errors in GraphQL answers by extensions.code, and extensions.system for upstream errors.",
		}, []string{"operation", "code", "system"}),
		batchKeys: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "klynge_loader_batch_keys",
			Help:    "Keys asked for in one loader batch call to one upstream instance.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}, []string{"loader"}),
		batchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "klynge_loader_batch_duration_seconds",
			Help:    "Duration of one loader batch call to one upstream instance, including paging and retries.",
			Buckets: latency,
		}, []string{"loader", "system"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klynge_loader_batches_total",
			Help: "Loader batch calls by outcome: ok, unavailable, timeout, bad_response, canceled or error.",
		}, []string{"loader", "system", "outcome"}),
		names: newOperationNames(),
	}
	for _, c := range []prometheus.Collector{m.opDuration, m.operations, m.opErrors, m.batchKeys, m.batchDuration, m.batches} {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if errors.As(err, &already) {
				return nil, fmt.Errorf("observe: register metrics: %w (one Metrics per registry)", err)
			}
			return nil, fmt.Errorf("observe: register metrics: %w", err)
		}
	}
	return m, nil
}

// MetricsHandler serves reg at /metrics in the Prometheus text format.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, ErrorHandling: promhttp.ContinueOnError})
}

// KnowOperationNames makes names valid values of the operation label (and
// of the operation's name in traces): the trusted documents' operations
// and any configured ones. Every other name an operation carries is
// recorded as "other", so that callers cannot mint label values.
func (m *Metrics) KnowOperationNames(names []string) {
	if m == nil {
		return
	}
	m.names.know(names)
}
