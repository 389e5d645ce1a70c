package population

import (
	"math"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Rates of corrections and cancellations among the notifications.
const (
	reviseAdmissionRate = 0.02  // STIN sent with a wrong time, then RE_STIN
	reviseDischargeRate = 0.03  // SLHJ sent with a wrong time, then RE_SLHJ
	sentInErrorRate     = 0.015 // a duplicate encounter: STIN in error, then AN_STIN
)

// buildPathway lays out one pathway of a shape from about t: acute stays
// arrive at an acute department's hours, planned ones on weekday mornings,
// and wards discharge in the daytime (calendar.dischargeAt).
func (g *gen) buildPathway(st *stream, i int, t time.Time, shape pathwayShape) *pathwayDraft {
	pi := len(g.pathways)
	g.pathways = append(g.pathways, pathwayDraft{person: i, start: t, readmittedBy: -1})
	d := draftStart{st: st, pi: pi, p: &g.people[i], t: t, notBefore: t.Add(-time.Minute)}
	switch shape {
	case shapeAcuteOutpatient:
		g.acuteOutpatient(d)
	case shapeAcuteToAdmission:
		g.acuteToAdmission(d)
	case shapeAdmission:
		g.plannedAdmission(d)
	case shapeTransfer:
		g.transfer(d)
	case shapeHomeAdmission:
		g.homeAdmission(d)
	case shapePsychiatric:
		g.psychiatric(d)
	}
	return g.closePathway(pi)
}

// draftStart is where a pathway's stays begin: its stream, its index, its
// person, about when, and not before when.
type draftStart struct {
	st        *stream
	pi        int
	p         *person
	t         time.Time
	notBefore time.Time
}

// acuteOutpatient lays out an acute outpatient stay at the acute department,
// kept until the morning when it would end in the night.
func (g *gen) acuteOutpatient(d draftStart) {
	st, pi, p, t, notBefore := d.st, d.pi, d.p, d.t, d.notBefore
	h := g.pickHospital(st, p)
	at := g.cal.acuteArrival(st, t, notBefore)
	s := g.newStay(pi, h, g.hospitals[h].department(SpecialtyAcute), domain.ClassEmergency, at)
	g.note(s, domain.NotifyAcuteOutpatientStart, at, st)
	end := at.Add(st.between(2*time.Hour, 8*time.Hour))
	if hr := end.In(g.cal.loc).Hour(); hr < 7 && st.chance(0.85) {
		end = g.cal.atLocal(end, 7+st.IntN(3), st.IntN(60)) // kept for observation until the morning
	}
	g.endStay(st, s, end, destination(st, shapeAcuteOutpatient, p.age))
}

// acuteToAdmission lays out an acute outpatient stay that becomes an
// admission to a ward (still acute at now if the admission is later).
func (g *gen) acuteToAdmission(d draftStart) {
	st, pi, p, t, notBefore := d.st, d.pi, d.p, d.t, d.notBefore
	h := g.pickHospital(st, p)
	at := g.cal.acuteArrival(st, t, notBefore)
	s := g.newStay(pi, h, g.wardFor(st, g.hospitals[h], p.age), domain.ClassInpatient, at)
	g.note(s, domain.NotifyAcuteOutpatientStart, at, st)
	admitted := at.Add(st.between(2*time.Hour, 8*time.Hour)).Truncate(time.Minute)
	if admitted.After(g.now) {
		// Still an acute outpatient stay at now.
		s.enc.Class = domain.ClassEmergency
		s.enc.Department = g.hospitals[h].department(SpecialtyAcute).Org
	} else {
		g.admissionNote(s, admitted, st)
	}
	end := g.cal.dischargeAt(st, admitted.Add(lengthOfStay(st, p.age)), admitted.Add(4*time.Hour))
	s.enc.End = end // addLeave needs the planned end
	g.addLeave(st, s, 0.12)
	g.endStay(st, s, end, destination(st, shapeAcuteToAdmission, p.age))
}

// plannedAdmission lays out a planned admission on a weekday morning; now
// and then a duplicate encounter sent in error.
func (g *gen) plannedAdmission(d draftStart) {
	st, pi, p, t, notBefore := d.st, d.pi, d.p, d.t, d.notBefore
	h := g.pickHospital(st, p)
	at := g.cal.plannedStart(st, t, notBefore)
	s := g.newStay(pi, h, g.wardFor(st, g.hospitals[h], p.age), domain.ClassInpatient, at)
	g.admissionNote(s, at, st)
	end := g.cal.dischargeAt(st, at.Add(lengthOfStay(st, p.age)), at.Add(4*time.Hour))
	s.enc.End = end // addLeave needs the planned end
	g.addLeave(st, s, 0.15)
	g.endStay(st, s, end, destination(st, shapeAdmission, p.age))
	if st.chance(sentInErrorRate) {
		g.sentInError(st, s)
	}
}

// transfer lays out an acute admission at the home hospital, then a transfer
// to another acute hospital's ward.
func (g *gen) transfer(d draftStart) {
	st, pi, p, t, notBefore := d.st, d.pi, d.p, d.t, d.notBefore
	h := g.homeHospital[p.muni]
	at := g.cal.acuteArrival(st, t, notBefore)
	first := g.newStay(pi, h, g.wardFor(st, g.hospitals[h], p.age), domain.ClassInpatient, at)
	g.admissionNote(first, at, st)
	end1 := g.cal.dischargeAt(st, at.Add(st.between(8*time.Hour, 3*day)), at.Add(4*time.Hour))
	start2 := end1.Add(st.between(time.Hour, 5*time.Hour)).Truncate(time.Minute)
	if start2.After(g.now) {
		g.endStay(st, first, farFuture, "")
		return
	}
	g.endStay(st, first, end1, domain.DischargeOtherHospital)
	other := (h + 1 + st.IntN(len(acuteHospitals)-1)) % len(acuteHospitals)
	ward := g.hospitals[other].department([]Specialty{SpecialtySurgical, SpecialtyOrthopaedic, SpecialtyMedical}[st.IntN(3)])
	if p.age < 18 {
		ward = g.hospitals[other].department(SpecialtyPaediatric)
	}
	second := g.newStay(pi, other, ward, domain.ClassInpatient, start2)
	g.admissionNote(second, start2, st)
	// The last stay of a transfer lasts over a day, so the stay counts
	// as long however one measures it (pathway or last encounter).
	g.endStay(st, second, g.cal.dischargeAt(st, start2.Add(st.between(36*time.Hour, 10*day)), start2.Add(36*time.Hour)), destination(st, shapeTransfer, p.age))
}

// homeAdmission lays out an eHospitalet home admission, in the daytime.
func (g *gen) homeAdmission(d draftStart) {
	st, pi, p, t, notBefore := d.st, d.pi, d.p, d.t, d.notBefore
	e := eHospitalIndex
	at := g.cal.onDateAt(st, t, dayHours)
	for !at.After(notBefore) {
		at = g.cal.onDateAt(st, at.Add(day), dayHours)
	}
	s := g.newStay(pi, e, g.hospitals[e].Departments[0], domain.ClassHomeHealth, at)
	g.admissionNote(s, at, st)
	g.endStay(st, s, g.cal.dischargeAt(st, at.Add(st.between(2*day, 10*day)), at.Add(2*day)), destination(st, shapeHomeAdmission, p.age))
}

// psychiatric lays out an acute psychiatric arrival, admitted within hours,
// for days to weeks.
func (g *gen) psychiatric(d draftStart) {
	st, pi, p, t, notBefore := d.st, d.pi, d.p, d.t, d.notBefore
	dept := g.hospitals[psychiatryIndex].Departments[childPsychiatry]
	if p.age >= 18 {
		dept = g.hospitals[psychiatryIndex].Departments[acuteHospitals[g.homeHospital[p.muni]].psychiatric]
	}
	at := g.cal.acuteArrival(st, t, notBefore)
	s := g.newStay(pi, psychiatryIndex, dept, domain.ClassInpatient, at)
	g.note(s, domain.NotifyAcuteOutpatientStart, at, st) // the psychiatric acute department
	admitted := at.Add(st.between(time.Hour, 4*time.Hour)).Truncate(time.Minute)
	if admitted.After(g.now) {
		s.enc.Class = domain.ClassEmergency
	} else {
		g.admissionNote(s, admitted, st)
	}
	days := min(max(12*math.Exp(0.6*st.NormFloat64()), 3), 60)
	end := g.cal.dischargeAt(st, admitted.Add(time.Duration(days*float64(day))), admitted.Add(2*day))
	s.enc.End = end
	g.addLeaves(st, s)
	g.endStay(st, s, end, destination(st, shapePsychiatric, p.age))
}

// buildTerminalPathway is the last stay of a citizen who dies in hospital:
// an admission, an eHospitalet home admission, or an acute outpatient stay
// that ends in death (MORS after STAA).
func (g *gen) buildTerminalPathway(st *stream, i int, start, death time.Time, shape pathwayShape) *pathwayDraft {
	p := &g.people[i]
	pi := len(g.pathways)
	g.pathways = append(g.pathways, pathwayDraft{person: i, start: start, readmittedBy: -1})
	var s *stayDraft
	switch shape {
	case shapeHomeAdmission:
		s = g.newStay(pi, eHospitalIndex, g.hospitals[eHospitalIndex].Departments[0], domain.ClassHomeHealth, start)
		g.admissionNote(s, start, st)
	case shapeAcuteOutpatient:
		start = maxTime(g.start, death.Add(-st.between(time.Hour, 10*time.Hour))).Truncate(time.Minute)
		g.pathways[pi].start = start
		h := g.homeHospital[p.muni]
		s = g.newStay(pi, h, g.hospitals[h].department(SpecialtyAcute), domain.ClassEmergency, start)
		g.note(s, domain.NotifyAcuteOutpatientStart, start, st)
	default:
		h := g.homeHospital[p.muni]
		ward := g.hospitals[h].department(SpecialtyMedical)
		switch {
		case p.age < 18:
			ward = g.hospitals[h].department(SpecialtyPaediatric)
		case p.age >= 75:
			ward = g.hospitals[h].department(SpecialtyGeriatric)
		}
		s = g.newStay(pi, h, ward, domain.ClassInpatient, start)
		g.admissionNote(s, start, st)
	}
	g.endStay(st, s, death, domain.DischargeDeceased)
	return g.closePathway(pi)
}

func (g *gen) newStay(pathway, hospital int, dept Department, class domain.EncounterClass, start time.Time) *stayDraft {
	person := g.pathways[pathway].person
	g.stays = append(g.stays, stayDraft{
		person:   person,
		hospital: hospital,
		pathway:  pathway,
		enc: domain.Encounter{
			CPR:         g.people[person].CPR,
			Class:       class,
			Status:      domain.EncounterInProgress,
			Start:       start,
			Hospital:    g.hospitals[hospital].Org,
			Department:  dept.Org,
			Psychiatric: dept.Psychiatric(),
		},
	})
	g.pathways[pathway].stays = append(g.pathways[pathway].stays, len(g.stays)-1)
	return &g.stays[len(g.stays)-1]
}

// note records a notification sent a few minutes after the event.
func (g *gen) note(s *stayDraft, code domain.NotificationCode, at time.Time, st *stream) int {
	s.notes = append(s.notes, noteDraft{
		code:       code,
		occurredAt: at,
		sentAt:     at.Add(st.between(time.Minute, 15*time.Minute)).Truncate(time.Second),
		replaces:   -1,
	})
	return len(s.notes) - 1
}

// admissionNote sends STIN, sometimes first with a wrong time and then
// corrected by RE_STIN.
func (g *gen) admissionNote(s *stayDraft, at time.Time, st *stream) {
	s.ward = at
	if !st.chance(reviseAdmissionRate) {
		g.note(s, domain.NotifyAdmitted, at, st)
		return
	}
	wrong := g.note(s, domain.NotifyAdmitted, at.Add(time.Hour), st)
	s.notes = append(s.notes, noteDraft{
		code:       "RE_" + domain.NotifyAdmitted,
		occurredAt: at,
		sentAt:     s.notes[wrong].sentAt.Add(st.between(time.Hour, 3*time.Hour)).Truncate(time.Second),
		replaces:   wrong,
	})
}

// addLeave gives a long stay a leave (STOR ... SLOR) with probability p:
// from 10:00 one day to 18:00 the next, well inside the stay.
func (g *gen) addLeave(st *stream, s *stayDraft, p float64) {
	if s.enc.End.IsZero() || s.enc.End.Sub(s.enc.Start) < 5*day || !st.chance(p) {
		return
	}
	days := int(s.enc.End.Sub(s.enc.Start) / day)
	k := 1 + st.IntN(days-3)
	from := g.cal.atLocal(s.enc.Start.Add(time.Duration(k)*day), 10, 0)
	to := g.cal.atLocal(from.Add(day), 18, 0)
	if !to.Before(s.enc.End.Add(-12 * time.Hour)) {
		return
	}
	s.leave = append(s.leave, interval{from, to})
	g.note(s, domain.NotifyLeaveStarts, from, st)
	g.note(s, domain.NotifyLeaveEnds, to, st)
}

// addLeaves gives a psychiatric stay its leaves: from the fifth day on,
// now and then a leave of 8 to 30 hours (home for a night or a weekend),
// each ending well before the discharge.
func (g *gen) addLeaves(st *stream, s *stayDraft) {
	if s.enc.End.IsZero() {
		return
	}
	for from := s.enc.Start.Add(3*day + st.between(0, 2*day)); ; from = from.Add(st.between(2*day, 4*day)) {
		from = g.cal.atLocal(from, 10+st.IntN(7), 0)
		to := from.Add(st.between(10*time.Hour, 40*time.Hour)).Truncate(time.Minute)
		if !to.Before(s.enc.End.Add(-12 * time.Hour)) {
			return
		}
		s.leave = append(s.leave, interval{from, to})
		g.note(s, domain.NotifyLeaveStarts, from, st)
		g.note(s, domain.NotifyLeaveEnds, to, st)
	}
}

// endStay finishes a stay at end with a destination, or leaves it ongoing
// when end is after now.
func (g *gen) endStay(st *stream, s *stayDraft, end time.Time, dest domain.DischargeDestination) {
	end = end.Truncate(time.Minute)
	if end.After(g.now) {
		s.enc.End = time.Time{}
		s.enc.Status = domain.EncounterInProgress
		for _, l := range s.leave {
			if l.contains(g.now) {
				s.enc.Status = domain.EncounterOnLeave
			}
		}
		return
	}
	s.enc.End = end
	s.enc.Status = domain.EncounterFinished
	s.enc.Destination = dest
	switch dest {
	case domain.DischargeOtherHospital:
		// A transfer is not a discharge to the primary sector: no SLHJ;
		// the receiving hospital sends STIN.
	case domain.DischargeDeceased:
		g.note(s, domain.NotifyDied, end, st)
	default:
		if !st.chance(reviseDischargeRate) {
			g.note(s, domain.NotifyDischarged, end, st)
			return
		}
		wrong := g.note(s, domain.NotifyDischarged, end.Add(-30*time.Minute), st)
		s.notes[wrong].sentAt = end.Add(st.between(time.Minute, 10*time.Minute)).Truncate(time.Second)
		s.notes = append(s.notes, noteDraft{
			code:       "RE_" + domain.NotifyDischarged,
			occurredAt: end,
			sentAt:     end.Add(st.between(25*time.Minute, 40*time.Minute)).Truncate(time.Second),
			replaces:   wrong,
		})
	}
}

// sentInError adds a duplicate registration of the stay: an encounter whose
// STIN was sent in error and cancelled by AN_STIN, now entered-in-error.
func (g *gen) sentInError(st *stream, real *stayDraft) {
	start := real.enc.Start.Add(st.between(3*time.Minute, 15*time.Minute)).Truncate(time.Minute)
	person, hospital, dept := real.person, real.hospital, real.enc.Department
	psych := real.enc.Psychiatric
	g.stays = append(g.stays, stayDraft{
		person:   person,
		hospital: hospital,
		pathway:  -1,
		enc: domain.Encounter{
			CPR:         g.people[person].CPR,
			Class:       domain.ClassInpatient,
			Status:      domain.EncounterEnteredInError,
			Start:       start,
			Hospital:    g.hospitals[hospital].Org,
			Department:  dept,
			Psychiatric: psych,
		},
	})
	s := &g.stays[len(g.stays)-1]
	first := g.note(s, domain.NotifyAdmitted, start, st)
	cancelAt := s.notes[first].sentAt.Add(st.between(20*time.Minute, 2*time.Hour)).Truncate(time.Second)
	if cancelAt.After(g.now) {
		g.stays = g.stays[:len(g.stays)-1]
		return
	}
	s.notes = append(s.notes, noteDraft{code: "AN_" + domain.NotifyAdmitted, occurredAt: start, sentAt: cancelAt, replaces: first})
	s.enc.End = cancelAt.Truncate(time.Minute)
}

// closePathway derives the pathway's kind and discharge from its stays.
func (g *gen) closePathway(pi int) *pathwayDraft {
	pw := &g.pathways[pi]
	pw.kind = KindAcuteOutpatient
	for _, si := range pw.stays {
		s := &g.stays[si]
		switch s.enc.Class {
		case domain.ClassHomeHealth:
			pw.kind = KindHomeAdmission
		case domain.ClassInpatient:
			if pw.kind != KindHomeAdmission {
				pw.kind = KindAdmission
			}
		}
		if s.enc.Psychiatric {
			pw.psychiatric = true
		}
	}
	first := &g.stays[pw.stays[0]]
	pw.start = first.enc.Start
	pw.acute = len(first.notes) > 0 && first.notes[0].code == domain.NotifyAcuteOutpatientStart
	pw.wardAt = pw.start
	for _, si := range pw.stays {
		if s := &g.stays[si]; s.enc.Class == domain.ClassInpatient || s.enc.Class == domain.ClassHomeHealth {
			pw.wardAt = maxTime(s.enc.Start, s.ward)
			break
		}
	}
	last := &g.stays[pw.stays[len(pw.stays)-1]]
	if last.enc.Status == domain.EncounterFinished && last.enc.Destination != domain.DischargeOtherHospital {
		pw.discharged = true
		pw.dischargedAt = last.enc.End
		pw.destination = last.enc.Destination
	}
	return pw
}
