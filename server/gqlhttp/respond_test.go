package gqlhttp_test

import (
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

func TestRequestErrorStatus(t *testing.T) {
	coded := func(codes ...string) gqlerror.List {
		var l gqlerror.List
		for _, c := range codes {
			l = append(l, &gqlerror.Error{Message: c, Extensions: map[string]any{"code": c}})
		}
		return l
	}
	tests := []struct {
		name            string
		errs            gqlerror.List
		graphql, asJSON int
	}{
		{"a validation error is the request's fault", coded(errcode.ValidationFailed), 400, 200},
		{"a limit is the request's fault", coded(errcode.CostLimitExceeded), 400, 200},
		{"unauthenticated", coded(errcode.Unauthenticated), 401, 200},
		{"forbidden after a plain 400", coded(errcode.ValidationFailed, errcode.Forbidden), 403, 200},
		{"the access log down is the gateway's fault under both", coded(errcode.AccessLogUnavailable), 503, 503},
		{"a code that is not klynge's", coded("SOMETHING_ELSE"), 400, 200},
		{"no code", gqlerror.List{{Message: "x"}}, 400, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gqlhttp.RequestErrorStatus(gqlhttp.MediaGraphQLResponse, tt.errs); got != tt.graphql {
				t.Errorf("under %s: %d, want %d", gqlhttp.MediaGraphQLResponse, got, tt.graphql)
			}
			if got := gqlhttp.RequestErrorStatus(gqlhttp.MediaJSON, tt.errs); got != tt.asJSON {
				t.Errorf("under %s: %d, want %d", gqlhttp.MediaJSON, got, tt.asJSON)
			}
		})
	}
}
