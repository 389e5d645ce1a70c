package config

import (
	"fmt"
	"net/url"
	"time"
)

// Server bounds the work the gateway takes on, at once and in time
// (docs/OPERATIONS.md#deadlines-and-overload).
type Server struct {
	// RequestTimeout is the deadline of one GraphQL request from admission to
	// its answer; every upstream call of the request inherits it, and a
	// client that goes away cancels it sooner (default 10s). Fields whose
	// system has not answered by then are null with UPSTREAM_TIMEOUT.
	RequestTimeout Duration `yaml:"requestTimeout"`
	// MaxConcurrentOperations is the ceiling of the adaptive limit on the
	// GraphQL requests executing at once; one more than the limit is
	// refused at once with 503 and Retry-After instead of queueing
	// (default 128).
	MaxConcurrentOperations int `yaml:"maxConcurrentOperations"`
	// MinConcurrentOperations is the floor of the adaptive limit (default
	// 8, at most the ceiling); equal to the ceiling, the limit is fixed.
	MinConcurrentOperations int `yaml:"minConcurrentOperations"`
	// OverloadRetryAfter is the least Retry-After of those 503s (default
	// 1s); above it, Retry-After follows the rate requests complete at.
	OverloadRetryAfter Duration `yaml:"overloadRetryAfter"`
	// ShutdownTimeout is how long requests in flight may finish after
	// SIGTERM before their connections are closed (default requestTimeout
	// plus 5s, so that a request admitted just before the signal can use
	// its whole deadline).
	ShutdownTimeout Duration `yaml:"shutdownTimeout"`
}

// Tracing configures OpenTelemetry traces (docs/OPERATIONS.md#traces).
type Tracing struct {
	// OTLPEndpoint is the OTLP/HTTP collector traces are sent to, e.g.
	// http://otel-collector:4318 (/v1/traces is added when the URL has no
	// path). Empty: no traces are exported. The standard OTEL_EXPORTER_OTLP_*
	// variables (headers, certificates) apply too.
	OTLPEndpoint string `yaml:"otlpEndpoint"`
	// SampleRatio is the share of new traces kept, in (0, 1] (default 1).
	// A caller's traceparent decides for the traces it starts.
	SampleRatio float64 `yaml:"sampleRatio"`
	// ServiceName names the gateway in traces (default klynge).
	ServiceName string `yaml:"serviceName"`
}

// Defaults of the server and tracing sections.
const (
	DefaultRequestTimeout          = 10 * time.Second
	DefaultMaxConcurrentOperations = 128
	DefaultMinConcurrentOperations = 8
	DefaultOverloadRetryAfter      = time.Second
	DefaultShutdownMargin          = 5 * time.Second
	DefaultTracingServiceName      = "klynge"
)

func (c *Config) fillOperationsDefaults() {
	s := &c.Server
	if s.RequestTimeout == 0 {
		s.RequestTimeout = Duration(DefaultRequestTimeout)
	}
	if s.MaxConcurrentOperations == 0 {
		s.MaxConcurrentOperations = DefaultMaxConcurrentOperations
	}
	if s.MinConcurrentOperations == 0 {
		s.MinConcurrentOperations = min(DefaultMinConcurrentOperations, s.MaxConcurrentOperations)
	}
	if s.OverloadRetryAfter == 0 {
		s.OverloadRetryAfter = Duration(DefaultOverloadRetryAfter)
	}
	if s.ShutdownTimeout == 0 {
		s.ShutdownTimeout = s.RequestTimeout + Duration(DefaultShutdownMargin)
	}
	if c.Tracing.SampleRatio == 0 {
		c.Tracing.SampleRatio = 1
	}
	if c.Tracing.ServiceName == "" {
		c.Tracing.ServiceName = DefaultTracingServiceName
	}
}

func (c *Config) validateOperations() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	s := c.Server
	if s.RequestTimeout.D() < 100*time.Millisecond || s.RequestTimeout.D() > 5*time.Minute {
		bad("server.requestTimeout", "must be between 100ms and 5m, got %s", s.RequestTimeout.D())
	}
	if s.MaxConcurrentOperations < 1 || s.MaxConcurrentOperations > 100000 {
		bad("server.maxConcurrentOperations", "must be between 1 and 100000, got %d", s.MaxConcurrentOperations)
	}
	if s.MinConcurrentOperations < 1 || s.MinConcurrentOperations > s.MaxConcurrentOperations {
		bad("server.minConcurrentOperations", "must be between 1 and server.maxConcurrentOperations (%d), got %d", s.MaxConcurrentOperations, s.MinConcurrentOperations)
	}
	if s.OverloadRetryAfter.D() < time.Second || s.OverloadRetryAfter.D() > 5*time.Minute {
		bad("server.overloadRetryAfter", "must be between 1s and 5m (Retry-After counts whole seconds), got %s", s.OverloadRetryAfter.D())
	}
	if s.ShutdownTimeout.D() > 10*time.Minute {
		bad("server.shutdownTimeout", "must be at most 10m, got %s", s.ShutdownTimeout.D())
	}
	t := c.Tracing
	if t.OTLPEndpoint != "" {
		if u, err := url.Parse(t.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("tracing.otlpEndpoint", "must be an absolute http(s) URL such as http://otel-collector:4318, got %q", t.OTLPEndpoint)
		}
	}
	if !(t.SampleRatio > 0 && t.SampleRatio <= 1) {
		bad("tracing.sampleRatio", "must be in (0, 1], got %v", t.SampleRatio)
	}
	return errs
}
