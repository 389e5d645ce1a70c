package fhir

import "encoding/json"

// Identifier is a FHIR Identifier.
type Identifier struct {
	Use    string `json:"use,omitempty"`
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference is a FHIR Reference; klynge uses logical references by
// identifier (SOR, ydernummer) as well as literal ones ("Encounter/123").
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Coding is a FHIR Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a FHIR CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Code returns the code of the first coding with the given system.
func (c *CodeableConcept) Code(system string) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd.Code
		}
	}
	return ""
}

// Period is a FHIR Period; times are RFC 3339 (FHIR dateTime with zone).
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Extension is a FHIR Extension with the value types klynge reads.
type Extension struct {
	URL                  string           `json:"url"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
	ValueCoding          *Coding          `json:"valueCoding,omitempty"`
	ValueString          *string          `json:"valueString,omitempty"`
	ValueDateTime        *string          `json:"valueDateTime,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
}

// Code is the extension's code in system: from valueCodeableConcept (as
// DK-core defines its extensions) or, leniently, valueCoding. "" if
// neither carries one.
func (e Extension) Code(system string) string {
	if c := e.ValueCodeableConcept.Code(system); c != "" {
		return c
	}
	if e.ValueCoding != nil && (e.ValueCoding.System == system || e.ValueCoding.System == "") {
		return e.ValueCoding.Code
	}
	return ""
}

// HumanName is a FHIR HumanName.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// Address is a FHIR Address with the DK-core municipality extension.
type Address struct {
	Extension  []Extension `json:"extension,omitempty"`
	Use        string      `json:"use,omitempty"`
	Line       []string    `json:"line,omitempty"`
	City       string      `json:"city,omitempty"`
	PostalCode string      `json:"postalCode,omitempty"`
	Country    string      `json:"country,omitempty"`
}

// Meta is FHIR resource metadata.
type Meta struct {
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Profile     []string `json:"profile,omitempty"`
}

// ResourceHeader reads just the type and id of any resource.
type ResourceHeader struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
}

// RawResource is a resource left undecoded until its type is known.
type RawResource = json.RawMessage
