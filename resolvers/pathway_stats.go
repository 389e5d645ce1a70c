package resolvers

import (
	"context"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// suppressBelow: counts from 1 to suppressBelow-1 are withheld so that small
// numbers cannot identify a citizen; 0 is shown (it identifies nobody).
const suppressBelow = 5

func count(n int) *model.Count {
	if n > 0 && n < suppressBelow {
		return &model.Count{Suppressed: true}
	}
	return &model.Count{Value: &n}
}

// pathwayStats counts the cluster's pathways discharged in [from, to), per
// member municipality and in all.
func (r *Resolver) pathwayStats(ctx context.Context, c *registry.Cluster, fromArg, toArg *time.Time) (*model.PathwayStats, error) {
	cr, err := gate.OpenCluster(ctx, c.ID, "Cluster.pathwayStats")
	if err != nil {
		return nil, err
	}
	// Suppressed counts identify nobody, so one record of the read, about no
	// citizen, is what the access log keeps.
	cr.DisclosedSummary()
	from, to, err := worklistWindow(loaders.For(ctx).Now(), fromArg, toArg, "from", "to")
	if err != nil {
		return nil, err
	}
	items, missing, err := r.clusterPathways(ctx, c, nil, from, to, pathway.Criteria{})
	if err != nil {
		return nil, err
	}
	all := make([]pathway.Pathway, len(items))
	for i, it := range items {
		all[i] = it.Pathway
	}
	out := &model.PathwayStats{From: from, To: to, Total: counts(pathway.Summarize(all)), MissingSources: mapSources(missing)}
	for _, code := range c.MunicipalityCodes() {
		m, ok := r.Registry.Municipality(code)
		if !ok {
			continue
		}
		in := pathway.Filter(all, pathway.Criteria{Municipalities: []domain.MunicipalityCode{code}})
		out.Municipalities = append(out.Municipalities, model.MunicipalityPathwayStats{Municipality: &m, Counts: counts(pathway.Summarize(in))})
	}
	return out, nil
}

// counts shows a summary with small numbers suppressed, every status and
// gap kind of the schema listed.
func counts(s pathway.Stats) *model.PathwayCounts {
	out := &model.PathwayCounts{Discharges: count(s.Discharges)}
	for _, st := range model.AllPathwayStatus {
		out.ByStatus = append(out.ByStatus, model.StatusCount{Status: st, Count: count(s.ByStatus[pathway.Status(st)])})
	}
	for _, k := range model.AllGapKind {
		out.ByGapKind = append(out.ByGapKind, model.GapKindCount{Kind: k, Count: count(s.ByGapKind[pathway.GapKind(k)])})
	}
	return out
}
