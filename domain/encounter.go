package domain

import "time"

// EncounterClass follows the HL7 v3 ActCode values used by eHospitalet.
type EncounterClass string

const (
	ClassInpatient  EncounterClass = "IMP"  // admitted (STIN)
	ClassEmergency  EncounterClass = "EMER" // acute outpatient stay (STAA)
	ClassVirtual    EncounterClass = "VR"   // video consultation, home measurements
	ClassHomeHealth EncounterClass = "HH"   // eHospitalet admission in own home or municipal bed
)

// EncounterStatus follows FHIR R4 Encounter.status.
type EncounterStatus string

const (
	EncounterPlanned        EncounterStatus = "planned"
	EncounterInProgress     EncounterStatus = "in-progress"
	EncounterOnLeave        EncounterStatus = "onleave"
	EncounterFinished       EncounterStatus = "finished"
	EncounterCancelled      EncounterStatus = "cancelled"
	EncounterEnteredInError EncounterStatus = "entered-in-error"
)

// DischargeDestination says where a patient went at the end of a stay. It
// decides whether the 72-hour extended treatment responsibility applies.
type DischargeDestination string

const (
	DischargeHome          DischargeDestination = "home"           // home without municipal care
	DischargeHomeNursing   DischargeDestination = "home-nursing"   // home with municipal home nursing / home care
	DischargeTemporaryBed  DischargeDestination = "temporary-bed"  // municipal temporary (acute/rehab) bed
	DischargeNursingHome   DischargeDestination = "nursing-home"   // plejebolig
	DischargeOtherHospital DischargeDestination = "other-hospital" // transfer: not a discharge to the primary sector
	DischargeDeceased      DischargeDestination = "deceased"
)

// NeedsMunicipalCare reports destinations where the municipality takes over
// care, which triggers the 72-hour rule for long enough stays.
func (d DischargeDestination) NeedsMunicipalCare() bool {
	switch d {
	case DischargeHomeNursing, DischargeTemporaryBed, DischargeNursingHome:
		return true
	}
	return false
}

// Organization is a hospital, department or other provider, by SOR code.
type Organization struct {
	SOR  SORCode
	Name string
}

// Encounter is one hospital stay or eHospitalet contact as the FHIR server
// reports it, with the MedCom notifications the hospital sent about it.
type Encounter struct {
	ID     string
	CPR    CPR
	Class  EncounterClass
	Status EncounterStatus
	Start  time.Time
	// End is zero while the encounter is ongoing.
	End time.Time
	// Hospital is the service provider; Department the unit within it.
	Hospital   Organization
	Department Organization
	// Psychiatric marks stays in psychiatry, which clusters may exclude from
	// the 72-hour rule.
	Psychiatric bool
	// Destination is set once the encounter is finished.
	Destination DischargeDestination
	// Notifications are the MedCom HospitalNotifications sent for this
	// encounter, in the order they were sent.
	Notifications []HospitalNotification
}

// Ongoing reports an encounter that has not ended.
func (e Encounter) Ongoing() bool { return e.End.IsZero() }
