package fhir

// Encounter is the subset of FHIR R4 Encounter that eHospitalet serves.
// ServiceProvider is the hospital; Location[0] the department; both carry
// SOR identifiers.
type Encounter struct {
	ResourceType    string                    `json:"resourceType"` // "Encounter"
	ID              string                    `json:"id,omitempty"`
	Meta            *Meta                     `json:"meta,omitempty"`
	Status          string                    `json:"status"`
	Class           Coding                    `json:"class"`
	ServiceType     *CodeableConcept          `json:"serviceType,omitempty"`
	Subject         *Reference                `json:"subject,omitempty"`
	Period          *Period                   `json:"period,omitempty"`
	Hospitalization *EncounterHospitalization `json:"hospitalization,omitempty"`
	Location        []EncounterLocation       `json:"location,omitempty"`
	ServiceProvider *Reference                `json:"serviceProvider,omitempty"`
}

// EncounterHospitalization carries the discharge disposition.
type EncounterHospitalization struct {
	DischargeDisposition *CodeableConcept `json:"dischargeDisposition,omitempty"`
}

// EncounterLocation is where (which department) the encounter took place.
type EncounterLocation struct {
	Location Reference `json:"location"`
}
