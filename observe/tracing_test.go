package observe_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sundhedsklynge/klynge/observe"
	"github.com/sundhedsklynge/klynge/requestid"
)

func TestTracingIsOffWithoutAnEndpoint(t *testing.T) {
	tp, err := observe.NewTracerProvider(context.Background(), observe.TracingOptions{})
	if err != nil || tp != nil {
		t.Fatalf("NewTracerProvider without endpoint = %v, %v; want nil, nil", tp, err)
	}
}

func TestABadEndpointNamesTheSetting(t *testing.T) {
	_, err := observe.NewTracerProvider(context.Background(), observe.TracingOptions{Endpoint: "collector:4318"})
	if err == nil || !strings.Contains(err.Error(), "tracing.otlpEndpoint") {
		t.Fatalf("err = %v", err)
	}
}

// The exporter speaks OTLP/HTTP to the configured collector: a real HTTP
// server on loopback stands in for it.
func TestSpansAreExportedOverOTLPHTTPOnShutdown(t *testing.T) {
	var mu sync.Mutex
	var got []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	tp, err := observe.NewTracerProvider(context.Background(), observe.TracingOptions{
		Endpoint: collector.URL, ServiceName: "klynge-test", ServiceVersion: "v0",
	})
	if err != nil || tp == nil {
		t.Fatalf("NewTracerProvider: %v, %v", tp, err)
	}
	_, span := tp.Tracer("test").Start(context.Background(), "query PatientContext")
	span.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "POST /v1/traces application/x-protobuf") {
		t.Fatalf("collector received %q, want one OTLP/HTTP export to /v1/traces", got)
	}
	for _, want := range []string{"query PatientContext", "klynge-test"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("export lacks %q", want)
		}
	}
}

func TestLogLinesCarryTheRequestAndTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(observe.LogHandler(slog.NewJSONHandler(&buf, nil)))
	exp := tracetest.NewInMemoryExporter()
	tp, _ := observe.NewTracerProvider(context.Background(), observe.TracingOptions{Exporter: exp})
	ctx, span := tp.Tracer("test").Start(requestid.With(context.Background(), "req-1"), "op")
	logger.WarnContext(ctx, "upstream batch failed", "system", "outofhours")
	logger.InfoContext(requestid.With(context.Background(), "req-2"), "http request", "request_id", "req-2")
	logger.Info("no request")
	span.End()

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines: %q", lines)
	}
	sc := span.SpanContext()
	for _, want := range []string{`"request_id":"req-1"`, `"trace_id":"` + sc.TraceID().String() + `"`, `"span_id":"` + sc.SpanID().String() + `"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %s lacks %s", lines[0], want)
		}
	}
	if strings.Count(lines[1], "request_id") != 1 {
		t.Errorf("a record with its own request_id got another: %s", lines[1])
	}
	if strings.Contains(lines[2], "request_id") || strings.Contains(lines[2], "trace_id") {
		t.Errorf("a record without a request got ids: %s", lines[2])
	}
}
