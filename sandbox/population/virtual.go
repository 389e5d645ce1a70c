package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// generateVirtualContacts adds eHospitalet's video consultations and home
// measurement reviews (class VR). They are not stays, so they never start a
// pathway: a follow-up after most home admissions, and some for the
// chronically ill elderly.
func (g *gen) generateVirtualContacts() {
	st := g.streams.concern("virtual")
	e := eHospitalIndex
	eh := g.hospitals[e]
	for i := range g.people {
		st.at(uint64(i))
		p := &g.people[i]
		var times []time.Time
		for _, pi := range g.pathwaysOf[i] {
			pw := &g.pathways[pi]
			if pw.discharged && pw.kind == KindHomeAdmission && !pw.died() && st.chance(0.5) {
				times = append(times, g.cal.atLocal(pw.dischargedAt.Add(time.Duration(1+st.IntN(3))*day), 10+st.IntN(5), 15*st.IntN(4)))
			}
		}
		if p.age >= 65 {
			span := g.now.Sub(g.start)
			for range poisson(st, 0.25*span.Hours()/24/365) {
				t := g.start.Add(st.between(0, span))
				times = append(times, g.cal.atLocal(t, 9+st.IntN(6), 15*st.IntN(4)))
			}
		}
		for _, t := range times {
			end := t.Add(st.between(10*time.Minute, 30*time.Minute)).Truncate(time.Minute)
			if end.After(g.now) || g.inStay(i, t) || g.inStay(i, end) || (!p.diesAt.IsZero() && !end.Before(p.diesAt)) {
				continue
			}
			g.stays = append(g.stays, stayDraft{
				person:   i,
				hospital: e,
				pathway:  -1,
				enc: domain.Encounter{
					CPR:        p.CPR,
					Class:      domain.ClassVirtual,
					Status:     domain.EncounterFinished,
					Start:      t,
					End:        end,
					Hospital:   eh.Org,
					Department: eh.Departments[0].Org,
				},
			})
		}
	}
}
