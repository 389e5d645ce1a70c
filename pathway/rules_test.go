package pathway

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
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

func TestRuleSetDataValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Rules)
		field  string
	}{
		{"a rule set needs an id", func(r *Rules) { r.ID = "" }, "pathways.ruleSet"},
		{"an id with spaces is refused", func(r *Rules) { r.ID = "Næstved Slagelse" }, "pathways.ruleSet"},
		{"a rule set needs a version", func(r *Rules) { r.Version = "" }, "pathways.version"},
		{"an unknown gap kind cannot be switched off", func(r *Rules) { r.Disabled = []GapKind{"NO_VISIT"} }, "pathways.disabledRules[0]"},
		{"a rule switched off twice is refused", func(r *Rules) {
			r.Disabled = []GapKind{GapReferralRejected, GapReferralRejected}
		}, "pathways.disabledRules[1]"},
		{"a care need without visits that meet it is refused", func(r *Rules) { r.CareNeeds[0].MetBy = nil }, "pathways.careNeeds[0].metBy"},
		{"a malformed FSIII pattern is refused", func(r *Rules) { r.CareNeeds[1].Services = []string{"h1.1"} }, "pathways.careNeeds[1].services[0]"},
		{"a need created by a transfer is refused", func(r *Rules) {
			r.CareNeeds[0].Destinations = []domain.DischargeDestination{domain.DischargeOtherHospital}
		}, "pathways.careNeeds[0].destinations[0]"},
		{"two needs with one name are refused", func(r *Rules) { r.CareNeeds[1].Name = r.CareNeeds[0].Name }, "pathways.careNeeds[1].name"},
		{"a negative minimum age is refused", func(r *Rules) { r.ExtendedResponsibilityMinAge = -1 }, "pathways.extendedResponsibilityMinAge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := DefaultRules()
			tc.change(&r)
			if err := r.Validate(); !hasRulesError(err, tc.field) {
				t.Errorf("error %v does not name %s", err, tc.field)
			}
		})
	}
	t.Run("a cluster's rule set is named by its key", func(t *testing.T) {
		r := DefaultRules()
		r.FollowUp = 0
		if err := r.ValidateAt("pathways.clusters.sjaelland-holbaek"); !hasRulesError(err, "pathways.clusters.sjaelland-holbaek.followUp") {
			t.Errorf("error %v does not name the cluster's key", err)
		}
	})
}

func TestRuleBookPicksTheClustersRuleSet(t *testing.T) {
	local := DefaultRules()
	local.ID, local.Version = "naestved-slagelse", "2023.1"
	b := RuleBook{Default: DefaultRules(), Clusters: map[string]Rules{"sjaelland-naestved-slagelse": local}}
	if got := b.ForCluster("sjaelland-naestved-slagelse").ID; got != "naestved-slagelse" {
		t.Errorf("cluster with its own rules got %q", got)
	}
	if got := b.ForCluster("sjaelland-holbaek").ID; got != "default" {
		t.Errorf("cluster without its own rules got %q", got)
	}
	if got := b.ForClusters([]string{"sjaelland-naestved-slagelse", "sjaelland-holbaek"}).ID; got != "default" {
		t.Errorf("a municipality in two clusters with different rules got %q, want the default", got)
	}
	if got := (RuleBook{}).ForCluster("x"); got.ID != "default" {
		t.Errorf("the zero rule book gives %q, want the defaults", got.ID)
	}
}
