package sdcattack

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	gonumlp "gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/sundhedsklynge/klynge/disclosure/lp"
)

type bound struct{ lo, hi float64 }

type lpRow struct {
	vars  []int // inner counts
	coefs []float64
	slack bool // ≥ when true
	rhs   float64
}

// intervals bounds every hidden cell by linear programming over the inner
// counts: min and max of the cell subject to every published cell, every
// hidden cell ≥ 1, every constraint, inner counts ≥ 0. Inner counts fixed
// outright (published zeros, sums with one unknown left) are substituted
// first, and independent parts are solved apart.
func intervals(t Tables, rep *Report) (map[int]bound, error) {
	known := fixedCounts(t)
	comps := components(t.Inner, lpRows(t, known), known)
	out := map[int]bound{}
	for i, c := range t.Cells {
		if !c.Hidden {
			continue
		}
		base, comp := 0.0, -1
		obj := map[int]float64{}
		for _, a := range c.Inner {
			if math.IsNaN(known[a]) {
				obj[a]++
				comp = comps.of[a]
			} else {
				base += known[a]
			}
		}
		if comp < 0 {
			out[i] = bound{base, base}
			continue
		}
		lo, hi, err := comps.solve(comp, obj, rep)
		if err != nil {
			return nil, fmt.Errorf("sdcattack: cell %s: %w", c.Key, err)
		}
		out[i] = bound{base + lo, base + hi}
	}
	return out, nil
}

