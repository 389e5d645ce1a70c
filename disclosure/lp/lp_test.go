package lp

import (
	"errors"
	"math"
	"testing"
)

// TestMaxOnSmallTables: the bounds of a cell of small tables, worked by
// hand: a row total fixes what its hidden cells can hold.
func TestMaxOnSmallTables(t *testing.T) {
	// x0 + x1 = 5, x1 + x2 = 3 (x ≥ 0), and a redundant copy of the first
	// row, as tables give when a total is published twice.
	rows := []Row{
		{Vars: []int{0, 1}, Coefs: []float64{1, 1}, RHS: 5},
		{Vars: []int{1, 2}, Coefs: []float64{1, 1}, RHS: 3},
		{Vars: []int{0, 1}, Coefs: []float64{1, 1}, RHS: 5},
	}
	tb, err := New(3, rows)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		obj  map[int]float64
		want float64
	}{
		{"x0 at most 5", map[int]float64{0: 1}, 5},
		{"x0 at least 2 (-x0 at most -2)", map[int]float64{0: -1}, -2},
		{"x1 at most 3", map[int]float64{1: 1}, 3},
		{"x2 at most 3", map[int]float64{2: 1}, 3},
		{"x0 + x2 at most 8", map[int]float64{0: 1, 2: 1}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each objective on the same tableau: Max leaves it as it was.
			got, unbounded, err := tb.Max(tt.obj)
			if err != nil || unbounded || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("Max = %g, unbounded %v, err %v; want %g", got, unbounded, err, tt.want)
			}
		})
	}
}

func TestUnboundedAndInfeasible(t *testing.T) {
	// x0 - x1 ≥ 1: x0 has no upper bound.
	tb, err := New(2, []Row{{Vars: []int{0, 1}, Coefs: []float64{1, -1}, GE: true, RHS: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, unbounded, err := tb.Max(map[int]float64{0: 1}); err != nil || !unbounded {
		t.Fatalf("unbounded %v, err %v; want unbounded", unbounded, err)
	}
	// x0 + x1 = 2 and x0 ≥ 3 contradict each other.
	_, err = New(2, []Row{
		{Vars: []int{0, 1}, Coefs: []float64{1, 1}, RHS: 2},
		{Vars: []int{0}, Coefs: []float64{1}, GE: true, RHS: 3},
	})
	if !errors.Is(err, ErrInfeasible) {
		t.Fatalf("err = %v, want ErrInfeasible", err)
	}
}
