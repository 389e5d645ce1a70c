package resolvers

import (
	"context"
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/disclosure"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
	"github.com/sundhedsklynge/klynge/statistics"
)

// maxStatsPeriods bounds one field's periods: each quarter asked for costs
// a quarter of the cluster's pathways.
const maxStatsPeriods = 24

// pathwayStats is the cluster's protected statistics for each period asked
// for: each quarter's pathways are read and protected once, whatever of it
// was asked (statistics.Protect).
func (r *Resolver) pathwayStats(ctx context.Context, c *registry.Cluster, periods []string) ([]model.PathwayStats, error) {
	cr, err := gate.OpenClusterStatistics(ctx, c.ID, "Cluster.pathwayStats")
	if err != nil {
		return nil, err
	}
	if len(periods) == 0 || len(periods) > maxStatsPeriods {
		return nil, domain.InvalidInput("periods", "must name 1 to %d periods, got %d", maxStatsPeriods, len(periods))
	}
	loc, err := statistics.Copenhagen()
	if err != nil {
		return nil, err
	}
	now, final := loaders.For(ctx).Now(), statistics.FinalAfter(r.Pathways.ForCluster(c.ID))
	asked := make([]statistics.Period, len(periods))
	for i, s := range periods {
		p, err := statistics.Parse(s)
		if err != nil {
			return nil, domain.InvalidInput(fmt.Sprintf("periods[%d]", i), "%q: %s", s, err)
		}
		if _, to := p.Bounds(loc); now.Before(to.Add(final)) {
			return nil, domain.InvalidInput(fmt.Sprintf("periods[%d]", i), "%s", (&statistics.NotFinalError{Period: p, From: to.Add(final).In(loc)}).Error())
		}
		asked[i] = p
	}
	// Statistics name no citizen: one record of the read, about none.
	cr.DisclosedSummary()
	blocks := map[statistics.Period]map[statistics.Period]statistics.Table{}
	out := make([]model.PathwayStats, len(asked))
	for i, p := range asked {
		q := p.QuarterOf()
		tables, ok := blocks[q]
		if !ok {
			if tables, err = r.quarterStats(ctx, c, q, loc, now, final); err != nil || tables == nil {
				return nil, err
			}
			blocks[q] = tables
		}
		out[i] = r.mapStats(tables[p])
	}
	return out, nil
}

// quarterStats reads the quarter's final months and protects them; nil
// when a system did not answer (its errors are on the response already).
func (r *Resolver) quarterStats(ctx context.Context, c *registry.Cluster, q statistics.Period, loc *time.Location, now time.Time, final time.Duration) (map[statistics.Period]statistics.Table, error) {
	from, _ := q.Bounds(loc)
	months, to := 0, from
	for _, m := range q.Months() {
		if _, end := m.Bounds(loc); !now.Before(end.Add(final)) {
			months, to = months+1, end
		}
	}
	items, missing, err := r.clusterPathways(ctx, c, nil, from, to, pathway.Criteria{})
	if err != nil || len(missing) > 0 {
		return nil, err
	}
	b := statistics.Block{Quarter: q, Municipalities: c.MunicipalityCodes(), FinalMonths: months, Location: loc}
	for _, it := range items {
		b.Pathways = append(b.Pathways, it.Pathway)
	}
	tables, _, err := statistics.Protect(b, disclosure.DefaultRule)
	if err != nil {
		return nil, err
	}
	out := map[statistics.Period]statistics.Table{}
	for _, t := range tables {
		out[t.Period] = t
	}
	return out, nil
}

func (r *Resolver) mapStats(t statistics.Table) model.PathwayStats {
	out := model.PathwayStats{Period: t.Period.String(), Kind: model.ReportingPeriodKind(t.Period.Kind.String()), From: t.From, To: t.To, Total: counts(t.Total)}
	for _, row := range t.Municipalities {
		m, ok := r.Registry.Municipality(row.Municipality)
		if !ok {
			m = registry.Municipality{Code: row.Municipality}
		}
		out.Municipalities = append(out.Municipalities, model.MunicipalityPathwayStats{Municipality: &m, Counts: counts(row)})
	}
	return out
}

// counts maps one row of a table, in the order of statistics.Measures.
func counts(row statistics.Row) *model.PathwayCounts {
	out := &model.PathwayCounts{}
	for k, m := range statistics.Measures() {
		c := &model.Count{Suppressed: row.Counts[k].Hidden}
		if !c.Suppressed {
			v := row.Counts[k].Value
			c.Value = &v
		}
		switch {
		case m.Status != "":
			out.ByStatus = append(out.ByStatus, model.StatusCount{Status: model.PathwayStatus(m.Status), Count: c})
		case m.GapKind != "":
			out.ByGapKind = append(out.ByGapKind, model.GapKindCount{Kind: model.GapKind(m.GapKind), Count: c})
		default:
			out.Discharges = c
		}
	}
	return out
}
