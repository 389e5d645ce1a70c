// Package sdcattack is the attacker of published statistics, for tests: given
// every table a reader can obtain (published counts and which counts are
// hidden), it tries to recover hidden counts the way a reader would —
// subtraction along every published sum (rows, columns, the cluster total
// against its municipalities, a quarter against its months), the
// difference and sum of any two such sums, exact elimination over all of
// them at once, and finally interval bounds by linear programming over the
// inner counts (Gonum's simplex: a solver klynge did not write), with
// everything a reader knows (counts are not negative, a hidden count is
// never 0, the constraints between measures).
//
// It is independent of package disclosure on purpose: it builds its own
// equations from what was published and solves them with another solver,
// so that a mistake in the protection cannot hide behind the same mistake
// in its check.
package sdcattack

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Cell is one count a reader sees: published with its value, or hidden.
type Cell struct {
	Key    string
	Inner  []int // the inner counts it sums
	Hidden bool
	// Value is the published count; for a hidden cell the true count, used
	// only to judge the attack (never by it).
	Value int
}

// Relation is a published sum: Cells[Sum] = Σ Cells[Parts].
type Relation struct {
	Name  string
	Sum   int
	Parts []int
}

// Constraint is known about the inner counts: Σ Coefs·inner ≥ 0.
type Constraint struct {
	Inner []int
	Coefs []float64
}

// Tables is everything a reader can obtain.
type Tables struct {
	Inner       int
	Cells       []Cell
	Relations   []Relation
	Constraints []Constraint
}

// Finding is a hidden count the attack recovered, or bounded too tightly.
type Finding struct {
	Cell     string
	Strategy string
	Truth    int
	Lo, Hi   float64
}

func (f Finding) String() string {
	return fmt.Sprintf("%s = %d by %s (range %g..%g)", f.Cell, f.Truth, f.Strategy, f.Lo, f.Hi)
}

// Report says what the attack tried and what it found.
type Report struct {
	Cells, HiddenCells int
	// Subtractions: one published sum at a time.
	Subtractions int
	// Differences: pairs of sums added and subtracted.
	Differences int
	// EliminationEquations: equations solved together by elimination.
	EliminationEquations int
	// LinearPrograms solved for interval bounds, over InnerVariables
	// unknown inner counts and LPConstraints rows in all.
	LinearPrograms, InnerVariables, LPConstraints int
	// Recovered hidden counts (exact value found).
	Recovered []Finding
	// Narrow: hidden counts v whose upper bound is below v+protection.
	Narrow []Finding
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d cells (%d hidden); %d subtractions along published sums, %d differences of two sums, "+
		"%d equations eliminated together, %d linear programs over %d inner counts and %d constraints: %d recovered, %d too narrow",
		r.Cells, r.HiddenCells, r.Subtractions, r.Differences, r.EliminationEquations,
		r.LinearPrograms, r.InnerVariables, r.LPConstraints, len(r.Recovered), len(r.Narrow))
	return b.String()
}

// Attack runs every strategy; protection is the width above the true value
// a hidden count's upper bound must reach (0: only exact recovery counts).
func Attack(t Tables, protection int) (Report, error) {
	rep := Report{Cells: len(t.Cells)}
	for _, c := range t.Cells {
		if c.Hidden {
			rep.HiddenCells++
		}
	}
	found := map[string]bool{}
	add := func(f Finding) {
		if !found[f.Cell] {
			found[f.Cell] = true
			rep.Recovered = append(rep.Recovered, f)
		}
	}
	for _, f := range subtract(t, &rep) {
		add(f)
	}
	for _, f := range differences(t, &rep) {
		add(f)
	}
	for _, f := range eliminate(t, &rep) {
		add(f)
	}
	bounds, err := intervals(t, &rep)
	if err != nil {
		return rep, err
	}
	for i, b := range bounds {
		c := t.Cells[i]
		if b.hi-b.lo < 0.5 {
			add(Finding{Cell: c.Key, Strategy: "interval bounds", Truth: c.Value, Lo: b.lo, Hi: b.hi})
			continue
		}
		if protection > 0 && c.Value < 5 && b.hi < float64(c.Value+protection)-1e-6 {
			rep.Narrow = append(rep.Narrow, Finding{Cell: c.Key, Strategy: "interval bounds", Truth: c.Value, Lo: b.lo, Hi: b.hi})
		}
	}
	slices.SortFunc(rep.Recovered, func(a, b Finding) int { return strings.Compare(a.Cell, b.Cell) })
	return rep, nil
}

