package ehospital

import (
	"encoding/json"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
)

// fastSearchset decodes a whole searchset in one pass: every entry's
// resource lands in anyResource, the union of the fields klynge reads from
// Patient, Encounter and Provenance. A resource of another type whose
// fields clash with those shapes makes the pass fail; decodeBundle then
// falls back to decoding entry by entry, which skips unknown types and
// names the bad field. The fast pass is only ever trusted when it succeeds.
//
// Every field of the fhir types the careful path decodes is here too (even
// those klynge ignores, such as meta), so that the fast pass never accepts
// what the careful one refuses; FuzzDecodeBundle checks that they agree.
type fastSearchset struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         *fhir.Meta        `json:"meta"`
	Type         string            `json:"type"`
	Total        *int              `json:"total"`
	Link         []fhir.BundleLink `json:"link"`
	Entry        []struct {
		FullURL  string                  `json:"fullUrl"`
		Resource *anyResource            `json:"resource"`
		Search   *fhir.BundleEntrySearch `json:"search"`
	} `json:"entry"`
}

type anyResource struct {
	ResourceType string     `json:"resourceType"`
	ID           string     `json:"id"`
	Meta         *fhir.Meta `json:"meta"`

	// Patient
	Identifier          []fhir.Identifier `json:"identifier"`
	Name                []fhir.HumanName  `json:"name"`
	Gender              string            `json:"gender"`
	BirthDate           string            `json:"birthDate"`
	DeceasedBoolean     *bool             `json:"deceasedBoolean"`
	DeceasedDateTime    *string           `json:"deceasedDateTime"`
	Address             []fhir.Address    `json:"address"`
	GeneralPractitioner []fhir.Reference  `json:"generalPractitioner"`

	// Encounter
	Status          string                         `json:"status"`
	Class           fhir.Coding                    `json:"class"`
	ServiceType     *fhir.CodeableConcept          `json:"serviceType"`
	Subject         *fhir.Reference                `json:"subject"`
	Period          *fhir.Period                   `json:"period"`
	Hospitalization *fhir.EncounterHospitalization `json:"hospitalization"`
	Location        []fhir.EncounterLocation       `json:"location"`
	ServiceProvider *fhir.Reference                `json:"serviceProvider"`

	// Provenance
	Extension        []fhir.Extension        `json:"extension"`
	Target           []fhir.Reference        `json:"target"`
	OccurredDateTime string                  `json:"occurredDateTime"`
	Recorded         string                  `json:"recorded"`
	Activity         *fhir.CodeableConcept   `json:"activity"`
	Agent            []fhir.ProvenanceAgent  `json:"agent"`
	Entity           []fhir.ProvenanceEntity `json:"entity"`
}

// decodeFast is the one-pass decode; ok is false whenever the careful path
// must decide (a decoding error, a missing resource or resourceType, a
// Bundle that is not a searchset).
func decodeFast(searched string, body []byte) (p *page, ok bool) {
	var b fastSearchset
	if json.Unmarshal(body, &b) != nil || b.ResourceType != "Bundle" || b.Type != "searchset" {
		return nil, false
	}
	p = &page{}
	for _, l := range b.Link {
		if l.Relation == "next" {
			p.next = l.URL
			break
		}
	}
	for i, e := range b.Entry {
		r := e.Resource
		if r == nil {
			return nil, false
		}
		mode := ""
		if e.Search != nil {
			mode = e.Search.Mode
		}
		match := isMatch(mode, r.ResourceType, searched)
		switch r.ResourceType {
		case "Patient":
			p.patients = append(p.patients, entry[fhir.Patient]{i, match, fhir.Patient{
				ResourceType: r.ResourceType, ID: r.ID, Meta: r.Meta, Identifier: r.Identifier, Name: r.Name, Gender: r.Gender,
				BirthDate: r.BirthDate, DeceasedBoolean: r.DeceasedBoolean, DeceasedDateTime: r.DeceasedDateTime, Address: r.Address,
				GeneralPractitioner: r.GeneralPractitioner,
			}})
		case "Encounter":
			p.encounters = append(p.encounters, entry[fhir.Encounter]{i, match, fhir.Encounter{
				ResourceType: r.ResourceType, ID: r.ID, Meta: r.Meta, Status: r.Status, Class: r.Class, ServiceType: r.ServiceType,
				Subject: r.Subject, Period: r.Period, Hospitalization: r.Hospitalization, Location: r.Location,
				ServiceProvider: r.ServiceProvider,
			}})
		case "Provenance":
			p.provenances = append(p.provenances, entry[fhir.Provenance]{i, match, fhir.Provenance{
				ResourceType: r.ResourceType, ID: r.ID, Extension: r.Extension, Target: r.Target,
				OccurredDateTime: r.OccurredDateTime, Recorded: r.Recorded, Activity: r.Activity, Agent: r.Agent,
				Entity: r.Entity,
			}})
		case "":
			return nil, false
		}
	}
	return p, true
}
