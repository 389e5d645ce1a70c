package resolvers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// Worklist bounds.
const (
	defaultWorklistWindow = 30 * 24 * time.Hour
	maxWorklistWindow     = 180 * 24 * time.Hour
)

// assessCitizen assesses a citizen's pathways (pathway.Assess) from the
// operation's loaders (prefetched, so cached). Each system that failed is
// reported once as an error naming it, and makes the pathways UNKNOWN.
// Without encounters there are no pathways to show, and that is an error.
//
// The rules are the cluster's (the worklist's cluster, or for a citizen's
// own view the cluster of their municipality).
func (r *Resolver) assessCitizen(ctx context.Context, cpr domain.CPR, cluster string) (pathway.Assessment, error) {
	l := loaders.For(ctx)
	var in pathway.Input
	var missing []pathway.System
	fail := func(sys pathway.System, err error) {
		if !slices.Contains(missing, sys) {
			missing = append(missing, sys)
			graphql.AddError(ctx, err)
		}
	}
	p, err := l.Patient.Load(ctx, cpr)()
	switch {
	case errors.Is(err, loaders.ErrNotFound):
		return pathway.Assessment{}, nil
	case err != nil:
		fail(pathway.SystemEHospital, err)
	default:
		in.Citizen = p.Value
	}
	enc, err := l.Encounters.Load(ctx, cpr)()
	if err != nil {
		return pathway.Assessment{}, err
	}
	in.Encounters = enc.Value
	if f, err := l.OutOfHours.Load(ctx, cpr)(); err != nil {
		fail(pathway.SystemOutOfHours, err)
	} else {
		in.OutOfHours = f.Value
	}
	if f, err := l.Referrals.Load(ctx, cpr)(); err != nil {
		fail(pathway.SystemGP, err)
	} else {
		in.Referrals = f.Value
	}
	if f, err := l.GPContacts.Load(ctx, cpr)(); err != nil {
		fail(pathway.SystemGP, err)
	} else {
		in.GPContacts = f.Value
	}
	if m := in.Citizen.Address.Municipality; m != 0 {
		key := loaders.MunicipalKey{Municipality: m, CPR: cpr}
		if f, err := l.CareServices.Load(ctx, key)(); err != nil {
			fail(pathway.SystemMunicipal, err)
		} else {
			in.Services = f.Value
		}
		if f, err := l.CareVisits.Load(ctx, key)(); err != nil {
			fail(pathway.SystemMunicipal, err)
		} else {
			in.Visits = f.Value
		}
		if f, err := l.Notifications.Load(ctx, key)(); err != nil {
			fail(pathway.SystemMunicipal, err)
		} else {
			in.Received = f.Value
		}
	} else if !slices.Contains(missing, pathway.SystemMunicipal) {
		// Without the patient record the municipal instance is unknown.
		missing = append(missing, pathway.SystemMunicipal)
	}
	return pathway.Assess(in, missing, r.pathwayRules(cluster, in.Citizen.Address.Municipality), l.Now()), nil
}

// pathwayRules is the rule set of a cluster, or with none given the one of
// the clusters of the municipality.
func (r *Resolver) pathwayRules(cluster string, m domain.MunicipalityCode) pathway.Rules {
	if cluster != "" {
		return r.Pathways.ForCluster(cluster)
	}
	var ids []string
	if r.Registry != nil {
		for _, c := range r.Registry.ClustersOf(m) {
			ids = append(ids, c.ID)
		}
	}
	return r.Pathways.ForClusters(ids)
}

func (r *Resolver) citizenPathways(ctx context.Context, c *model.Citizen, status []model.PathwayStatus, first *int, after *string) (*model.PathwayConnection, error) {
	a, err := r.assessCitizen(ctx, c.Cpr, "")
	if err != nil {
		return nil, err
	}
	ps := pathway.Filter(a.Pathways, pathway.Criteria{Statuses: pathwayStatuses(status)})
	items := make([]assessedPathway, len(ps))
	for i, p := range ps {
		items[i] = assessedPathway{Pathway: p, missing: a.Missing}
	}
	return pathwayPage(items, first, after)
}

