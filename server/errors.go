package server

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/requestid"
)

// UpstreamClassifier says which upstream an error came from and how it
// failed (connectors/upstream.Classify). Injected so that this package does
// not depend on the connectors.
type UpstreamClassifier func(err error) (system, code string, ok bool)

// errorPresenter turns typed errors into GraphQL errors with codes. Anything
// it does not recognise is an internal error: logged with the request id,
// and shown to the client only as "internal error" so that no internal
// detail (or upstream body) leaks.
func errorPresenter(logger *slog.Logger, classify UpstreamClassifier) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var (
			input       *domain.InputError
			forbidden   *domain.ForbiddenError
			undecidable *domain.UndecidableError
			unauth      *domain.UnauthenticatedError
			limit       *access.BreakGlassLimitError
		)
		switch {
		case errors.As(err, &input):
			field := input.Field
			if field == "" && len(gerr.Path) > 0 {
				// A scalar does not know which argument it was parsing; the
				// path ends with that argument's name.
				if name, ok := gerr.Path[len(gerr.Path)-1].(ast.PathName); ok {
					field = string(name)
				}
			}
			gerr.Message = field + ": " + input.Rule
			setExt(gerr, "code", errcode.BadUserInput)
			setExt(gerr, "field", field)
		case errors.As(err, &forbidden):
			gerr.Message = forbidden.Error()
			setExt(gerr, "code", errcode.Forbidden)
		case errors.As(err, &undecidable):
			gerr.Message = undecidable.Error()
			setExt(gerr, "code", errcode.AccessUndecidable)
			setExt(gerr, "system", undecidable.System)
		case errors.As(err, &unauth):
			gerr.Message = unauth.Error()
			setExt(gerr, "code", errcode.Unauthenticated)
		case errors.As(err, &limit):
			gerr.Message = limit.Error()
			setExt(gerr, "code", errcode.BreakGlassLimit)
		case errors.Is(err, context.Canceled):
			gerr.Message = errcode.Message(errcode.RequestCancelled, "")
			setExt(gerr, "code", errcode.RequestCancelled)
		default:
			if classify != nil {
				if system, code, ok := classify(err); ok {
					gerr.Message = errcode.UpstreamMessage(system, code)
					setExt(gerr, "code", code)
					setExt(gerr, "system", system)
					logger.WarnContext(ctx, "upstream error", "request_id", requestid.From(ctx), "system", system, "code", code, "path", gerr.Path.String(), "err", err)
					return gerr
				}
			}
			if gerr.Extensions["code"] != nil || isGQLGenError(err) {
				// Parser, validation and argument errors from gqlgen: their
				// messages are about the query and safe to show.
				return gerr
			}
			logger.ErrorContext(ctx, "internal error", "request_id", requestid.From(ctx), "path", gerr.Path.String(), "err", err)
			gerr.Message = errcode.Message(errcode.InternalServerError, "") + " (request id " + requestid.From(ctx) + ")"
			setExt(gerr, "code", errcode.InternalServerError)
		}
		return gerr
	}
}

// isGQLGenError reports an error that gqlgen itself made about the query
// (no wrapped cause), as opposed to one a resolver returned.
func isGQLGenError(err error) bool {
	var g *gqlerror.Error
	return errors.As(err, &g) && g.Err == nil
}

func setExt(e *gqlerror.Error, k string, v any) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[k] = v
}
