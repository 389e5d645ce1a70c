package fhir

// Provenance records one MedCom HospitalNotification about an Encounter, as
// the MedCom HospitalNotification IG does inside its message bundles:
// Target is the Encounter, Activity the MedCom activity code, Agent the
// sending hospital, and Entity (role "revision" or "removal") the earlier
// notification a correction or cancellation replaces. eHospitalet exposes
// them for search, so `Encounter?..&_revinclude=Provenance:target` returns an
// encounter with its notifications in one request.
type Provenance struct {
	ResourceType     string             `json:"resourceType"` // "Provenance"
	ID               string             `json:"id,omitempty"`
	Extension        []Extension        `json:"extension,omitempty"`
	Target           []Reference        `json:"target"`
	OccurredDateTime string             `json:"occurredDateTime,omitempty"`
	Recorded         string             `json:"recorded"`
	Activity         *CodeableConcept   `json:"activity,omitempty"`
	Agent            []ProvenanceAgent  `json:"agent"`
	Entity           []ProvenanceEntity `json:"entity,omitempty"`
}

// ProvenanceAgent is who performed the activity.
type ProvenanceAgent struct {
	Who Reference `json:"who"`
}

// ProvenanceEntity names a resource used in the activity.
type ProvenanceEntity struct {
	Role string    `json:"role"` // revision | removal
	What Reference `json:"what"`
}
