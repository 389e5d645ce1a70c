package resolvers

import (
	"context"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/registry"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
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
	all, missing, err := r.clusterPathways(ctx, c, nil, from, to)
	if err != nil {
		return nil, err
	}
	out := &model.PathwayStats{From: from, To: to, Total: counts(all), MissingSources: missing}
	if out.MissingSources == nil {
		out.MissingSources = []model.SourceSystem{}
	}
	for _, code := range c.MunicipalityCodes() {
		m, ok := r.Registry.Municipality(code)
		if !ok {
			continue
		}
		in := slices.DeleteFunc(slices.Clone(all), func(p model.Pathway) bool {
			return p.MunicipalityCode == nil || domain.MunicipalityCode(*p.MunicipalityCode) != code
		})
		out.Municipalities = append(out.Municipalities, model.MunicipalityPathwayStats{Municipality: &m, Counts: counts(in)})
	}
	return out, nil
}

func counts(ps []model.Pathway) *model.PathwayCounts {
	byStatus := map[model.PathwayStatus]int{}
	byGap := map[model.GapKind]int{}
	for _, p := range ps {
		byStatus[p.Status]++
		var seen []model.GapKind
		for _, g := range p.Gaps {
			if !slices.Contains(seen, g.Kind) {
				seen = append(seen, g.Kind)
				byGap[g.Kind]++
			}
		}
	}
	out := &model.PathwayCounts{Discharges: count(len(ps))}
	for _, s := range model.AllPathwayStatus {
		out.ByStatus = append(out.ByStatus, model.StatusCount{Status: s, Count: count(byStatus[s])})
	}
	for _, k := range model.AllGapKind {
		out.ByGapKind = append(out.ByGapKind, model.GapKindCount{Kind: k, Count: count(byGap[k])})
	}
	return out
}
