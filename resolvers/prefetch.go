package resolvers

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/resolvers/scalars"
)

// prefetch loads, for citizens whose CPRs are known up front (citizen,
// citizens, a worklist page), everything the selected fields will read, in
// two dependency levels with every system asked concurrently within a level:
//
//	level 1, needs only the CPR: patient, encounters, out-of-hours contacts,
//	         referrals, GP contacts;
//	level 2, needs the patient record: the municipality instance's services,
//	         visits and received notifications, and the GP practice.
//
// Each loader is asked once per capacity-sized chunk (loaders.Keyed.Prefetch),
// so batching does not depend on how the field resolvers happen to be
// scheduled; they then find every answer in the loaders' caches.
func prefetch(ctx context.Context, l *loaders.Loaders, cprs []domain.CPR, asked loaderSet) {
	var wg sync.WaitGroup
	run := func(ok bool, f func()) {
		if ok {
			l.Go(&wg, f)
		}
	}
	// The patient records are usually cached already (the access check of
	// a GP or nurse reads them); level 2 then starts at once, beside the
	// rest of level 1, instead of after it.
	l.Patient.Prefetch(ctx, cprs)
	run(asked.encounters, func() { l.Encounters.Prefetch(ctx, cprs) })
	run(asked.outOfHours, func() { l.OutOfHours.Prefetch(ctx, cprs) })
	run(asked.referrals, func() { l.Referrals.Prefetch(ctx, cprs) })
	run(asked.gpContacts, func() { l.GPContacts.Prefetch(ctx, cprs) })

	var keys []loaders.MunicipalKey
	var practices []domain.Ydernummer
	seen := map[domain.Ydernummer]bool{}
	for _, cpr := range cprs {
		f, err := l.Patient.Load(ctx, cpr)() // cached by level 1
		if err != nil {
			continue
		}
		if m := f.Value.Address.Municipality; m != 0 {
			keys = append(keys, loaders.MunicipalKey{Municipality: m, CPR: cpr})
		}
		if gp := f.Value.GP; gp != "" && !seen[gp] {
			seen[gp] = true
			practices = append(practices, gp)
		}
	}
	run(asked.practice && len(practices) > 0, func() { l.Practice.Prefetch(ctx, practices) })
	run(asked.services && len(keys) > 0, func() { l.CareServices.Prefetch(ctx, keys) })
	run(asked.visits && len(keys) > 0, func() { l.CareVisits.Prefetch(ctx, keys) })
	if asked.notifications && len(keys) > 0 {
		// The last one in this goroutine, which would only wait otherwise
		// and whose stack has grown already (a new one's grows by copying).
		l.Notifications.Prefetch(ctx, keys)
	}
	wg.Wait()
}

// rootCitizens lists the CPRs of every `citizen(cpr:)` root field of the
// operation (aliases and fragments included) and what their selections
// read, so that aliased lookups in one operation share one batch.
func rootCitizens(ctx context.Context) ([]domain.CPR, loaderSet) {
	opCtx := graphql.GetOperationContext(ctx)
	var cprs []domain.CPR
	var asked loaderSet
	for _, f := range graphql.CollectFields(opCtx, opCtx.Operation.SelectionSet, []string{"Query"}) {
		if f.Name != "citizen" {
			continue
		}
		arg := f.Arguments.ForName("cpr")
		if arg == nil {
			continue
		}
		v, err := arg.Value.Value(opCtx.Variables)
		if err != nil {
			continue
		}
		cpr, err := scalars.UnmarshalCPR(v)
		if err != nil {
			continue // the field itself reports the bad argument
		}
		cprs = append(cprs, cpr)
		asked = asked.union(loadersFor(opCtx, f.Selections))
	}
	return cprs, asked
}
