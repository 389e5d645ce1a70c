package observe_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const patientContext = `query PatientContext($cpr: CPR!) { citizen(cpr: $cpr) { name } }`

// A caller's trace: its traceparent continues into the gateway.
const (
	callerTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpanID  = "00f067aa0ba902b7"
)

func attr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value, true
		}
	}
	return attribute.Value{}, false
}

func spanNamed(t *testing.T, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range spans {
		if s.Name == name {
			return s
		}
	}
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	t.Fatalf("no span %q among %q", name, names)
	return tracetest.SpanStub{}
}

func TestAnOperationsSpansNestFromCallerToUpstreamAndNameNoCitizen(t *testing.T) {
	up := newFakeUpstream(t)
	g := newGateway(t, up)
	status, body := post(t, g.URL, patientContext, map[string]any{"cpr": secretCPR},
		http.Header{"Traceparent": {"00-" + callerTraceID + "-" + callerSpanID + "-01"}})
	if status != http.StatusOK || strings.Contains(body, `"errors"`) {
		t.Fatalf("status %d: %s", status, body)
	}
	spans := g.spans.GetSpans()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want operation, loader batch and upstream call", len(spans))
	}
	op := spanNamed(t, spans, "query PatientContext")
	batch := spanNamed(t, spans, "loader careservices")
	call := spanNamed(t, spans, "municipal/330 services_search")

	tests := []struct {
		name   string
		span   tracetest.SpanStub
		parent trace.SpanContext
		kind   trace.SpanKind
	}{
		{"the operation continues the caller's trace", op, op.Parent, trace.SpanKindServer},
		{"the loader batch is a child of the operation", batch, op.SpanContext, trace.SpanKindInternal},
		{"the upstream call is a child of the batch", call, batch.SpanContext, trace.SpanKindClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.span.SpanContext.TraceID().String() != callerTraceID {
				t.Errorf("trace id %s, want the caller's %s", tt.span.SpanContext.TraceID(), callerTraceID)
			}
			if tt.span.Parent.SpanID() != tt.parent.SpanID() {
				t.Errorf("parent %s, want %s", tt.span.Parent.SpanID(), tt.parent.SpanID())
			}
			if tt.span.SpanKind != tt.kind {
				t.Errorf("kind %s, want %s", tt.span.SpanKind, tt.kind)
			}
		})
	}
	if op.Parent.SpanID().String() != callerSpanID || !op.Parent.IsRemote() {
		t.Errorf("operation parent %s (remote %v), want the caller's span %s", op.Parent.SpanID(), op.Parent.IsRemote(), callerSpanID)
	}
	if v, _ := attr(call, "http.response.status_code"); v.AsInt64() != 200 {
		t.Errorf("upstream span status attribute %v", v.Emit())
	}
	if v, _ := attr(call, "klynge.upstream.attempts"); v.AsInt64() != 1 {
		t.Errorf("upstream span attempts %v", v.Emit())
	}
	if v, _ := attr(batch, "klynge.loader.keys"); v.AsInt64() != 1 {
		t.Errorf("batch keys %v", v.Emit())
	}
	if _, ok := attr(op, "klynge.request_id"); !ok {
		t.Error("the operation span carries no request id")
	}

	up.mu.Lock()
	sent := up.traceparent
	up.mu.Unlock()
	if want := "00-" + callerTraceID + "-" + call.SpanContext.SpanID().String() + "-01"; len(sent) != 1 || sent[0] != want {
		t.Errorf("upstream received traceparent %q, want %q", sent, want)
	}
	for _, secret := range []string{secretCPR, secretName} {
		if l := leaks(spans, secret); len(l) > 0 {
			t.Errorf("spans carry %q: %v", secret, l)
		}
	}
}

func TestAFailingSystemShowsAsPartialAnswerInMetricsAndSpans(t *testing.T) {
	up := newFakeUpstream(t)
	up.fail(http.StatusServiceUnavailable)
	g := newGateway(t, up)
	_, body := post(t, g.URL, patientContext, map[string]any{"cpr": secretCPR}, nil)
	var resp struct {
		Data   json.RawMessage
		Errors []struct{ Extensions map[string]any }
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Errors) != 1 {
		t.Fatalf("want one error: %s", body)
	}
	if e := resp.Errors[0].Extensions; e["code"] != "UPSTREAM_UNAVAILABLE" || e["system"] != "municipal/330" {
		t.Fatalf("error extensions %v", e)
	}

	metrics := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"klynge_graphql_operations_total", map[string]string{"operation": "PatientContext", "type": "query", "result": "partial"}, 1},
		{"klynge_graphql_errors_total", map[string]string{"operation": "PatientContext", "code": "UPSTREAM_UNAVAILABLE", "system": "municipal/330"}, 1},
		{"klynge_graphql_operation_duration_seconds", map[string]string{"operation": "PatientContext"}, 1},
		{"klynge_loader_batches_total", map[string]string{"loader": "careservices", "system": "municipal/330", "outcome": "unavailable"}, 1},
		{"klynge_loader_batch_keys", map[string]string{"loader": "careservices"}, 1},
	}
	for _, m := range metrics {
		if got := sample(t, g.registry, m.name, m.labels); got != m.want {
			t.Errorf("%s%v = %v, want %v", m.name, m.labels, got, m.want)
		}
	}

	spans := g.spans.GetSpans()
	op := spanNamed(t, spans, "query PatientContext")
	if op.Status.Code != codes.Error {
		t.Errorf("operation span status %v, want an error for a partial answer", op.Status)
	}
	if v, _ := attr(op, "klynge.upstream.failed_systems"); !slices.Equal(v.AsStringSlice(), []string{"municipal/330"}) {
		t.Errorf("failed systems %v", v.Emit())
	}
	if v, _ := attr(op, "klynge.graphql.error_codes"); !slices.Equal(v.AsStringSlice(), []string{"UPSTREAM_UNAVAILABLE"}) {
		t.Errorf("error codes %v", v.Emit())
	}
	batch := spanNamed(t, spans, "loader careservices")
	if v, _ := attr(batch, "klynge.error.code"); v.AsString() != "unavailable" || batch.Status.Code != codes.Error {
		t.Errorf("batch span: code %q, status %v", v.Emit(), batch.Status)
	}
	call := spanNamed(t, spans, "municipal/330 services_search")
	if v, _ := attr(call, "http.response.status_code"); v.AsInt64() != 503 || call.Status.Code != codes.Error {
		t.Errorf("upstream span: status attribute %v, span status %v", v.Emit(), call.Status)
	}
	if l := leaks(spans, secretCPR); len(l) > 0 {
		t.Errorf("spans carry the CPR: %v", l)
	}
}

func TestMetricsAreServedForPrometheus(t *testing.T) {
	g := newGateway(t, newFakeUpstream(t))
	post(t, g.URL, patientContext, map[string]any{"cpr": secretCPR}, nil)
	if resp, err := http.Get(g.URL + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the API serves /metrics (%v): metrics belong on their own listener", err)
	} else {
		resp.Body.Close()
	}
	resp, err := http.Get(g.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	text := string(b)
	for _, want := range []string{
		`klynge_graphql_operations_total{operation="PatientContext",result="ok",type="query"} 1`,
		`klynge_loader_batches_total{loader="careservices",outcome="ok",system="municipal/330"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, secretCPR) {
		t.Error("/metrics shows the CPR")
	}
}
