package population

import (
	"math"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// stayDraft is one encounter while the world is generated.
type stayDraft struct {
	person   int
	hospital int // index into gen.hospitals
	enc      domain.Encounter
	notes    []noteDraft
	leave    []interval
	pathway  int // index into gen.pathways; -1 for encounters outside any (VR, entered in error)
	// ward is when the STIN says the patient was admitted (zero without one).
	ward time.Time
}

// noteDraft is a HospitalNotification before ids are given.
type noteDraft struct {
	code       domain.NotificationCode
	occurredAt time.Time
	sentAt     time.Time
	replaces   int // index into the same stay's notes, -1 for none
}

// pathwayShape is how a pathway runs.
type pathwayShape int

const (
	shapeAcuteOutpatient  pathwayShape = iota // EMER, STAA..SLHJ
	shapeAcuteToAdmission                     // STAA then STIN in one encounter
	shapeAdmission                            // IMP
	shapeTransfer                             // IMP, other-hospital, IMP elsewhere
	shapeHomeAdmission                        // eHospitalet HH
	shapePsychiatric                          // IMP in psychiatry
)

// shapeMix weighs the shapes by age. About three in four admissions are
// acute (Ugeskrift for Læger 2018;180:V70326: acute admissions were 75 % of
// all admissions 2008-2017); an acute admission starts in the acute
// department (STAA) and continues on a ward (STIN).
func shapeMix(age int) []float64 {
	switch {
	case age < 18:
		return []float64{0.62, 0.22, 0.07, 0.01, 0, 0.04}
	case age < 65:
		return []float64{0.45, 0.26, 0.11, 0.04, 0.03, 0.06}
	case age < 80:
		return []float64{0.30, 0.38, 0.14, 0.06, 0.08, 0.02}
	}
	return []float64{0.22, 0.46, 0.12, 0.06, 0.11, 0.01}
}

// readmissionShapes weigh the next stay when a citizen comes back within 30
// days: mostly acute.
var readmissionShapes = []float64{0.18, 0.66, 0.04, 0.02, 0.08, 0.02}

// pathwayRate is how many pathways a citizen starts per day, by age:
// the old are admitted far more often. Together with the 31-day spacing it
// gives roughly 1,000-1,500 stays per 20,000 citizens in 120 days.
func pathwayRate(age int) float64 {
	var perYear float64
	switch {
	case age < 5:
		perYear = 0.20
	case age < 18:
		perYear = 0.07
	case age < 45:
		perYear = 0.10
	case age < 65:
		perYear = 0.14
	case age < 75:
		perYear = 0.26
	case age < 85:
		perYear = 0.48
	default:
		perYear = 0.75
	}
	return perYear / 365
}

// readmissionChance is how often the generator brings a discharged citizen
// back within the readmission window, by age: calibrated so that the share
// of somatic admissions of the 65+ followed by an acute somatic readmission
// within 30 days lands in the middle of the published range
// (Sundhedsdatastyrelsen 2020: 11 % to 22 % between the tenth of GPs with
// fewest and most, 2018; the world gives 16.4 % on average over 60 dates
// and two seeds), and
// psychiatric admissions near the published 23 % (Sundhedsdatastyrelsen,
// Genindlæggelser i det psykiatriske sundhedsvæsen, 2017).
func readmissionChance(age int, psychiatric bool) float64 {
	switch {
	case psychiatric:
		return 0.3
	case age >= 80:
		return 0.31
	case age >= 65:
		return 0.26
	case age >= 18:
		return 0.11
	}
	return 0.06
}

func (g *gen) generateStays() {
	st := g.streams.concern("stays")
	re := g.streams.concern("gap/" + string(GapReadmittedWithin30d))
	for i := range g.people {
		g.staysOf(i, st.at(uint64(i)), re.at(uint64(i)))
	}
}

// staysOf lays out one citizen's pathways in time. Pathways never overlap;
// a pathway starts at least FollowUp + 1 day after the previous discharge,
// unless the citizen comes back within the readmission window: then the next
// stay starts 4 to 29 days after it, or — one time in five — inside the
// first 72 hours.
func (g *gen) staysOf(i int, st, re *stream) {
	p := &g.people[i]
	r := g.rules(i)
	rate := pathwayRate(p.age)
	// latestDischarge bounds the discharges of ordinary pathways.
	latestDischarge := g.now
	var terminalStart time.Time
	if !p.diesAt.IsZero() {
		latestDischarge = p.diesAt
		if p.diesInHospital {
			terminalStart = p.diesAt.Add(-st.between(12*time.Hour, 8*day)).Truncate(time.Minute)
			if terminalStart.Before(g.start) {
				terminalStart = g.start
			}
			latestDischarge = terminalStart.Add(-r.FollowUp - day)
		}
	}
	t := g.start.Add(st.exp(rate)).Truncate(time.Minute)
	back := -1 // the pathway the next one readmits
	for t.Before(g.now) && t.Before(latestDischarge) {
		mark := g.mark()
		shape := g.pickShape(st, p)
		if back >= 0 {
			shape = pathwayShape(st.pick(readmissionShapes))
			switch {
			case g.pathways[back].psychiatric && st.chance(0.8):
				shape = shapePsychiatric // psychiatric patients come back to psychiatry
			case shape == shapePsychiatric && !g.pathways[back].psychiatric:
				shape = shapeAcuteToAdmission
			}
		}
		pi := len(g.pathways)
		pw := g.buildPathway(st, i, t, shape)
		if pw.start.After(g.now) || !p.diesAt.IsZero() && (!pw.discharged || !pw.dischargedAt.Before(latestDischarge)) {
			g.rollback(mark)
			break
		}
		if back >= 0 {
			g.pathways[back].readmittedAt, g.pathways[back].readmittedBy = pw.start, pi
			back = -1
		}
		if !pw.discharged {
			break // ongoing at now
		}
		d := pw.dischargedAt
		if p.diesAt.IsZero() && !d.Add(r.ReadmissionWithin).After(g.now) && re.chance(readmissionChance(p.age, pw.psychiatric)) {
			after := re.between(4*day, r.ReadmissionWithin-day)
			if re.chance(0.2) {
				after = re.between(8*time.Hour, 70*time.Hour)
			}
			t = d.Add(after).Truncate(time.Minute)
			back = pi
			continue
		}
		t = d.Add(r.FollowUp + day).Add(st.exp(rate)).Truncate(time.Minute)
	}
	if !terminalStart.IsZero() {
		shape := shapeAdmission
		switch {
		case p.age >= 70 && st.chance(0.1):
			shape = shapeHomeAdmission
		case st.chance(0.15):
			shape = shapeAcuteOutpatient // dies in the acute department: MORS after STAA
		}
		g.buildTerminalPathway(st, i, terminalStart, p.diesAt, shape)
	}
}

func (g *gen) pickShape(st *stream, p *person) pathwayShape {
	return pathwayShape(st.pick(shapeMix(p.age)))
}

// mark and rollback undo a pathway that does not fit a dying citizen's life.
type genMark struct{ stays, pathways int }

func (g *gen) mark() genMark { return genMark{len(g.stays), len(g.pathways)} }

func (g *gen) rollback(m genMark) {
	g.stays = g.stays[:m.stays]
	g.pathways = g.pathways[:m.pathways]
}

// lengthOfStay draws an admission's length: log-normal around a median that
// grows with age, between 6 hours and 40 days.
func lengthOfStay(st *stream, age int) time.Duration {
	median := 2.0
	switch {
	case age >= 80:
		median = 5
	case age >= 65:
		median = 3.5
	}
	days := median * math.Exp(0.8*st.NormFloat64())
	days = min(max(days, 0.25), 40)
	return time.Duration(days * float64(day)).Truncate(time.Minute)
}

// pickHospital is the acute hospital of the citizen's cluster; now and then
// another acute hospital of the region.
func (g *gen) pickHospital(st *stream, p *person) int {
	home := g.homeHospital[p.muni]
	if st.chance(0.88) {
		return home
	}
	other := st.IntN(len(acuteHospitals) - 1)
	if other >= home {
		other++
	}
	return other
}

func (g *gen) wardFor(st *stream, h Hospital, age int) Department {
	if age < 18 {
		return h.department(SpecialtyPaediatric)
	}
	u := st.Float64()
	switch {
	case u < 0.45:
		if age >= 75 && st.chance(0.5) {
			return h.department(SpecialtyGeriatric)
		}
		return h.department(SpecialtyMedical)
	case u < 0.70:
		return h.department(SpecialtySurgical)
	}
	return h.department(SpecialtyOrthopaedic)
}

// destination draws where a finished stay sends the patient.
func destination(st *stream, shape pathwayShape, age int) domain.DischargeDestination {
	switch shape {
	case shapeAcuteOutpatient:
		p := 0.03
		if age < 18 {
			p = 0
		}
		if age >= 75 {
			p = 0.15
		}
		if st.chance(p) {
			return domain.DischargeHomeNursing
		}
		return domain.DischargeHome
	case shapePsychiatric:
		if age >= 18 && st.chance(0.1) {
			return domain.DischargeHomeNursing
		}
		return domain.DischargeHome
	}
	var w []weighted[domain.DischargeDestination]
	switch {
	case age < 18:
		return domain.DischargeHome // children go home to their parents; no municipal home nursing
	case age < 65:
		w = []weighted[domain.DischargeDestination]{{domain.DischargeHome, 85}, {domain.DischargeHomeNursing, 12}, {domain.DischargeTemporaryBed, 3}}
	case age < 80:
		w = []weighted[domain.DischargeDestination]{{domain.DischargeHome, 55}, {domain.DischargeHomeNursing, 32}, {domain.DischargeTemporaryBed, 8}, {domain.DischargeNursingHome, 5}}
	default:
		w = []weighted[domain.DischargeDestination]{{domain.DischargeHome, 30}, {domain.DischargeHomeNursing, 45}, {domain.DischargeTemporaryBed, 13}, {domain.DischargeNursingHome, 12}}
	}
	return pickFrom(st, w)
}
