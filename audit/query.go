package audit

import (
	"fmt"

	"github.com/sundhedsklynge/klynge/domain"
)

// MaxQueryFirst is the largest page Query returns.
const MaxQueryFirst = 500

// Query selects records of the log. The filters combine with AND; a zero
// filter does not restrict. Results come newest (highest Seq) first.
type Query struct {
	Citizen     domain.CPR // only records about this citizen
	Subject     string     // only records of this principal
	FlaggedOnly bool       // only records flagged for review
	After       int64      // only records with Seq > After (0: no bound)
	Before      int64      // only records with Seq < Before (0: no bound); the paging cursor
	First       int        // page size, 1..MaxQueryFirst
}

func (q Query) validate() error {
	fail := func(field, rule string) error {
		return fmt.Errorf("audit: query: %s %s", field, rule)
	}
	if q.First < 1 || q.First > MaxQueryFirst {
		return fail("First", fmt.Sprintf("must be between 1 and %d", MaxQueryFirst))
	}
	if q.After < 0 {
		return fail("After", "must not be negative")
	}
	if q.Before < 0 {
		return fail("Before", "must not be negative")
	}
	if q.Citizen != "" {
		if c, err := domain.ParseCPR(string(q.Citizen)); err != nil || c != q.Citizen {
			return fail("Citizen", "must be a valid CPR in its canonical form DDMMYYSSSS")
		}
	}
	if rule := textRule(q.Subject); rule != "" {
		return fail("Subject", rule)
	}
	return nil
}
