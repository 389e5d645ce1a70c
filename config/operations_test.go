package config

import (
	"strings"
	"testing"
	"time"
)

func TestServerAndTracingDefaults(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s := cfg.Server
	if s.RequestTimeout.D() != 10*time.Second || s.MaxConcurrentOperations != 128 || s.OverloadRetryAfter.D() != time.Second {
		t.Errorf("server defaults = %+v", s)
	}
	if s.ShutdownTimeout.D() != 15*time.Second {
		t.Errorf("shutdownTimeout default = %s, want requestTimeout + 5s", s.ShutdownTimeout.D())
	}
	if cfg.Tracing.OTLPEndpoint != "" || cfg.Tracing.SampleRatio != 1 || cfg.Tracing.ServiceName != "klynge" {
		t.Errorf("tracing defaults = %+v", cfg.Tracing)
	}
}

func TestServerAndTracingFromFileAndEnvironment(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal+`
server: {requestTimeout: 4s, maxConcurrentOperations: 16}
tracing: {otlpEndpoint: "http://otel-collector:4318", sampleRatio: 0.25}
`), []string{"KLYNGE_SERVER_OVERLOADRETRYAFTER=3s", "KLYNGE_TRACING_SERVICENAME=klynge-sjaelland"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s := cfg.Server
	if s.RequestTimeout.D() != 4*time.Second || s.MaxConcurrentOperations != 16 || s.OverloadRetryAfter.D() != 3*time.Second || s.ShutdownTimeout.D() != 9*time.Second {
		t.Errorf("server = %+v", s)
	}
	if cfg.Tracing.OTLPEndpoint != "http://otel-collector:4318" || cfg.Tracing.SampleRatio != 0.25 || cfg.Tracing.ServiceName != "klynge-sjaelland" {
		t.Errorf("tracing = %+v", cfg.Tracing)
	}
}

func TestServerAndTracingAreValidated(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"server: {requestTimeout: 10ms}", "server.requestTimeout: must be between 100ms and 5m, got 10ms"},
		{"server: {maxConcurrentOperations: -3}", "server.maxConcurrentOperations: must be between 1 and 100000, got -3"},
		{"server: {overloadRetryAfter: 500ms}", "server.overloadRetryAfter: must be between 1s and 5m"},
		{"server: {shutdownTimeout: 1h}", "server.shutdownTimeout: must be at most 10m"},
		{"tracing: {otlpEndpoint: otel-collector:4318}", `tracing.otlpEndpoint: must be an absolute http(s) URL such as http://otel-collector:4318, got "otel-collector:4318"`},
		{"tracing: {sampleRatio: 2}", "tracing.sampleRatio: must be in (0, 1], got 2"},
		{"server: {requestTimeot: 1s}", "requestTimeot"},
	}
	for _, tc := range cases {
		t.Run(tc.yaml, func(t *testing.T) {
			_, err := Load(writeFile(t, minimal+tc.yaml+"\n"), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestBreakerSettingsMergeOneByOne(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal+`
  defaults: {breaker: {minRequests: 5, failureRatio: 0.9, openFor: 20s}}
`), []string{"KLYNGE_UPSTREAMS_OUTOFHOURS_BREAKER_OPENFOR=3s", "KLYNGE_UPSTREAMS_MUNICIPAL_INSTANCES_330_BREAKER_MINREQUESTS=2"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name string
		got  Breaker
		want Breaker
	}{
		{"a system without breaker settings takes the defaults", cfg.Upstreams.GPReferral.Breaker,
			Breaker{MinRequests: 5, FailureRatio: 0.9, OpenFor: Duration(20 * time.Second)}},
		{"a system setting only openFor keeps the defaults' other settings", cfg.Upstreams.OutOfHours.Breaker,
			Breaker{MinRequests: 5, FailureRatio: 0.9, OpenFor: Duration(3 * time.Second)}},
		{"a municipal instance setting minRequests by environment keeps the rest", cfg.Upstreams.Municipal.Instances[330].Breaker,
			Breaker{MinRequests: 2, FailureRatio: 0.9, OpenFor: Duration(20 * time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("breaker = %+v, want %+v", tt.got, tt.want)
			}
		})
	}
}
