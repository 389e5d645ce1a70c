package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/graph/model"
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
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	st, err := From(ctx)
	if err != nil {
		return resp
	}
	id := requestid.From(ctx)
	recs := st.drain(id)
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
		// Detached from the request's deadline: the deadline bounds the
		// reading of upstreams, not the record of what was read, so that a
		// partial answer that reached its deadline is still logged and
		// returned. The log's commit timeout bounds the append.
		start := time.Now()
		appendErr = a.Log.Append(context.WithoutCancel(ctx), recs...)
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
	id := requestid.From(ctx)
	if a.Logger != nil {
		a.Logger.ErrorContext(ctx, "access log not written; response withheld",
			"request_id", id, "records", records, "err", appendErr)
	}
	return &graphql.Response{Errors: gqlerror.List{{
		Message:    fmt.Sprintf("the access log could not be written, so no data is returned (request id %s); try again", id),
		Extensions: map[string]any{"code": errcode.AccessLogUnavailable},
	}}}
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