// assessedPathway is a pathway with the systems its citizen's assessment
// missed.
type assessedPathway struct {
	pathway.Pathway
	missing []pathway.System
}

func pathwayPage(items []assessedPathway, first *int, after *string) (*model.PathwayConnection, error) {
	pageItems, info, total, err := page(items, first, after)
	if err != nil {
		return nil, err
	}
	nodes := make([]model.Pathway, len(pageItems))
	for i, it := range pageItems {
		nodes[i] = mapPathway(it.Pathway, it.missing)
	}
	return &model.PathwayConnection{Nodes: nodes, PageInfo: &info, TotalCount: total}, nil
}

func pathwayStatuses(ss []model.PathwayStatus) []pathway.Status {
	out := make([]pathway.Status, len(ss))
	for i, s := range ss {
		out[i] = pathway.Status(s)
	}
	return out
}

func gapKinds(ks []model.GapKind) []pathway.GapKind {
	out := make([]pathway.GapKind, len(ks))
	for i, k := range ks {
		out[i] = pathway.GapKind(k)
	}
	return out
}

// worklistWindow applies defaults and bounds to a discharge window.
func worklistWindow(now time.Time, after, before *time.Time, afterField, beforeField string) (time.Time, time.Time, error) {
	to, toName := now, "now"
	if before != nil {
		to, toName = *before, beforeField
	}
	from := to.Add(-defaultWorklistWindow)
	if after != nil {
		from = *after
	}
	// Blame the argument the caller set: a window is too long or reversed
	// because of after (the end defaults to now), or of both.
	field, span := beforeField, "the window"
	if after != nil {
		field, span = afterField, fmt.Sprintf("the window from %s to %s", afterField, toName)
	}
	days := int(maxWorklistWindow.Hours() / 24)
	switch {
	case !from.Before(to):
		return from, to, domain.InvalidInput(field, "must be before %s (%s)", toName, to.Format(time.RFC3339))
	case to.Sub(from) > maxWorklistWindow:
		got := math.Round(to.Sub(from).Hours()/2.4) / 10 // days, one decimal
		return from, to, domain.InvalidInput(field, "%s may span at most %d days, got %s days", span, days, strconv.FormatFloat(got, 'f', -1, 64))
	}
	return from, to, nil
}

// clusterPathways assesses every citizen of the cluster (or of one member
// municipality) with a stay finished in [from, to), and returns the
// pathways discharged in that window that match crit, newest discharge
// first, and the systems that failed for any citizen. Cost: the pages of
// one eHospitalet search, then one request per system instance per
// dependency level per 100 citizens (the loaders' prefetch).
func (r *Resolver) clusterPathways(ctx context.Context, c *registry.Cluster, municipality *int, from, to time.Time, crit pathway.Criteria) ([]assessedPathway, []pathway.System, error) {
	codes := c.MunicipalityCodes()
	if municipality != nil {
		code := domain.MunicipalityCode(*municipality)
		if !c.HasMember(code) {
			return nil, nil, domain.InvalidInput("filter.municipality", "%d is not a member of cluster %s", *municipality, c.ID)
		}
		codes = []domain.MunicipalityCode{code}
	}
	if len(codes) == 0 {
		return nil, nil, nil
	}
	l := loaders.For(ctx)
	stays, _, err := l.FinishedStays(ctx, codes, from, to)
	switch {
	case err != nil && stays == nil:
		return nil, nil, err
	case err != nil:
		// Some stays could not be read: the worklist shows the rest and
		// says which system left some out.
		graphql.AddError(ctx, err)
	}
	var cprs []domain.CPR
	seen := map[domain.CPR]bool{}
	for _, e := range stays {
		if !seen[e.CPR] {
			seen[e.CPR] = true
			cprs = append(cprs, e.CPR)
		}
	}
	var everything loaderSet
	everything.all()
	prefetch(ctx, l, cprs, everything)

	// Only pathways discharged in the window, of citizens who live in the
	// asked municipalities now (the search matched on residence).
	crit.DischargedAfter, crit.DischargedBefore, crit.Municipalities = from, to, codes
	var out []assessedPathway
	var missing []pathway.System
	reported := map[error]bool{}
	for _, cpr := range cprs {
		a, err := r.assessCitizen(ctx, cpr, c.ID)
		if err != nil {
			if !r.badRecord(err) {
				return nil, nil, err
			}
			// This citizen's encounter records could not be read: the
			// others' pathways stand, and the error names the system.
			if !reported[err] {
				reported[err] = true
				graphql.AddError(ctx, err)
			}
			if !slices.Contains(missing, pathway.SystemEHospital) {
				missing = append(missing, pathway.SystemEHospital)
			}
			continue
		}
		for _, s := range a.Missing {
			if !slices.Contains(missing, s) {
				missing = append(missing, s)
			}
		}
		for _, p := range pathway.Filter(a.Pathways, crit) {
			p.CPR = cpr
			out = append(out, assessedPathway{Pathway: p, missing: a.Missing})
		}
	}
	// Newest discharge first, ties in search order, so that paging is stable.
	slices.SortStableFunc(out, func(a, b assessedPathway) int { return b.DischargedAt.Compare(a.DischargedAt) })
	return out, missing, nil
}

