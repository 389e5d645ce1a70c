package population

import (
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// SystemFSIII is the FSIII code system (urn:oid:1.2.208.176.2.21).
const SystemFSIII = "urn:oid:1.2.208.176.2.21"

// fsiiiService is one service of the catalogue with the rhythm of its
// visits. Codes follow the scheme DOMAIN.md names (personal care H1.x,
// practical help H1.7-H1.10, nursing G1.x); the displays are plain Danish
// descriptions, not the official catalogue text.
type fsiiiService struct {
	code, display string
	law           domain.LawSection
	// times are the local visit times on a visit day; weekdays restricts
	// the days (nil: every day); everyWeeks spaces them further.
	times      [][2]int
	weekdays   []time.Weekday
	everyWeeks int
}

var (
	svcHygiene     = fsiiiService{"H1.1", "Personlig hygiejne", domain.ServicePersonalCare, [][2]int{{7, 30}, {21, 0}}, nil, 1}
	svcDressing    = fsiiiService{"H1.2", "Af- og påklædning", domain.ServicePersonalCare, [][2]int{{7, 45}, {20, 30}}, nil, 1}
	svcCleaning    = fsiiiService{"H1.7", "Rengøring", domain.ServicePersonalCare, [][2]int{{10, 0}}, []time.Weekday{time.Tuesday}, 2}
	svcLaundry     = fsiiiService{"H1.8", "Tøjvask", domain.ServicePersonalCare, [][2]int{{11, 0}}, []time.Weekday{time.Thursday}, 1}
	svcShopping    = fsiiiService{"H1.9", "Indkøb", domain.ServicePersonalCare, [][2]int{{13, 0}}, []time.Weekday{time.Monday}, 1}
	svcMeals       = fsiiiService{"H1.10", "Tilberedning af måltider", domain.ServicePersonalCare, [][2]int{{17, 0}}, []time.Weekday{time.Monday, time.Wednesday, time.Friday}, 1}
	svcIV          = fsiiiService{"G1.17", "Intravenøs behandling", domain.ServiceNursing, [][2]int{{8, 0}, {20, 0}}, nil, 1}
	svcMedication  = fsiiiService{"G1.20", "Medicinadministration", domain.ServiceNursing, [][2]int{{8, 30}, {19, 30}}, nil, 1}
	svcWoundCare   = fsiiiService{"G1.39", "Sårbehandling", domain.ServiceNursing, [][2]int{{11, 30}}, []time.Weekday{time.Monday, time.Wednesday, time.Friday}, 1}
	fsiiiCatalogue = []fsiiiService{svcHygiene, svcDressing, svcCleaning, svcLaundry, svcShopping, svcMeals, svcIV, svcMedication, svcWoundCare}
)

// serviceDraft is a granted service and where its visits come from.
type serviceDraft struct {
	domain.CareService
	person int
	kind   fsiiiService
}

// routine visits are generated in [now-35d, now+7d) only, to bound volume.
const (
	visitHistory = 35 * day
	visitAhead   = 7 * day
)

// generateCare grants the elderly their standing services and every
// discharge to municipal care its services from the discharge on.
func (g *gen) generateCare() {
	st := g.streams.concern("care")
	for i := range g.people {
		st.at(uint64(i))
		g.standingServices(st, i)
		for _, pi := range g.pathwaysOf[i] {
			pw := &g.pathways[pi]
			if pw.discharged && pw.destination.NeedsMunicipalCare() && g.people[i].age >= 18 {
				g.dischargeServices(st, i, pw)
			}
			g.grantMissingCare(i, pi)
		}
	}
}

func standingRates(age int) (practical, personal, nursing float64) {
	switch {
	case age >= 90:
		return 0.45, 0.35, 0.20
	case age >= 80:
		return 0.30, 0.18, 0.12
	case age >= 65:
		return 0.10, 0.05, 0.03
	}
	return 0.005, 0.003, 0.003
}

func (g *gen) standingServices(st *stream, i int) {
	p := &g.people[i]
	if p.age < 18 {
		return // children are cared for by their parents; no municipal home care
	}
	practical, personal, nursing := standingRates(p.age)
	start := g.now.Add(-st.between(30*day, 1500*day)).Truncate(time.Hour)
	var end time.Time
	if st.chance(0.12) {
		end = g.clearOfStays(i, g.start.Add(st.between(0, g.now.Sub(g.start))).Truncate(time.Hour))
	}
	team := "Hjemmeplejen " + g.munis[p.muni].Name
	if st.chance(practical) {
		g.grant(i, svcCleaning, start, end, team, false)
		if st.chance(0.4) {
			g.grant(i, svcLaundry, start, end, team, false)
		}
		if st.chance(0.3) {
			g.grant(i, svcShopping, start, end, team, false)
		}
	}
	if st.chance(personal) {
		g.grant(i, svcHygiene, start, end, team, false)
		if st.chance(0.6) {
			g.grant(i, svcDressing, start, end, team, false)
		}
	}
	if st.chance(nursing) {
		nurses := "Hjemmesygeplejen " + g.munis[p.muni].Name
		if st.chance(0.8) {
			g.grant(i, svcMedication, start, end, nurses, false)
		} else {
			g.grant(i, svcWoundCare, start, end, nurses, false)
		}
	}
}

// dischargeServices start at the discharge: home nursing for a few weeks,
// a temporary municipal bed, or care at a nursing home.
func (g *gen) dischargeServices(st *stream, i int, pw *pathwayDraft) {
	p := &g.people[i]
	d := pw.dischargedAt
	name := g.munis[p.muni].Name
	switch pw.destination {
	case domain.DischargeHomeNursing:
		end := g.clearOfStays(i, d.Add(st.between(14*day, 42*day)).Truncate(time.Hour))
		acute := st.chance(0.15)
		team := "Hjemmesygeplejen " + name
		if acute {
			team = "Akutfunktionen " + name
		}
		granted := false
		if st.chance(0.7) {
			g.grant(i, svcMedication, d, end, team, acute)
			granted = true
		}
		if st.chance(0.3) {
			g.grant(i, svcWoundCare, d, end, team, acute)
			granted = true
		}
		if st.chance(0.08) {
			g.grant(i, svcIV, d, d.Add(st.between(3*day, 10*day)).Truncate(time.Hour), "Akutfunktionen "+name, true)
			granted = true
		}
		if !granted {
			g.grant(i, svcMedication, d, end, team, acute)
		}
		if p.age >= 75 && st.chance(0.4) {
			g.grant(i, svcHygiene, d, end, "Hjemmeplejen "+name, false)
		}
	case domain.DischargeTemporaryBed:
		end := g.clearOfStays(i, d.Add(st.between(7*day, 21*day)).Truncate(time.Hour))
		acute := st.chance(0.4)
		team := "Midlertidige pladser " + name
		if acute {
			team = "Akutfunktionen " + name
		}
		g.grant(i, svcMedication, d, end, team, acute)
		g.grant(i, svcHygiene, d, end, team, false)
	case domain.DischargeNursingHome:
		team := "Plejecenter " + p.Address.City
		g.moveIntoNursingHome(i, d, team)
		g.grant(i, svcHygiene, d, time.Time{}, team, false)
		g.grant(i, svcDressing, d, time.Time{}, team, false)
		g.grant(i, svcMedication, d, time.Time{}, team, false)
	}
}

// grant gives citizen i the service from start to end (zero: open). A
// municipality grants a need once: when the citizen already has the same
// service for part of that time, the grant widens it (revisitation) instead
// of adding a second one, which would send two visits for one need.
func (g *gen) grant(i int, kind fsiiiService, start, end time.Time, team string, acute bool) {
	p := &g.people[i]
	if !p.diesAt.IsZero() && (end.IsZero() || end.After(p.diesAt)) {
		end = p.diesAt
	}
	if !end.IsZero() && !end.After(start) {
		return
	}
	if g.widen(i, kind.code, start, end) {
		return
	}
	g.services = append(g.services, serviceDraft{
		person: i,
		kind:   kind,
		CareService: domain.CareService{
			CPR:           p.CPR,
			Municipality:  p.Address.Municipality,
			Service:       domain.Coding{System: SystemFSIII, Code: kind.code, Display: kind.display},
			Law:           kind.law,
			Status:        g.serviceStatus(start, end),
			Start:         start,
			End:           end,
			Team:          team,
			AcuteFunction: acute,
		},
	})
	g.servicesOf[i] = append(g.servicesOf[i], len(g.services)-1)
}

// serviceStatus is a service's status at the world's present.
func (g *gen) serviceStatus(start, end time.Time) domain.CareServiceStatus {
	switch {
	case start.After(g.now):
		return domain.CareServicePlanned
	case !end.IsZero() && !end.After(g.now):
		return domain.CareServiceEnded
	}
	return domain.CareServiceActive
}

// widen merges a grant of code over [start, end) into the citizen's
// services of that code it overlaps: the first of them takes the
// union of all their spans, the others are withdrawn. It reports false when
// there is none, so that the grant stands on its own.
func (g *gen) widen(i int, code string, start, end time.Time) bool {
	span := interval{start, openEnd(end)}
	keep := -1
	list := g.servicesOf[i][:0]
	for _, si := range g.servicesOf[i] {
		s := &g.services[si].CareService
		own := interval{s.Start, openEnd(s.End)}
		if s.Service.Code != code || !own.overlaps(span) {
			list = append(list, si)
			continue
		}
		span = interval{minTime(span.from, own.from), maxTime(span.to, own.to)}
		if keep < 0 {
			keep = si
			list = append(list, si)
		}
	}
	g.servicesOf[i] = list
	if keep < 0 {
		return false
	}
	s := &g.services[keep].CareService
	s.Start, s.End = span.from, time.Time{}
	if span.to != farFuture {
		s.End = span.to
	}
	s.Status = g.serviceStatus(s.Start, s.End)
	return true
}

// moveIntoNursingHome ends, at the move, the care the citizen had at home:
// the nursing home's own staff take over every service. A home service
// that would only have started later is withdrawn.
func (g *gen) moveIntoNursingHome(i int, at time.Time, team string) {
	list := g.servicesOf[i][:0]
	for _, si := range g.servicesOf[i] {
		s := &g.services[si].CareService
		switch {
		case s.Team == team, !s.End.IsZero() && !s.End.After(at):
			list = append(list, si)
		case !s.Start.Before(at):
			// withdrawn: granted for a home the citizen has left
		default:
			s.End = at
			s.Status = g.serviceStatus(s.Start, s.End)
			list = append(list, si)
		}
	}
	g.servicesOf[i] = list
}

func openEnd(t time.Time) time.Time {
	if t.IsZero() {
		return farFuture
	}
	return t
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// careNeed is one of the rule set's care needs in force at a discharge,
// with the service whose visit meets it (-1 when none is granted).
type careNeed struct {
	name    string
	service int
}

// careNeeds are the care needs in force at a pathway's discharge under the
// citizen's rule set (docs/PATHWAYS.md, NO_CARE_VISIT_WITHIN_24H): a need
// whose services are active then, or whose destinations include the
// pathway's.
func (g *gen) careNeeds(pi int) []careNeed {
	pw := &g.pathways[pi]
	if !pw.discharged || pw.died() {
		return nil
	}
	var out []careNeed
	for _, need := range g.rules(pw.person).CareNeeds {
		active := slices.Contains(need.Destinations, pw.destination)
		meet := -1
		for _, si := range g.servicesOf[pw.person] {
			s := &g.services[si]
			if !s.ActiveAt(pw.dischargedAt) {
				continue
			}
			active = active || codeMatches(s.Service.Code, need.Services)
			if meet < 0 && codeMatches(s.Service.Code, need.MetBy) {
				meet = si
			}
		}
		if active {
			out = append(out, careNeed{name: need.Name, service: meet})
		}
	}
	return out
}

// grantMissingCare grants, for every care need at a discharge that no
// active service can meet, a catalogue service that does: the municipality
// starts what the need asks for.
func (g *gen) grantMissingCare(i, pi int) {
	pw := &g.pathways[pi]
	team := "Hjemmesygeplejen " + g.munis[g.people[i].muni].Name
	for _, n := range g.careNeeds(pi) {
		if n.service >= 0 {
			continue
		}
		for _, need := range g.rules(i).CareNeeds {
			if need.Name != n.name {
				continue
			}
			for _, kind := range fsiiiCatalogue {
				if codeMatches(kind.code, need.MetBy) {
					g.grant(i, kind, pw.dischargedAt, pw.dischargedAt.Add(14*day), team, false)
					break
				}
			}
		}
	}
}

// clearOfStays moves a service's end out of the citizen's stays and the two
// days after each discharge: a municipality pauses a service while the
// citizen is in hospital (MedCom's HospitalNotification exists so that it
// can) and resumes it afterwards; it does not end it behind the citizen's
// back.
func (g *gen) clearOfStays(i int, end time.Time) time.Time {
	for _, pi := range g.pathwaysOf[i] {
		pw := &g.pathways[pi]
		until := farFuture
		if pw.discharged {
			until = pw.dischargedAt.Add(2 * day)
		}
		if !end.Before(pw.start) && end.Before(until) {
			end = until.Add(day).Truncate(time.Hour)
		}
	}
	return end
}
