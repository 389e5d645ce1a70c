package pathway

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Kind says what sort of stay a pathway is built around.
type Kind string

const (
	// KindHomeAdmission: an eHospitalet admission in the citizen's own home
	// or a municipal bed (any encounter of class HH).
	KindHomeAdmission Kind = "HOME_ADMISSION"
	// KindAdmission: a hospital admission (any encounter of class IMP, or an
	// acute outpatient stay that became an admission: STAA then STIN).
	KindAdmission Kind = "ADMISSION"
	// KindAcuteOutpatient: acute outpatient stays only (EMER, STAA).
	KindAcuteOutpatient Kind = "ACUTE_OUTPATIENT"
)

// Status sums up a pathway's handover.
type Status string

const (
	// StatusGap: at least one handover rule found a gap.
	StatusGap Status = "GAP"
	// StatusAtRisk: no gap yet, but a rule's deadline is open and its
	// condition not yet met (see OpenDeadlines).
	StatusAtRisk Status = "AT_RISK"
	// StatusOK: no gap and nothing pending.
	StatusOK Status = "OK"
)

// Pathway is one citizen's episode around a stay, from admission until
// FollowUp after discharge. It is plain data: everything a caller needs is in
// it, nothing refers back to the input.
type Pathway struct {
	// ID is "pw-" + the first encounter's id: stable across evaluations.
	ID  string
	CPR domain.CPR
	// Municipality is the citizen's municipality of residence: the one that
	// should be notified and that delivers care.
	Municipality domain.MunicipalityCode
	Kind         Kind
	AdmittedAt   time.Time
	// DischargedAt is zero while the pathway is ongoing.
	DischargedAt time.Time
	// DischargeEncounterID is the encounter that ended the pathway; empty
	// while ongoing.
	DischargeEncounterID string
	// EncounterIDs are the pathway's stays in order: more than one when the
	// citizen was transferred between hospitals.
	EncounterIDs []string
	// Hospital and Department are those of the discharging encounter, or of
	// the current one while ongoing.
	Hospital   domain.Organization
	Department domain.Organization
	// Destination is where the citizen was discharged to; empty while ongoing.
	Destination domain.DischargeDestination
	// Psychiatric reports that the discharging (or current) stay is in
	// psychiatry.
	Psychiatric bool
	// ExtendedResponsibility reports that the 72-hour rule applies: the
	// discharging department keeps responsibility after discharge.
	ExtendedResponsibility bool
	// FollowUpUntil is the end of the pathway's window (discharge +
	// FollowUp); zero while ongoing.
	FollowUpUntil time.Time
	// DiedAt is the earliest known time of death (MORS, a discharge as
	// deceased, or the patient index), when the citizen has died by the end
	// of the window; zero otherwise.
	DiedAt         time.Time
	Responsibility Responsibility
	// Events are everything the systems hold about the citizen inside the
	// pathway's window, in time order.
	Events []Event
	// Gaps are the broken handovers, in order of detection.
	Gaps   []Gap
	Status Status
	// OpenDeadlines are the rules still waiting for their condition, in order
	// of due time; they explain StatusAtRisk.
	OpenDeadlines []Deadline
	// RuleSet and RuleVersion name the rule set the pathway was evaluated
	// with.
	RuleSet     string
	RuleVersion string
}

// Discharged reports whether the pathway has a discharge.
func (p Pathway) Discharged() bool { return !p.DischargedAt.IsZero() }

// HasGap reports whether the pathway has a gap of the given kind.
func (p Pathway) HasGap(kind GapKind) bool {
	for _, g := range p.Gaps {
		if g.Kind == kind {
			return true
		}
	}
	return false
}