// term is a relation written as Σ coef·cell = 0 over hidden cells, with the
// published ones moved to the constant.
type term struct {
	coef map[int]float64 // hidden cell → coefficient
	rhs  float64
}

func (t Tables) linear(r Relation) term {
	out := term{coef: map[int]float64{}}
	put := func(i int, f float64) {
		if t.Cells[i].Hidden {
			out.coef[i] += f
		} else {
			out.rhs -= f * float64(t.Cells[i].Value)
		}
	}
	put(r.Sum, 1)
	for _, p := range r.Parts {
		put(p, -1)
	}
	for k, v := range out.coef {
		if math.Abs(v) < 1e-9 {
			delete(out.coef, k)
		}
	}
	return out
}

// single: a combination with one hidden cell left gives its value.
func (t Tables) single(x term, strategy string) (Finding, bool) {
	if len(x.coef) != 1 {
		return Finding{}, false
	}
	for i, c := range x.coef {
		v := x.rhs / c
		return Finding{Cell: t.Cells[i].Key, Strategy: strategy, Truth: t.Cells[i].Value, Lo: v, Hi: v}, true
	}
	return Finding{}, false
}

func subtract(t Tables, rep *Report) []Finding {
	var out []Finding
	for _, r := range t.Relations {
		rep.Subtractions++
		if f, ok := t.single(t.linear(r), "subtraction along "+r.Name); ok {
			out = append(out, f)
		}
	}
	return out
}

func differences(t Tables, rep *Report) []Finding {
	terms := make([]term, len(t.Relations))
	for i, r := range t.Relations {
		terms[i] = t.linear(r)
	}
	var out []Finding
	for i := range terms {
		for j := i + 1; j < len(terms); j++ {
			if !overlap(terms[i], terms[j]) {
				continue
			}
			for _, sign := range []float64{-1, 1} {
				rep.Differences++
				x := term{coef: map[int]float64{}, rhs: terms[i].rhs + sign*terms[j].rhs}
				for k, v := range terms[i].coef {
					x.coef[k] += v
				}
				for k, v := range terms[j].coef {
					x.coef[k] += sign * v
				}
				for k, v := range x.coef {
					if math.Abs(v) < 1e-9 {
						delete(x.coef, k)
					}
				}
				name := fmt.Sprintf("%s %s %s", t.Relations[i].Name, map[float64]string{-1: "minus", 1: "plus"}[sign], t.Relations[j].Name)
				if f, ok := t.single(x, name); ok {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func overlap(a, b term) bool {
	for k := range a.coef {
		if _, ok := b.coef[k]; ok {
			return true
		}
	}
	return false
}

// eliminate solves all relations together (Gauss–Jordan over the hidden
// cells): a hidden cell whose reduced row has no other unknown is known.
func eliminate(t Tables, rep *Report) []Finding {
	var hidden []int
	col := map[int]int{}
	for i, c := range t.Cells {
		if c.Hidden {
			col[i] = len(hidden)
			hidden = append(hidden, i)
		}
	}
	n := len(hidden)
	var rows [][]float64
	for _, r := range t.Relations {
		x := t.linear(r)
		if len(x.coef) == 0 {
			continue
		}
		line := make([]float64, n+1)
		for k, v := range x.coef {
			line[col[k]] = v
		}
		line[n] = x.rhs
		rows = append(rows, line)
	}
	rep.EliminationEquations += len(rows)
	rank := 0
	for c := 0; c < n && rank < len(rows); c++ {
		p := -1
		for r := rank; r < len(rows); r++ {
			if math.Abs(rows[r][c]) > 1e-9 && (p < 0 || math.Abs(rows[r][c]) > math.Abs(rows[p][c])) {
				p = r
			}
		}
		if p < 0 {
			continue
		}
		rows[rank], rows[p] = rows[p], rows[rank]
		piv := rows[rank][c]
		for j := range rows[rank] {
			rows[rank][j] /= piv
		}
		for r := range rows {
			if r != rank && math.Abs(rows[r][c]) > 1e-12 {
				f := rows[r][c]
				for j := range rows[r] {
					rows[r][j] -= f * rows[rank][j]
				}
			}
		}
		rank++
	}
	var out []Finding
	for _, line := range rows[:rank] {
		only := -1
		for c := 0; c < n; c++ {
			if math.Abs(line[c]) > 1e-9 {
				if only >= 0 {
					only = -2
					break
				}
				only = c
			}
		}
		if only >= 0 {
			i := hidden[only]
			v := line[n] / line[only]
			out = append(out, Finding{Cell: t.Cells[i].Key, Strategy: "elimination over every published sum", Truth: t.Cells[i].Value, Lo: v, Hi: v})
		}
	}
	return out
}
