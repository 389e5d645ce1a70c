package observe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// UpstreamCalls traces each call of one upstream client (all its attempts)
// as a client span under the loader batch that made it, and passes the
// trace on to the upstream in a W3C traceparent header. Use it as
// upstream.Options.Wrap.
//
// It is not otelhttp on purpose: otelhttp records url.full, and a FHIR next
// link carries its search, CPR numbers included, in the query. The span
// names the call by the connector's operation (upstream.CallOf) and records
// method, host, status and attempts only.
func UpstreamCalls(tp trace.TracerProvider, system string) func(http.RoundTripper) http.RoundTripper {
	tracer := tp.Tracer(instrumentation)
	return func(next http.RoundTripper) http.RoundTripper {
		return &tracingTransport{next: next, tracer: tracer, system: system}
	}
}

type tracingTransport struct {
	next   http.RoundTripper
	tracer trace.Tracer
	system string
}

func (t *tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	op, _, _ := upstream.CallOf(req.Context())
	if op == "" {
		op = "request"
	}
	attrs := []attribute.KeyValue{
		attribute.String("klynge.upstream.system", t.system),
		attribute.String("klynge.upstream.op", op),
		attribute.String("http.request.method", req.Method),
	}
	host, port, err := net.SplitHostPort(req.URL.Host)
	if err != nil {
		host = req.URL.Host
	}
	attrs = append(attrs, attribute.String("server.address", host))
	if p, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, attribute.Int("server.port", p))
	}
	ctx, span := t.tracer.Start(req.Context(), fmt.Sprintf("%s %s", t.system, op),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()

	// A RoundTripper must not change the request it was given.
	req = req.Clone(ctx)
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := t.next.RoundTrip(req)
	if _, attempts, ok := upstream.CallOf(ctx); ok {
		span.SetAttributes(attribute.Int("klynge.upstream.attempts", attempts))
	}
	switch {
	case err != nil:
		span.SetStatus(codes.Error, noAnswer(req, err))
	case resp.StatusCode >= 400:
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		span.SetStatus(codes.Error, "HTTP "+strconv.Itoa(resp.StatusCode))
	default:
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	return resp, err
}

// noAnswer says why a call got no answer, without the error's text (which
// may name the URL).
func noAnswer(req *http.Request, err error) string {
	switch {
	case errors.Is(err, upstream.ErrBreakerOpen):
		return "circuit breaker open"
	case errors.Is(req.Context().Err(), context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timed out"
	}
	return "unavailable"
}
