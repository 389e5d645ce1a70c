package domain

import (
	"strconv"
	"strings"
	"time"
)

// LawSection is the legal basis of a municipal service.
type LawSection string

const (
	ServicePersonalCare   LawSection = "SEL §83"  // personal care, practical help, meals
	ServiceRehabilitation LawSection = "SEL §83a" // rehabilitation
	ServiceTraining       LawSection = "SEL §86"  // training
	ServiceNursing        LawSection = "SUL §138" // home nursing
)

// CareServiceStatus is where a service (indsats) stands.
type CareServiceStatus string

const (
	CareServicePlanned CareServiceStatus = "planned"
	CareServiceActive  CareServiceStatus = "active"
	CareServiceEnded   CareServiceStatus = "ended"
)

// CareService is one municipal service (FSIII indsats) granted to a citizen.
type CareService struct {
	ID           string
	CPR          CPR
	Municipality MunicipalityCode
	Service      Coding // FSIII, e.g. G1.20 medication administration
	Law          LawSection
	Status       CareServiceStatus
	Start        time.Time
	// End is zero for an open-ended service.
	End  time.Time
	Team string
	// AcuteFunction marks services delivered by the municipal acute function.
	AcuteFunction bool
}

// ActiveAt reports whether the service runs at t.
func (s CareService) ActiveAt(t time.Time) bool {
	if s.Status == CareServicePlanned || t.Before(s.Start) {
		return false
	}
	return s.End.IsZero() || t.Before(s.End)
}

// CareVisitStatus is the state of one planned home visit.
type CareVisitStatus string

const (
	VisitPlanned   CareVisitStatus = "planned"
	VisitPerformed CareVisitStatus = "performed"
	VisitCancelled CareVisitStatus = "cancelled"
	VisitMissed    CareVisitStatus = "missed"
)

// CareVisit is one planned or performed municipal visit.
type CareVisit struct {
	ID           string
	CPR          CPR
	Municipality MunicipalityCode
	ServiceID    string
	PlannedAt    time.Time
	// PerformedAt is zero unless Status is performed.
	PerformedAt time.Time
	Status      CareVisitStatus
	Team        string
}

// IsHandsOnCare reports services that put a carer at the citizen's door
// daily or near-daily and so must resume within a day of a discharge: home
// nursing (SUL §138), personal care under SEL §83 (FSIII H1.x except the
// practical help H1.7–H1.10: cleaning, laundry, shopping), and anything the
// municipal acute function delivers. Practical help every fortnight,
// rehabilitation (§83a) and training (§86) do not.
func (s CareService) IsHandsOnCare() bool {
	switch {
	case s.AcuteFunction, s.Law == ServiceNursing:
		return true
	case s.Law != ServicePersonalCare:
		return false
	}
	rest, ok := strings.CutPrefix(s.Service.Code, "H1.")
	if !ok {
		return false
	}
	minor, err := strconv.Atoi(rest)
	if err != nil {
		return false
	}
	return minor < 7 || minor > 10
}
