package resolvers

import (
	"context"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
)

func (r *Resolver) me(ctx context.Context) (*model.Me, error) {
	_, p, err := gate.Caller(ctx)
	if err != nil {
		return nil, err
	}
	clusters := p.Clusters
	if clusters == nil {
		clusters = []string{}
	}
	return &model.Me{Subject: p.Subject, Role: mapRole(p.Role), Organization: optString(p.Organization), Clusters: clusters}, nil
}

func (r *Resolver) breakGlass(ctx context.Context, cpr domain.CPR, reason string) (*model.BreakGlassGrant, error) {
	g, err := gate.BreakGlass(ctx, cpr, reason)
	if err != nil {
		return nil, err
	}
	return mapGrant(g), nil
}

func (r *Resolver) reviewBreakGlass(ctx context.Context, id string, note string) (*model.BreakGlassGrant, error) {
	g, err := gate.ReviewBreakGlass(ctx, id, note)
	if err != nil {
		return nil, err
	}
	return mapGrant(g), nil
}

// accessLog pages through the records about one citizen, newest first, for
// the citizen and privacy officers. Reading it is recorded too.
func (r *Resolver) accessLog(ctx context.Context, cpr domain.CPR, first *int, after *string) (*model.AccessLogConnection, error) {
	log, err := gate.OpenAccessLog(ctx, cpr)
	if err != nil {
		return nil, err
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	before, err := decodeSeqCursor(after)
	if err != nil {
		return nil, err
	}
	recs, err := log.Read(ctx, before, n+1)
	if err != nil {
		return nil, err
	}
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
	queue, err := gate.OpenReviewQueue(ctx)
	if err != nil {
		return nil, err
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	from, err := decodeSeqCursor(after)
	if err != nil {
		return nil, err
	}
	gs, err := queue.Read(ctx, audit.ReviewQuery{Reviewed: reviewed, After: from, First: n + 1})
	if err != nil {
		return nil, err
	}
	out := &model.BreakGlassGrantConnection{Nodes: []model.BreakGlassGrant{}, PageInfo: &model.PageInfo{HasNextPage: len(gs) > n}}
	gs = gs[:min(n, len(gs))]
	for _, g := range gs {
		out.Nodes = append(out.Nodes, *mapGrant(g))
	}
	queue.Disclosed(gs)
	if len(gs) > 0 {
		out.PageInfo.EndCursor = encodeSeqCursor(gs[len(gs)-1].ID)
	}
	return out, nil
}
