package gate

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/errcode"
)

// notAllOrNothing is the access-log reason of a staged change that a
// failed mutation took down with it.
const notAllOrNothing = "not written: the mutation failed as a whole, so nothing it asked for was written (all or nothing)"

// commitStaged settles the grant changes an operation staged, before its
// response leaves. A response with any error writes none of them (all or
// nothing: a failed response never leaves a grant behind), and records
// each as refused. Otherwise the changes are written with the response's
// records in one transaction, the grant limit checked again inside it (the
// count the resolver saw may be stale: another replica may have granted
// since). A change refused there replaces the response with the refusal,
// recorded too; a log that cannot be written withholds it (fail closed).
func (a Extension) commitStaged(ctx context.Context, resp *graphql.Response, staged []staged, recs []audit.Record) *graphql.Response {
	if len(resp.Errors) > 0 {
		return a.appendOrWithhold(ctx, resp, append(recs, refusedRecords(staged, notAllOrNothing)...))
	}
	if a.Log == nil {
		return a.withhold(ctx, len(recs)+len(staged), errors.New("no access log configured"))
	}
	rules := a.Rules.WithDefaults()
	changes := make([]audit.GrantChange, len(staged))
	for i, s := range staged {
		changes[i] = s.change
	}
	limit := audit.GrantLimit{Max: rules.BreakGlassLimit, Since: rules.LimitSince(staged[0].now)}
	start := time.Now()
	actx, cancel := a.appendContext(ctx)
	_, err := a.Log.CommitGrants(actx, changes, limit, recs...)
	cancel()
	if err == nil {
		if a.ObserveAppend != nil {
			a.ObserveAppend(time.Since(start), len(recs)+len(changes))
		}
		return resp
	}
	code, msg := commitRefusal(err, rules)
	if code == "" {
		return a.withhold(ctx, len(recs)+len(changes), err)
	}
	refusal := &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}}
	return a.appendOrWithhold(ctx, refusal, append(recs, refusedRecords(staged, msg)...))
}

// commitRefusal is the code and message of a change refused inside the
// transaction, or "" for a failure of the log itself.
func commitRefusal(err error, rules access.Rules) (code, msg string) {
	var limit *audit.LimitError
	switch {
	case errors.As(err, &limit):
		return errcode.BreakGlassLimit, (&access.BreakGlassLimitError{Limit: rules.BreakGlassLimit, Period: rules.BreakGlassLimitPeriod}).Error()
	case errors.Is(err, audit.ErrAlreadyReviewed):
		return errcode.BadUserInput, "id: the grant has been reviewed already (by another privacy officer, just now); a review is written once"
	case errors.Is(err, audit.ErrGrantNotFound), errors.Is(err, audit.ErrGrantTampered):
		return errcode.BadUserInput, "id: no break-the-glass grant has that id"
	case errors.Is(err, audit.ErrSelfReview):
		return errcode.Forbidden, "forbidden: the grant is your own: another privacy officer must review it"
	}
	return "", ""
}

// refusedRecords are the records of staged changes that were not written.
func refusedRecords(staged []staged, why string) []audit.Record {
	out := make([]audit.Record, len(staged))
	for i, s := range staged {
		r := s.change.Record
		r.Outcome, r.Reason, r.FlaggedForReview = audit.OutcomeDenied, why, false
		out[i] = r
	}
	return out
}
