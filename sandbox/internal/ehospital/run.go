package ehospital

import "slices"

// run finds the matches of a Patient or Encounter query: citizen indexes
// for Patient, encounter indexes for Encounter, in id order.
func (s *server) run(q *query) []int {
	citizens := s.citizensOf(q) // nil: no patient filter
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

// notificationRef is one Provenance: notification j of encounter k.
type notificationRef struct{ encounter, notification int }

// runProvenance finds the notifications of the targeted encounters, in
// encounter order, then as sent.
func (s *server) runProvenance(q *query) []notificationRef {
	var encs []int
	for n, list := range q.targets {
		if n == 0 {
			encs = slices.Clone(list)
			continue
		}
		encs = slices.DeleteFunc(encs, func(k int) bool { _, found := slices.BinarySearch(list, k); return !found })
	}
	var out []notificationRef
	for _, k := range encs {
		for j := range s.world.Encounters()[k].Notifications {
			out = append(out, notificationRef{k, j})
		}
	}
	return out
}

// citizensOf intersects the patient filters (identifiers, ids, references);
// nil when the query has none.
func (s *server) citizensOf(q *query) []int {
	var sets [][]int
	for _, cprs := range q.identifiers {
		var set []int
		for _, c := range cprs {
			if i, ok := s.world.CitizenIndex(c); ok {
				set = append(set, i)
			}
		}
		slices.Sort(set)
		sets = append(sets, slices.Compact(set))
	}
	sets = append(sets, q.patients...)
	if len(sets) == 0 {
		return nil
	}
	result := slices.Clone(sets[0])
	for _, set := range sets[1:] {
		result = slices.DeleteFunc(result, func(i int) bool { _, found := slices.BinarySearch(set, i); return !found })
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
	if len(q.lastUpdated) > 0 {
		lu := LastUpdated(*e)
		for _, d := range q.lastUpdated {
			if !d.matches(lu, lu) {
				return false
			}
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

// previousStay is the citizen's stay before encounter k, if any: what an
// unasked include (Encounter:part-of) brings along.
func (s *server) previousStay(k int) (int, bool) {
	list := s.world.EncounterIndexes(int(s.encCitizen[k]))
	i := slices.Index(list, int32(k))
	if i <= 0 {
		return 0, false
	}
	return int(list[i-1]), true
}
