package pathway

import (
	"errors"
	"fmt"
	"time"
)

const day = 24 * time.Hour

// Rules holds every window and threshold of docs/PATHWAYS.md. klynge.yaml sets
// them under `pathways:`; the keys are the field names in lower camel case.
//
// The zero Rules means DefaultRules: Assemble substitutes the defaults for it.
// Any other value is used as it is, so validate it at start-up.
type Rules struct {
	// TransferWindow: a stay that ends with destination other-hospital and is
	// followed by another stay starting within this time of its end is a
	// transfer, not a discharge.
	TransferWindow time.Duration
	// FollowUp is how long a pathway lasts after discharge.
	FollowUp time.Duration
	// ExtendedResponsibility is how long the discharging department keeps
	// medical responsibility when the 72-hour rule applies.
	ExtendedResponsibility time.Duration
	// ExtendedResponsibilityMinStay: the 72-hour rule applies only to stays
	// that lasted longer than this.
	ExtendedResponsibilityMinStay time.Duration
	// ExcludePsychiatric keeps psychiatric stays out of the 72-hour rule.
	ExcludePsychiatric bool
	// NotificationGrace is how long after discharge the municipality may
	// receive the discharge notification (SLHJ) without it being a gap.
	NotificationGrace time.Duration
	// CareVisitWithin: when care is needed, a visit must be performed within
	// this time of discharge.
	CareVisitWithin time.Duration
	// OutOfHoursWithin: an out-of-hours contact this soon after discharge is
	// a gap.
	OutOfHoursWithin time.Duration
	// ReadmissionWithin: a new stay this soon after discharge is a gap.
	ReadmissionWithin time.Duration
	// ReferralAnswerWithin: a GP referral still only sent after this time is
	// a gap.
	ReferralAnswerWithin time.Duration
	// MedicationCoverDays is how many days of medicine the hospital hands out
	// at discharge; the GP must have seen the citizen before it runs out.
	MedicationCoverDays int
}

// DefaultRules are the defaults of docs/PATHWAYS.md.
func DefaultRules() Rules {
	return Rules{
		TransferWindow:                6 * time.Hour,
		FollowUp:                      30 * day,
		ExtendedResponsibility:        72 * time.Hour,
		ExtendedResponsibilityMinStay: 24 * time.Hour,
		ExcludePsychiatric:            true,
		NotificationGrace:             time.Hour,
		CareVisitWithin:               24 * time.Hour,
		OutOfHoursWithin:              72 * time.Hour,
		ReadmissionWithin:             30 * day,
		ReferralAnswerWithin:          72 * time.Hour,
		MedicationCoverDays:           3,
	}
}

// MedicationCover is MedicationCoverDays as a duration (whole 24-hour days).
func (r Rules) MedicationCover() time.Duration {
	return time.Duration(r.MedicationCoverDays) * day
}

// RulesError names the configuration key that broke a rule.
type RulesError struct {
	Field string // the klynge.yaml key, e.g. "pathways.followUp"
	Rule  string // what the value must be
}

func (e *RulesError) Error() string { return e.Field + ": " + e.Rule }

// Validate checks every field and reports all violations at once (joined),
// each a *RulesError naming the key and the rule.
func (r Rules) Validate() error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, &RulesError{Field: "pathways." + field, Rule: fmt.Sprintf(format, args...)})
	}
	between := func(field string, v, lo, hi time.Duration) bool {
		if v < lo || v > hi {
			fail(field, "must be between %s and %s (got %s)", configDuration(lo), configDuration(hi), configDuration(v))
			return false
		}
		return true
	}
	between("transferWindow", r.TransferWindow, time.Minute, 48*time.Hour)
	followUpOK := between("followUp", r.FollowUp, day, 365*day)
	between("extendedResponsibility", r.ExtendedResponsibility, time.Hour, 30*day)
	between("extendedResponsibilityMinStay", r.ExtendedResponsibilityMinStay, 0, 30*day)
	between("referralAnswerWithin", r.ReferralAnswerWithin, time.Hour, 30*day)

	// These windows are measured from discharge; their evidence must lie
	// inside the pathway, or a rule could never see it.
	withinFollowUp := func(field string, v, lo, hi time.Duration) {
		if between(field, v, lo, hi) && followUpOK && v > r.FollowUp {
			fail(field, "must not exceed pathways.followUp (%s), or its evidence falls outside the pathway (got %s)",
				configDuration(r.FollowUp), configDuration(v))
		}
	}
	withinFollowUp("notificationGrace", r.NotificationGrace, 0, 7*day)
	withinFollowUp("careVisitWithin", r.CareVisitWithin, time.Hour, 7*day)
	withinFollowUp("outOfHoursWithin", r.OutOfHoursWithin, time.Hour, 30*day)
	withinFollowUp("readmissionWithin", r.ReadmissionWithin, day, 365*day)
	if r.MedicationCoverDays < 1 || r.MedicationCoverDays > 30 {
		fail("medicationCoverDays", "must be between 1 and 30 (got %d)", r.MedicationCoverDays)
	} else if followUpOK && r.MedicationCover() > r.FollowUp {
		fail("medicationCoverDays", "must not exceed pathways.followUp (%s), or its evidence falls outside the pathway (got %d days)",
			configDuration(r.FollowUp), r.MedicationCoverDays)
	}
	return errors.Join(errs...)
}

// configDuration writes a duration the way an operator writes it in YAML
// (Go duration syntax, which has no unit of days).
func configDuration(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
