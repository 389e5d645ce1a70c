package fhir

// Patient is the subset of FHIR R4 Patient klynge reads. BirthDate may be
// partial ("1958", "1958-03"); deceased[x] is a boolean or a dateTime of
// any precision.
type Patient struct {
	ResourceType        string       `json:"resourceType"` // "Patient"
	ID                  string       `json:"id,omitempty"`
	Meta                *Meta        `json:"meta,omitempty"`
	Identifier          []Identifier `json:"identifier,omitempty"`
	Name                []HumanName  `json:"name,omitempty"`
	Gender              string       `json:"gender,omitempty"` // male | female | other | unknown
	BirthDate           string       `json:"birthDate,omitempty"`
	DeceasedBoolean     *bool        `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime    *string      `json:"deceasedDateTime,omitempty"`
	Address             []Address    `json:"address,omitempty"`
	GeneralPractitioner []Reference  `json:"generalPractitioner,omitempty"`
}
