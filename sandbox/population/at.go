package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// At is the world as it stood at t, for a sandbox whose clock runs on from
// a start before the moment the world was generated for (a world that runs
// on, docs/ALERTS.md): every record with a timestamp after t is not there
// yet, a stay that ends after t is still ongoing (in progress, no
// destination), a visit performed after t is still planned, a referral's
// history stops at t, and the ground truth holds the gaps a rule could tell
// by t. It derives; it generates nothing, so the world at t is the same for
// the same (Population, Seed, Now) and t. A t at or after Now is the world.
func (w *World) At(t time.Time) *World {
	if !t.Before(w.now) {
		return w
	}
	v := *w
	v.now = t
	v.citizens = make([]domain.Citizen, len(w.citizens))
	for i, c := range w.citizens {
		if c.DeceasedAt != nil && c.DeceasedAt.After(t) {
			c.DeceasedAt = nil
		}
		v.citizens[i] = c
	}
	n := len(w.citizens)
	var owners []int

	v.encounters, owners = filterOwned(w, w.encOf, w.encounters, func(e domain.Encounter) (domain.Encounter, bool) {
		return encounterAt(e, t)
	})
	v.encOf = buildCSR(n, len(owners), func(k int) int { return owners[k] })

	v.received, owners = filterOwned(w, w.recvOf, w.received, func(r domain.ReceivedNotification) (domain.ReceivedNotification, bool) {
		return r, !r.ReceivedAt.After(t)
	})
	v.recvOf = buildCSR(n, len(owners), func(k int) int { return owners[k] })

	serviceIndex := make([]int32, len(w.services))
	v.services, owners = nil, nil
	serviceOwner := ownerOf(w.servOf, len(w.services), n)
	for k := range w.services {
		serviceIndex[k] = -1
		if s, ok := serviceAt(w.services[k], t); ok {
			serviceIndex[k] = int32(len(v.services))
			v.services = append(v.services, s)
			owners = append(owners, serviceOwner[k])
		}
	}
	v.servOf = buildCSR(n, len(owners), func(k int) int { return owners[k] })
	v.visits, v.visitOf = nil, make([]int32, n+1)
	for i := range n {
		for k := w.visitOf[i]; k < w.visitOf[i+1]; k++ {
			r := w.visits[k]
			if serviceIndex[r.service] < 0 {
				continue
			}
			r.service = serviceIndex[r.service]
			if r.status != visitPlanned && time.Unix(r.planned, 0).Add(time.Duration(r.performed)*time.Second).After(t) {
				r.status, r.performed = visitPlanned, 0
			}
			v.visits = append(v.visits, r)
		}
		v.visitOf[i+1] = int32(len(v.visits))
	}

	v.ooh, owners = filterOwned(w, w.oohOf, w.ooh, func(c domain.OutOfHoursContact) (domain.OutOfHoursContact, bool) {
		if c.EndedAt.After(t) {
			c.EndedAt = time.Time{}
		}
		return c, !c.ReceivedAt.After(t)
	})
	v.oohOf = buildCSR(n, len(owners), func(k int) int { return owners[k] })
	v.referralsAt(w, t)
	v.gpContacts, owners = filterOwned(w, w.gpcOf, w.gpContacts, func(c domain.GPContact) (domain.GPContact, bool) {
		return c, !c.At.After(t)
	})
	v.gpcOf = buildCSR(n, len(owners), func(k int) int { return owners[k] })
	v.gaps = nil
	for _, g := range w.gaps {
		if !g.DetectedAt.After(t) && !g.DischargedAt.After(t) {
			v.gaps = append(v.gaps, g)
		}
	}
	return &v
}

// encounterAt is an encounter as it stood at t; false when it had not
// begun (and was not planned).
func encounterAt(e domain.Encounter, t time.Time) (domain.Encounter, bool) {
	if e.Start.After(t) {
		return e, e.Status == domain.EncounterPlanned
	}
	if !e.End.IsZero() && e.End.After(t) {
		e.End, e.Destination = time.Time{}, ""
		if e.Status == domain.EncounterFinished || e.Status == domain.EncounterOnLeave {
			e.Status = domain.EncounterInProgress
		}
	}
	var sent []domain.HospitalNotification
	for _, n := range e.Notifications {
		if !n.SentAt.After(t) {
			sent = append(sent, n)
		}
	}
	e.Notifications = sent
	return e, true
}

// serviceAt is a service as it stood at t; false when it had not been
// granted.
func serviceAt(s domain.CareService, t time.Time) (domain.CareService, bool) {
	if s.Start.After(t) {
		return s, s.Status == domain.CareServicePlanned
	}
	if !s.End.IsZero() && s.End.After(t) {
		s.End = time.Time{}
		if s.Status == domain.CareServiceEnded {
			s.Status = domain.CareServiceActive
		}
	}
	return s, true
}

// referralsAt keeps the referrals sent by t with their history cut at t,
// and the feed's events up to t.
func (v *World) referralsAt(w *World, t time.Time) {
	index := make([]int, len(w.referrals))
	var owners []int
	v.referrals = nil
	refOwner := ownerOf(w.refOf, len(w.referrals), len(w.citizens))
	for k, r := range w.referrals {
		index[k] = -1
		if r.SentAt.After(t) {
			continue
		}
		var h []domain.ReferralStatusChange
		for _, c := range r.History {
			if !c.At.After(t) {
				h = append(h, c)
			}
		}
		r.History = h
		index[k] = len(v.referrals)
		v.referrals = append(v.referrals, r)
		owners = append(owners, refOwner[k])
	}
	v.refOf = buildCSR(len(w.citizens), len(owners), func(k int) int { return owners[k] })
	v.feed = nil
	for _, f := range w.feed {
		r := w.referrals[f.Referral]
		if index[f.Referral] < 0 || f.Change >= len(r.History) || r.History[f.Change].At.After(t) {
			continue
		}
		v.feed = append(v.feed, FeedEvent{Referral: index[f.Referral], Change: f.Change})
	}
}

// filterOwned keeps, in their order, the items keep accepts (as it changes
// them), and returns each kept item's owner.
func filterOwned[T any](w *World, idx csr, all []T, keep func(T) (T, bool)) ([]T, []int) {
	owner := ownerOf(idx, len(all), len(w.citizens))
	var out []T
	var owners []int
	for k, it := range all {
		if item, ok := keep(it); ok {
			out = append(out, item)
			owners = append(owners, owner[k])
		}
	}
	return out, owners
}

// ownerOf inverts an index: the citizen of each item.
func ownerOf(idx csr, items, citizens int) []int {
	out := make([]int, items)
	for i := range citizens {
		for _, k := range idx.of(i) {
			out[k] = i
		}
	}
	return out
}
