package disclosure

import (
	"fmt"
	"math"

	"github.com/sundhedsklynge/klynge/disclosure/lp"
)

// reader is what a reader of the published cells knows: the inner cells
// the published cells fix outright, and the linear program over the rest.
type reader struct {
	p      Problem
	status []Status
	known  []float64  // NaN where not fixed by the published cells
	comp   []int      // component of each unknown inner cell
	rows   [][]lp.Row // per component, over component-local variables
	local  []int      // component-local index of each unknown inner cell
	size   []int      // variables per component
	tabs   map[int]*lp.Tableau
	solved int // linear programs solved
}

// newReader works out what the published cells fix (zeros, and cells with
// a single unknown inner cell, repeatedly) and splits the rest into
// independent linear programs.
func newReader(p Problem, status []Status) (*reader, error) {
	rd := &reader{p: p, status: status, known: make([]float64, p.Inner), tabs: map[int]*lp.Tableau{}}
	for i := range rd.known {
		rd.known[i] = math.NaN()
	}
	for i, c := range p.Cells {
		if status[i] == Published && c.Value == 0 {
			for _, a := range c.Inner {
				rd.known[a] = 0
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i, c := range p.Cells {
			if status[i] != Published {
				continue
			}
			rest, unknown := float64(c.Value), -1
			for _, a := range c.Inner {
				switch {
				case !math.IsNaN(rd.known[a]):
					rest -= rd.known[a]
				case unknown >= 0 && unknown != a:
					unknown = -2
				case unknown == -1:
					unknown = a
				}
			}
			if unknown >= 0 {
				if rest < -eps {
					return nil, fmt.Errorf("disclosure: cell %s: %w", c.Key, lp.ErrInfeasible)
				}
				rd.known[unknown] = rest
				changed = true
			}
		}
	}
	rd.split()
	return rd, nil
}

// split groups the unknown inner cells into components joined by a row,
// and writes each component's rows.
func (rd *reader) split() {
	all := rd.unknownRows()
	rd.numberComponents(all)
	for _, r := range all {
		id := rd.comp[r.inner[0]]
		vars := make([]int, len(r.inner))
		for k, a := range r.inner {
			vars[k] = rd.local[a]
		}
		rd.rows[id] = append(rd.rows[id], lp.Row{Vars: vars, Coefs: r.coefs, GE: r.ge, RHS: r.rhs})
	}
}

// pendingRow is a row over the unknown inner cells (module-wide indexes).
type pendingRow struct {
	inner []int
	coefs []float64
	ge    bool
	rhs   float64
}

// unknownRows are what the reader knows about the unknown inner cells:
// every published cell, every hidden cell ≥ 1, every constraint, with the
// fixed inner cells moved to the right-hand side.
func (rd *reader) unknownRows() []pendingRow {
	var all []pendingRow
	addRow := func(inner []int, coefs []float64, ge bool, rhs float64) {
		var vars []int
		var cs []float64
		for k, a := range inner {
			c := 1.0
			if coefs != nil {
				c = coefs[k]
			}
			if math.IsNaN(rd.known[a]) {
				vars, cs = append(vars, a), append(cs, c)
			} else {
				rhs -= c * rd.known[a]
			}
		}
		if len(vars) > 0 {
			all = append(all, pendingRow{vars, cs, ge, rhs})
		}
	}
	for i, c := range rd.p.Cells {
		switch {
		case rd.status[i] == Published:
			addRow(c.Inner, nil, false, float64(c.Value))
		case rd.status[i].Hidden():
			// A hidden cell is never 0: zeros are always published.
			addRow(c.Inner, nil, true, 1)
		}
	}
	for _, k := range rd.p.Constraints {
		addRow(k.Inner, k.Coefs, true, 0)
	}
	return all
}

// numberComponents joins the unknown inner cells that share a row (union
// by the smaller index, so each root is its component's smallest cell)
// and numbers the components, and the cells within each, in index order.
func (rd *reader) numberComponents(all []pendingRow) {
	n := rd.p.Inner
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
	for _, r := range all {
		for _, a := range r.inner[1:] {
			if ra, rb := find(a), find(r.inner[0]); ra != rb {
				parent[max(ra, rb)] = min(ra, rb)
			}
		}
	}
	rd.comp = make([]int, n)
	rd.local = make([]int, n)
	ids := map[int]int{}
	for a := 0; a < n; a++ {
		rd.comp[a] = -1
		if !math.IsNaN(rd.known[a]) {
			continue
		}
		root := find(a)
		id, ok := ids[root]
		if !ok {
			id = len(rd.size)
			ids[root] = id
			rd.size = append(rd.size, 0)
			rd.rows = append(rd.rows, nil)
		}
		rd.comp[a] = id
		rd.local[a] = rd.size[id]
		rd.size[id]++
	}
}

// upper is the largest value of cell i the reader cannot rule out
// (+Inf when none bounds it).
func (rd *reader) upper(i int) (float64, error) { return rd.extreme(i, 1) }

// lower is the smallest.
func (rd *reader) lower(i int) (float64, error) {
	v, err := rd.extreme(i, -1)
	return -v, err
}

// extreme maximises sign·cell.
func (rd *reader) extreme(i int, sign float64) (float64, error) {
	c := rd.p.Cells[i]
	base := 0.0
	obj := map[int]float64{}
	id := -1
	for _, a := range c.Inner {
		if !math.IsNaN(rd.known[a]) {
			base += rd.known[a]
			continue
		}
		id = rd.comp[a]
		obj[rd.local[a]] += sign
	}
	base *= sign
	if id < 0 {
		return base, nil
	}
	tb, ok := rd.tabs[id]
	if !ok {
		var err error
		if tb, err = lp.New(rd.size[id], rd.rows[id]); err != nil {
			return 0, fmt.Errorf("cell %s: %w", c.Key, err)
		}
		rd.tabs[id] = tb
	}
	rd.solved++
	v, unbounded, err := tb.Max(obj)
	if err != nil {
		return 0, fmt.Errorf("cell %s: %w", c.Key, err)
	}
	if unbounded {
		return math.Inf(1), nil
	}
	return base + v, nil
}

// protected reports whether hidden cell i is safe: a primary cell's upper
// bound reaches its value plus the protection; a complementary cell of an
// earlier publication is not pinned to one value.
func (rd *reader) protected(i int, r Rule) (bool, error) {
	u, err := rd.upper(i)
	if err != nil {
		return false, err
	}
	if rd.status[i] == Primary {
		return u >= float64(rd.p.Cells[i].Value+r.Protection)-1e-6, nil
	}
	l, err := rd.lower(i)
	return u-l >= 0.5, err
}

// risky lists the hidden primary cells (and the complementary cells of
// earlier publications) that are not protected, in cell order.
func (rd *reader) risky(r Rule) ([]int, error) {
	var out []int
	for i, s := range rd.status {
		if s != Primary && !(s == Secondary && rd.p.Cells[i].Fixed == Secondary) {
			continue
		}
		ok, err := rd.protected(i, r)
		if err != nil {
			return nil, err
		}
		if !ok {
			out = append(out, i)
		}
	}
	return out, nil
}
