package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// plantShapes makes sure the world holds the rare shapes the pathway rules
// must be seen to handle (docs/PATHWAYS.md, "Shapes the world has") however
// the dice fell: a stay on leave now, and a death in the acute department
// (MORS after STAA). At 20,000 citizens each arises by chance only a few
// times in 120 days, and in about one world in five not at all; so when
// one is missing it is made from a stay the world already has, changing
// nothing else about that citizen. Like the planted gaps, a shape is
// planted, not hoped for. A world too small to have a candidate (a few
// thousand citizens) goes without.
func (g *gen) plantShapes() {
	st := g.streams.concern("shapes")
	g.plantLeaveNow(st.at(0))
	g.plantDeathInAcuteDepartment(st.at(1))
}

// plantLeaveNow sends one citizen admitted to a ward for a day or more,
// and still in hospital, home on leave now: STOR sent, SLOR still to come.
func (g *gen) plantLeaveNow(st *stream) {
	var candidates []int
	for si := range g.stays {
		s := &g.stays[si]
		switch {
		case s.enc.Status == domain.EncounterOnLeave:
			return // the shape is there already
		case s.enc.Status == domain.EncounterInProgress && s.enc.Class == domain.ClassInpatient &&
			!s.ward.IsZero() && s.ward.Before(g.now.Add(-day)):
			candidates = append(candidates, si)
		}
	}
	if len(candidates) == 0 {
		return
	}
	s := &g.stays[candidates[st.IntN(len(candidates))]]
	from := maxTime(s.ward.Add(day/2), g.now.Add(-st.between(2*time.Hour, 20*time.Hour))).Truncate(time.Minute)
	to := maxTime(from.Add(st.between(10*time.Hour, 40*time.Hour)), g.now.Add(2*time.Hour)).Truncate(time.Minute)
	s.leave = append(s.leave, interval{from, to})
	g.note(s, domain.NotifyLeaveStarts, from, st)
	g.note(s, domain.NotifyLeaveEnds, to, st) // not sent before now
	s.enc.Status = domain.EncounterOnLeave
}

// plantDeathInAcuteDepartment turns one citizen's last admission, which
// ends in death on a somatic ward, into an acute outpatient stay that ends
// in death hours after arrival: STAA, then MORS.
func (g *gen) plantDeathInAcuteDepartment(st *stream) {
	var candidates []int
	for si := range g.stays {
		s := &g.stays[si]
		if s.enc.Destination != domain.DischargeDeceased {
			continue
		}
		switch {
		case s.enc.Class == domain.ClassEmergency:
			return // the shape is there already
		case s.enc.Class == domain.ClassInpatient && !s.enc.Psychiatric && s.pathway >= 0 &&
			len(g.pathways[s.pathway].stays) == 1 && g.hospitals[s.hospital].department(SpecialtyAcute).Specialty == SpecialtyAcute:
			candidates = append(candidates, si)
		}
	}
	if len(candidates) == 0 {
		return
	}
	s := &g.stays[candidates[st.IntN(len(candidates))]]
	death := s.enc.End
	start := maxTime(s.enc.Start, death.Add(-st.between(time.Hour, 10*time.Hour))).Truncate(time.Minute)
	s.enc.Class = domain.ClassEmergency
	s.enc.Department = g.hospitals[s.hospital].department(SpecialtyAcute).Org
	s.enc.Start = start
	s.ward, s.leave, s.notes = time.Time{}, nil, nil
	g.note(s, domain.NotifyAcuteOutpatientStart, start, st)
	g.note(s, domain.NotifyDied, death, st)
	g.closePathway(s.pathway)
}
