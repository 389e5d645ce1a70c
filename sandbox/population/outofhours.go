package population

import (
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// SystemICPC2 is the ICPC-2 code system (urn:oid:1.2.208.176.2.31).
const SystemICPC2 = "urn:oid:1.2.208.176.2.31"

type icpc struct{ code, display string }

// Complaints seen at Lægevagten, by who calls.
var (
	complaintsChild = []weighted[icpc]{
		{icpc{"A03", "Feber"}, 30}, {icpc{"R05", "Hoste"}, 15}, {icpc{"H71", "Akut mellemørebetændelse"}, 15},
		{icpc{"D10", "Opkastning"}, 10}, {icpc{"D11", "Diarré"}, 8}, {icpc{"S18", "Flænge/snitsår"}, 8}, {icpc{"R74", "Akut øvre luftvejsinfektion"}, 14},
	}
	complaintsAdult = []weighted[icpc]{
		{icpc{"A03", "Feber"}, 10}, {icpc{"R74", "Akut øvre luftvejsinfektion"}, 12}, {icpc{"D01", "Mavesmerter/mavekramper generelle"}, 12},
		{icpc{"A11", "Brystsmerter IKA"}, 8}, {icpc{"L03", "Lændesmerter"}, 8}, {icpc{"S18", "Flænge/snitsår"}, 8},
		{icpc{"N01", "Hovedpine"}, 7}, {icpc{"U71", "Cystitis/urinvejsinfektion"}, 10}, {icpc{"P74", "Angsttilstand"}, 5},
		{icpc{"L81", "Skade i bevægeapparatet IKA"}, 8}, {icpc{"R78", "Akut bronkitis/bronkiolitis"}, 6},
	}
	complaintsElderly = []weighted[icpc]{
		{icpc{"A04", "Træthed/svækkelse"}, 12}, {icpc{"R81", "Lungebetændelse"}, 12}, {icpc{"U71", "Cystitis/urinvejsinfektion"}, 14},
		{icpc{"N17", "Svimmelhed"}, 10}, {icpc{"K77", "Hjerteinsufficiens"}, 8}, {icpc{"A11", "Brystsmerter IKA"}, 8},
		{icpc{"L81", "Skade i bevægeapparatet IKA"}, 10}, {icpc{"D01", "Mavesmerter/mavekramper generelle"}, 8}, {icpc{"A03", "Feber"}, 8},
	}
)

// oohDraft is an out-of-hours contact before ids are given.
type oohDraft struct {
	person int
	domain.OutOfHoursContact
}

// outOfHoursRate is contacts with Lægevagten per citizen and year, by age:
// about 0.39 on average, as Region Sjælland's 330,000 contacts in 2023
// (Dagens Medicin, August 2024) for its about 850,000 inhabitants.
func outOfHoursRate(age int) float64 {
	switch {
	case age < 5:
		return 1.1
	case age < 18:
		return 0.3
	case age < 65:
		return 0.3
	case age < 80:
		return 0.4
	}
	return 0.8
}

// outOfHoursSites are the consultation sites nearest each municipality.
var outOfHoursSites = map[domain.MunicipalityCode]string{
	253: "Lægevagten Køge", 259: "Lægevagten Køge", 265: "Lægevagten Roskilde", 269: "Lægevagten Køge",
	306: "Lægevagten Nykøbing Sjælland", 316: "Lægevagten Holbæk", 320: "Lægevagten Køge", 326: "Lægevagten Kalundborg",
	329: "Lægevagten Ringsted", 330: "Lægevagten Slagelse", 336: "Lægevagten Køge", 340: "Lægevagten Slagelse",
	350: "Lægevagten Roskilde", 360: "Lægevagten Nakskov", 370: "Lægevagten Næstved", 376: "Lægevagten Nykøbing Falster",
	390: "Lægevagten Vordingborg",
}

// generateOutOfHours gives citizens their contacts with Lægevagten: random
// ones (never during a stay nor in the 72 hours after a discharge), calls
// that lead to an acute stay, and the planted contacts after discharge.
func (g *gen) generateOutOfHours() {
	st := g.streams.concern("outofhours")
	for i := range g.people {
		st.at(uint64(i))
		p := &g.people[i]
		span := g.now.Sub(g.start)
		n := poisson(st, outOfHoursRate(p.age)*span.Hours()/24/365)
		for range n {
			at := g.outOfHoursTime(st, g.start.Add(st.between(0, span)))
			if !g.cal.IsOutOfHours(at) || g.blockedForOutOfHours(i, at) || at.After(g.now) {
				continue
			}
			g.addContact(st, i, at, g.randomOutcome(st, p.age))
		}
		for _, pi := range g.pathwaysOf[i] {
			g.contactBeforeStay(st, pi)
			g.plantedContact(st, pi)
		}
	}
}

// outOfHoursCallHours weigh when people call 1818: evenings after work and
// the weekend daytime, few calls after midnight.
var outOfHoursCallHours = []float64{
	2, 1.3, 1, 0.8, 0.7, 0.8, 1.2, 2.5, // 00-07
	5, 6, 6.5, 6.5, 6, 5.5, 5.5, 5.5, // 08-15 (weekends and holidays)
	7, 8, 8.5, 8, 7, 6, 4.5, 3, // 16-23
}

// outOfHoursTime is a call on t's local date at an hour drawn like 1818
// calls come in; on a working day the daytime hours are not drawn.
func (g *gen) outOfHoursTime(st *stream, t time.Time) time.Time {
	w := outOfHoursCallHours
	if !g.cal.isHoliday(t.In(g.cal.loc)) {
		w = slices.Clone(w)
		for h := 8; h < 16; h++ {
			w[h] = 0
		}
	}
	return g.cal.onDateAt(st, t, w)
}

// blockedForOutOfHours keeps random contacts out of stays, out of every
// discharge's 72-hour window, and out of the time after death.
func (g *gen) blockedForOutOfHours(i int, t time.Time) bool {
	p := &g.people[i]
	if !p.diesAt.IsZero() && !t.Before(p.diesAt) {
		return true
	}
	if g.inStay(i, t) {
		return true
	}
	for _, pi := range g.pathwaysOf[i] {
		pw := &g.pathways[pi]
		if pw.discharged && t.After(pw.dischargedAt) && !t.After(pw.dischargedAt.Add(g.rules(i).OutOfHoursWithin)) {
			return true
		}
	}
	return false
}

// contactBeforeStay: an acute stay that starts out of hours often began
// with a call to Lægevagten an hour before.
func (g *gen) contactBeforeStay(st *stream, pi int) {
	pw := &g.pathways[pi]
	first := &g.stays[pw.stays[0]]
	acute := len(first.notes) > 0 && first.notes[0].code == domain.NotifyAcuteOutpatientStart
	if !acute && first.enc.Class != domain.ClassHomeHealth {
		return
	}
	if !st.chance(0.25) {
		return
	}
	at := first.enc.Start.Add(-st.between(30*time.Minute, 90*time.Minute)).Truncate(time.Minute)
	if !g.cal.IsOutOfHours(at) || g.blockedForOutOfHours(pw.person, at) {
		return
	}
	outcome := domain.OutcomeAcuteReferral
	switch {
	case first.enc.Class == domain.ClassHomeHealth:
		outcome = domain.OutcomeEHospital
	case st.chance(0.2):
		outcome = domain.OutcomeAmbulance
	}
	g.addContact(st, pw.person, at, outcome)
}

// plantedContact puts a contact in the 72 hours after a planned discharge.
func (g *gen) plantedContact(st *stream, pi int) {
	if !g.plans[pi].outOfHours {
		return
	}
	pw := &g.pathways[pi]
	d := pw.dischargedAt
	last := d.Add(g.rules(pw.person).OutOfHoursWithin - time.Hour)
	if !pw.readmittedAt.IsZero() && pw.readmittedAt.Add(-time.Hour).Before(last) {
		last = pw.readmittedAt.Add(-time.Hour) // the call before the new stay
	}
	for range 200 {
		at := d.Add(st.between(time.Hour, last.Sub(d))).Truncate(time.Minute)
		if !g.cal.IsOutOfHours(at) || g.inStay(pw.person, at) {
			continue
		}
		outcome := []domain.TriageOutcome{domain.OutcomePhoneAdvice, domain.OutcomeClinicAppointment, domain.OutcomeHomeVisit, domain.OutcomeMunicipalAcute}[st.IntN(4)]
		g.addContact(st, pw.person, at, outcome)
		g.plant(pi, GapOutOfHoursAfterDischarge, at)
		return
	}
}

func (g *gen) randomOutcome(st *stream, age int) domain.TriageOutcome {
	w := []weighted[domain.TriageOutcome]{
		{domain.OutcomePhoneAdvice, 56}, {domain.OutcomeClinicAppointment, 28}, {domain.OutcomeHomeVisit, 5},
		{domain.OutcomeAcuteReferral, 5}, {domain.OutcomeAmbulance, 1}, {domain.OutcomeEHospital, 2}, {domain.OutcomeMunicipalAcute, 2},
	}
	if age >= 75 {
		w[2].w, w[6].w, w[5].w = 14, 8, 5
	}
	return pickFrom(st, w)
}

func (g *gen) addContact(st *stream, i int, at time.Time, outcome domain.TriageOutcome) {
	p := &g.people[i]
	complaints := complaintsAdult
	switch {
	case p.age < 15:
		complaints = complaintsChild
	case p.age >= 70:
		complaints = complaintsElderly
	}
	c := pickFrom(st, complaints)
	urgency := domain.UrgencyNonUrgent
	switch outcome {
	case domain.OutcomeAmbulance:
		urgency = domain.UrgencyAcute
	case domain.OutcomeAcuteReferral, domain.OutcomeHomeVisit, domain.OutcomeEHospital, domain.OutcomeMunicipalAcute:
		urgency = domain.UrgencyUrgent
	default:
		if st.chance(0.2) {
			urgency = domain.UrgencyUrgent
		}
	}
	triage := "nurse"
	if st.chance(0.4) {
		triage = "doctor"
	}
	started := at.Add(st.between(time.Minute, 20*time.Minute)).Truncate(time.Second)
	site := "1818"
	switch outcome {
	case domain.OutcomeClinicAppointment:
		started = at.Add(st.between(30*time.Minute, 2*time.Hour)).Truncate(time.Second)
		site = outOfHoursSites[p.Address.Municipality]
	case domain.OutcomeHomeVisit:
		started = at.Add(st.between(time.Hour, 3*time.Hour)).Truncate(time.Second)
		site = "Lægevagten, kørende læge"
	}
	ended := started.Add(st.between(4*time.Minute, 30*time.Minute)).Truncate(time.Second)
	if started.After(g.now) {
		started = at // the call is still waiting: it started when received
	}
	if ended.After(g.now) {
		ended = time.Time{}
	}
	g.ooh = append(g.ooh, oohDraft{person: i, OutOfHoursContact: domain.OutOfHoursContact{
		CPR:        p.CPR,
		ReceivedAt: at,
		TriageBy:   triage,
		Complaint:  domain.Coding{System: SystemICPC2, Code: c.code, Display: c.display},
		Urgency:    urgency,
		Outcome:    outcome,
		StartedAt:  started,
		EndedAt:    ended,
		Site:       site,
	}})
}

// poisson draws a Poisson count with mean lambda (Knuth; lambda is small).
func poisson(st *stream, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	n := 0
	for t := st.ExpFloat64(); t < lambda; t += st.ExpFloat64() {
		n++
	}
	return n
}
