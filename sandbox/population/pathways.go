package population

import (
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// PathwayKind is a pathway's kind as docs/PATHWAYS.md defines it.
type PathwayKind string

const (
	KindHomeAdmission   PathwayKind = "HOME_ADMISSION"
	KindAdmission       PathwayKind = "ADMISSION"
	KindAcuteOutpatient PathwayKind = "ACUTE_OUTPATIENT"
)

// pathwayDraft is one citizen's episode while the world is generated: one
// stay, or a chain of stays joined by transfers.
type pathwayDraft struct {
	person int
	stays  []int // indexes into gen.stays, in time order
	kind   PathwayKind
	start  time.Time
	// wardAt is when the citizen was admitted to a ward (the STIN after an
	// acute outpatient start), or the start; acute reports a stay begun
	// with STAA.
	wardAt time.Time
	acute  bool
	// discharged is set when the last stay finished with a destination
	// other than other-hospital; dischargedAt is its end.
	discharged   bool
	dischargedAt time.Time
	destination  domain.DischargeDestination
	psychiatric  bool
	// readmittedAt is the start of the next pathway when the generator
	// placed it inside the readmission window (zero if none); readmittedBy
	// is that pathway.
	readmittedAt time.Time
	readmittedBy int
}

func (pw *pathwayDraft) died() bool { return pw.destination == domain.DischargeDeceased }

// window is the pathway's span: admission to discharge + FollowUp, or open
// while it is ongoing.
func (g *gen) window(pi int) interval {
	pw := &g.pathways[pi]
	if !pw.discharged {
		return interval{pw.start, farFuture}
	}
	return interval{pw.start, pw.dischargedAt.Add(g.rules(pw.person).FollowUp)}
}

// extended reports whether the 72-hour rule applies (docs/PATHWAYS.md): an
// adult's admission of more than the minimum stay, counted from admission
// to a ward, ending at a destination with municipal care or at home while
// municipal nursing runs; psychiatry excluded as the rule set says.
func (g *gen) extended(pi int) bool {
	pw := &g.pathways[pi]
	r := g.rules(pw.person)
	p := &g.people[pw.person]
	switch {
	case !pw.discharged, pw.kind != KindAdmission && pw.kind != KindHomeAdmission,
		pw.psychiatric && r.ExcludePsychiatric,
		pw.dischargedAt.Sub(pw.wardAt) <= r.ExtendedResponsibilityMinStay,
		r.ExtendedResponsibilityMinAge > 0 && domain.AgeAt(p.BirthDate, pw.dischargedAt) < r.ExtendedResponsibilityMinAge:
		return false
	case pw.destination.NeedsMunicipalCare():
		return true
	case pw.destination == domain.DischargeHome:
		for _, si := range g.servicesOf[pw.person] {
			if s := &g.services[si]; s.ActiveAt(pw.dischargedAt) && codeMatches(s.Service.Code, r.NursingServices) {
				return true
			}
		}
	}
	return false
}

// codeMatches reads the rule set's FSIII patterns as docs/PATHWAYS.md
// defines them: a code, or a prefix ending in "*".
func codeMatches(code string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(code, prefix) || code == p {
			return true
		}
	}
	return false
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// interval is [from, to).
type interval struct{ from, to time.Time }

func (iv interval) contains(t time.Time) bool { return !t.Before(iv.from) && t.Before(iv.to) }

func (iv interval) overlaps(o interval) bool { return iv.from.Before(o.to) && o.from.Before(iv.to) }

// subtract removes the blocked intervals from iv, leaving the free parts in
// order.
func (iv interval) subtract(blocked []interval) []interval {
	free := []interval{iv}
	for _, b := range blocked {
		var next []interval
		for _, f := range free {
			if !f.overlaps(b) {
				next = append(next, f)
				continue
			}
			if f.from.Before(b.from) {
				next = append(next, interval{f.from, b.from})
			}
			if b.to.Before(f.to) {
				next = append(next, interval{b.to, f.to})
			}
		}
		free = next
	}
	return free
}

// pickIn draws a uniform instant from a union of intervals, truncated to the
// minute; ok is false when they hold less than two minutes.
func pickIn(st *stream, free []interval) (time.Time, bool) {
	var total time.Duration
	for _, f := range free {
		if d := f.to.Sub(f.from); d > 2*time.Minute {
			total += d - 2*time.Minute
		}
	}
	if total <= 0 {
		return time.Time{}, false
	}
	u := st.between(0, total)
	for _, f := range free {
		d := f.to.Sub(f.from) - 2*time.Minute
		if d <= 0 {
			continue
		}
		if u < d {
			return f.from.Add(time.Minute).Add(u).Truncate(time.Minute), true
		}
		u -= d
	}
	return time.Time{}, false
}
