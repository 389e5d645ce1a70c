package observe

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/loaders"
)

// Batches observes loader batch calls: key counts, durations and outcomes
// as metrics (m, nil for none) and a span per batch (tp, nil for none),
// under the operation's span and above the batch's upstream calls. Pass it
// as loaders.Options.Observe.
func Batches(m *Metrics, tp trace.TracerProvider) loaders.BatchObserver {
	var tracer trace.Tracer
	if tp != nil {
		tracer = tp.Tracer(instrumentation)
	}
	return func(ctx context.Context, b loaders.Batch) (context.Context, func(error)) {
		start := time.Now()
		var span trace.Span
		if tracer != nil {
			ctx, span = tracer.Start(ctx, "loader "+b.Loader,
				trace.WithAttributes(
					attribute.String("klynge.loader", b.Loader),
					attribute.String("klynge.upstream.system", b.System),
					attribute.Int("klynge.loader.keys", b.Keys),
				))
		}
		return ctx, func(err error) {
			outcome := batchOutcome(err)
			if m != nil {
				m.batchKeys.WithLabelValues(b.Loader).Observe(float64(b.Keys))
				m.batchDuration.WithLabelValues(b.Loader, b.System).Observe(time.Since(start).Seconds())
				m.batches.WithLabelValues(b.Loader, b.System, outcome).Inc()
			}
			if span != nil {
				if err != nil {
					// The outcome, never the message: an upstream's error
					// text is not ours to vouch for.
					span.SetAttributes(attribute.String("klynge.error.code", outcome))
					span.SetStatus(codes.Error, outcome)
				}
				span.End()
			}
		}
	}
}

// batchOutcome names how a batch ended, in the words of the upstream error
// codes (UPSTREAM_TIMEOUT → timeout).
func batchOutcome(err error) string {
	if err == nil {
		return "ok"
	}
	if _, code, ok := upstream.Classify(err); ok {
		switch code {
		case errcode.UpstreamTimeout:
			return "timeout"
		case errcode.UpstreamBadResponse:
			return "bad_response"
		default:
			return "unavailable"
		}
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return "error"
}
