package resolvers

import (
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
)

// newestFirst returns a copy of items sorted by at, newest first, ties kept
// in upstream order so that paging is stable.
func newestFirst[T any](items []T, at func(T) time.Time) []T {
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b T) int { return at(b).Compare(at(a)) })
	return out
}

func filterEncounters(es []domain.Encounter, status []model.EncounterStatus) []domain.Encounter {
	out := newestFirst(es, func(e domain.Encounter) time.Time { return e.Start })
	if len(status) == 0 {
		return out
	}
	return slices.DeleteFunc(out, func(e domain.Encounter) bool {
		return !slices.Contains(status, encounterStatuses[e.Status])
	})
}

func filterOutOfHours(cs []domain.OutOfHoursContact, since *time.Time) []domain.OutOfHoursContact {
	out := newestFirst(cs, func(c domain.OutOfHoursContact) time.Time { return c.ReceivedAt })
	if since == nil {
		return out
	}
	return slices.DeleteFunc(out, func(c domain.OutOfHoursContact) bool { return c.ReceivedAt.Before(*since) })
}

func filterServices(ss []domain.CareService, active *bool, now time.Time) []domain.CareService {
	out := newestFirst(ss, func(s domain.CareService) time.Time { return s.Start })
	if active == nil {
		return out
	}
	return slices.DeleteFunc(out, func(s domain.CareService) bool { return s.ActiveAt(now) != *active })
}

func filterVisits(vs []domain.CareVisit, since *time.Time) []domain.CareVisit {
	out := newestFirst(vs, func(v domain.CareVisit) time.Time { return v.PlannedAt })
	if since == nil {
		return out
	}
	return slices.DeleteFunc(out, func(v domain.CareVisit) bool { return v.PlannedAt.Before(*since) })
}

func filterReferrals(rs []domain.Referral, status []model.ReferralStatus) []domain.Referral {
	out := newestFirst(rs, func(r domain.Referral) time.Time { return r.SentAt })
	if len(status) == 0 {
		return out
	}
	return slices.DeleteFunc(out, func(r domain.Referral) bool {
		return !slices.Contains(status, referralStatuses[r.Status()])
	})
}

func filterTimeline(es []model.TimelineEvent, since, until *time.Time) []model.TimelineEvent {
	return slices.DeleteFunc(es, func(e model.TimelineEvent) bool {
		return (since != nil && e.At.Before(*since)) || (until != nil && !e.At.Before(*until))
	})
}
