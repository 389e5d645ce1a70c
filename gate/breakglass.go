package gate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/loaders"
)

// Break the glass, and its review, are mutations of the grant register,
// which decides access. They are all or nothing: a resolver only checks
// and stages its change (BreakGlass, ReviewBreakGlass), and the change is
// written, in one transaction with the response's access-log records,
// only if the whole mutation succeeded (commitGrants, before the response
// leaves). A mutation that fails in any field leaves no grant and no
// review behind: `a: breakGlass(…) b: reviewBreakGlass(…)` refused on b
// grants nothing on a. Every refused attempt is recorded.

// staged is a grant change a resolver staged, with the operation's clock.
type staged struct {
	change audit.GrantChange
	now    time.Time
}

// BreakGlass stages emergency access for the caller to cpr: refused (and
// recorded) for a role that may not, a reason a privacy officer cannot
// read, or a caller at the limit of grants in the period. The grant
// returned has its ID; it is written with the response, if the mutation
// succeeds.
func BreakGlass(ctx context.Context, cpr domain.CPR, reason string) (audit.Grant, error) {
	st, p, err := Caller(ctx)
	if err != nil {
		return audit.Grant{}, err
	}
	refuse := func(why string, err error) (audit.Grant, error) {
		st.add(record(p, validCPROrNone(cpr), fieldBreakGlass, audit.PurposeBreakTheGlass, audit.OutcomeDenied, why))
		return audit.Grant{}, err
	}
	now := loaders.For(ctx).Now()
	rules := st.gate.Rules.WithDefaults()
	terms, err := rules.BreakGlass(p, cpr, reason, now)
	if err != nil {
		return refuse(refusalReason(err), err)
	}
	if st.gate.Log == nil {
		return refuse("no access log to keep the grant in", errors.New("break the glass: no access log to keep the grant in"))
	}
	held, err := st.gate.Log.GrantedSince(ctx, p.Subject, rules.LimitSince(now))
	if err != nil {
		return audit.Grant{}, err
	}
	if held+st.stagedGrants() >= rules.BreakGlassLimit {
		limit := &access.BreakGlassLimitError{Limit: rules.BreakGlassLimit, Period: rules.BreakGlassLimitPeriod}
		return refuse(limit.Error(), limit)
	}
	id, err := st.gate.Log.ReserveGrantID(ctx)
	if err != nil {
		return audit.Grant{}, err
	}
	g := audit.Grant{ID: id, Principal: auditPrincipal(p), Citizen: terms.Citizen, Reason: terms.Reason,
		GrantedAt: terms.GrantedAt, ExpiresAt: terms.ExpiresAt}
	rec := record(p, cpr, fieldBreakGlass, audit.PurposeBreakTheGlass, audit.OutcomeAllowed, terms.Reason)
	rec.FlaggedForReview = true
	st.stage(staged{change: audit.GrantChange{New: &g, Record: rec}, now: now})
	return g, nil
}

// ReviewBreakGlass stages a privacy officer's review of grant id: refused
// (and recorded) for anyone else, for an unknown or reviewed grant, and for
// the grant's own holder. It is written with the response, if the mutation
// succeeds.
func ReviewBreakGlass(ctx context.Context, id string, note string) (audit.Grant, error) {
	st, p, err := Caller(ctx)
	if err != nil {
		return audit.Grant{}, err
	}
	refuse := func(citizen domain.CPR, why string, err error) (audit.Grant, error) {
		st.add(record(p, citizen, fieldReviewBreakGlass, audit.PurposeAdministration, audit.OutcomeDenied, why))
		return audit.Grant{}, err
	}
	if d := access.ReviewQueue(p); !d.Allowed {
		return refuse("", d.Reason, d.Err())
	}
	gid, err := strconv.ParseInt(id, 10, 64)
	if err != nil || gid < 1 {
		err := domain.InvalidInput("id", "must be the id of a break-the-glass grant")
		return refuse("", refusalReason(err), err)
	}
	if err := access.CheckReviewNote(note); err != nil {
		return refuse("", refusalReason(err), err)
	}
	if st.gate.Log == nil {
		return audit.Grant{}, errors.New("review: no access log")
	}
	g, ok, err := st.gate.Log.Grant(ctx, gid)
	switch {
	case err != nil:
		return audit.Grant{}, err
	case !ok:
		err := domain.InvalidInput("id", "no break-the-glass grant has id %d", gid)
		return refuse("", refusalReason(err), err)
	case g.Reviewed() || st.stagedReview(gid):
		err := domain.InvalidInput("id", "grant %d has been reviewed already; a review is written once", gid)
		return refuse(g.Citizen, refusalReason(err), err)
	case g.Principal.Subject == p.Subject:
		err := &domain.ForbiddenError{Reason: fmt.Sprintf("grant %d is your own: another privacy officer must review it", gid)}
		return refuse(g.Citizen, err.Reason, err)
	}
	now := loaders.For(ctx).Now()
	r := audit.Review{GrantID: gid, Reviewer: p.Subject, Note: strings.TrimSpace(note), At: now}
	rec := record(p, g.Citizen, fieldReviewBreakGlass, audit.PurposeAdministration, audit.OutcomeAllowed,
		fmt.Sprintf("break-the-glass review of grant %d", gid))
	st.stage(staged{change: audit.GrantChange{Review: &r, Record: rec}, now: now})
	g.ReviewedBy, g.ReviewedAt, g.ReviewNote = r.Reviewer, r.At, r.Note
	return g, nil
}

// refusalReason is what the access log records of a refused argument or
// role: the rule, never the value (it may be a CPR).
func refusalReason(err error) string {
	var input *domain.InputError
	var forbidden *domain.ForbiddenError
	switch {
	case errors.As(err, &input):
		return input.Field + " " + input.Rule
	case errors.As(err, &forbidden):
		return forbidden.Reason
	}
	return "refused"
}

// validCPROrNone is cpr when it is a CPR the access log can hold, else ""
// (the record then concerns no citizen).
func validCPROrNone(cpr domain.CPR) domain.CPR {
	if c, err := domain.ParseCPR(string(cpr)); err == nil && c == cpr {
		return cpr
	}
	return ""
}

func (st *Operation) stage(s staged) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.staged = append(st.staged, s)
}

// stagedGrants counts the grants this operation has staged.
func (st *Operation) stagedGrants() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for _, s := range st.staged {
		if s.change.New != nil {
			n++
		}
	}
	return n
}

// stagedReview reports whether this operation has staged a review of id.
func (st *Operation) stagedReview(id int64) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.staged {
		if s.change.Review != nil && s.change.Review.GrantID == id {
			return true
		}
	}
	return false
}

// drainStaged returns the staged changes, their records stamped with the
// request id, and forgets them.
func (st *Operation) drainStaged(requestID string) []staged {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := st.staged
	st.staged = nil
	for i := range out {
		out[i].change.Record.RequestID = requestID
	}
	return out
}
