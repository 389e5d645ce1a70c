package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/observe"
	"github.com/sundhedsklynge/klynge/server/overload"
)

// telemetry is how the gateway is watched and kept from drowning: its
// metrics, its traces and the bound on concurrent operations with their
// deadline (docs/OPERATIONS.md).
type telemetry struct {
	registry *prometheus.Registry
	metrics  *observe.Metrics
	provider *sdktrace.TracerProvider // nil: tracing off
	limiter  *overload.Limiter
}

func newTelemetry(ctx context.Context, cfg *config.Config, reg *prometheus.Registry, exporter sdktrace.SpanExporter, logger *slog.Logger) (*telemetry, error) {
	t := &telemetry{registry: reg}
	var err error
	if t.metrics, err = observe.NewMetrics(reg); err != nil {
		return nil, err
	}
	om, err := overload.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	t.limiter = overload.New(overload.Options{
		MaxInFlight: cfg.Server.MaxConcurrentOperations,
		MinInFlight: cfg.Server.MinConcurrentOperations,
		Classify:    admissionPriority,
		RetryAfter:  cfg.Server.OverloadRetryAfter.D(),
		Timeout:     cfg.Server.RequestTimeout.D(),
		Metrics:     om,
		Logger:      logger,
	})
	t.provider, err = observe.NewTracerProvider(ctx, observe.TracingOptions{
		Endpoint:       cfg.Tracing.OTLPEndpoint,
		Exporter:       exporter,
		SampleRatio:    cfg.Tracing.SampleRatio,
		ServiceName:    cfg.Tracing.ServiceName,
		ServiceVersion: buildVersion(),
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// tracer is the provider as an interface, nil (not a nil pointer in an
// interface) when tracing is off.
func (t *telemetry) tracer() trace.TracerProvider {
	if t.provider == nil {
		return nil
	}
	return t.provider
}

// wrapUpstream is the upstream clients' tracing seam, nil when tracing is
// off.
func (t *telemetry) wrapUpstream(system string) func(http.RoundTripper) http.RoundTripper {
	if t.provider == nil {
		return nil
	}
	return observe.UpstreamCalls(t.provider, system)
}

func (t *telemetry) batches() loaders.BatchObserver { return observe.Batches(t.metrics, t.tracer()) }

func (t *telemetry) observers() []graphql.HandlerExtension {
	return []graphql.HandlerExtension{observe.NewOperations(t.metrics, t.tracer())}
}

func (t *telemetry) overload() func(http.Handler) http.Handler { return t.limiter.Middleware }

func (t *telemetry) metricsHandler() http.Handler { return observe.MetricsHandler(t.registry) }

// Close flushes the spans not yet exported.
func (t *telemetry) Close(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}
