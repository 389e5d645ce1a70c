package ehospital

import "encoding/json"

// The sandbox's own FHIR R4 JSON, written from the population model. It
// shares no types with the ehospital connector: where the two read FHIR
// differently, a test can tell.

// Identifier and code systems the sandbox writes (docs/FHIR-CODES.md).
const (
	systemCPR          = "urn:oid:1.2.208.176.1.2"
	systemSyntheticCPR = "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr"
	systemSOR          = "urn:oid:1.2.208.176.1.1"
	systemYdernummer   = "urn:oid:1.2.208.176.1.4"
	systemMunicipality = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
	extMunicipality    = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
	systemActCode      = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	systemEncStatus    = "http://hl7.org/fhir/encounter-status"
	systemMedCom       = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
	systemDestination  = "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/discharge-destination"
	systemSpecialty    = "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/specialty"
	extReceiver        = "https://klynge.sundhedsklynge.dk/fhir/StructureDefinition/receiver-municipality"
	extSent            = "https://klynge.sundhedsklynge.dk/fhir/StructureDefinition/notification-sent"
	profilePatient     = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-patient"

	contentType = "application/fhir+json"
)

type searchBundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Link         []bundleLink  `json:"link,omitempty"`
	Entry        []bundleEntry `json:"entry"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource"`
	Search   *entrySearch    `json:"search,omitempty"`
}

type entrySearch struct {
	Mode string `json:"mode"`
}

type ident struct {
	Use    string `json:"use,omitempty"`
	System string `json:"system"`
	Value  string `json:"value"`
}

type ref struct {
	Reference  string `json:"reference,omitempty"`
	Type       string `json:"type,omitempty"`
	Identifier *ident `json:"identifier,omitempty"`
	Display    string `json:"display,omitempty"`
}

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type extension struct {
	URL                  string   `json:"url"`
	ValueCodeableConcept *concept `json:"valueCodeableConcept,omitempty"`
	ValueDateTime        string   `json:"valueDateTime,omitempty"`
}

type patientResource struct {
	ResourceType        string        `json:"resourceType"`
	ID                  string        `json:"id"`
	Meta                *resourceMeta `json:"meta,omitempty"`
	Identifier          []ident       `json:"identifier"`
	Name                []humanName   `json:"name,omitempty"`
	Gender              string        `json:"gender,omitempty"`
	BirthDate           string        `json:"birthDate,omitempty"`
	DeceasedBoolean     *bool         `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime    string        `json:"deceasedDateTime,omitempty"`
	Address             []address     `json:"address,omitempty"`
	GeneralPractitioner []ref         `json:"generalPractitioner,omitempty"`
}

type resourceMeta struct {
	Profile []string `json:"profile,omitempty"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

type address struct {
	Extension  []extension `json:"extension,omitempty"`
	Use        string      `json:"use,omitempty"`
	Line       []string    `json:"line,omitempty"`
	City       string      `json:"city,omitempty"`
	PostalCode string      `json:"postalCode,omitempty"`
	Country    string      `json:"country,omitempty"`
}

type encounterResource struct {
	ResourceType    string              `json:"resourceType"`
	ID              string              `json:"id"`
	Status          string              `json:"status"`
	Class           coding              `json:"class"`
	ServiceType     *concept            `json:"serviceType,omitempty"`
	Subject         ref                 `json:"subject"`
	Period          period              `json:"period"`
	Hospitalization *hospitalization    `json:"hospitalization,omitempty"`
	Location        []encounterLocation `json:"location,omitempty"`
	ServiceProvider *ref                `json:"serviceProvider,omitempty"`
	PartOf          *ref                `json:"partOf,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type hospitalization struct {
	DischargeDisposition concept `json:"dischargeDisposition"`
}

type encounterLocation struct {
	Location ref `json:"location"`
}

type provenanceResource struct {
	ResourceType     string             `json:"resourceType"`
	ID               string             `json:"id"`
	Extension        []extension        `json:"extension,omitempty"`
	Target           []ref              `json:"target"`
	OccurredDateTime string             `json:"occurredDateTime"`
	Recorded         string             `json:"recorded"`
	Activity         concept            `json:"activity"`
	Agent            []provenanceAgent  `json:"agent"`
	Entity           []provenanceEntity `json:"entity,omitempty"`
}

type provenanceAgent struct {
	Who ref `json:"who"`
}

type provenanceEntity struct {
	Role string `json:"role"`
	What ref    `json:"what"`
}

type operationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []outcomeIssue `json:"issue"`
}

type outcomeIssue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Details     *concept `json:"details,omitempty"`
	Diagnostics string   `json:"diagnostics,omitempty"`
}
