// Package lp is a small dense simplex for the linear programs of
// statistical disclosure control: the interval bounds that the suppression
// of disclosure/ protects and that an attacker of published tables
// (internal/sdcattack, which cross-checks it against Gonum's) computes.
// Tens to a few hundred variables; Bland's rule after degenerate runs, so
// it never cycles on the degenerate programs tables give.
package lp

import (
	"errors"
	"math"
)

const eps = 1e-9

var (
	// ErrInfeasible: no non-negative values satisfy the rows (published
	// cells that contradict each other).
	ErrInfeasible = errors.New("the published cells contradict each other")
	// ErrNoConvergence: the simplex hit its bound on pivots.
	ErrNoConvergence = errors.New("the linear program did not converge")
)

// Row is one linear constraint Σ Coefs[k]·x[Vars[k]] (= or ≥) RHS.
type Row struct {
	Vars  []int
	Coefs []float64
	GE    bool // ≥ when true, = otherwise
	RHS   float64
}

// Tableau is a feasible simplex tableau of a set of rows over n
// non-negative variables, from which several objectives can be maximised.
// It is not safe for concurrent use.
type Tableau struct {
	n, cols int         // variables; columns before the right-hand side
	art     int         // first artificial column (= cols once phase 1 dropped them)
	t       [][]float64 // m rows of cols+1 (the last is the right-hand side)
	basis   []int
	work    *Tableau // the copy max works on, reused from one objective to the next
	nz      []int    // pivot's scratch
}

// New finds a feasible basis of rows over n variables (phase 1), or
// ErrInfeasible.
func New(n int, rows []Row) (*Tableau, error) {
	surplus := 0
	for _, r := range rows {
		if r.GE {
			surplus++
		}
	}
	m := len(rows)
	art := n + surplus
	cols := art + m
	tb := &Tableau{n: n, cols: cols, art: art, t: make([][]float64, m), basis: make([]int, m)}
	s := n
	for i, r := range rows {
		line := make([]float64, cols+1)
		for k, v := range r.Vars {
			line[v] += r.Coefs[k]
		}
		line[cols] = r.RHS
		if r.GE {
			line[s] = -1
			s++
		}
		if line[cols] < 0 {
			for j := range line {
				line[j] = -line[j]
			}
		}
		line[art+i] = 1
		tb.t[i] = line
		tb.basis[i] = art + i
	}
	cost := make([]float64, cols)
	for j := art; j < cols; j++ {
		cost[j] = -1
	}
	v, unbounded, err := tb.maximise(cost, true)
	switch {
	case err != nil:
		return nil, err
	case unbounded || v < -1e-7:
		return nil, ErrInfeasible
	}
	tb.evictArtificials()
	tb.dropArtificials()
	return tb, nil
}

// evictArtificials pivots artificial variables (at zero after phase 1) out
// of the basis where a real column can take their place; a row where none
// can is redundant and stays, harmless, with its artificial at zero.
func (tb *Tableau) evictArtificials() {
	for i, b := range tb.basis {
		if b < tb.art {
			continue
		}
		for j := 0; j < tb.art; j++ {
			if math.Abs(tb.t[i][j]) > eps {
				tb.pivot(i, j)
				break
			}
		}
	}
}

// dropArtificials removes the artificial columns once phase 1 is over: no
// artificial may enter the basis again and no pivot reads them, so every
// objective after it costs less to copy and to pivot, with the same pivots
// and the same results. A redundant row keeps its artificial as its basis
// index; it never leaves the basis.
func (tb *Tableau) dropArtificials() {
	w := tb.art + 1
	backing := make([]float64, len(tb.t)*w)
	for i, line := range tb.t {
		r := backing[i*w : (i+1)*w : (i+1)*w]
		copy(r, line[:tb.art])
		r[tb.art] = line[tb.cols]
		tb.t[i] = r
	}
	tb.cols = tb.art
}

