package resolvers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
)

// loaderSet names the loaders an operation used for one citizen.
type loaderSet struct {
	encounters, outOfHours, referrals, gpContacts, practice bool
	services, visits, notifications                         bool
}

func (s loaderSet) union(o loaderSet) loaderSet {
	return loaderSet{
		s.encounters || o.encounters, s.outOfHours || o.outOfHours, s.referrals || o.referrals,
		s.gpContacts || o.gpContacts, s.practice || o.practice,
		s.services || o.services, s.visits || o.visits, s.notifications || o.notifications,
	}
}

func (s *loaderSet) all() {
	*s = loaderSet{true, true, true, true, true, true, true, true}
}

// askedLoaders works out, from the fields selected next to `sources`, which
// loaders this operation uses for the citizen, so that `sources` reports
// exactly the systems asked — and awaiting them costs no extra upstream call,
// because their answers are already in the loader cache.
func askedLoaders(ctx context.Context) loaderSet {
	for fc := graphql.GetFieldContext(ctx).Parent; fc != nil; fc = fc.Parent {
		if fc.Field.Field == nil || len(fc.Field.Selections) == 0 {
			continue
		}
		return loadersFor(graphql.GetOperationContext(ctx), fc.Field.Selections)
	}
	return loaderSet{}
}

// loadersFor maps a Citizen selection set to the loaders it will use.
func loadersFor(opCtx *graphql.OperationContext, sel ast.SelectionSet) loaderSet {
	var s loaderSet
	{
		for _, f := range graphql.CollectFields(opCtx, sel, []string{"Citizen"}) {
			switch f.Name {
			case "hospitalEncounters":
				s.encounters = true
			case "outOfHoursContacts":
				s.outOfHours = true
			case "referrals":
				s.referrals = true
			case "gp", "gpInOtherCluster":
				s.practice = true
			case "careServices":
				s.services = true
			case "careVisits":
				s.visits = true
			case "notificationsReceived":
				s.notifications = true
			case "timeline":
				s.addTimeline(f, opCtx.Variables)
			case "pathways":
				s.all()
			}
		}
	}
	return s
}

func (s *loaderSet) addTimeline(f graphql.CollectedField, vars map[string]any) {
	var sources []any
	if arg := f.Arguments.ForName("sources"); arg != nil {
		if v, err := arg.Value.Value(vars); err == nil {
			sources, _ = v.([]any)
		}
	}
	want := func(sys model.SourceSystem) bool {
		if len(sources) == 0 {
			return true
		}
		for _, v := range sources {
			if v == string(sys) {
				return true
			}
		}
		return false
	}
	s.encounters = s.encounters || want(model.SourceSystemEhospital)
	s.outOfHours = s.outOfHours || want(model.SourceSystemOutOfHours)
	if want(model.SourceSystemGpReferral) {
		s.referrals, s.gpContacts = true, true
	}
	if want(model.SourceSystemMunicipal) {
		s.services, s.visits, s.notifications = true, true, true
	}
}

// outcome is one loader's answer for the citizen.
type outcome struct {
	src loaders.Source
	err error
}

func await[T any](thunk func() (loaders.Fetched[T], error)) outcome {
	f, err := thunk()
	if err == nil {
		return outcome{src: f.Source}
	}
	var se *loaders.SourceError
	if errors.As(err, &se) {
		return outcome{src: se.Source, err: err}
	}
	if errors.Is(err, loaders.ErrNotFound) {
		return outcome{} // answered: nothing there
	}
	return outcome{err: err}
}

// sourceStatuses reports, per system instance asked for this citizen,
// whether it answered and how long it took.
func (r *Resolver) sourceStatuses(ctx context.Context, c *model.Citizen) []model.SourceStatus {
	asked := askedLoaders(ctx)
	l := loaders.For(ctx)
	var out []model.SourceStatus

	eh := []outcome{await(l.Patient.Load(ctx, c.Cpr))}
	if asked.encounters {
		eh = append(eh, await(l.Encounters.Load(ctx, c.Cpr)))
	}
	out = append(out, r.status(model.SourceSystemEhospital, "ehospital", eh))

	if asked.outOfHours {
		out = append(out, r.status(model.SourceSystemOutOfHours, "outofhours", []outcome{await(l.OutOfHours.Load(ctx, c.Cpr))}))
	}

	var gp []outcome
	if asked.referrals {
		gp = append(gp, await(l.Referrals.Load(ctx, c.Cpr)))
	}
	if asked.gpContacts {
		gp = append(gp, await(l.GPContacts.Load(ctx, c.Cpr)))
	}
	if p := patientOf(ctx, c); asked.practice && p != nil && p.GP != "" {
		gp = append(gp, await(l.Practice.Load(ctx, p.GP)))
	}
	if len(gp) > 0 {
		out = append(out, r.status(model.SourceSystemGpReferral, "gpreferral", gp))
	}

	if asked.services || asked.visits || asked.notifications {
		key, ok := municipalKey(ctx, c)
		if !ok {
			msg := "not asked: the citizen's municipality is unknown (the patient index did not answer)"
			if patientOf(ctx, c) != nil {
				msg = "not asked: the patient index gave no municipality for the citizen"
			}
			out = append(out, model.SourceStatus{System: model.SourceSystemMunicipal, Instance: "municipal", Error: &msg})
		} else {
			var mu []outcome
			if asked.services {
				mu = append(mu, await(l.CareServices.Load(ctx, key)))
			}
			if asked.visits {
				mu = append(mu, await(l.CareVisits.Load(ctx, key)))
			}
			if asked.notifications {
				mu = append(mu, await(l.Notifications.Load(ctx, key)))
			}
			out = append(out, r.status(model.SourceSystemMunicipal, fmt.Sprintf("municipal/%d", key.Municipality), mu))
		}
	}
	return out
}

// status folds one system's loader outcomes: failed if any failed, the
// latest answer time and the longest duration.
func (r *Resolver) status(sys model.SourceSystem, instance string, os []outcome) model.SourceStatus {
	st := model.SourceStatus{System: sys, Instance: instance, Ok: true}
	var latest time.Time
	var longest time.Duration
	for _, o := range os {
		if o.src.AnsweredAt.After(latest) {
			latest = o.src.AnsweredAt
		}
		longest = max(longest, o.src.Duration)
		if o.err != nil && st.Ok {
			st.Ok = false
			// The presenter's safe text, never o.err's: a network error
			// names the upstream's host and address.
			code := errcode.UpstreamUnavailable
			if r.ClassifyUpstream != nil {
				if _, c, ok := r.ClassifyUpstream(o.err); ok {
					code = c
				}
			}
			msg := errcode.UpstreamMessage(instance, code)
			st.Error, st.ErrorCode = &msg, &code
		}
	}
	if !latest.IsZero() {
		st.AnsweredAt = &latest
		ms := int(longest.Milliseconds())
		st.DurationMs = &ms
	}
	return st
}
