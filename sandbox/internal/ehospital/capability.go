package ehospital

import (
	"net/http"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// capabilityStatement is the subset of FHIR R4 CapabilityStatement served at
// /metadata (the contract package has no type for it: klynge never reads it).
type capabilityStatement struct {
	ResourceType string           `json:"resourceType"`
	Status       string           `json:"status"`
	Date         string           `json:"date"`
	Kind         string           `json:"kind"`
	Software     capSoftware      `json:"software"`
	FHIRVersion  string           `json:"fhirVersion"`
	Format       []string         `json:"format"`
	Rest         []capabilityRest `json:"rest"`
}

type capSoftware struct {
	Name string `json:"name"`
}

type capabilityRest struct {
	Mode     string        `json:"mode"`
	Resource []capResource `json:"resource"`
}

type capResource struct {
	Type             string           `json:"type"`
	Interaction      []capInteraction `json:"interaction"`
	SearchParam      []capSearchParam `json:"searchParam,omitempty"`
	SearchRevInclude []string         `json:"searchRevInclude,omitempty"`
}

type capInteraction struct {
	Code string `json:"code"`
}

type capSearchParam struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

func searchParams(specs []paramSpec) []capSearchParam {
	var out []capSearchParam
	for _, p := range specs {
		if p.name[0] == '_' {
			continue // result parameters are not search parameters
		}
		out = append(out, capSearchParam{Name: p.name, Type: p.typ, Documentation: p.doc})
	}
	return out
}

func (s *server) metadata(w http.ResponseWriter, r *http.Request) {
	readSearch := []capInteraction{{Code: "read"}, {Code: "search-type"}}
	httpapi.WriteJSON(w, http.StatusOK, fhir.ContentType, capabilityStatement{
		ResourceType: "CapabilityStatement",
		Status:       "active",
		Date:         httpapi.Time(s.world.Now(), s.world.Location()),
		Kind:         "instance",
		Software:     capSoftware{Name: "klynge sandbox: eHospitalet"},
		FHIRVersion:  "4.0.1",
		Format:       []string{fhir.ContentType},
		Rest: []capabilityRest{{
			Mode: "server",
			Resource: []capResource{
				{Type: "Patient", Interaction: readSearch, SearchParam: searchParams(patientParams)},
				{Type: "Encounter", Interaction: readSearch, SearchParam: searchParams(encounterParams), SearchRevInclude: []string{fhir.RevIncludeProvenance}},
				{Type: "Provenance", Interaction: []capInteraction{{Code: "read"}}},
			},
		}},
	})
}
