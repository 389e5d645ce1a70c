package pathway

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

const day = 24 * time.Hour

// Rules holds every window and threshold of docs/PATHWAYS.md. klynge.yaml sets
// them under `pathways:`; the keys are the field names in lower camel case.
//
// The zero Rules means DefaultRules: Assemble substitutes the defaults for it.
// Any other value is used as it is, so validate it at start-up.
type Rules struct {
	// ID and Version name the rule set; every gap it finds carries them, so
	// that a worklist row can always say which agreement raised it.
	ID      string
	Version string
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
	// ExtendedResponsibilityMinAge: the 72-hour rule applies to citizens of
	// at least this age (Region Sjælland: over 18); 0 means every age.
	ExtendedResponsibilityMinAge int
	// NursingServices are FSIII code patterns of municipal nursing: with
	// one of them active at discharge, a discharge home is a discharge to
	// municipal nursing for the 72-hour rule.
	NursingServices []string
	// CareNeeds say which services (or destinations) make a visit within
	// CareVisitWithin necessary, and which visits meet each need.
	CareNeeds []CareNeed
	// Readmission says which stays count for READMITTED_WITHIN_30D.
	Readmission Readmission
	// Disabled lists rules switched off in this rule set.
	Disabled []GapKind
}

// CareNeed is one kind of care that must resume after a discharge: the
// services that create it (FSIII code patterns, "G1.*" or "H1.1"), or a
// destination that creates it, and the services whose performed visit meets
// it.
type CareNeed struct {
	Name         string
	Services     []string
	Destinations []domain.DischargeDestination
	MetBy        []string
}

// Readmission is a readmission definition: which stays count, as the
// discharge a pathway ends with and as the new stay.
type Readmission struct {
	// AcuteOnly counts only acute new stays (begun with STAA); the stay
	// before may be planned.
	AcuteOnly bool
	// IncludeAcuteOutpatient counts acute outpatient stays (STAA without
	// admission).
	IncludeAcuteOutpatient bool
	// IncludeHomeAdmissions counts eHospitalet home admissions.
	IncludeHomeAdmissions bool
	// IncludePsychiatric counts psychiatric stays.
	IncludePsychiatric bool
}

// DefaultRules are the defaults of docs/PATHWAYS.md.
func DefaultRules() Rules {
	return Rules{
		ID:                            "default",
		Version:                       "1",
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
		ExtendedResponsibilityMinAge:  18,
		NursingServices:               []string{"G1.*"},
		CareNeeds: []CareNeed{
			{Name: "nursing", Services: []string{"G1.*"}, Destinations: []domain.DischargeDestination{domain.DischargeHomeNursing}, MetBy: []string{"G1.*"}},
			{Name: "personal care", Services: personalCare(), MetBy: personalCare()},
		},
		Readmission: Readmission{AcuteOnly: true},
	}
}

// personalCare are the FSIII codes of personal care (SEL §83): H1.1-H1.6;
// H1.7-H1.10 are practical help.
func personalCare() []string { return []string{"H1.1", "H1.2", "H1.3", "H1.4", "H1.5", "H1.6"} }

// IsZero reports the zero Rules, which Assemble reads as DefaultRules.
func (r Rules) IsZero() bool { return reflect.ValueOf(r).IsZero() }

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
// each a *RulesError naming the key under pathways and the rule.
func (r Rules) Validate() error { return r.ValidateAt("pathways") }

