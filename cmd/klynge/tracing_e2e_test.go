package main

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// otlpCollector is an OTLP/HTTP trace receiver on loopback that keeps
// every span it is sent.
type otlpCollector struct {
	*httptest.Server
	mu    sync.Mutex
	spans []*tracepb.Span
}

func newOTLPCollector(t *testing.T) *otlpCollector {
	t.Helper()
	c := &otlpCollector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			t.Errorf("collector: %s %s is no OTLP trace export", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				c.spans = append(c.spans, ss.Spans...)
			}
		}
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(c.Close)
	return c
}

func TestAPatientContextTraceShowsEveryUpstreamCallUnderTheOperation(t *testing.T) {
	collector := newOTLPCollector(t)
	s := startStack(t, func(c *config.Config) { c.Tracing.OTLPEndpoint = collector.URL })
	cpr := sampleAndBreakGlass(t, s.demo, 1, controls.WithCare)[0]
	grantGlass(t, s.demo, []string{cpr})
	resetStats(t, s.demo)
	r := query(t, s.GraphQL, exampleQuery(t, "patient-context.graphql"), map[string]any{"cpr": cpr})
	got := decode[struct {
		Citizen struct {
			Cpr     string
			Name    string
			Address struct{ Line string }
		}
	}](t, r)
	asked := s.stats(t).TotalRequests()
	s.stop() // flushes the spans

	collector.mu.Lock()
	spans := collector.spans
	collector.mu.Unlock()
	var op *tracepb.Span
	for _, sp := range spans {
		if sp.Name == "query PatientContext" {
			op = sp
		}
	}
	if op == nil {
		t.Fatalf("no operation span among %d spans", len(spans))
	}
	byID := map[string]*tracepb.Span{}
	for _, sp := range spans {
		if string(sp.TraceId) == string(op.TraceId) {
			byID[hex.EncodeToString(sp.SpanId)] = sp
		}
	}
	calls, batches := 0, map[string]bool{}
	for _, sp := range byID {
		if sp.Kind != tracepb.Span_SPAN_KIND_CLIENT {
			continue
		}
		calls++
		parent := byID[hex.EncodeToString(sp.ParentSpanId)]
		if parent == nil || !strings.HasPrefix(parent.Name, "loader ") {
			t.Errorf("upstream span %q is not a child of a loader batch span", sp.Name)
			continue
		}
		batches[parent.Name] = true
		if grand := byID[hex.EncodeToString(parent.ParentSpanId)]; grand != op {
			t.Errorf("loader span %q is not a child of the operation span", parent.Name)
		}
	}
	t.Logf("trace %x: %d spans, %d upstream calls under %d loader batches (%v); the sandbox counted %d requests",
		op.TraceId, len(byID), calls, len(batches), batches, asked)
	if calls != asked {
		t.Errorf("%d upstream call spans, the sandbox answered %d requests: every call must have its span", calls, asked)
	}
	secrets := []string{cpr, got.Citizen.Cpr, got.Citizen.Name, got.Citizen.Address.Line}
	for _, sp := range spans {
		for _, secret := range secrets {
			if strings.Contains(sp.Name, secret) {
				t.Errorf("span name %q holds %q", sp.Name, secret)
			}
			for _, kv := range sp.Attributes {
				if strings.Contains(anyValue(kv.Value), secret) {
					t.Errorf("span %q attribute %s holds a citizen's data", sp.Name, kv.Key)
				}
			}
		}
	}
}

// anyValue renders an OTLP attribute value as text.
func anyValue(v *commonpb.AnyValue) string {
	if v == nil {
		return ""
	}
	if a := v.GetArrayValue(); a != nil {
		var parts []string
		for _, e := range a.Values {
			parts = append(parts, anyValue(e))
		}
		return strings.Join(parts, ",")
	}
	if s, ok := v.Value.(*commonpb.AnyValue_StringValue); ok {
		return s.StringValue
	}
	return v.String()
}
