package population

import (
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// visitRec is a visit held compactly (there are hundreds of thousands at
// 200k citizens); World turns it into a domain.CareVisit when asked.
type visitRec struct {
	planned   int64 // unix seconds
	performed int32 // seconds after planned when performed
	service   int32 // index into World.services
	status    visitStatus
}

type visitStatus uint8

const (
	visitPlanned visitStatus = iota
	visitPerformed
	visitCancelled
	visitMissed
)

var visitStatusNames = [...]domain.CareVisitStatus{
	visitPlanned:   domain.VisitPlanned,
	visitPerformed: domain.VisitPerformed,
	visitCancelled: domain.VisitCancelled,
	visitMissed:    domain.VisitMissed,
}

// generateVisits lays out each citizen's visits: the routine rhythm of every
// service within [now-35d, now+7d), and after every discharge that needs
// care a first visit within 24 hours (unless a gap is planted: then every
// visit in those 24 hours is missed and the first comes a day late).
func (g *gen) generateVisits() {
	st := g.streams.concern("visits")
	from, to := g.now.Add(-visitHistory), g.now.Add(visitAhead)
	for i := range g.people {
		st.at(uint64(i))
		var recs []visitRec
		for _, si := range g.servicesOf[i] {
			recs = g.routineVisits(st, recs, si, from, to)
		}
		for _, pi := range g.pathwaysOf[i] {
			recs = g.visitsAfterDischarge(st, recs, pi)
		}
		slices.SortStableFunc(recs, func(a, b visitRec) int {
			if a.planned != b.planned {
				return cmpInt(a.planned, b.planned)
			}
			return cmpInt(int64(a.service), int64(b.service))
		})
		g.visitOffsets[i] = int32(len(g.visits))
		g.visits = append(g.visits, recs...)
	}
	g.visitOffsets[len(g.people)] = int32(len(g.visits))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// visitsAfterDischarge makes sure every care need at a discharge is met:
// a visit for the service that meets it, at a day or evening hour soon
// after the discharge — unless NO_CARE_VISIT_WITHIN_24H is planted: then
// every visit in the window is missed and the first comes late.
func (g *gen) visitsAfterDischarge(st *stream, recs []visitRec, pi int) []visitRec {
	needs := g.careNeeds(pi)
	if len(needs) == 0 {
		return recs
	}
	pw := &g.pathways[pi]
	d, within := pw.dischargedAt, g.rules(pw.person).CareVisitWithin
	if g.plans[pi].noCareVisit {
		for k := range recs {
			at := time.Unix(recs[k].planned, 0)
			if !at.Before(d) && !at.After(d.Add(within)) {
				recs[k].status = visitMissed
				recs[k].performed = 0
			}
		}
		late := g.cal.nextDaytime(st, d.Add(within).Add(st.between(2*time.Hour, 16*time.Hour)))
		if needs[0].service < 0 {
			return recs
		}
		return g.appendVisit(st, recs, needs[0].service, late, false)
	}
	for _, n := range needs {
		if n.service < 0 {
			continue
		}
		at := g.cal.nextDaytime(st, d.Add(st.between(time.Hour, 4*time.Hour)))
		if at.After(d.Add(within)) {
			at = d.Add(within / 2)
		}
		recs = g.appendVisit(st, recs, n.service, at, true)
	}
	return recs
}

func (g *gen) routineVisits(st *stream, recs []visitRec, si int, from, to time.Time) []visitRec {
	s := &g.services[si]
	lo, hi := maxTime(from, s.Start), to
	if !s.End.IsZero() && s.End.Before(hi) {
		hi = s.End
	}
	p := &g.people[s.person]
	if !p.diesAt.IsZero() && p.diesAt.Before(hi) {
		hi = p.diesAt
	}
	if !lo.Before(hi) {
		return recs
	}
	startDay := g.cal.startOfLocalDay(s.Start)
	for dayStart := g.cal.startOfLocalDay(lo); dayStart.Before(hi); dayStart = g.cal.atLocal(dayStart.Add(36*time.Hour), 0, 0) {
		local := dayStart.In(g.cal.loc)
		if s.kind.weekdays != nil && !slices.Contains(s.kind.weekdays, local.Weekday()) {
			continue
		}
		if s.kind.everyWeeks > 1 && int(dayStart.Sub(startDay)/(7*day))%s.kind.everyWeeks != 0 {
			continue
		}
		for _, hm := range s.kind.times {
			at := g.cal.atLocal(dayStart, hm[0], hm[1])
			if at.Before(lo) || !at.Before(hi) {
				continue
			}
			if g.inStay(s.person, at) {
				continue // paused while the citizen is in hospital
			}
			recs = g.appendVisit(st, recs, si, at, false)
		}
	}
	return recs
}

// appendVisit plans a visit at `at` and settles what became of it by now;
// a sure visit is never missed or cancelled.
func (g *gen) appendVisit(st *stream, recs []visitRec, si int, at time.Time, sure bool) []visitRec {
	s := &g.services[si]
	p := &g.people[s.person]
	if !p.diesAt.IsZero() && !at.Before(p.diesAt) {
		return recs
	}
	at = at.Truncate(time.Minute)
	r := visitRec{planned: at.Unix(), service: int32(si), status: visitPlanned}
	switch {
	case at.After(g.now):
	case g.inStay(s.person, at):
		r.status = visitCancelled
	default:
		switch u := st.Float64(); {
		case sure:
			after := st.between(0, 30*time.Minute).Truncate(time.Second)
			if !at.Add(after).After(g.now) {
				r.status = visitPerformed
				r.performed = int32(after / time.Second)
			}
		case u < 0.02:
			r.status = visitMissed
		case u < 0.03:
			r.status = visitCancelled
		default:
			after := st.between(0, 40*time.Minute).Truncate(time.Second)
			if !at.Add(after).After(g.now) {
				r.status = visitPerformed
				r.performed = int32(after / time.Second)
			}
		}
	}
	return append(recs, r)
}

// inStay reports whether the citizen is in hospital (or admitted at home by
// eHospitalet) at t: municipal visits are cancelled then.
func (g *gen) inStay(i int, t time.Time) bool {
	for _, pi := range g.pathwaysOf[i] {
		for _, si := range g.pathways[pi].stays {
			e := &g.stays[si].enc
			end := e.End
			if end.IsZero() {
				end = farFuture
			}
			if !t.Before(e.Start) && t.Before(end) {
				return true
			}
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
