package pathway

import (
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// effectiveNotification is what a sent notification means after the
// corrections and cancellations that followed it.
type effectiveNotification struct {
	ID         string                  // the latest version's id
	Code       domain.NotificationCode // base code: STIN, never RE_STIN
	OccurredAt time.Time               // the latest version's time
}

// effectiveNotifications applies corrections in the order sent
// (docs/PATHWAYS.md, Assembly 1): AN_xx removes the notification it replaces,
// RE_xx replaces it, keeping the base code and taking the new time.
//
// A correction names its target in Replaces. Upstream data is not always that
// tidy, so: a correction without Replaces targets the latest effective
// notification of its base code; RE_xx whose target is unknown stands for an
// xx of its own (the correction is the best word the hospital has given);
// AN_xx whose target is unknown removes nothing. Invalid codes are ignored.
func effectiveNotifications(sent []domain.HospitalNotification) []effectiveNotification {
	ordered := sent
	if inSendOrder := slices.IsSortedFunc(sent, bySentAt); !inSendOrder && allSent(sent) {
		ordered = slices.Clone(sent)
		slices.SortStableFunc(ordered, bySentAt)
	}

	var (
		eff     []effectiveNotification
		removed []bool
		byID    = make(map[string]int, len(ordered))
	)
	target := func(n domain.HospitalNotification) (int, bool) {
		if n.Replaces != "" {
			i, ok := byID[n.Replaces]
			return i, ok && !removed[i]
		}
		for i := len(eff) - 1; i >= 0; i-- {
			if !removed[i] && eff[i].Code == n.Code.Base() {
				return i, true
			}
		}
		return 0, false
	}
	remember := func(id string, i int) {
		if id != "" {
			byID[id] = i
		}
	}
	for _, n := range ordered {
		if !n.Code.Valid() {
			continue
		}
		version := effectiveNotification{ID: n.ID, Code: n.Code.Base(), OccurredAt: n.OccurredAt}
		switch {
		case n.Code.IsCancellation():
			if i, ok := target(n); ok {
				removed[i] = true
			}
			continue
		case n.Code.IsCorrection():
			if i, ok := target(n); ok {
				eff[i] = version
				remember(n.ID, i) // a later correction may name either version
				continue
			}
		}
		eff = append(eff, version)
		removed = append(removed, false)
		remember(n.ID, len(eff)-1)
	}

	out := eff[:0:0]
	for i, n := range eff {
		if !removed[i] {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b effectiveNotification) int { return a.OccurredAt.Compare(b.OccurredAt) })
	return out
}

func bySentAt(a, b domain.HospitalNotification) int { return a.SentAt.Compare(b.SentAt) }

// allSent reports whether every notification has a send time; without one
// the given order is the only order there is.
func allSent(ns []domain.HospitalNotification) bool {
	for _, n := range ns {
		if n.SentAt.IsZero() {
			return false
		}
	}
	return true
}

func hasEffective(eff []effectiveNotification, codes ...domain.NotificationCode) bool {
	for _, n := range eff {
		if slices.Contains(codes, n.Code) {
			return true
		}
	}
	return false
}

// latestEffective is the time of the latest effective notification with one
// of the codes; zero if none.
func latestEffective(eff []effectiveNotification, codes ...domain.NotificationCode) time.Time {
	var at time.Time
	for _, n := range eff {
		if slices.Contains(codes, n.Code) && n.OccurredAt.After(at) {
			at = n.OccurredAt
		}
	}
	return at
}

// hadAdmitting reports whether any admitting notification (STAA, STIN, or a
// correction or cancellation of one) was sent: only then can a cancellation
// undo the stay.
func hadAdmitting(sent []domain.HospitalNotification) bool {
	for _, n := range sent {
		switch n.Code.Base() {
		case domain.NotifyAdmitted, domain.NotifyAcuteOutpatientStart:
			return true
		}
	}
	return false
}

// earliestEffective is the time of the earliest effective notification with
// one of the codes; zero if none.
func earliestEffective(eff []effectiveNotification, codes ...domain.NotificationCode) time.Time {
	var at time.Time
	for _, n := range eff {
		if slices.Contains(codes, n.Code) && !n.OccurredAt.IsZero() && (at.IsZero() || n.OccurredAt.Before(at)) {
			at = n.OccurredAt
		}
	}
	return at
}
