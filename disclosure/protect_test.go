package disclosure_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sundhedsklynge/klynge/disclosure"
	"github.com/sundhedsklynge/klynge/internal/sdcattack"
)

// grid is a two-way table with its margins: inner[r][c] are the inner
// counts; the cells are every inner count, each row and column total and
// the grand total, with the relations a reader subtracts along.
type grid struct {
	p   disclosure.Problem
	rel []sdcattack.Relation
}

func newGrid(inner [][]int) grid {
	var g grid
	rows, cols := len(inner), len(inner[0])
	g.p.Inner = rows * cols
	idx := func(r, c int) int { return r*cols + c }
	cell := func(key string, in []int) int {
		v := 0
		for _, a := range in {
			v += inner[a/cols][a%cols]
		}
		g.p.Cells = append(g.p.Cells, disclosure.Cell{Key: key, Inner: in, Value: v})
		return len(g.p.Cells) - 1
	}
	innerCell := make([][]int, rows)
	for r := range rows {
		innerCell[r] = make([]int, cols)
		for c := range cols {
			innerCell[r][c] = cell(fmt.Sprintf("r%d/c%d", r, c), []int{idx(r, c)})
		}
	}
	var all []int
	var rowTotals []int
	for r := range rows {
		var in []int
		for c := range cols {
			in = append(in, idx(r, c))
		}
		all = append(all, in...)
		t := cell(fmt.Sprintf("r%d/total", r), in)
		rowTotals = append(rowTotals, t)
		g.rel = append(g.rel, sdcattack.Relation{Name: fmt.Sprintf("row %d", r), Sum: t, Parts: innerCell[r]})
	}
	var colTotals []int
	for c := range cols {
		var in, parts []int
		for r := range rows {
			in = append(in, idx(r, c))
			parts = append(parts, innerCell[r][c])
		}
		t := cell(fmt.Sprintf("total/c%d", c), in)
		colTotals = append(colTotals, t)
		g.rel = append(g.rel, sdcattack.Relation{Name: fmt.Sprintf("column %d", c), Sum: t, Parts: parts})
	}
	slices.Sort(all)
	grand := cell("total/total", all)
	g.rel = append(g.rel,
		sdcattack.Relation{Name: "grand total by rows", Sum: grand, Parts: rowTotals},
		sdcattack.Relation{Name: "grand total by columns", Sum: grand, Parts: colTotals})
	return g
}

func (g grid) tables(status []disclosure.Status) sdcattack.Tables {
	t := sdcattack.Tables{Inner: g.p.Inner, Relations: g.rel}
	for i, c := range g.p.Cells {
		t.Cells = append(t.Cells, sdcattack.Cell{Key: c.Key, Inner: c.Inner, Value: c.Value, Hidden: status[i].Hidden()})
	}
	for _, k := range g.p.Constraints {
		t.Constraints = append(t.Constraints, sdcattack.Constraint{Inner: k.Inner, Coefs: k.Coefs})
	}
	return t
}

// primaryOnly is the suppression klynge had before: 1–4 hidden, nothing else.
func primaryOnly(p disclosure.Problem) []disclosure.Status {
	out := make([]disclosure.Status, len(p.Cells))
	for i, c := range p.Cells {
		out[i] = disclosure.Published
		if c.Value >= 1 && c.Value <= 4 {
			out[i] = disclosure.Primary
		}
	}
	return out
}

var tables = []struct {
	name  string
	inner [][]int
}{
	{"one small count in a row", [][]int{{20, 1, 15}, {30, 12, 9}, {8, 7, 25}}},
	{"the issue's Holbæk row: 61 OK, 1 AT_RISK, 11 GAP, 0 UNKNOWN", [][]int{{61, 1, 11, 0}, {40, 6, 9, 0}, {25, 0, 3, 0}}},
	{"a row of small counts", [][]int{{2, 3, 1}, {10, 14, 30}, {22, 8, 19}}},
	{"a lone small count in its column", [][]int{{3, 0, 0}, {40, 12, 9}, {18, 0, 7}}},
	{"zeros around small counts", [][]int{{0, 2, 0, 9}, {0, 0, 4, 11}, {6, 0, 0, 1}, {13, 9, 21, 30}}},
	{"many small counts", [][]int{{1, 2, 3, 4}, {4, 3, 2, 1}, {9, 1, 7, 2}, {12, 30, 1, 8}}},
}

func TestPrimaryOnlySuppressionIsBackedOut(t *testing.T) {
	recovered := 0
	for _, tt := range tables {
		g := newGrid(tt.inner)
		rep, err := sdcattack.Attack(g.tables(primaryOnly(g.p)), disclosure.DefaultRule.Protection)
		if err != nil {
			t.Fatal(err)
		}
		recovered += len(rep.Recovered)
		t.Logf("%s: primary only: %s", tt.name, rep)
	}
	if recovered == 0 {
		t.Fatal("the attacker recovered nothing from primary-only suppression: it cannot tell a protected table from an unprotected one")
	}
}

