package resolvers

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/registry"
)

// maxCitizensPerCall bounds `citizens(cprs:)`: more would fan out into more
// upstream requests than one portal page should cost.
const maxCitizensPerCall = 500

// loadCitizens resolves CPRs to citizens through the patient loader, in the
// order asked: nil where the patient index does not know the CPR. When the
// patient index fails, the citizen is still returned with what the CPR
// itself says (birth date, age, sex) and one error at its path, so that the
// other systems' fields can still answer.
func (r *Resolver) loadCitizens(ctx context.Context, cprs []domain.CPR, indexed bool) ([]*model.Citizen, error) {
	l := loaders.For(ctx)
	// Access is decided before anything but what the decision itself needs
	// is fetched (package gate); refused citizens stay null.
	admitted, err := gate.Admit(ctx, cprs, indexed)
	if err != nil {
		return nil, err
	}
	allowed := make([]domain.CPR, 0, len(cprs))
	for i, cpr := range cprs {
		if admitted[i] {
			allowed = append(allowed, cpr)
		}
	}
	prefetch(ctx, l, allowed, loadersFor(graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx).Field.Selections))
	fetched, errs := l.Patient.LoadMany(ctx, allowed)()
	out := make([]*model.Citizen, len(cprs))
	j := -1
	for i, cpr := range cprs {
		if !admitted[i] {
			continue
		}
		j++
		var err error
		if errs != nil {
			err = errs[j]
		}
		switch {
		case err == nil:
			p := fetched[j].Value
			out[i] = r.newCitizen(l.Now(), cpr, &p)
		case errors.Is(err, loaders.ErrNotFound):
			out[i] = nil
		default:
			out[i] = r.newCitizen(l.Now(), cpr, nil)
			path := graphql.GetPath(ctx)
			if indexed {
				path = append(path, ast.PathIndex(i))
			}
			graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: path})
		}
	}
	return out, nil
}

// newCitizen fills the fields that come from the CPR and the patient index.
func (r *Resolver) newCitizen(now time.Time, cpr domain.CPR, p *domain.Citizen) *model.Citizen {
	c := &model.Citizen{Cpr: cpr, BirthDate: cpr.BirthDate(), Age: cpr.AgeAt(now), Sex: model.SexFemale}
	if cpr.Sex() == domain.SexMale {
		c.Sex = model.SexMale
	}
	if p == nil {
		return c
	}
	c.Name = optString(p.Name())
	c.GivenName = optString(p.GivenName)
	c.FamilyName = optString(p.FamilyName)
	c.Deceased = p.IsDeceased()
	c.DeceasedAt = p.DeceasedAt
	c.Address = mapAddress(p.Address)
	if m, ok := r.Registry.Municipality(p.Address.Municipality); ok {
		c.Municipality = &m
		c.Clusters = r.Registry.ClustersOf(m.Code)
	}
	return c
}

// patientOf returns the citizen's patient record from the operation's
// loader cache (no upstream call), or nil when the patient index failed; the
// failure was reported once where the citizen was loaded.
func patientOf(ctx context.Context, c *model.Citizen) *domain.Citizen {
	f, err := loaders.For(ctx).Patient.Load(ctx, c.Cpr)()
	if err != nil {
		return nil
	}
	return &f.Value
}

// municipalKey addresses the citizen in their home municipality's care
// system; ok is false when the municipality is unknown.
func municipalKey(ctx context.Context, c *model.Citizen) (loaders.MunicipalKey, bool) {
	p := patientOf(ctx, c)
	if p == nil || p.Address.Municipality == 0 {
		return loaders.MunicipalKey{}, false
	}
	return loaders.MunicipalKey{Municipality: p.Address.Municipality, CPR: c.Cpr}, true
}

func (r *Resolver) mapPractice(p domain.Practice) *model.Practice {
	out := &model.Practice{
		Ydernummer: string(p.Ydernummer),
		Name:       p.Name,
		Address:    mapAddress(p.Address),
		Phone:      optString(p.Phone),
		Clusters:   []registry.Cluster{},
	}
	if m, ok := r.Registry.Municipality(p.Municipality); ok {
		out.Municipality = &m
		out.Clusters = r.Registry.ClustersOf(m.Code)
	}
	return out
}

// sharesCluster reports whether two cluster lists overlap.
func sharesCluster(a, b []registry.Cluster) bool {
	for _, x := range a {
		for _, y := range b {
			if x.ID == y.ID {
				return true
			}
		}
	}
	return false
}
