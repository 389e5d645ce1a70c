package sdcattack

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Published is one count of a cluster's statistics as a reader received
// it: Period is a month (2026-03) or a quarter (2026-Q2), Unit a
// municipality code or "total", Measure "DISCHARGES", "OK", "GAP" or a gap
// kind. Value is the published count, or the true one of a hidden count
// (for judging only).
type Published struct {
	Cluster, Period, Unit, Measure string
	Hidden                         bool
	Value                          int
}

// FromStatistics writes the equations a reader can set up from the
// statistics: inner counts per cluster, municipality, month and
// OK/GAP/gap kind; every published sum (discharges = OK + GAP, the total
// against its municipalities, a quarter against its three months); and
// what the measures mean (a gap kind counts at most the GAP pathways, and
// every GAP pathway has a kind).
func FromStatistics(cells []Published) (Tables, error) {
	b := survey(cells)
	for _, c := range cells {
		if err := b.addCell(c); err != nil {
			return b.t, err
		}
	}
	b.addSums()
	slices.SortFunc(b.t.Relations, func(a, b Relation) int { return strings.Compare(a.Name, b.Name) })
	b.addGapKinds()
	b.t.Inner = len(b.inner)
	return b.t, nil
}

// equations are the tables being written: inner counts by key
// (cluster/municipality/month/OK, GAP or gap kind), published cells by key
// (cluster/period/unit/measure), and what the cells show of each cluster.
type equations struct {
	t     Tables
	inner map[string]int
	index map[string]int
	// Per cluster, in order of first appearance: municipality codes,
	// months, and periods (months and quarters).
	units, months, periods map[string][]string
	kinds                  []string // gap kinds, sorted
}

// survey reads which municipalities, months, periods and gap kinds the
// cells show.
func survey(cells []Published) *equations {
	b := &equations{inner: map[string]int{}, index: map[string]int{},
		units: map[string][]string{}, months: map[string][]string{}, periods: map[string][]string{}}
	for _, c := range cells {
		if c.Unit != "total" && !slices.Contains(b.units[c.Cluster], c.Unit) {
			b.units[c.Cluster] = append(b.units[c.Cluster], c.Unit)
		}
		if !strings.Contains(c.Period, "Q") && !slices.Contains(b.months[c.Cluster], c.Period) {
			b.months[c.Cluster] = append(b.months[c.Cluster], c.Period)
		}
		if !slices.Contains(b.periods[c.Cluster], c.Period) {
			b.periods[c.Cluster] = append(b.periods[c.Cluster], c.Period)
		}
		switch c.Measure {
		case "DISCHARGES", "OK", "GAP":
		default:
			if !slices.Contains(b.kinds, c.Measure) {
				b.kinds = append(b.kinds, c.Measure)
			}
		}
	}
	slices.Sort(b.kinds)
	return b
}

// atom is the index of an inner count, made on first use.
func (b *equations) atom(key string) int {
	i, ok := b.inner[key]
	if !ok {
		i = len(b.inner)
		b.inner[key] = i
	}
	return i
}

// coords are the inner measures a published measure sums.
func coords(measure string) []string {
	if measure == "DISCHARGES" {
		return []string{"OK", "GAP"}
	}
	return []string{measure}
}

// monthsOf are the months a period (a month or a quarter) spans.
func monthsOf(period string) ([]string, error) {
	if !strings.Contains(period, "Q") {
		return []string{period}, nil
	}
	y, q, ok := strings.Cut(period, "-Q")
	n, err := strconv.Atoi(q)
	if !ok || err != nil {
		return nil, fmt.Errorf("period %q", period)
	}
	var out []string
	for k := range 3 {
		out = append(out, fmt.Sprintf("%s-%02d", y, 3*(n-1)+1+k))
	}
	return out, nil
}

// addCell writes a published cell as the sum of its inner counts: over
// the cluster's municipalities for a total, over three months for a
// quarter, over OK and GAP for discharges.
func (b *equations) addCell(c Published) error {
	us := []string{c.Unit}
	if c.Unit == "total" {
		us = b.units[c.Cluster]
	}
	ms, err := monthsOf(c.Period)
	if err != nil {
		return err
	}
	var in []int
	for _, m := range ms {
		for _, u := range us {
			for _, k := range coords(c.Measure) {
				in = append(in, b.atom(c.Cluster+"/"+u+"/"+m+"/"+k))
			}
		}
	}
	key := c.Cluster + "/" + c.Period + "/" + c.Unit + "/" + c.Measure
	if _, dup := b.index[key]; dup {
		return fmt.Errorf("cell %s twice", key)
	}
	b.index[key] = len(b.t.Cells)
	b.t.Cells = append(b.t.Cells, Cell{Key: key, Inner: in, Hidden: c.Hidden, Value: c.Value})
	return nil
}

// relate records that the cell keyed sum is the sum of the cells keyed
// parts, when all of them were published (hidden or not).
func (b *equations) relate(name, sum string, parts []string) {
	s, ok := b.index[sum]
	if !ok {
		return
	}
	var ps []int
	for _, p := range parts {
		i, ok := b.index[p]
		if !ok {
			return
		}
		ps = append(ps, i)
	}
	b.t.Relations = append(b.t.Relations, Relation{Name: name, Sum: s, Parts: ps})
}

// addSums relates every published sum to its parts: discharges to OK and
// GAP, a cluster's total to its municipalities, a quarter to its months.
func (b *equations) addSums() {
	measures := append([]string{"DISCHARGES", "OK", "GAP"}, b.kinds...)
	for cl, ps := range b.periods {
		unitsAndTotal := append(slices.Clone(b.units[cl]), "total")
		for _, p := range ps {
			for _, u := range unitsAndTotal {
				base := cl + "/" + p + "/" + u + "/"
				b.relate("discharges = OK + GAP in "+base, base+"DISCHARGES", []string{base + "OK", base + "GAP"})
			}
			for _, m := range measures {
				var parts []string
				for _, u := range b.units[cl] {
					parts = append(parts, cl+"/"+p+"/"+u+"/"+m)
				}
				b.relate("cluster total against its municipalities, "+cl+"/"+p+"/"+m, cl+"/"+p+"/total/"+m, parts)
			}
			if !strings.Contains(p, "Q") {
				continue
			}
			ms, _ := monthsOf(p)
			for _, u := range unitsAndTotal {
				for _, m := range measures {
					var parts []string
					for _, mo := range ms {
						parts = append(parts, cl+"/"+mo+"/"+u+"/"+m)
					}
					b.relate("quarter against its months, "+cl+"/"+p+"/"+u+"/"+m, cl+"/"+p+"/"+u+"/"+m, parts)
				}
			}
		}
	}
}

// addGapKinds writes what the gap kinds mean, per cluster, municipality
// and month: each counts at most the GAP pathways, and together at least
// all of them (every GAP pathway has a kind).
func (b *equations) addGapKinds() {
	for cl, ms := range b.months {
		for _, m := range ms {
			for _, u := range b.units[cl] {
				gap, ok := b.inner[cl+"/"+u+"/"+m+"/GAP"]
				if !ok {
					continue
				}
				all := Constraint{Inner: []int{gap}, Coefs: []float64{-1}}
				for _, k := range b.kinds {
					g := b.atom(cl + "/" + u + "/" + m + "/" + k)
					b.t.Constraints = append(b.t.Constraints, Constraint{Inner: []int{gap, g}, Coefs: []float64{1, -1}})
					all.Inner, all.Coefs = append(all.Inner, g), append(all.Coefs, 1)
				}
				b.t.Constraints = append(b.t.Constraints, all)
			}
		}
	}
}