// badRecord reports an upstream's answer that could not be read
// (UPSTREAM_BAD_RESPONSE): one citizen's record, not a system down.
func (r *Resolver) badRecord(err error) bool {
	if r.ClassifyUpstream == nil {
		return false
	}
	_, code, ok := r.ClassifyUpstream(err)
	return ok && code == errcode.UpstreamBadResponse
}

func (r *Resolver) worklist(ctx context.Context, c *registry.Cluster, f *model.PathwayFilter, first *int, after *string) (*model.PathwayConnection, error) {
	cr, err := gate.OpenCluster(ctx, c.ID, "Cluster.pathways")
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &model.PathwayFilter{}
	}
	from, to, err := worklistWindow(loaders.For(ctx).Now(), f.DischargedAfter, f.DischargedBefore, "filter.dischargedAfter", "filter.dischargedBefore")
	if err != nil {
		return nil, err
	}
	crit := pathway.Criteria{Statuses: pathwayStatuses(f.Status), GapKinds: gapKinds(f.GapKinds)}
	items, _, err := r.clusterPathways(ctx, c, f.Municipality, from, to, crit)
	if err != nil {
		return nil, err
	}
	conn, err := pathwayPage(items, first, after)
	if err != nil {
		return nil, err
	}
	if err := discloseWorklist(cr, conn.Nodes); err != nil {
		return nil, err
	}
	return conn, nil
}

// pathwayCitizen is the citizen behind a pathway, under the citizen's own
// access rules; null for a pseudonymised view.
func (r *Resolver) pathwayCitizen(ctx context.Context, p *model.Pathway) (*model.Citizen, error) {
	if p.CPR == "" || p.PseudonymOf != "" {
		return nil, nil
	}
	cs, err := r.loadCitizens(ctx, []domain.CPR{p.CPR}, false)
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}

// pathwayPseudonym is the caller's pseudonym of the citizen, for
// pseudonymised views; null otherwise.
func (r *Resolver) pathwayPseudonym(ctx context.Context, p *model.Pathway) (*string, error) {
	return optString(p.PseudonymOf), nil
}

// discloseWorklist pseudonymises a page of pathways for the caller when the
// decision says so (gate.ClusterReader.PseudonymisePathway: the citizen and
// every upstream record id), and owes one access-log record per citizen on
// the page.
func discloseWorklist(cr *gate.ClusterReader, nodes []model.Pathway) error {
	for i := range nodes {
		n := &nodes[i]
		var m domain.MunicipalityCode
		if n.MunicipalityCode != nil {
			m = domain.MunicipalityCode(*n.MunicipalityCode)
		}
		cr.Disclosed(n.CPR, m)
		if err := cr.PseudonymisePathway(n); err != nil {
			return err
		}
	}
	return nil
}
