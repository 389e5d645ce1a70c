package resolvers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
)

// collectTimeline merges every asked system's events for one citizen. A
// system that fails adds an error naming it and contributes no events; the
// others' events are still returned.
func collectTimeline(ctx context.Context, c *model.Citizen, sources []model.SourceSystem) []model.TimelineEvent {
	want := func(s model.SourceSystem) bool { return len(sources) == 0 || slices.Contains(sources, s) }
	l := loaders.For(ctx)
	var events []model.TimelineEvent
	failed := map[string]bool{}
	// fail reports a system once, however many of its reads failed.
	fail := func(err error) {
		var se *loaders.SourceError
		if errors.As(err, &se) {
			if failed[se.Source.System] {
				return
			}
			failed[se.Source.System] = true
		}
		graphql.AddError(ctx, err)
	}

	if want(model.SourceSystemEhospital) {
		if f, err := l.Encounters.Load(ctx, c.Cpr)(); err != nil {
			fail(err)
		} else {
			events = append(events, encounterEvents(f.Value)...)
		}
	}
	if want(model.SourceSystemOutOfHours) {
		if f, err := l.OutOfHours.Load(ctx, c.Cpr)(); err != nil {
			fail(err)
		} else {
			for _, o := range f.Value {
				events = append(events, event(o.ReceivedAt, model.SourceSystemOutOfHours, model.TimelineEventKindOutOfHoursContact, o.Complaint.Code, o.ID,
					fmt.Sprintf("Out-of-hours contact (%s): %s → %s", o.Urgency, o.Complaint.Display, o.Outcome)))
			}
		}
	}
	if want(model.SourceSystemGpReferral) {
		if f, err := l.Referrals.Load(ctx, c.Cpr)(); err != nil {
			fail(err)
		} else {
			for _, r := range f.Value {
				for _, h := range r.History {
					events = append(events, event(h.At, model.SourceSystemGpReferral, model.TimelineEventKindReferralStatus, string(h.Status), r.ID,
						fmt.Sprintf("Referral %s to %s: %s", r.Kind, r.Receiver.Name, h.Status)))
				}
			}
		}
		if f, err := l.GPContacts.Load(ctx, c.Cpr)(); err != nil {
			fail(err)
		} else {
			for _, g := range f.Value {
				events = append(events, event(g.At, model.SourceSystemGpReferral, model.TimelineEventKindGpContact, g.Kind, g.ID, "GP contact: "+g.Kind))
			}
		}
	}
	if want(model.SourceSystemMunicipal) {
		if key, ok := municipalKey(ctx, c); ok {
			events = append(events, municipalEvents(ctx, l, key, fail)...)
		}
	}
	slices.SortStableFunc(events, func(a, b model.TimelineEvent) int { return b.At.Compare(a.At) })
	return events
}

func event(at time.Time, src model.SourceSystem, kind model.TimelineEventKind, code, ref, summary string) model.TimelineEvent {
	return model.TimelineEvent{At: at, Source: src, Kind: kind, Code: optString(code), Ref: ref, Summary: summary}
}

func encounterEvents(es []domain.Encounter) []model.TimelineEvent {
	var out []model.TimelineEvent
	for _, e := range es {
		where := e.Department.Name + ", " + e.Hospital.Name
		out = append(out, event(e.Start, model.SourceSystemEhospital, model.TimelineEventKindEncounterStarted, string(e.Class), e.ID,
			fmt.Sprintf("%s started at %s", encounterNoun(e.Class), where)))
		if !e.End.IsZero() {
			out = append(out, event(e.End, model.SourceSystemEhospital, model.TimelineEventKindEncounterEnded, string(e.Destination), e.ID,
				fmt.Sprintf("%s ended at %s (%s)", encounterNoun(e.Class), where, e.Destination)))
		}
		for _, n := range e.Notifications {
			out = append(out, event(n.SentAt, model.SourceSystemEhospital, model.TimelineEventKindNotificationSent, string(n.Code), n.ID,
				fmt.Sprintf("%s sent by %s to municipality %d", n.Code, e.Hospital.Name, n.Receiver)))
		}
	}
	return out
}

func encounterNoun(c domain.EncounterClass) string {
	switch c {
	case domain.ClassInpatient:
		return "Admission"
	case domain.ClassEmergency:
		return "Acute outpatient stay"
	case domain.ClassHomeHealth:
		return "eHospitalet home admission"
	default:
		return "Virtual contact"
	}
}

func municipalEvents(ctx context.Context, l *loaders.Loaders, key loaders.MunicipalKey, fail func(error)) []model.TimelineEvent {
	var out []model.TimelineEvent
	if f, err := l.CareServices.Load(ctx, key)(); err != nil {
		fail(err)
	} else {
		for _, s := range f.Value {
			out = append(out, event(s.Start, model.SourceSystemMunicipal, model.TimelineEventKindCareServiceStarted, s.Service.Code, s.ID,
				fmt.Sprintf("Service %s %s started (%s)", s.Service.Code, s.Service.Display, s.Team)))
			if !s.End.IsZero() {
				out = append(out, event(s.End, model.SourceSystemMunicipal, model.TimelineEventKindCareServiceEnded, s.Service.Code, s.ID,
					fmt.Sprintf("Service %s %s ended", s.Service.Code, s.Service.Display)))
			}
		}
	}
	if f, err := l.CareVisits.Load(ctx, key)(); err != nil {
		fail(err)
	} else {
		now := l.Now()
		for _, v := range f.Value {
			switch {
			case v.Status == domain.VisitPerformed:
				out = append(out, event(v.PerformedAt, model.SourceSystemMunicipal, model.TimelineEventKindCareVisitPerformed, string(v.Status), v.ID,
					"Visit performed by "+v.Team))
			case v.Status == domain.VisitMissed || v.Status == domain.VisitCancelled || v.PlannedAt.Before(now):
				out = append(out, event(v.PlannedAt, model.SourceSystemMunicipal, model.TimelineEventKindCareVisitNotPerformed, string(v.Status), v.ID,
					fmt.Sprintf("Visit planned by %s: %s", v.Team, v.Status)))
			}
		}
	}
	if f, err := l.Notifications.Load(ctx, key)(); err != nil {
		fail(err)
	} else {
		for _, n := range f.Value {
			out = append(out, event(n.ReceivedAt, model.SourceSystemMunicipal, model.TimelineEventKindNotificationReceived, string(n.Code), n.ID,
				fmt.Sprintf("%s from %s received by the municipality", n.Code, n.SenderHospital.Name)))
		}
	}
	return out
}
