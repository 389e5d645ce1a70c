package domain

import "time"

// ReferralKind is the MedCom message and receiver type of a GP referral.
type ReferralKind string

const (
	ReferralHospital        ReferralKind = "REF01"  // to hospital
	ReferralMunicipal       ReferralKind = "XREF15" // to a municipal offer
	ReferralPPR             ReferralKind = "PPR"    // to pædagogisk-psykologisk rådgivning
	ReferralChildPsychiatry ReferralKind = "CHILD_PSYCHIATRY"
)

// ReferralStatus is one step of a referral's history.
type ReferralStatus string

const (
	ReferralSent      ReferralStatus = "sent"
	ReferralReceived  ReferralStatus = "received"
	ReferralVisitated ReferralStatus = "visitated"
	ReferralRejected  ReferralStatus = "rejected"
	ReferralCompleted ReferralStatus = "completed"
)

// ReferralPriority as the GP set it.
type ReferralPriority string

const (
	PriorityAcute   ReferralPriority = "acute"
	PriorityUrgent  ReferralPriority = "urgent"
	PriorityRoutine ReferralPriority = "routine"
)

// ReferralReceiver is a hospital department (SOR) or a municipality.
type ReferralReceiver struct {
	// Kind is "sor" or "municipality".
	Kind         string
	SOR          SORCode
	Municipality MunicipalityCode
	Name         string
}

// ReferralStatusChange is one entry of a referral's status history.
type ReferralStatusChange struct {
	Status ReferralStatus
	At     time.Time
	Note   string
}

// Referral is a referral from general practice with its status history.
type Referral struct {
	ID       string
	CPR      CPR
	Kind     ReferralKind
	Sender   Ydernummer
	Receiver ReferralReceiver
	Reason   Coding
	Priority ReferralPriority
	SentAt   time.Time
	// History is in time order; its last entry is the current status.
	History []ReferralStatusChange
}

// Status is the current status (the last history entry), or sent.
func (r Referral) Status() ReferralStatus {
	if len(r.History) == 0 {
		return ReferralSent
	}
	return r.History[len(r.History)-1].Status
}

// GPContact is one contact between a citizen and a GP practice
// (consultation, phone, video, home visit, prescription renewal).
type GPContact struct {
	ID       string
	CPR      CPR
	Practice Ydernummer
	At       time.Time
	Kind     string
}
