package pathway

import "time"

// GapKind names a handover rule of docs/PATHWAYS.md. The values are the
// documented names; the sandbox's ground truth uses the same ones.
type GapKind string

const (
	GapMunicipalityNotNotified      GapKind = "MUNICIPALITY_NOT_NOTIFIED"
	GapNoCareVisitWithin24h         GapKind = "NO_CARE_VISIT_WITHIN_24H"
	GapOutOfHoursAfterDischarge     GapKind = "OUT_OF_HOURS_AFTER_DISCHARGE"
	GapReadmittedWithin30d          GapKind = "READMITTED_WITHIN_30D"
	GapReferralRejected             GapKind = "REFERRAL_REJECTED"
	GapReferralNotAnswered          GapKind = "REFERRAL_NOT_ANSWERED"
	GapMedicationCoverEndedBeforeGP GapKind = "MEDICATION_COVER_ENDED_BEFORE_GP_CONTACT"
)

// GapKinds lists every rule, in the order of docs/PATHWAYS.md.
func GapKinds() []GapKind {
	return []GapKind{
		GapMunicipalityNotNotified, GapNoCareVisitWithin24h, GapOutOfHoursAfterDischarge,
		GapReadmittedWithin30d, GapReferralRejected, GapReferralNotAnswered,
		GapMedicationCoverEndedBeforeGP,
	}
}

// Severity of a gap, as docs/PATHWAYS.md assigns it per rule.
type Severity string

const (
	SeverityHigh   Severity = "HIGH"
	SeverityMedium Severity = "MEDIUM"
	SeverityLow    Severity = "LOW"
)

// Gap is one broken handover. A pathway has at most one gap per kind: when a
// rule is broken several times (two out-of-hours contacts), the gap is
// detected at the first and all of them are evidence.
type Gap struct {
	Kind     GapKind
	Severity Severity
	// DetectedAt is the moment the rule could first tell.
	DetectedAt time.Time
	// Evidence are the events that show the gap, each naming its source
	// system, in time order.
	Evidence []Event
	// Message says what went wrong in words a nurse uses. It never contains
	// a CPR number or a name.
	Message string
	// RuleSet and RuleVersion name the rule set that found the gap.
	RuleSet     string
	RuleVersion string
}

// Deadline is a rule still waiting: its condition (a received notification,
// a performed visit, a GP contact, an answer to a referral) is not met yet and
// it becomes a gap of kind Rule if it is still unmet at Due.
type Deadline struct {
	Rule GapKind
	Due  time.Time
	// Ref is the record the deadline is about: the discharge encounter, or
	// the referral for REFERRAL_NOT_ANSWERED.
	Ref string
}