func TestProtectedTablesResistTheAttack(t *testing.T) {
	for _, tt := range tables {
		t.Run(tt.name, func(t *testing.T) {
			g := newGrid(tt.inner)
			status, rep, err := disclosure.Protect(g.p, disclosure.DefaultRule)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range g.p.Cells {
				if c.Value >= 1 && c.Value <= 4 && status[i] != disclosure.Primary {
					t.Errorf("%s = %d is %s, want primary", c.Key, c.Value, status[i])
				}
				if c.Value == 0 && status[i] != disclosure.Published {
					t.Errorf("%s = 0 is %s: zeros are published", c.Key, status[i])
				}
			}
			att, err := sdcattack.Attack(g.tables(status), disclosure.DefaultRule.Protection)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("protect: %+v; attack: %s", rep, att)
			for _, f := range att.Recovered {
				t.Errorf("recovered %s", f)
			}
			for _, f := range att.Narrow {
				t.Errorf("too narrow: %s", f)
			}
		})
	}
}

func TestProtectIsDeterministic(t *testing.T) {
	for _, tt := range tables {
		g := newGrid(tt.inner)
		first, _, err := disclosure.Protect(g.p, disclosure.DefaultRule)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			again, _, err := disclosure.Protect(g.p, disclosure.DefaultRule)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(first, again) {
				t.Fatalf("%s: two runs on the same table differ:\n%v\n%v", tt.name, first, again)
			}
		}
	}
}

func TestProtectRefusesAPublishedSmallCount(t *testing.T) {
	g := newGrid([][]int{{3, 10}, {10, 10}})
	g.p.Cells[0].Fixed = disclosure.Published
	if _, _, err := disclosure.Protect(g.p, disclosure.DefaultRule); err == nil {
		t.Fatal("a problem whose earlier publication showed a 3 was accepted")
	}
}

// TestFixedCellsKeepTheirStatus: a table published before keeps its
// pattern when a table over the same inner counts is added (a quarter over
// its months), and the two together still resist the attack.
func TestFixedCellsKeepTheirStatus(t *testing.T) {
	// Month 1 alone: rows are municipalities, columns measures.
	m1 := [][]int{{2, 9}, {11, 13}, {7, 1}}
	m2 := [][]int{{5, 6}, {3, 20}, {9, 9}}
	g1 := newGrid(m1)
	s1, _, err := disclosure.Protect(g1.p, disclosure.DefaultRule)
	if err != nil {
		t.Fatal(err)
	}
	// Both months and their sum: inner counts are month 1's then month 2's.
	p := disclosure.Problem{Inner: 12}
	var rel []sdcattack.Relation
	addMonth := func(g grid, offset int, fixed []disclosure.Status, prefix string) []int {
		var idx []int
		for i, c := range g.p.Cells {
			in := make([]int, len(c.Inner))
			for k, a := range c.Inner {
				in[k] = a + offset
			}
			cell := disclosure.Cell{Key: prefix + c.Key, Inner: in, Value: c.Value}
			if fixed != nil {
				cell.Fixed = fixed[i]
			}
			p.Cells = append(p.Cells, cell)
			idx = append(idx, len(p.Cells)-1)
		}
		for _, r := range g.rel {
			parts := make([]int, len(r.Parts))
			for k, x := range r.Parts {
				parts[k] = idx[x]
			}
			rel = append(rel, sdcattack.Relation{Name: prefix + r.Name, Sum: idx[r.Sum], Parts: parts})
		}
		return idx
	}
	i1 := addMonth(g1, 0, s1, "m1/")
	i2 := addMonth(newGrid(m2), 6, nil, "m2/")
	// The quarter: each cell the sum of the two months' cells.
	n := len(g1.p.Cells)
	for k := range n {
		a, b := p.Cells[i1[k]], p.Cells[i2[k]]
		p.Cells = append(p.Cells, disclosure.Cell{Key: "q/" + a.Key[3:], Inner: append(slices.Clone(a.Inner), b.Inner...), Value: a.Value + b.Value})
		rel = append(rel, sdcattack.Relation{Name: "quarter " + a.Key[3:], Sum: len(p.Cells) - 1, Parts: []int{i1[k], i2[k]}})
	}
	status, _, err := disclosure.Protect(p, disclosure.DefaultRule)
	if err != nil {
		t.Fatal(err)
	}
	for k, i := range i1 {
		if status[i] != s1[k] {
			t.Errorf("%s was %s and is now %s", p.Cells[i].Key, s1[k], status[i])
		}
	}
	tab := sdcattack.Tables{Inner: p.Inner, Relations: rel}
	for i, c := range p.Cells {
		tab.Cells = append(tab.Cells, sdcattack.Cell{Key: c.Key, Inner: c.Inner, Value: c.Value, Hidden: status[i].Hidden()})
	}
	att, err := sdcattack.Attack(tab, disclosure.DefaultRule.Protection)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(att)
	if len(att.Recovered)+len(att.Narrow) > 0 {
		t.Errorf("recovered %v, too narrow %v", att.Recovered, att.Narrow)
	}
}
