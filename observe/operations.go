package observe

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sundhedsklynge/klynge/requestid"
)

// instrumentation names the tracer of this package.
const instrumentation = "github.com/sundhedsklynge/klynge/observe"

// Operation results, the values of the result label.
const (
	ResultOK      = "ok"
	ResultPartial = "partial" // data with errors: some system failed
	ResultFailed  = "failed"  // errors and no data
)

// Operations observes every executed GraphQL operation: its duration,
// result and error codes as metrics, and a server span under which the
// operation's loader batches and upstream calls nest. A caller's W3C
// traceparent header continues the caller's trace. Install it before the
// AroundOperations that attach loaders (server.Options.Extensions).
//
// Requests refused before execution (parse, validation, guards) are not
// operations here; the transport and the guards answer them.
type Operations struct {
	metrics *Metrics
	tracer  trace.Tracer // nil: no spans
	names   *operationNames
}

var (
	_ graphql.HandlerExtension     = (*Operations)(nil)
	_ graphql.OperationInterceptor = (*Operations)(nil)
)

// NewOperations observes operations into m (nil: no metrics) and tp (nil:
// no spans).
func NewOperations(m *Metrics, tp trace.TracerProvider) *Operations {
	o := &Operations{metrics: m, names: newOperationNames()}
	if m != nil {
		o.names = m.names
	}
	if tp != nil {
		o.tracer = tp.Tracer(instrumentation)
	}
	return o
}

// ExtensionName names the extension for gqlgen.
func (*Operations) ExtensionName() string { return "KlyngeOperations" }

// Validate accepts every schema.
func (*Operations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation starts the span and the clock, and ends both with the
// operation's last response.
func (o *Operations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	opType, opName := "query", opCtx.OperationName
	if op := opCtx.Operation; op != nil {
		// The document's name: clients need not send operationName when
		// the document holds one operation.
		opType, opName = string(op.Operation), op.Name
	}
	name := o.names.label(opName)
	start := time.Now()

	var span trace.Span
	if o.tracer != nil {
		parent := propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(opCtx.Headers))
		ctx, span = o.tracer.Start(parent, opType+" "+name,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("graphql.operation.type", opType),
				attribute.String("graphql.operation.name", name),
				attribute.String("klynge.request_id", requestid.From(ctx)),
			))
	}

	respond := next(ctx)
	var (
		once   sync.Once
		mu     sync.Mutex
		data   bool
		errors []errorKind
	)
	return func(ctx context.Context) *graphql.Response {
		resp := respond(ctx)
		last := resp == nil || resp.HasNext == nil || !*resp.HasNext
		if resp != nil {
			mu.Lock()
			data = data || hasData(resp)
			for _, e := range resp.Errors {
				errors = append(errors, kindOf(e.Extensions))
			}
			mu.Unlock()
		}
		if last {
			once.Do(func() {
				mu.Lock()
				defer mu.Unlock()
				result := resultOf(data, len(errors))
				o.metrics.observeOperation(name, opType, result, time.Since(start), errors)
				if span != nil {
					endOperationSpan(span, result, errors)
				}
			})
		}
		return resp
	}
}

// errorKind is what may be said about an error: its code and the system.
type errorKind struct{ code, system string }

func kindOf(ext map[string]any) errorKind {
	code, _ := ext["code"].(string)
	system, _ := ext["system"].(string)
	if code == "" {
		code = "UNKNOWN"
	}
	return errorKind{code: code, system: system}
}

func hasData(resp *graphql.Response) bool {
	d := string(resp.Data)
	return d != "" && d != "null" && d != "{}"
}

func resultOf(data bool, errors int) string {
	switch {
	case errors == 0:
		return ResultOK
	case data:
		return ResultPartial
	}
	return ResultFailed
}

func endOperationSpan(span trace.Span, result string, errs []errorKind) {
	var codesSeen, systems []string
	for _, e := range errs {
		if !slices.Contains(codesSeen, e.code) {
			codesSeen = append(codesSeen, e.code)
		}
		if e.system != "" && !slices.Contains(systems, e.system) {
			systems = append(systems, e.system)
		}
	}
	slices.Sort(codesSeen)
	slices.Sort(systems)
	span.SetAttributes(
		attribute.String("klynge.graphql.result", result),
		attribute.Int("klynge.graphql.errors", len(errs)),
	)
	if len(codesSeen) > 0 {
		span.SetAttributes(attribute.StringSlice("klynge.graphql.error_codes", codesSeen))
	}
	if len(systems) > 0 {
		span.SetAttributes(attribute.StringSlice("klynge.upstream.failed_systems", systems))
	}
	if result != ResultOK {
		span.SetStatus(codes.Error, result+" answer")
	}
	span.End()
}

func (m *Metrics) observeOperation(name, opType, result string, d time.Duration, errs []errorKind) {
	if m == nil {
		return
	}
	m.opDuration.WithLabelValues(name, opType).Observe(d.Seconds())
	m.operations.WithLabelValues(name, opType, result).Inc()
	for _, e := range errs {
		m.opErrors.WithLabelValues(name, e.code, e.system).Inc()
	}
}
