package disclosure

import (
	"fmt"
	"strconv"
)

// Status is what happens to a cell.
type Status uint8

// The statuses. Open cells are decided by Protect; the others were decided
// before (Cell.Fixed) or by Protect.
const (
	Open Status = iota
	// Published: the value is shown.
	Published
	// Primary: hidden because it counts 1 to Threshold-1.
	Primary
	// Secondary: hidden so that no primary cell can be worked out.
	Secondary
)

// Hidden reports whether the cell's value is withheld.
func (s Status) Hidden() bool { return s == Primary || s == Secondary }

func (s Status) String() string {
	switch s {
	case Open:
		return "open"
	case Published:
		return "published"
	case Primary:
		return "primary"
	case Secondary:
		return "secondary"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Cell is a count that may be published: the sum of some inner cells.
type Cell struct {
	// Key names the cell in reports and orders ties: "2026-03/329/GAP".
	Key string
	// Inner are the inner cells (indexes below Problem.Inner) it sums.
	Inner []int
	// Value is the count: the sum of the inner cells' values.
	Value int
	// Fixed is the status an earlier publication gave the cell; Open for a
	// cell decided now.
	Fixed Status
}

// Constraint is something a reader knows about the inner cells beyond
// the published sums: Σ Coefs[i]·inner[Inner[i]] ≥ 0. For example, the
// pathways with a gap of one kind are never more than those with a gap.
type Constraint struct {
	Inner []int
	Coefs []float64
}

// Problem is a set of tables over shared inner cells.
type Problem struct {
	// Inner is the number of inner cells; their values follow from Cells.
	Inner int
	Cells []Cell
	// Constraints hold for every table a reader could be shown.
	Constraints []Constraint
}

// Rule is the threshold rule and the protection it asks for.
type Rule struct {
	// Threshold: counts from 1 to Threshold-1 are hidden. Default 5.
	Threshold int
	// Protection is the upper protection level: for a hidden count v, the
	// published cells must allow a value of at least v+Protection. Default 4
	// (so a reader of a hidden 1 cannot rule out 5).
	Protection int
}

// DefaultRule is the rule of docs/STATISTICS.md: 1–4 hidden, protection 4.
var DefaultRule = Rule{Threshold: 5, Protection: 4}

func (r Rule) withDefaults() Rule {
	if r.Threshold == 0 {
		r.Threshold = DefaultRule.Threshold
	}
	if r.Protection == 0 {
		r.Protection = DefaultRule.Protection
	}
	return r
}

func (r Rule) sensitive(v int) bool { return v >= 1 && v < r.Threshold }

// validate checks the problem's shape: inner indexes in range, values not
// negative, fixed statuses consistent with the rule.
func (p Problem) validate(r Rule) error {
	for i, c := range p.Cells {
		if c.Value < 0 {
			return fmt.Errorf("disclosure: cell %d (%s) counts %d: counts are not negative", i, c.Key, c.Value)
		}
		for _, a := range c.Inner {
			if a < 0 || a >= p.Inner {
				return fmt.Errorf("disclosure: cell %d (%s) sums inner cell %d of %d", i, c.Key, a, p.Inner)
			}
		}
		if c.Fixed == Published && r.sensitive(c.Value) {
			return fmt.Errorf("disclosure: cell %d (%s) was published with the count %d", i, c.Key, c.Value)
		}
	}
	for i, k := range p.Constraints {
		if len(k.Inner) != len(k.Coefs) {
			return fmt.Errorf("disclosure: constraint %d has %d inner cells and %d coefficients", i, len(k.Inner), len(k.Coefs))
		}
		for _, a := range k.Inner {
			if a < 0 || a >= p.Inner {
				return fmt.Errorf("disclosure: constraint %d uses inner cell %d of %d", i, a, p.Inner)
			}
		}
	}
	return nil
}
