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
	var t Tables
	inner := map[string]int{}
	atom := func(key string) int {
		i, ok := inner[key]
		if !ok {
			i = len(inner)
			inner[key] = i
		}
		return i
	}
	units := map[string][]string{} // cluster → municipality codes
	months := map[string][]string{}
	var kinds []string
	for _, c := range cells {
		if c.Unit != "total" && !slices.Contains(units[c.Cluster], c.Unit) {
			units[c.Cluster] = append(units[c.Cluster], c.Unit)
		}
		if !strings.Contains(c.Period, "Q") && !slices.Contains(months[c.Cluster], c.Period) {
			months[c.Cluster] = append(months[c.Cluster], c.Period)
		}
		switch c.Measure {
		case "DISCHARGES", "OK", "GAP":
		default:
			if !slices.Contains(kinds, c.Measure) {
				kinds = append(kinds, c.Measure)
			}
		}
	}
	slices.Sort(kinds)
	coords := func(measure string) []string {
		switch measure {
		case "DISCHARGES":
			return []string{"OK", "GAP"}
		}
		return []string{measure}
	}
	monthsOf := func(cluster, period string) ([]string, error) {
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
	index := map[string]int{}
	for _, c := range cells {
		us := []string{c.Unit}
		if c.Unit == "total" {
			us = units[c.Cluster]
		}
		ms, err := monthsOf(c.Cluster, c.Period)
		if err != nil {
			return t, err
		}
		var in []int
		for _, m := range ms {
			for _, u := range us {
				for _, k := range coords(c.Measure) {
					in = append(in, atom(c.Cluster+"/"+u+"/"+m+"/"+k))
				}
			}
		}
		key := c.Cluster + "/" + c.Period + "/" + c.Unit + "/" + c.Measure
		if _, dup := index[key]; dup {
			return t, fmt.Errorf("cell %s twice", key)
		}
		index[key] = len(t.Cells)
		t.Cells = append(t.Cells, Cell{Key: key, Inner: in, Hidden: c.Hidden, Value: c.Value})
	}
	rel := func(name, sum string, parts []string) {
		s, ok := index[sum]
		if !ok {
			return
		}
		var ps []int
		for _, p := range parts {
			i, ok := index[p]
			if !ok {
				return
			}
			ps = append(ps, i)
		}
		t.Relations = append(t.Relations, Relation{Name: name, Sum: s, Parts: ps})
	}
	periods := map[string][]string{}
	for _, c := range cells {
		if !slices.Contains(periods[c.Cluster], c.Period) {
			periods[c.Cluster] = append(periods[c.Cluster], c.Period)
		}
	}
	measures := append([]string{"DISCHARGES", "OK", "GAP"}, kinds...)
	for cl, ps := range periods {
		for _, p := range ps {
			for _, u := range append(slices.Clone(units[cl]), "total") {
				base := cl + "/" + p + "/" + u + "/"
				rel("discharges = OK + GAP in "+base, base+"DISCHARGES", []string{base + "OK", base + "GAP"})
			}
			for _, m := range measures {
				var parts []string
				for _, u := range units[cl] {
					parts = append(parts, cl+"/"+p+"/"+u+"/"+m)
				}
				rel("cluster total against its municipalities, "+cl+"/"+p+"/"+m, cl+"/"+p+"/total/"+m, parts)
			}
			if strings.Contains(p, "Q") {
				ms, _ := monthsOf(cl, p)
				for _, u := range append(slices.Clone(units[cl]), "total") {
					for _, m := range measures {
						var parts []string
						for _, mo := range ms {
							parts = append(parts, cl+"/"+mo+"/"+u+"/"+m)
						}
						rel("quarter against its months, "+cl+"/"+p+"/"+u+"/"+m, cl+"/"+p+"/"+u+"/"+m, parts)
					}
				}
			}
		}
	}
	slices.SortFunc(t.Relations, func(a, b Relation) int { return strings.Compare(a.Name, b.Name) })
	for cl, ms := range months {
		for _, m := range ms {
			for _, u := range units[cl] {
				gap, ok := inner[cl+"/"+u+"/"+m+"/GAP"]
				if !ok {
					continue
				}
				all := Constraint{Inner: []int{gap}, Coefs: []float64{-1}}
				for _, k := range kinds {
					g := atom(cl + "/" + u + "/" + m + "/" + k)
					t.Constraints = append(t.Constraints, Constraint{Inner: []int{gap, g}, Coefs: []float64{1, -1}})
					all.Inner, all.Coefs = append(all.Inner, g), append(all.Coefs, 1)
				}
				t.Constraints = append(t.Constraints, all)
			}
		}
	}
	t.Inner = len(inner)
	return t, nil
}
