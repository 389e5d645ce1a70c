package domain

import "time"

// TriageOutcome is how Lægevagten's telephone triage ended.
type TriageOutcome string

const (
	OutcomePhoneAdvice       TriageOutcome = "phone-advice"
	OutcomeClinicAppointment TriageOutcome = "clinic-appointment"
	OutcomeHomeVisit         TriageOutcome = "home-visit"
	OutcomeAcuteReferral     TriageOutcome = "acute-department-referral"
	OutcomeAmbulance         TriageOutcome = "ambulance"
	OutcomeEHospital         TriageOutcome = "ehospital-referral"
	OutcomeMunicipalAcute    TriageOutcome = "municipal-acute-function"
)

// Urgency of an out-of-hours contact as triaged.
type Urgency string

const (
	UrgencyAcute     Urgency = "acute"
	UrgencyUrgent    Urgency = "urgent"
	UrgencyNonUrgent Urgency = "non-urgent"
)

// Coding is a code from a named code system (ICPC-2, FSIII, ...).
type Coding struct {
	System  string
	Code    string
	Display string
}

// OutOfHoursContact is one contact with the out-of-hours GP service.
type OutOfHoursContact struct {
	ID         string
	CPR        CPR
	ReceivedAt time.Time
	// TriageBy is the profession that triaged: "nurse" or "doctor".
	TriageBy  string
	Complaint Coding // ICPC-2
	Urgency   Urgency
	Outcome   TriageOutcome
	// StartedAt and EndedAt bound the contact (call, consultation or visit).
	StartedAt time.Time
	EndedAt   time.Time
	// Site is the consultation site or region line (1818).
	Site string
}
