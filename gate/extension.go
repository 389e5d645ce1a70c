package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/logthrottle"
	"github.com/sundhedsklynge/klynge/requestid"
)

// Extension is the gqlgen extension that enforces access to citizens and
// records it. Per operation it holds the principal and the decisions made;
// on every field of a Citizen it checks the decision (so that no path to a
// citizen bypasses the rules) and notes what was disclosed from which
// systems; before each response leaves it appends the records to the access
// log and, if that fails, replaces the response with an error and no data
// (fail closed).
type Extension struct {
	// Rules are the access rules every decision applies.
	Rules access.Rules
	// Log is the access log every disclosure is written to before the
	// response leaves, and the register of break-the-glass grants; nil
	// withholds every response that owes a record.
	Log *audit.Log
	// Pseudonyms key integrators' pseudonyms; nil means integrators get no
	// cluster data.
	Pseudonyms *access.Pseudonymiser
	// Logger receives failed appends (never a record's content).
	Logger *slog.Logger
	// ObserveAppend, when set, is told how long each response waited for
	// its records to be committed, and how many there were: the latency the
	// access log adds (klynge bench reports it).
	ObserveAppend func(d time.Duration, records int)
	// ResponseDeadline, when set, is the time by which a request's response
	// must leave (server/overload.ResponseDeadline): its records are
	// committed by then or the response is withheld. Without it, the
	// request context's own deadline bounds the append.
	ResponseDeadline func(ctx context.Context) (time.Time, bool)
	// Throttle, when set, keeps the withheld-response error to one line per
	// interval with a count while the log cannot be written.
	Throttle *logthrottle.Throttle
}

var (
	_ graphql.HandlerExtension     = Extension{}
	_ graphql.OperationInterceptor = Extension{}
	_ graphql.FieldInterceptor     = Extension{}
	_ graphql.ResponseInterceptor  = Extension{}
)

func (Extension) ExtensionName() string { return "AccessLog" }

func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

func (a Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, operationKey{}, newOperation(ctx, &a)))
}

func (a Extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Citizen" {
		return next(ctx)
	}
	st, err := From(ctx)
	if err != nil {
		return nil, err
	}
	c := citizenOf(fc.Parent)
	if c == nil {
		return nil, errors.New("access: a citizen's field without its citizen")
	}
	field := "Citizen." + fc.Field.Name
	d := st.decide(ctx, c.Cpr)
	if !d.Allowed {
		st.refused(c.Cpr, d, field)
		return nil, d.Err()
	}
	res, err := next(ctx)
	if err == nil && !isNil(res) {
		st.disclosed(c.Cpr, d, field, fieldSources(ctx, fc, c))
	}
	return res, err
}

func (a Extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	var alert *audit.Record
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		// Each event of a subscription is its own response: its decisions
		// and records are fresh (a relationship may have ended since the
		// last one), and the record of the alert it carries is owed here.
		sub, err := From(ctx)
		if err == nil {
			ctx = context.WithValue(ctx, operationKey{}, newOperation(ctx, &a))
		}
		resp := next(ctx)
		if resp == nil {
			return nil
		}
		if err == nil {
			if rec, ok := sub.alerts.pop(); ok {
				alert = &rec
			}
		}
		return a.record(ctx, resp, alert)
	}
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	return a.record(ctx, resp, nil)
}

// record appends the records the response owes (and the alert it carries,
// if any) before it leaves, or withholds it.
func (a Extension) record(ctx context.Context, resp *graphql.Response, alert *audit.Record) *graphql.Response {
	st, err := From(ctx)
	if err != nil {
		return resp
	}
	id := requestid.From(ctx)
	recs := st.drain(id)
	if down := st.logUnwritable(); down != nil {
		// Nothing was read (see requireLog), and nothing can be recorded;
		// a staged grant is not written either (all or nothing).
		st.drainStaged(id)
		a.logWithheld(ctx, "access log unwritable; operation refused before any upstream call", len(recs), down)
		return logUnavailable(id, down, time.Now())
	}
	if alert != nil {
		alert.RequestID = id
		recs = append(recs, *alert)
	}
	if staged := st.drainStaged(id); len(staged) > 0 {
		return a.commitStaged(ctx, resp, staged, recs)
	}
	return a.appendOrWithhold(ctx, resp, recs)
}

