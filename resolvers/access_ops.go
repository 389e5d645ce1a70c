package resolvers

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
)

// The access-log field names of the access operations themselves.
const (
	fieldBreakGlass       = "Mutation.breakGlass"
	fieldReviewBreakGlass = "Mutation.reviewBreakGlass"
	fieldAccessLog        = "Query.accessLog"
	fieldBreakGlassReview = "Query.breakGlassReview"
)

// callerOf is the operation's access state and authenticated principal.
func callerOf(ctx context.Context) (*operationAccess, access.Principal, error) {
	st, err := operationAccessFrom(ctx)
	if err != nil {
		return nil, access.Principal{}, err
	}
	p, err := st.caller()
	return st, p, err
}

func (r *Resolver) me(ctx context.Context) (*model.Me, error) {
	_, p, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	clusters := p.Clusters
	if clusters == nil {
		clusters = []string{}
	}
	return &model.Me{Subject: p.Subject, Role: mapRole(p.Role), Organization: optString(p.Organization), Clusters: clusters}, nil
}

// breakGlass grants the caller emergency access to cpr. The grant is
// stored first, and the access log gets a flagged record of it with the
// response, so the citizen sees it even if the caller then reads nothing.
func (r *Resolver) breakGlass(ctx context.Context, cpr domain.CPR, reason string) (*model.BreakGlassGrant, error) {
	st, p, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if r.Audit == nil {
		return nil, errors.New("break the glass: no access log to keep the grant in")
	}
	terms, err := r.Access.BreakGlass(p, cpr, reason, loaders.For(ctx).Now())
	if err != nil {
		var forbidden *domain.ForbiddenError
		var input *domain.InputError
		switch {
		case errors.As(err, &forbidden):
			st.add(record(p, cpr, fieldBreakGlass, audit.PurposeBreakTheGlass, audit.OutcomeDenied, forbidden.Reason))
		case errors.As(err, &input) && input.Field == "reason":
			st.add(record(p, cpr, fieldBreakGlass, audit.PurposeBreakTheGlass, audit.OutcomeDenied, "reason "+input.Rule))
		}
		return nil, err
	}
	g, err := r.Audit.GrantBreakGlass(ctx, audit.Grant{
		Principal: auditPrincipal(p), Citizen: terms.Citizen, Reason: terms.Reason,
		GrantedAt: terms.GrantedAt, ExpiresAt: terms.ExpiresAt,
	})
	if err != nil {
		return nil, err
	}
	rec := record(p, cpr, fieldBreakGlass, audit.PurposeBreakTheGlass, audit.OutcomeAllowed, terms.Reason)
	rec.FlaggedForReview = true
	st.add(rec)
	return mapGrant(g), nil
}

func (r *Resolver) reviewBreakGlass(ctx context.Context, id string, note string) (*model.BreakGlassGrant, error) {
	st, p, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if d := access.ReviewQueue(p); !d.Allowed {
		return nil, d.Err()
	}
	gid, err := strconv.ParseInt(id, 10, 64)
	if err != nil || gid < 1 {
		return nil, domain.InvalidInput("id", "must be the id of a break-the-glass grant")
	}
	if strings.TrimSpace(note) == "" {
		return nil, domain.InvalidInput("note", "must say what the review found")
	}
	if r.Audit == nil {
		return nil, errors.New("review: no access log")
	}
	err = r.Audit.MarkReviewed(ctx, gid, p.Subject, strings.TrimSpace(note), loaders.For(ctx).Now())
	switch {
	case errors.Is(err, audit.ErrGrantNotFound):
		return nil, domain.InvalidInput("id", "no break-the-glass grant has id %d", gid)
	case errors.Is(err, audit.ErrAlreadyReviewed):
		return nil, domain.InvalidInput("id", "grant %d has been reviewed already; a review is written once", gid)
	case err != nil:
		return nil, err
	}
	gs, err := r.Audit.ReviewQueue(ctx, audit.ReviewQuery{After: gid - 1, First: 1})
	if err != nil || len(gs) == 0 || gs[0].ID != gid {
		return nil, errors.New("review: the grant could not be read back")
	}
	st.add(record(p, gs[0].Citizen, fieldReviewBreakGlass, audit.PurposeAdministration, audit.OutcomeAllowed, "break-the-glass review"))
	return mapGrant(gs[0]), nil
}

// accessLog pages through the records about one citizen, newest first, for
// the citizen and privacy officers. Reading it is recorded too.
func (r *Resolver) accessLog(ctx context.Context, cpr domain.CPR, first *int, after *string) (*model.AccessLogConnection, error) {
	st, p, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	d := access.AccessLog(p, cpr)
	if !d.Allowed {
		st.add(record(p, cpr, fieldAccessLog, audit.Purpose(d.Purpose), audit.OutcomeDenied, d.Reason))
		return nil, d.Err()
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	before, err := decodeSeqCursor(after)
	if err != nil {
		return nil, err
	}
	if r.Audit == nil {
		return nil, errors.New("access log: none configured")
	}
	recs, err := r.Audit.Query(ctx, audit.Query{Citizen: cpr, Before: before, First: n + 1})
	if err != nil {
		return nil, err
	}
	st.add(record(p, cpr, fieldAccessLog, audit.Purpose(d.Purpose), audit.OutcomeAllowed, d.Reason))
	out := &model.AccessLogConnection{Nodes: []model.AccessLogEntry{}, PageInfo: &model.PageInfo{HasNextPage: len(recs) > n}}
	recs = recs[:min(n, len(recs))]
	for _, rec := range recs {
		out.Nodes = append(out.Nodes, mapAccessLogEntry(rec))
	}
	if len(recs) > 0 {
		out.PageInfo.EndCursor = encodeSeqCursor(recs[len(recs)-1].Seq)
	}
	return out, nil
}

// breakGlassReview pages through grants, oldest first, for privacy
// officers; each citizen it names is recorded as disclosed to them.
func (r *Resolver) breakGlassReview(ctx context.Context, reviewed *bool, first *int, after *string) (*model.BreakGlassGrantConnection, error) {
	st, p, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if d := access.ReviewQueue(p); !d.Allowed {
		return nil, d.Err()
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	from, err := decodeSeqCursor(after)
	if err != nil {
		return nil, err
	}
	if r.Audit == nil {
		return nil, errors.New("review queue: no access log")
	}
	gs, err := r.Audit.ReviewQueue(ctx, audit.ReviewQuery{Reviewed: reviewed, After: from, First: n + 1})
	if err != nil {
		return nil, err
	}
	out := &model.BreakGlassGrantConnection{Nodes: []model.BreakGlassGrant{}, PageInfo: &model.PageInfo{HasNextPage: len(gs) > n}}
	gs = gs[:min(n, len(gs))]
	seen := map[domain.CPR]bool{}
	for _, g := range gs {
		out.Nodes = append(out.Nodes, *mapGrant(g))
		if !seen[g.Citizen] {
			seen[g.Citizen] = true
			st.add(record(p, g.Citizen, fieldBreakGlassReview, audit.PurposeAdministration, audit.OutcomeAllowed, "break-the-glass review"))
		}
	}
	if len(gs) > 0 {
		out.PageInfo.EndCursor = encodeSeqCursor(gs[len(gs)-1].ID)
	}
	return out, nil
}

func record(p access.Principal, cpr domain.CPR, field string, purpose audit.Purpose, outcome audit.Outcome, reason string) audit.Record {
	return audit.Record{
		Principal: auditPrincipal(p), Citizen: cpr, Fields: []string{field},
		Purpose: purpose, Outcome: outcome, Reason: reason,
	}
}