// ValidateAt is Validate for a rule set configured under key (e.g.
// "pathways.clusters.sjaelland-holbaek").
func (r Rules) ValidateAt(key string) error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, &RulesError{Field: key + "." + field, Rule: fmt.Sprintf(format, args...)})
	}
	r.validateData(fail)
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
			fail(field, "must not exceed %s.followUp (%s), or its evidence falls outside the pathway (got %s)",
				key, configDuration(r.FollowUp), configDuration(v))
		}
	}
	withinFollowUp("notificationGrace", r.NotificationGrace, 0, 7*day)
	withinFollowUp("careVisitWithin", r.CareVisitWithin, time.Hour, 7*day)
	withinFollowUp("outOfHoursWithin", r.OutOfHoursWithin, time.Hour, 30*day)
	withinFollowUp("readmissionWithin", r.ReadmissionWithin, day, 365*day)
	if r.MedicationCoverDays < 1 || r.MedicationCoverDays > 30 {
		fail("medicationCoverDays", "must be between 1 and 30 (got %d)", r.MedicationCoverDays)
	} else if followUpOK && r.MedicationCover() > r.FollowUp {
		fail("medicationCoverDays", "must not exceed %s.followUp (%s), or its evidence falls outside the pathway (got %d days)",
			key, configDuration(r.FollowUp), r.MedicationCoverDays)
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

// Enabled reports whether the rule set evaluates a rule.
func (r Rules) Enabled(kind GapKind) bool { return !slices.Contains(r.Disabled, kind) }

// matchesAny reports whether an FSIII code matches one of the patterns: a
// code ("H1.1", which does not match "H1.10") or a prefix ending in "*"
// ("G1.*").
func matchesAny(code string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(code, prefix) {
				return true
			}
		} else if code == p {
			return true
		}
	}
	return false
}

var (
	ruleSetID    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	fsiiiPattern = regexp.MustCompile(`^([A-Z][0-9]+(\.[0-9]+)*(\.\*)?|[A-Z][0-9]*\*)$`)
)

// validateData checks the rule set's names, services, needs and switches.
func (r Rules) validateData(fail func(field, format string, args ...any)) {
	if !ruleSetID.MatchString(r.ID) {
		fail("ruleSet", "must be 1-63 lower-case letters, digits and dashes, starting with a letter or digit (got %q)", r.ID)
	}
	if r.Version == "" || len(r.Version) > 32 || strings.ContainsAny(r.Version, " \t\n") {
		fail("version", "must be 1-32 characters without spaces, e.g. 2026.1 (got %q)", r.Version)
	}
	if r.ExtendedResponsibilityMinAge < 0 || r.ExtendedResponsibilityMinAge > 120 {
		fail("extendedResponsibilityMinAge", "must be between 0 and 120 (got %d)", r.ExtendedResponsibilityMinAge)
	}
	patterns := func(field string, ps []string) {
		for i, p := range ps {
			if !fsiiiPattern.MatchString(p) {
				fail(fmt.Sprintf("%s[%d]", field, i), "must be an FSIII code such as G1.20, or a prefix ending in * such as G1.* (got %q)", p)
			}
		}
	}
	patterns("nursingServices", r.NursingServices)
	names := map[string]bool{}
	for i, n := range r.CareNeeds {
		field := fmt.Sprintf("careNeeds[%d]", i)
		if n.Name == "" || names[n.Name] {
			fail(field+".name", "must be set and unique among the care needs (got %q)", n.Name)
		}
		names[n.Name] = true
		if len(n.Services) == 0 && len(n.Destinations) == 0 {
			fail(field, "must name services or destinations that create the need")
		}
		if len(n.MetBy) == 0 {
			fail(field+".metBy", "must name the services whose visit meets the need")
		}
		patterns(field+".services", n.Services)
		patterns(field+".metBy", n.MetBy)
		for j, d := range n.Destinations {
			switch d {
			case domain.DischargeHome, domain.DischargeHomeNursing, domain.DischargeTemporaryBed, domain.DischargeNursingHome:
			default:
				fail(fmt.Sprintf("%s.destinations[%d]", field, j), "must be home, home-nursing, temporary-bed or nursing-home (got %q)", d)
			}
		}
	}
	for i, k := range r.Disabled {
		if !slices.Contains(GapKinds(), k) || slices.Index(r.Disabled, k) != i {
			fail(fmt.Sprintf("disabledRules[%d]", i), "must be a gap kind (%s), each once (got %q)", joinKinds(GapKinds()), k)
		}
	}
}

func joinKinds(ks []GapKind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return strings.Join(out, ", ")
}
