package pathway

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRulesValidate(t *testing.T) {
	t.Run("the defaults are valid", func(t *testing.T) {
		if err := DefaultRules().Validate(); err != nil {
			t.Fatal(err)
		}
	})
	cases := []struct {
		name   string
		change func(*Rules)
		field  string
		rule   string
	}{
		{"medication cover of 0 days is refused", func(r *Rules) { r.MedicationCoverDays = 0 },
			"pathways.medicationCoverDays", "must be between 1 and 30"},
		{"medication cover of 31 days is refused", func(r *Rules) { r.MedicationCoverDays = 31 },
			"pathways.medicationCoverDays", "must be between 1 and 30"},
		{"a negative notification grace is refused", func(r *Rules) { r.NotificationGrace = -time.Minute },
			"pathways.notificationGrace", "must be between 0s and 168h"},
		{"a zero transfer window is refused", func(r *Rules) { r.TransferWindow = 0 },
			"pathways.transferWindow", "must be between 1m and 48h"},
		{"a follow-up shorter than a day is refused", func(r *Rules) { r.FollowUp = time.Hour },
			"pathways.followUp", "must be between 24h and 8760h"},
		{"a readmission window beyond the follow-up is refused", func(r *Rules) { r.ReadmissionWithin = 60 * day },
			"pathways.readmissionWithin", "must not exceed pathways.followUp"},
		{"medication cover beyond the follow-up is refused", func(r *Rules) { r.FollowUp = 2 * day },
			"pathways.medicationCoverDays", "must not exceed pathways.followUp"},
		{"a zero referral answer window is refused", func(r *Rules) { r.ReferralAnswerWithin = 0 },
			"pathways.referralAnswerWithin", "must be between 1h and 720h"},
		{"a zero care visit window is refused", func(r *Rules) { r.CareVisitWithin = 0 },
			"pathways.careVisitWithin", "must be between 1h and 168h"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := DefaultRules()
			tc.change(&r)
			err := r.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.field+": "+tc.rule) {
				t.Errorf("error %q does not name %s and %q", err, tc.field, tc.rule)
			}
			if !hasRulesError(err, tc.field) {
				t.Errorf("error %v holds no *RulesError for %s", err, tc.field)
			}
		})
	}
	t.Run("every broken field is reported at once", func(t *testing.T) {
		err := Rules{}.Validate()
		for _, field := range []string{"transferWindow", "followUp", "extendedResponsibility", "careVisitWithin",
			"outOfHoursWithin", "readmissionWithin", "referralAnswerWithin", "medicationCoverDays"} {
			if err == nil || !strings.Contains(err.Error(), "pathways."+field+":") {
				t.Errorf("zero Rules: error %v does not name %s", err, field)
			}
		}
	})
}

// hasRulesError looks through a joined error for a *RulesError on field.
func hasRulesError(err error, field string) bool {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		var re *RulesError
		return errors.As(err, &re) && re.Field == field
	}
	for _, e := range joined.Unwrap() {
		if hasRulesError(e, field) {
			return true
		}
	}
	return false
}