// copyInto makes tb.work a copy of tb, allocated once per tableau: the
// linear programs of a table are many objectives over one tableau.
func (tb *Tableau) copyInto() *Tableau {
	m, w := len(tb.t), tb.cols+1
	if tb.work == nil {
		c := &Tableau{n: tb.n, cols: tb.cols, art: tb.art, t: make([][]float64, m, m+1), basis: make([]int, m)}
		backing := make([]float64, m*w)
		for i := range c.t {
			c.t[i] = backing[i*w : (i+1)*w : (i+1)*w]
		}
		tb.work = c
	}
	c := tb.work
	for i, line := range tb.t {
		copy(c.t[i], line)
	}
	copy(c.basis, tb.basis)
	return c
}

// Max maximises Σ obj[j]·x[j] over the original variables, on a copy
// (the tableau stays as it was for the next objective); unbounded reports
// an objective with no maximum.
func (tb *Tableau) Max(obj map[int]float64) (v float64, unbounded bool, err error) {
	c := tb.copyInto()
	cost := make([]float64, c.cols)
	for j, v := range obj {
		cost[j] = v
	}
	return c.maximise(cost, false)
}

// maximise runs the simplex from the current basis: Dantzig's rule, and
// Bland's (which cannot cycle) after a run of degenerate pivots.
// Artificial columns may enter only in phase 1.
func (tb *Tableau) maximise(cost []float64, phase1 bool) (float64, bool, error) {
	m := len(tb.t)
	rhs := tb.cols
	enterable := tb.cols
	if !phase1 {
		enterable = tb.art
	}
	// The reduced costs ride along as an extra row, updated by each pivot.
	z := make([]float64, tb.cols+1)
	for j := range tb.cols {
		z[j] = -cost[j]
	}
	for i := 0; i < m; i++ {
		// A redundant row's artificial has no column (nor cost) after phase 1.
		if b := tb.basis[i]; b < len(cost) && cost[b] != 0 {
			axpy(z, cost[b], tb.t[i])
		}
	}
	tb.t = append(tb.t, z)
	defer func() { tb.t = tb.t[:m] }()
	// The bound on pivots counts the artificial columns, dropped or not.
	limit := 50 * (2*m + tb.art + 10)
	degenerate := 0
	for iter := 0; ; iter++ {
		if iter > limit {
			return 0, false, ErrNoConvergence
		}
		enter := -1
		for j := 0; j < enterable; j++ {
			if z[j] >= -eps {
				continue
			}
			if enter < 0 || (degenerate <= 50 && z[j] < z[enter]) {
				enter = j
				if degenerate > 50 {
					break
				}
			}
		}
		if enter < 0 {
			return z[rhs], false, nil
		}
		leave := -1
		best := math.Inf(1)
		for i := 0; i < m; i++ {
			a := tb.t[i][enter]
			if a <= eps {
				continue
			}
			ratio := tb.t[i][rhs] / a
			if ratio < best-eps || (ratio < best+eps && leave >= 0 && tb.basis[i] < tb.basis[leave]) {
				best, leave = ratio, i
			}
		}
		if leave < 0 {
			return math.Inf(1), true, nil
		}
		if best < eps {
			degenerate++
		} else {
			degenerate = 0
		}
		tb.pivot(leave, enter)
	}
}

func (tb *Tableau) pivot(r, c int) {
	pr := tb.t[r]
	p := pr[c]
	for j := range pr {
		pr[j] /= p
	}
	nz := tb.nz[:0]
	for j, v := range pr {
		if v != 0 {
			nz = append(nz, j)
		}
	}
	tb.nz = nz
	for i, line := range tb.t {
		if i == r {
			continue
		}
		f := line[c]
		if f == 0 {
			continue
		}
		for _, j := range nz {
			line[j] -= f * pr[j]
		}
	}
	tb.basis[r] = c
}

func axpy(dst []float64, f float64, v []float64) {
	for i, x := range v {
		if x != 0 {
			dst[i] += f * x
		}
	}
}
