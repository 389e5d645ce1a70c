package pathway

import (
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Criteria select pathways for a worklist. Zero fields select everything;
// set fields must all match.
type Criteria struct {
	// DischargedAfter and DischargedBefore bound the discharge time as
	// [DischargedAfter, DischargedBefore). Setting either excludes ongoing
	// pathways, which have no discharge.
	DischargedAfter  time.Time
	DischargedBefore time.Time
	// Municipalities: the citizen lives in one of them.
	Municipalities []domain.MunicipalityCode
	// Statuses: the pathway has one of them.
	Statuses []Status
	// GapKinds: the pathway has a gap of at least one of them.
	GapKinds []GapKind
}

// Match reports whether p meets every set criterion.
func (c Criteria) Match(p Pathway) bool {
	if !c.DischargedAfter.IsZero() || !c.DischargedBefore.IsZero() {
		if !p.Discharged() {
			return false
		}
		if !c.DischargedAfter.IsZero() && p.DischargedAt.Before(c.DischargedAfter) {
			return false
		}
		if !c.DischargedBefore.IsZero() && !p.DischargedAt.Before(c.DischargedBefore) {
			return false
		}
	}
	if len(c.Municipalities) > 0 && !slices.Contains(c.Municipalities, p.Municipality) {
		return false
	}
	if len(c.Statuses) > 0 && !slices.Contains(c.Statuses, p.Status) {
		return false
	}
	if len(c.GapKinds) > 0 && !slices.ContainsFunc(c.GapKinds, p.HasGap) {
		return false
	}
	return true
}

// Filter returns the pathways that match c, in their given order. The result
// shares no backing array with ps.
func Filter(ps []Pathway, c Criteria) []Pathway {
	out := make([]Pathway, 0, len(ps))
	for _, p := range ps {
		if c.Match(p) {
			out = append(out, p)
		}
	}
	return out
}

// Stats counts pathways for a cluster overview. Counts are exact: hiding
// small numbers is the caller's job, since only it knows the audience.
type Stats struct {
	Pathways   int
	Discharges int
	ByStatus   map[Status]int
	// ByGapKind counts pathways with at least one gap of the kind.
	ByGapKind map[GapKind]int
}

// Summarize counts ps by status and gap kind. Every status and gap kind has
// an entry, zero included, so callers can list them without checking.
func Summarize(ps []Pathway) Stats {
	s := Stats{Pathways: len(ps), ByStatus: map[Status]int{StatusOK: 0, StatusAtRisk: 0, StatusGap: 0},
		ByGapKind: make(map[GapKind]int, len(GapKinds()))}
	for _, k := range GapKinds() {
		s.ByGapKind[k] = 0
	}
	for _, p := range ps {
		if p.Discharged() {
			s.Discharges++
		}
		s.ByStatus[p.Status]++
		for _, k := range GapKinds() {
			if p.HasGap(k) {
				s.ByGapKind[k]++
			}
		}
	}
	return s
}
