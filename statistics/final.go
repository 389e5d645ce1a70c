package statistics

import (
	"time"

	"github.com/sundhedsklynge/klynge/pathway"
)

// FinalAfter is how long after a period ends its counts stop changing: a
// pathway discharged on the period's last day runs its follow-up window,
// and a referral sent on its last day may still wait for its answer; a day
// more for records that arrive late. Only then is a period published, so
// that two answers about one period never differ.
func FinalAfter(r pathway.Rules) time.Duration {
	if r.FollowUp == 0 {
		r = pathway.DefaultRules()
	}
	return r.FollowUp + max(r.ReferralAnswerWithin, r.OutOfHoursWithin, r.CareVisitWithin, r.MedicationCover()) + 24*time.Hour
}

// NotFinalError says a period cannot be published yet, and from when.
type NotFinalError struct {
	Period Period
	From   time.Time
}

func (e *NotFinalError) Error() string {
	return e.Period.String() + " is not final yet: it is published from " + e.From.Format(time.RFC3339) +
		", when every pathway discharged in it has run its follow-up"
}
