package disclosure

import "math"

// elimination holds the span of the published cells in echelon form, and
// each hidden primary cell's residual against it: a primary cell can be
// worked out from the published cells exactly when its residual is zero.
type elimination struct {
	n        int
	basis    [][]float64
	pivots   []int
	zero     []bool // inner cells a published zero shows to be 0
	residual map[int][]float64
}

func newElimination(n int) *elimination {
	return &elimination{n: n, zero: make([]bool, n), residual: map[int][]float64{}}
}

func (e *elimination) vector(inner []int) []float64 {
	v := make([]float64, e.n)
	for _, a := range inner {
		if !e.zero[a] {
			v[a]++
		}
	}
	return v
}

func (e *elimination) reduce(v []float64) {
	for k, b := range e.basis {
		if f := v[e.pivots[k]]; math.Abs(f) > eps {
			axpy(v, -f, b)
		}
	}
}

// publishZero records a published 0: each of its inner cells is 0 (counts
// are not negative), which says more than one equation.
func (e *elimination) publishZero(inner []int) {
	for _, a := range inner {
		if e.zero[a] {
			continue
		}
		e.zero[a] = true
		u := make([]float64, e.n)
		u[a] = 1
		e.add(u)
	}
}

// watch starts tracking a hidden primary cell.
func (e *elimination) watch(cell int, inner []int) {
	v := e.vector(inner)
	e.reduce(v)
	e.residual[cell] = v
}

// derivable reports the watched cells whose residual is zero.
func (e *elimination) derivable() []int {
	var out []int
	for c, r := range e.residual {
		if isZero(r) {
			out = append(out, c)
		}
	}
	return out
}

// tryPublish publishes the cell unless that would make a watched cell
// derivable; it reports whether it did.
func (e *elimination) tryPublish(inner []int) bool {
	v := e.vector(inner)
	e.reduce(v)
	p := pivotOf(v)
	if p < 0 {
		return true // already implied by what is published
	}
	scale(v, 1/v[p])
	for _, r := range e.residual {
		f := r[p]
		if math.Abs(f) <= eps {
			continue
		}
		if zeroAfter(r, -f, v) {
			return false
		}
	}
	e.addReduced(v, p)
	return true
}

// add adds a published vector (not yet reduced).
func (e *elimination) add(v []float64) {
	e.reduce(v)
	p := pivotOf(v)
	if p < 0 {
		return
	}
	scale(v, 1/v[p])
	e.addReduced(v, p)
}

func (e *elimination) addReduced(v []float64, p int) {
	e.basis = append(e.basis, v)
	e.pivots = append(e.pivots, p)
	for _, r := range e.residual {
		if f := r[p]; math.Abs(f) > eps {
			axpy(r, -f, v)
		}
	}
}

func pivotOf(v []float64) int {
	p, best := -1, eps
	for i, x := range v {
		if a := math.Abs(x); a > best+eps {
			p, best = i, a
		}
	}
	return p
}

func isZero(v []float64) bool {
	for _, x := range v {
		if math.Abs(x) > 1e-7 {
			return false
		}
	}
	return true
}

// zeroAfter reports whether r + f·v is zero, without changing r.
func zeroAfter(r []float64, f float64, v []float64) bool {
	for i, x := range r {
		if math.Abs(x+f*v[i]) > 1e-7 {
			return false
		}
	}
	return true
}

// eps is how far from zero a float still counts as zero: the tables'
// values are whole counts, so anything closer is rounding.
const eps = 1e-9

func axpy(dst []float64, f float64, v []float64) {
	for i, x := range v {
		if x != 0 {
			dst[i] += f * x
		}
	}
}

func scale(v []float64, f float64) {
	for i := range v {
		v[i] *= f
	}
}
