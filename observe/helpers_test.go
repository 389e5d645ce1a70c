package observe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/observe"
	"github.com/sundhedsklynge/klynge/server"

	"github.com/sundhedsklynge/klynge/internal/metricstest"
)

// A synthetic CPR (day of birth + 60) and a name: neither may appear in any
// span attribute or metric label.
const (
	secretCPR  = "6505501234"
	secretName = "Else Testesen"
)

// fakeUpstream is a real HTTP server on loopback that answers JSON, fails
// when told, and remembers the traceparent it was sent.
type fakeUpstream struct {
	*httptest.Server
	mu          sync.Mutex
	status      int
	traceparent []string
}

func newFakeUpstream(t *testing.T) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{status: http.StatusOK}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		u.mu.Lock()
		u.traceparent = append(u.traceparent, r.Header.Get("traceparent"))
		status := u.status
		u.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"name":%q}`, secretName)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *fakeUpstream) fail(status int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.status = status
}

// gateway is server.New over a schema whose one operation does what a
// citizen query does: a loader batch that calls an upstream with a CPR in
// the URL and the body, and an error naming the system when it fails.
type gateway struct {
	URL      string
	spans    *tracetest.InMemoryExporter
	registry *prometheus.Registry
	// MetricsURL is the metrics listener's base URL (apart from the API).
	MetricsURL string
}

func newGateway(t *testing.T, up *fakeUpstream) *gateway {
	t.Helper()
	g := &gateway{spans: tracetest.NewInMemoryExporter(), registry: prometheus.NewRegistry()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(g.spans))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	m, err := observe.NewMetrics(g.registry)
	if err != nil {
		t.Fatal(err)
	}
	m.KnowOperationNames([]string{"PatientContext"})
	client, err := upstream.New(upstream.Options{
		System: "municipal/330", BaseURL: up.URL,
		Retry: upstream.RetryOptions{Max: -1}, Breaker: upstream.BreakerOptions{Disabled: true},
		Wrap: observe.UpstreamCalls(tp, "municipal/330"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	batch := observe.Batches(m, tp)

	schema := schematest.New()
	schema.ExecFunc = func(context.Context) graphql.ResponseHandler {
		return func(ctx context.Context) *graphql.Response {
			bctx, done := batch(ctx, loaders.Batch{Loader: "careservices", System: "municipal/330", Keys: 1})
			var out map[string]any
			_, err := client.Do(bctx, upstream.Request{Op: "services_search", Method: http.MethodPost,
				Path: "/services/search?cpr=" + secretCPR, Body: []byte(`{"cpr":"` + secretCPR + `"}`), Safe: true,
				Decode: func(b []byte) error { return json.Unmarshal(b, &out) }})
			done(err)
			if err != nil {
				graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: ast.Path{ast.PathName("citizen")}})
				return &graphql.Response{Data: []byte(`{"citizen":{"careServices":null}}`)}
			}
			return &graphql.Response{Data: []byte(`{"citizen":{"careServices":[]}}`)}
		}
	}
	h := server.New(server.Options{
		Schema:           schema,
		ClassifyUpstream: upstream.Classify,
		Observers:        []graphql.HandlerExtension{observe.NewOperations(m, tp)},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	metrics := httptest.NewServer(server.Metrics(observe.MetricsHandler(g.registry)))
	t.Cleanup(metrics.Close)
	g.MetricsURL = metrics.URL
	return g
}

// post sends a GraphQL request and returns the status and body.
func post(t *testing.T, url, query string, vars map[string]any, header http.Header) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sample reads one sample from reg (internal/metricstest).
func sample(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	return metricstest.Value(t, reg, name, labels)
}

// leaks lists the attributes of spans whose values contain s.
func leaks(spans tracetest.SpanStubs, s string) []string {
	var out []string
	for _, sp := range spans {
		if strings.Contains(sp.Name, s) {
			out = append(out, "span name "+sp.Name)
		}
		for _, a := range sp.Attributes {
			if strings.Contains(a.Value.Emit(), s) {
				out = append(out, fmt.Sprintf("%s: %s=%s", sp.Name, a.Key, a.Value.Emit()))
			}
		}
		for _, e := range sp.Events {
			for _, a := range e.Attributes {
				if strings.Contains(a.Value.Emit(), s) {
					out = append(out, fmt.Sprintf("%s event %s: %s", sp.Name, e.Name, a.Key))
				}
			}
		}
		if strings.Contains(sp.Status.Description, s) {
			out = append(out, sp.Name+" status")
		}
	}
	return out
}
