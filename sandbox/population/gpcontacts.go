package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// gpContactDraft is a GP contact before ids are given.
type gpContactDraft struct {
	person int
	domain.GPContact
}

// gpContactRate is contacts with the own practice per citizen and year. It is
// lower than the real Danish figure (about seven) to bound the volume; only
// consultations, phone and video, home visits and renewals are kept.
func gpContactRate(age int) float64 {
	switch {
	case age < 5:
		return 3
	case age < 18:
		return 1.2
	case age < 65:
		return 1.8
	case age < 80:
		return 3.5
	}
	return 5
}

// generateGPContacts: random contacts in opening hours (never during a stay,
// and never in a planted medication gap's cover), a contact within the
// medication cover after every discharge under the 72-hour rule, and for the
// planted gaps the first contact only after the cover ended.
func (g *gen) generateGPContacts() {
	st := g.streams.concern("gp-contacts")
	for i := range g.people {
		st.at(uint64(i))
		p := &g.people[i]
		span := g.now.Sub(g.start)
		for range poisson(st, gpContactRate(p.age)*span.Hours()/24/365) {
			at := g.start.Add(st.between(0, span)).Truncate(time.Minute)
			if !g.cal.isGPHours(at) || g.blockedForGPContact(i, at) {
				continue
			}
			g.addGPContact(st, i, at, "")
		}
		for _, pi := range g.pathwaysOf[i] {
			pw := &g.pathways[pi]
			if !g.extended(pi) {
				continue
			}
			d, cover := pw.dischargedAt, g.rules(i).MedicationCover()
			if g.plans[pi].medication {
				g.gpContactIn(st, i, interval{d.Add(cover + 2*time.Hour), d.Add(cover + 3*day)})
				continue
			}
			g.gpContactIn(st, i, interval{d.Add(2 * time.Hour), d.Add(cover - time.Hour)})
		}
	}
}

// gpContactIn places one contact in iv, in opening hours if it can, else
// in daytime on any day (a phone call from the practice); not after now.
func (g *gen) gpContactIn(st *stream, i int, iv interval) {
	var at time.Time
	for k := range 60 {
		t := iv.from.Add(st.between(0, iv.to.Sub(iv.from))).Truncate(time.Minute)
		if g.cal.isGPHours(t) {
			at = t
			break
		}
		if h := t.In(g.cal.loc).Hour(); k >= 30 && h >= 8 && h < 16 {
			at = t
			break
		}
	}
	if at.IsZero() {
		at = iv.from.Add(iv.to.Sub(iv.from) / 2).Truncate(time.Minute)
	}
	if at.After(g.now) {
		return
	}
	p := &g.people[i]
	if !p.diesAt.IsZero() && !at.Before(p.diesAt) {
		return
	}
	kind := "phone"
	if p.age >= 80 && st.chance(0.3) {
		kind = "home-visit"
	} else if st.chance(0.4) {
		kind = "consultation"
	}
	g.addGPContact(st, i, at, kind)
}

func (g *gen) blockedForGPContact(i int, t time.Time) bool {
	p := &g.people[i]
	if !p.diesAt.IsZero() && !t.Before(p.diesAt) {
		return true
	}
	if g.inStay(i, t) {
		return true
	}
	for _, pi := range g.pathwaysOf[i] {
		if !g.plans[pi].medication {
			continue
		}
		d := g.pathways[pi].dischargedAt
		if !t.Before(d) && !t.After(d.Add(g.rules(i).MedicationCover())) {
			return true
		}
	}
	return false
}

func (g *gen) addGPContact(st *stream, i int, at time.Time, kind string) {
	p := &g.people[i]
	if kind == "" {
		kind = pickFrom(st, []weighted[string]{
			{"consultation", 50}, {"phone", 30}, {"video", 8}, {"prescription-renewal", 8}, {"home-visit", 4},
		})
	}
	g.gpContacts = append(g.gpContacts, gpContactDraft{person: i, GPContact: domain.GPContact{
		CPR:      p.CPR,
		Practice: p.GP,
		At:       at,
		Kind:     kind,
	}})
}