// appendOrWithhold writes recs before resp leaves, or withholds resp when
// they cannot be written (fail closed).
func (a Extension) appendOrWithhold(ctx context.Context, resp *graphql.Response, recs []audit.Record) *graphql.Response {
	if len(recs) == 0 {
		return resp
	}
	var appendErr error
	if a.Log == nil {
		appendErr = errors.New("no access log configured")
	} else {
		start := time.Now()
		actx, cancel := a.appendContext(ctx)
		appendErr = a.Log.Append(actx, recs...)
		cancel()
		if a.ObserveAppend != nil && appendErr == nil {
			a.ObserveAppend(time.Since(start), len(recs))
		}
	}
	if appendErr == nil {
		return resp
	}
	return a.withhold(ctx, len(recs), appendErr)
}

// withhold is the response that replaces one whose records could not be
// written: no data, ACCESS_LOG_UNAVAILABLE.
func (a Extension) withhold(ctx context.Context, records int, appendErr error) *graphql.Response {
	a.logWithheld(ctx, "access log not written; response withheld", records, appendErr)
	return logUnavailable(requestid.From(ctx), appendErr, time.Now())
}

// appendContext bounds the append by the response's deadline. It is
// detached from the request's own cancellation: the executor's deadline
// ends the reading of upstreams a little before the response's (the
// server keeps that share for the log), so that a partial answer that
// reached it is still recorded and returned in time.
func (a Extension) appendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if a.ResponseDeadline != nil {
		if d, found := a.ResponseDeadline(ctx); found {
			deadline, ok = d, true
		}
	}
	if !ok {
		return context.WithoutCancel(ctx), func() {}
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}

func (a Extension) logWithheld(ctx context.Context, msg string, records int, err error) {
	if a.Logger == nil {
		return
	}
	repeated := 0
	if a.Throttle != nil {
		var ok bool
		if repeated, ok = a.Throttle.Allow("access-log"); !ok {
			return
		}
	}
	a.Logger.ErrorContext(ctx, msg, "request_id", requestid.From(ctx), "records", records, "err", err, "repeated", repeated)
}

// logUnavailable is the answer that withholds everything because the
// access log cannot record it, with a retry hint (the transport turns
// extensions.retryAfter into a Retry-After header).
func logUnavailable(id string, err error, now time.Time) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{{
		Message:    fmt.Sprintf("the access log could not be written, so no data is returned (request id %s); try again", id),
		Extensions: map[string]any{"code": errcode.AccessLogUnavailable, "retryAfter": logRetryAfter(err, now)},
	}}}
}

// logRetryAfter is the seconds a client should wait: 1 after a single
// failure, growing with the outage (half its length so far) up to 30, so
// that clients come back soon after a blip and do not hammer a long outage.
func logRetryAfter(err error, now time.Time) int {
	var uw *audit.UnwritableError
	if !errors.As(err, &uw) || uw.Since.IsZero() {
		return 1
	}
	secs := int(math.Ceil(now.Sub(uw.Since).Seconds() / 2))
	return min(max(secs, 1), 30)
}

// citizenOf is the Citizen whose field fc's parent resolved: the object of
// a citizen field, or one element of a list of citizens.
func citizenOf(parent *graphql.FieldContext) *model.Citizen {
	if parent == nil {
		return nil
	}
	switch v := parent.Result.(type) {
	case *model.Citizen:
		return v
	case **model.Citizen:
		if v != nil {
			return *v
		}
	case model.Citizen:
		return &v
	case *[]*model.Citizen, []*model.Citizen:
	}
	return nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