// fixedCounts are the inner counts the published cells fix outright (NaN
// where they do not): those of a published zero, then, until nothing
// changes, the one unknown left in a published sum.
func fixedCounts(t Tables) []float64 {
	known := make([]float64, t.Inner)
	for i := range known {
		known[i] = math.NaN()
	}
	for _, c := range t.Cells {
		if !c.Hidden && c.Value == 0 {
			for _, a := range c.Inner {
				known[a] = 0
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, c := range t.Cells {
			if c.Hidden {
				continue
			}
			rest, unknown, n := float64(c.Value), 0, 0
			for _, a := range c.Inner {
				if math.IsNaN(known[a]) {
					if n == 0 || unknown != a {
						n++
					}
					unknown = a
				} else {
					rest -= known[a]
				}
			}
			if n == 1 {
				known[unknown] = rest
				changed = true
			}
		}
	}
	return known
}

// lpRows are the linear program's rows over the inner counts not fixed:
// every published cell, every hidden cell ≥ 1, every constraint, with the
// fixed counts moved to the right-hand side.
func lpRows(t Tables, known []float64) []lpRow {
	var rows []lpRow
	addRow := func(inner []int, coefs []float64, slack bool, rhs float64) {
		r := lpRow{slack: slack, rhs: rhs}
		for k, a := range inner {
			c := 1.0
			if coefs != nil {
				c = coefs[k]
			}
			if math.IsNaN(known[a]) {
				r.vars, r.coefs = append(r.vars, a), append(r.coefs, c)
			} else {
				r.rhs -= c * known[a]
			}
		}
		if len(r.vars) > 0 {
			rows = append(rows, r)
		}
	}
	for _, c := range t.Cells {
		if c.Hidden {
			addRow(c.Inner, nil, true, 1)
		} else {
			addRow(c.Inner, nil, false, float64(c.Value))
		}
	}
	for _, k := range t.Constraints {
		addRow(k.Inner, k.Coefs, true, 0)
	}
	return rows
}

type split struct {
	of      []int
	vars    [][]int
	rows    [][]lpRow
	built   map[int]*standard
	tabs    map[int]*lp.Tableau
	checked map[int]int
}

func components(n int, rows []lpRow, known []float64) *split {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, r := range rows {
		for _, a := range r.vars[1:] {
			x, y := find(a), find(r.vars[0])
			if x != y {
				parent[max(x, y)] = min(x, y)
			}
		}
	}
	s := &split{of: make([]int, n), built: map[int]*standard{}, tabs: map[int]*lp.Tableau{}, checked: map[int]int{}}
	ids := map[int]int{}
	for a := 0; a < n; a++ {
		s.of[a] = -1
		if !math.IsNaN(known[a]) {
			continue
		}
		root := find(a)
		id, ok := ids[root]
		if !ok {
			id = len(s.vars)
			ids[root] = id
			s.vars = append(s.vars, nil)
			s.rows = append(s.rows, nil)
		}
		s.of[a] = id
		s.vars[id] = append(s.vars[id], a)
	}
	for _, r := range rows {
		id := s.of[r.vars[0]]
		s.rows[id] = append(s.rows[id], r)
	}
	return s
}

// standard is one component in Gonum's standard form: A x = b, x ≥ 0, with
// a slack column per inequality and linearly dependent rows dropped.
type standard struct {
	col  map[int]int
	a    *mat.Dense
	b    []float64
	cols int
}

func (s *split) standardForm(id int) (*standard, error) {
	if st, ok := s.built[id]; ok {
		return st, nil
	}
	col := map[int]int{}
	for k, a := range s.vars[id] {
		col[a] = k
	}
	cols := len(s.vars[id])
	for _, r := range s.rows[id] {
		if r.slack {
			cols++
		}
	}
	var lines [][]float64
	slack := len(s.vars[id])
	for _, r := range s.rows[id] {
		line := make([]float64, cols+1)
		for k, a := range r.vars {
			line[col[a]] += r.coefs[k]
		}
		if r.slack {
			line[slack] = -1
			slack++
		}
		line[cols] = r.rhs
		lines = append(lines, line)
	}
	lines, err := independent(lines, cols)
	if err != nil {
		return nil, err
	}
	a := mat.NewDense(len(lines), cols, nil)
	b := make([]float64, len(lines))
	for i, l := range lines {
		a.SetRow(i, l[:cols])
		b[i] = l[cols]
	}
	st := &standard{col: col, a: a, b: b, cols: cols}
	s.built[id] = st
	return st, nil
}

// independent keeps a maximal set of linearly independent rows (the
// published sums repeat each other: a total is its parts).
func independent(lines [][]float64, cols int) ([][]float64, error) {
	work := make([][]float64, len(lines))
	for i, l := range lines {
		work[i] = append([]float64(nil), l...)
	}
	var keep [][]float64
	var basis [][]float64
	var pivots []int
	for i, w := range work {
		for k, bv := range basis {
			if f := w[pivots[k]]; math.Abs(f) > 1e-9 {
				for j := range w {
					w[j] -= f * bv[j]
				}
			}
		}
		p := -1
		for j := 0; j < cols; j++ {
			if math.Abs(w[j]) > 1e-9 && (p < 0 || math.Abs(w[j]) > math.Abs(w[p])) {
				p = j
			}
		}
		if p < 0 {
			if math.Abs(w[cols]) > 1e-6 {
				return nil, lp.ErrInfeasible
			}
			continue
		}
		f := w[p]
		for j := range w {
			w[j] /= f
		}
		basis, pivots = append(basis, w), append(pivots, p)
		keep = append(keep, lines[i])
	}
	return keep, nil
}

// crossChecks is how many hidden cells of each component are bounded by
// Gonum's simplex as well, and must agree.
const crossChecks = 2

func (s *split) solve(id int, obj map[int]float64, rep *Report) (float64, float64, error) {
	tb, ok := s.tabs[id]
	if !ok {
		local := map[int]int{}
		for k, a := range s.vars[id] {
			local[a] = k
		}
		var rows []lp.Row
		for _, r := range s.rows[id] {
			vars := make([]int, len(r.vars))
			for k, a := range r.vars {
				vars[k] = local[a]
			}
			rows = append(rows, lp.Row{Vars: vars, Coefs: r.coefs, GE: r.slack, RHS: r.rhs})
		}
		var err error
		if tb, err = lp.New(len(s.vars[id]), rows); err != nil {
			return 0, 0, err
		}
		s.tabs[id] = tb
		rep.InnerVariables += len(s.vars[id])
		rep.LPConstraints += len(rows)
	}
	local := map[int]float64{}
	neg := map[int]float64{}
	for k, a := range s.vars[id] {
		if v, ok := obj[a]; ok {
			local[k], neg[k] = v, -v
		}
	}
	hi, _, err := tb.Max(local)
	if err != nil {
		return 0, 0, err
	}
	negLo, _, err := tb.Max(neg)
	if err != nil {
		return 0, 0, err
	}
	lo := -negLo
	rep.LinearPrograms += 2
	if s.checked[id] < crossChecks {
		s.checked[id]++
		glo, ghi, err := s.gonum(id, obj, rep)
		if err != nil {
			return 0, 0, err
		}
		if !same(lo, glo) || !same(hi, ghi) {
			return 0, 0, fmt.Errorf("the two solvers disagree: %g..%g against Gonum's %g..%g", lo, hi, glo, ghi)
		}
	}
	return lo, hi, nil
}

func same(a, b float64) bool {
	return (math.IsInf(a, 1) && math.IsInf(b, 1)) || math.Abs(a-b) < 1e-6
}

// gonum bounds the cell with Gonum's simplex.
func (s *split) gonum(id int, obj map[int]float64, rep *Report) (float64, float64, error) {
	st, err := s.standardForm(id)
	if err != nil {
		return 0, 0, err
	}
	c := make([]float64, st.cols)
	for a, v := range obj {
		c[st.col[a]] = v
	}
	lo, err := s.optimum(st, c)
	if err != nil {
		return 0, 0, err
	}
	for j := range c {
		c[j] = -c[j]
	}
	negHi, err := s.optimum(st, c)
	if err != nil {
		return 0, 0, err
	}
	rep.LinearPrograms += 2
	return lo, -negHi, nil
}

func (s *split) optimum(st *standard, c []float64) (float64, error) {
	rows, _ := st.a.Dims()
	if rows == 0 {
		// Nothing constrains the component: each count is free above 0.
		for _, v := range c {
			if v < 0 {
				return math.Inf(-1), nil
			}
		}
		return 0, nil
	}
	f, _, err := gonumlp.Simplex(c, st.a, st.b, 1e-10, nil)
	switch {
	case errors.Is(err, gonumlp.ErrUnbounded):
		return math.Inf(-1), nil
	case err != nil:
		return 0, err
	}
	return f, nil
}
