package observe

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// TracingOptions configure the tracer provider.
type TracingOptions struct {
	// Endpoint is the OTLP/HTTP collector (e.g. http://otel-collector:4318;
	// /v1/traces is added when the URL has no path). Empty, with no
	// Exporter: tracing is off.
	Endpoint string
	// Exporter, when set, receives the spans instead, synchronously (tests
	// use an in-memory exporter).
	Exporter sdktrace.SpanExporter
	// SampleRatio of new traces kept, in (0, 1] (default 1). A caller's
	// sampled traceparent is followed either way.
	SampleRatio float64
	// ServiceName and ServiceVersion name the gateway in traces.
	ServiceName, ServiceVersion string
}

// NewTracerProvider builds the provider spans are made with, or nil when
// tracing is off. It starts the exporter's background goroutine; Shutdown
// flushes and stops it. It never touches OpenTelemetry's global provider.
func NewTracerProvider(ctx context.Context, o TracingOptions) (*sdktrace.TracerProvider, error) {
	var processor sdktrace.SpanProcessor
	switch {
	case o.Exporter != nil:
		processor = sdktrace.NewSimpleSpanProcessor(o.Exporter)
	case o.Endpoint != "":
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("tracing.otlpEndpoint: must be an absolute http(s) URL, got %q", o.Endpoint)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/traces"
		}
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
		if err != nil {
			return nil, fmt.Errorf("tracing.otlpEndpoint: %w", err)
		}
		processor = sdktrace.NewBatchSpanProcessor(exp)
	default:
		return nil, nil
	}
	ratio := o.SampleRatio
	if ratio <= 0 || ratio > 1 {
		ratio = 1
	}
	name := o.ServiceName
	if name == "" {
		name = "klynge"
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", name)}
	if o.ServiceVersion != "" {
		attrs = append(attrs, attribute.String("service.version", o.ServiceVersion))
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attrs...))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(processor),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	), nil
}
