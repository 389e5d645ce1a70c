package controls

import "time"

// Gap kinds, as docs/PATHWAYS.md names them.
const (
	GapMunicipalityNotNotified   = "MUNICIPALITY_NOT_NOTIFIED"
	GapNoCareVisitWithin24h      = "NO_CARE_VISIT_WITHIN_24H"
	GapOutOfHoursAfterDischarge  = "OUT_OF_HOURS_AFTER_DISCHARGE"
	GapReadmittedWithin30d       = "READMITTED_WITHIN_30D"
	GapReferralRejected          = "REFERRAL_REJECTED"
	GapReferralNotAnswered       = "REFERRAL_NOT_ANSWERED"
	GapMedicationCoverEndedEarly = "MEDICATION_COVER_ENDED_BEFORE_GP_CONTACT"
)

// TruthGaps is the answer of GET /_sandbox/truth/gaps?cluster=ID: the gaps
// the sandbox planted for citizens living in the cluster's municipalities,
// optionally only those discharged in [From, To).
type TruthGaps struct {
	Now            time.Time  `json:"now"`
	Cluster        string     `json:"cluster"`
	Municipalities []int      `json:"municipalities"`
	From           *time.Time `json:"from,omitempty"`
	To             *time.Time `json:"to,omitempty"`
	// Gaps are ordered by DischargedAt, then discharge encounter id, then kind.
	Gaps []TruthGap `json:"gaps"`
}

// TruthGap is one planted gap, keyed by discharge encounter id and kind.
type TruthGap struct {
	Kind                 string    `json:"kind"`
	PathwayID            string    `json:"pathwayId"` // "pw-<first encounter id>"
	DischargeEncounterID string    `json:"dischargeEncounterId"`
	CPR                  string    `json:"cpr"`
	Municipality         int       `json:"municipality"`
	ClusterIDs           []string  `json:"clusterIds"`
	DischargedAt         time.Time `json:"dischargedAt"`
	// DetectedAt is when the rule could first tell, per docs/PATHWAYS.md.
	DetectedAt time.Time `json:"detectedAt"`
}
