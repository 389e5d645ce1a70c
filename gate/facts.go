package gate

import (
	"context"
	"errors"
	"time"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/loaders"
)

// loaderFacts reads the facts of the access rules through the operation's
// dataloaders, so that what a relationship check reads is the same answer
// the caller's fields then use (no second upstream call), and through the
// access log's grant register, read once for all the citizens warm finds
// without a relationship.
type loaderFacts struct {
	l      *loaders.Loaders
	log    *audit.Log
	grants grantMemo
}

// grantMemo holds one read of the grant register for the citizens of one
// decideAll (one principal, one now): a citizen it read maps to its active
// grant, or to nil for none. warm fills it before any check starts, and
// the checks only read it, so it needs no lock.
type grantMemo map[domain.CPR]*audit.Grant

// fill reads the active grants of cprs in one query and remembers the
// answer for each; after a failed read nothing is remembered, and each
// check reads (and fails) on its own.
func (m grantMemo) fill(ctx context.Context, log *audit.Log, p access.Principal, cprs []domain.CPR, now time.Time) {
	gs, err := log.ActiveGrants(ctx, auditPrincipal(p), cprs, now)
	if err != nil {
		return
	}
	for _, cpr := range cprs {
		var answer *audit.Grant
		if g, ok := gs[cpr]; ok {
			answer = &g
		}
		m[cpr] = answer
	}
}

var _ access.FactSource = loaderFacts{}

func (s loaderFacts) Patient(ctx context.Context, cpr domain.CPR) (*domain.Citizen, error) {
	f, err := s.l.Patient.Load(ctx, cpr)()
	switch {
	case errors.Is(err, loaders.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	p := f.Value
	return &p, nil
}

func (s loaderFacts) Encounters(ctx context.Context, cpr domain.CPR) ([]domain.Encounter, error) {
	return listFact(s.l.Encounters.Load(ctx, cpr))
}

func (s loaderFacts) CareServices(ctx context.Context, m domain.MunicipalityCode, cpr domain.CPR) ([]domain.CareService, error) {
	services, err := listFact(s.l.CareServices.Load(ctx, loaders.MunicipalKey{Municipality: m, CPR: cpr}))
	if errors.Is(err, loaders.ErrNoSystem) {
		// No care system is configured for the principal's municipality:
		// no service there can show a relationship, and no system failed,
		// so the answer is a refusal, not an undecidable one.
		return nil, nil
	}
	return services, err
}

func (s loaderFacts) OutOfHours(ctx context.Context, cpr domain.CPR) ([]domain.OutOfHoursContact, error) {
	return listFact(s.l.OutOfHours.Load(ctx, cpr))
}

func (s loaderFacts) GPContacts(ctx context.Context, cpr domain.CPR) ([]domain.GPContact, error) {
	return listFact(s.l.GPContacts.Load(ctx, cpr))
}

func (s loaderFacts) ActiveGrant(ctx context.Context, p access.Principal, cpr domain.CPR, now time.Time) (*access.Grant, error) {
	if s.log == nil {
		return nil, errors.New("no access log: grants cannot be read")
	}
	g, read := s.grants[cpr]
	if !read {
		found, ok, err := s.log.ActiveGrant(ctx, auditPrincipal(p), cpr, now)
		if err != nil {
			return nil, err
		}
		if ok {
			g = &found
		}
	}
	if g == nil {
		return nil, nil
	}
	return &access.Grant{ID: g.ID, Reason: g.Reason, ExpiresAt: g.ExpiresAt}, nil
}

func listFact[T any](thunk func() (loaders.Fetched[[]T], error)) ([]T, error) {
	f, err := thunk()
	switch {
	case errors.Is(err, loaders.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return f.Value, nil
}

// warm loads, level by level, the facts the rules will read for p about
// cprs, in one batch call per loader chunk (loaders.Keyed.Prefetch), so that
// the per-citizen checks that follow find every answer cached. After each
// level it drops the citizens a relationship is already shown for: a nurse's
// municipality is asked about services only for citizens who do not live
// there. The citizens left, for whom a clinician's check will ask the grant
// register, are looked up there in one query.
func warm(ctx context.Context, rules access.Rules, p access.Principal, cprs []domain.CPR, src loaderFacts, now time.Time) {
	todo := cprs
	var read []access.Fact
	for _, fact := range rules.Plan(p) {
		switch fact {
		case access.FactPatient:
			src.l.Patient.Prefetch(ctx, todo)
		case access.FactEncounters:
			src.l.Encounters.Prefetch(ctx, todo)
		case access.FactOutOfHours:
			src.l.OutOfHours.Prefetch(ctx, todo)
		case access.FactCareServices:
			if code, ok := access.MunicipalityOf(p); ok {
				keys := make([]loaders.MunicipalKey, len(todo))
				for i, cpr := range todo {
					keys[i] = loaders.MunicipalKey{Municipality: code, CPR: cpr}
				}
				src.l.CareServices.Prefetch(ctx, keys)
			}
		}
		read = append(read, fact)
		prefetchFallback(ctx, rules, p, fact, todo, src)
		var still []domain.CPR
		for _, cpr := range todo {
			if !rules.Decide(p, cpr, cachedFacts(ctx, src, p, cpr, read), now).Allowed {
				still = append(still, cpr)
			}
		}
		todo = still
	}
	if len(todo) > 0 && p.Role.Clinical() && src.log != nil && src.grants != nil {
		src.grants.fill(ctx, src.log, p, todo, now)
	}
}

// prefetchFallback loads, in one batch, the fact standing in for fact for
// the citizens whose read of it failed (a GP's listing from the GP feed when
// the patient index did not answer), so that their checks find it cached.
func prefetchFallback(ctx context.Context, rules access.Rules, p access.Principal, fact access.Fact, cprs []domain.CPR, src loaderFacts) {
	fb, ok := rules.Fallback(p, fact)
	if !ok || fb != access.FactGPContacts || fact != access.FactPatient {
		return
	}
	var failed []domain.CPR
	for _, cpr := range cprs {
		if _, err := src.Patient(ctx, cpr); err != nil {
			failed = append(failed, cpr)
		}
	}
	if len(failed) > 0 {
		src.l.GPContacts.Prefetch(ctx, failed)
	}
}

// cachedFacts are the facts of the given kinds as the loaders hold them;
// one that failed is left empty.
func cachedFacts(ctx context.Context, src loaderFacts, p access.Principal, cpr domain.CPR, kinds []access.Fact) access.Facts {
	var f access.Facts
	for _, k := range kinds {
		switch k {
		case access.FactPatient:
			f.Patient, _ = src.Patient(ctx, cpr)
		case access.FactEncounters:
			f.Encounters, _ = src.Encounters(ctx, cpr)
		case access.FactOutOfHours:
			f.OutOfHours, _ = src.OutOfHours(ctx, cpr)
		case access.FactCareServices:
			if code, ok := access.MunicipalityOf(p); ok {
				f.Services, _ = src.CareServices(ctx, code, cpr)
			}
		}
	}
	return f
}
