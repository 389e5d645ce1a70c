package pathway

import (
	"cmp"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// PartyKind is who holds responsibility.
type PartyKind string

const (
	PartyHospital     PartyKind = "HOSPITAL"     // a hospital department
	PartyEHospital    PartyKind = "EHOSPITAL"    // eHospitalet, during a home admission
	PartyGP           PartyKind = "GP"           // the citizen's GP practice
	PartyMunicipality PartyKind = "MUNICIPALITY" // the home municipality, for the care it delivers
)

// Basis says why a party holds responsibility.
type Basis string

const (
	BasisStay              Basis = "STAY"               // the citizen is admitted there
	BasisExtendedTreatment Basis = "EXTENDED_TREATMENT" // the 72-hour rule after discharge
	BasisListedGP          Basis = "LISTED_GP"          // the practice the citizen is listed with
	BasisCareService       Basis = "CARE_SERVICE"       // a municipal service (FSIII indsats)
)

// ResponsibilitySpan is one party's responsibility over [Since, Until).
type ResponsibilitySpan struct {
	Party PartyKind
	Basis Basis
	// Hospital and Department for HOSPITAL and EHOSPITAL.
	Hospital   domain.Organization
	Department domain.Organization
	// Practice for GP; empty when the citizen's practice is unknown.
	Practice domain.Ydernummer
	// Municipality and Service for MUNICIPALITY.
	Municipality domain.MunicipalityCode
	Service      domain.Coding
	// Ref is the encounter (STAY, EXTENDED_TREATMENT) or care service
	// (CARE_SERVICE) the responsibility comes from.
	Ref   string
	Since time.Time
	// Until is zero while the span is open.
	Until time.Time
}

// Covers reports whether t lies in the span.
func (s ResponsibilitySpan) Covers(t time.Time) bool {
	return !t.Before(s.Since) && (s.Until.IsZero() || t.Before(s.Until))
}

// Responsibility is who holds the citizen during a pathway.
type Responsibility struct {
	// Current is the party holding medical responsibility at the moment of
	// evaluation: nil before admission, after death, and once a later stay
	// has taken over (it is shown by the later stay's own pathway).
	Current *ResponsibilitySpan
	// Timeline is every span in order of Since: the medical chain (hospital,
	// extended treatment, GP), ending where a later stay starts, with the
	// municipality's care services alongside.
	Timeline []ResponsibilitySpan
}

// medicalSpans is the chain of medical responsibility one episode gives
// (docs/PATHWAYS.md, Responsibility): each stay until the next one of a
// transfer starts, the last until discharge (open while ongoing); then the
// discharging department for the extended period when the 72-hour rule
// applies, then the GP, open-ended.
func medicalSpans(ep episode, gp domain.Ydernummer, rules Rules) []ResponsibilitySpan {
	var spans []ResponsibilitySpan
	for i, s := range ep.chain {
		span := ResponsibilitySpan{Party: PartyHospital, Basis: BasisStay, Hospital: s.enc.Hospital,
			Department: s.enc.Department, Ref: s.enc.ID, Since: s.enc.Start}
		if s.class == domain.ClassHomeHealth {
			span.Party = PartyEHospital
		}
		if i+1 < len(ep.chain) {
			span.Until = ep.chain[i+1].enc.Start // the sender holds the patient until the receiver has them
		} else {
			span.Until = ep.dischargedAt
		}
		spans = append(spans, span)
	}
	if ep.dischargedAt.IsZero() {
		return spans
	}
	last := ep.chain[len(ep.chain)-1]
	gpFrom := ep.dischargedAt
	if ep.extended {
		gpFrom = ep.dischargedAt.Add(rules.ExtendedResponsibility)
		party := PartyHospital
		if last.class == domain.ClassHomeHealth {
			party = PartyEHospital // the eHospitalet doctor keeps the patient after a home admission
		}
		spans = append(spans, ResponsibilitySpan{Party: party, Basis: BasisExtendedTreatment,
			Hospital: last.enc.Hospital, Department: last.enc.Department, Ref: last.enc.ID,
			Since: ep.dischargedAt, Until: gpFrom})
	}
	return append(spans, ResponsibilitySpan{Party: PartyGP, Basis: BasisListedGP, Practice: gp, Since: gpFrom})
}

// cutSpans ends every span at `at`: spans that start at or after it go, open
// ones and those running past it end there.
func cutSpans(spans []ResponsibilitySpan, at time.Time) []ResponsibilitySpan {
	out := spans[:0]
	for _, s := range spans {
		if !s.Since.Before(at) {
			continue
		}
		if s.Until.IsZero() || s.Until.After(at) {
			s.Until = at
		}
		out = append(out, s)
	}
	return out
}

// citizenSpans computes each episode's medical spans as the citizen lived
// them: what follows a discharge (extended treatment, GP) ends when the next
// stay starts, and everything ends at death.
func citizenSpans(eps []episode, gp domain.Ydernummer, diedAt time.Time, rules Rules) [][]ResponsibilitySpan {
	out := make([][]ResponsibilitySpan, len(eps))
	for k, ep := range eps {
		spans := medicalSpans(ep, gp, rules)
		if next, ok := nextAdmission(eps, k); ok {
			stays := len(ep.chain)
			spans = append(spans[:stays:stays], cutSpans(spans[stays:], next)...)
		}
		if !diedAt.IsZero() {
			spans = cutSpans(spans, diedAt)
		}
		out[k] = dropEmpty(spans)
	}
	return out
}

// nextAdmission is the first admission at or after episode k's discharge.
func nextAdmission(eps []episode, k int) (time.Time, bool) {
	d := eps[k].dischargedAt
	if d.IsZero() {
		return time.Time{}, false
	}
	var next time.Time
	for j, ep := range eps {
		if j != k && !ep.admittedAt.Before(d) && (next.IsZero() || ep.admittedAt.Before(next)) {
			next = ep.admittedAt
		}
	}
	return next, !next.IsZero()
}

func dropEmpty(spans []ResponsibilitySpan) []ResponsibilitySpan {
	return slices.DeleteFunc(spans, func(s ResponsibilitySpan) bool {
		return !s.Until.IsZero() && !s.Until.After(s.Since)
	})
}

// careSpans are the municipality's services active during a discharged
// episode's window, each from its start or the discharge, whichever is
// later, to its end.
func careSpans(ep episode, services []domain.CareService, home domain.MunicipalityCode, diedAt time.Time) []ResponsibilitySpan {
	if ep.dischargedAt.IsZero() {
		return nil
	}
	var spans []ResponsibilitySpan
	for _, s := range services {
		if s.Status == domain.CareServicePlanned || s.Start.IsZero() || s.Start.After(ep.windowEnd) {
			continue
		}
		if !s.End.IsZero() && !s.End.After(ep.dischargedAt) {
			continue
		}
		m := s.Municipality
		if m == 0 {
			m = home
		}
		spans = append(spans, ResponsibilitySpan{Party: PartyMunicipality, Basis: BasisCareService,
			Municipality: m, Service: s.Service, Ref: s.ID,
			Since: later(s.Start, ep.dischargedAt), Until: s.End})
	}
	if h := ep.horizon(); !ep.next.IsZero() && h.Equal(ep.next) {
		spans = cutSpans(spans, h) // the later stay's pathway shows what follows
	}
	if !diedAt.IsZero() {
		spans = cutSpans(spans, diedAt)
	}
	return dropEmpty(spans) // a service recorded as ending before it starts
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// responsibility assembles an episode's timeline: its own medical spans
// (cut where a later stay takes over) with its care spans alongside. A later
// stay is never part of it: it has its own pathway.
func responsibility(ep episode, medical, care []ResponsibilitySpan, now time.Time) Responsibility {
	timeline := slices.Clone(medical)
	timeline = append(timeline, care...)
	slices.SortStableFunc(timeline, func(a, b ResponsibilitySpan) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(partyOrder(a.Party), partyOrder(b.Party)),
			cmp.Compare(a.Ref, b.Ref))
	})

	var current *ResponsibilitySpan
	for i := range timeline {
		s := timeline[i]
		if s.Party != PartyMunicipality && s.Covers(now) && (current == nil || !s.Since.Before(current.Since)) {
			current = &s
		}
	}
	return Responsibility{Current: current, Timeline: timeline}
}

func partyOrder(p PartyKind) int {
	if p == PartyMunicipality {
		return 1
	}
	return 0
}
