package ehospital

import (
	"slices"

	"github.com/sundhedsklynge/klynge/domain"
)

// run finds the matches of a query: citizen indexes for Patient, encounter
// indexes for Encounter, in id order.
func (s *server) run(q *query) []int {
	var citizens []int // nil: no identifier filter
	if len(q.identifiers) > 0 {
		citizens = s.citizensFor(q.identifiers)
	}
	if q.resource == "Patient" {
		if citizens != nil {
			return citizens
		}
		all := make([]int, len(s.world.Citizens()))
		for i := range all {
			all[i] = i
		}
		return all
	}
	var candidates []int
	if citizens != nil {
		for _, ci := range citizens {
			for _, k := range s.world.EncounterIndexes(ci) {
				candidates = append(candidates, int(k))
			}
		}
		slices.Sort(candidates)
	} else {
		candidates = make([]int, len(s.world.Encounters()))
		for i := range candidates {
			candidates[i] = i
		}
	}
	out := candidates[:0]
	for _, k := range candidates {
		if s.matches(q, k) {
			out = append(out, k)
		}
	}
	return out
}

// citizensFor intersects the OR lists of identifier occurrences.
func (s *server) citizensFor(occurrences [][]domain.CPR) []int {
	var result []int
	for n, cprs := range occurrences {
		var set []int
		for _, c := range cprs {
			if i, ok := s.world.CitizenIndex(c); ok {
				set = append(set, i)
			}
		}
		slices.Sort(set)
		set = slices.Compact(set)
		if n == 0 {
			result = set
			continue
		}
		result = slices.DeleteFunc(result, func(i int) bool {
			_, found := slices.BinarySearch(set, i)
			return !found
		})
	}
	if result == nil {
		result = []int{}
	}
	return result
}

func (s *server) matches(q *query, k int) bool {
	e := &s.world.Encounters()[k]
	for _, codes := range q.municipalities {
		m := s.world.Citizens()[s.encCitizen[k]].Address.Municipality
		if !slices.Contains(codes, m) {
			return false
		}
	}
	for _, d := range q.dates {
		if !d.matches(e.Start, e.End) {
			return false
		}
	}
	for _, list := range q.statuses {
		if !slices.Contains(list, string(e.Status)) {
			return false
		}
	}
	for _, list := range q.classes {
		if !slices.Contains(list, string(e.Class)) {
			return false
		}
	}
	for _, list := range q.providers {
		if !slices.Contains(list, e.Hospital.SOR) {
			return false
		}
	}
	return true
}
