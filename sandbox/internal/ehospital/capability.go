package ehospital

import (
	"net/http"

	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// capabilityStatement is the subset of FHIR R4 CapabilityStatement served at
// /metadata: what the dialect being served supports.
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
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type capabilityRest struct {
	Mode     string        `json:"mode"`
	Resource []capResource `json:"resource"`
}

type capResource struct {
	Type             string           `json:"type"`
	Interaction      []capInteraction `json:"interaction"`
	SearchParam      []capSearchParam `json:"searchParam,omitempty"`
	SearchInclude    []string         `json:"searchInclude,omitempty"`
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

// searchParams lists the search parameters the dialect supports. Chained
// parameters are listed as eHospitalet's own statement does; R4 has no
// standard place for them, and other servers list only the reference
// parameter.
func searchParams(d Dialect, specs []paramSpec) []capSearchParam {
	var out []capSearchParam
	for _, p := range specs {
		if p.name[0] == '_' && p.name != paramID || !d.supports(p.name) {
			continue // result parameters are not search parameters
		}
		if d.Name != DefaultDialect && (p.name == paramPatientIdentifier || p.name == paramMunicipality) {
			continue
		}
		out = append(out, capSearchParam{Name: p.name, Type: p.typ, Documentation: p.doc})
	}
	return out
}

func (s *server) metadata(w http.ResponseWriter, r *http.Request) {
	d := s.dialect.Current()
	readSearch := []capInteraction{{Code: "read"}, {Code: "search-type"}}
	encounter := capResource{Type: "Encounter", Interaction: readSearch, SearchParam: searchParams(d, encounterParams)}
	if d.ListIncludes {
		for _, inc := range []string{includePatient, includeSubject} {
			if d.supports(paramInclude) && d.supports(inc) {
				encounter.SearchInclude = append(encounter.SearchInclude, inc)
			}
		}
		if d.supports(paramRevInclude) && d.supports(revIncludeProvenance) {
			encounter.SearchRevInclude = []string{revIncludeProvenance}
		}
		if len(encounter.SearchInclude)+len(encounter.SearchRevInclude) == 0 {
			encounter.SearchInclude = []string{"Encounter:location"} // a list, so it is read as complete
		}
	}
	patient := capResource{Type: "Patient", Interaction: readSearch, SearchParam: searchParams(d, patientParams)}
	httpapi.WriteJSON(w, http.StatusOK, contentType, capabilityStatement{
		ResourceType: "CapabilityStatement",
		Status:       "active",
		Date:         httpapi.Time(s.world.Now(), s.world.Location()),
		Kind:         "instance",
		Software:     capSoftware{Name: "klynge sandbox: eHospitalet", Version: "dialect " + d.Name},
		FHIRVersion:  "4.0.1",
		Format:       []string{contentType},
		Rest: []capabilityRest{{
			Mode: "server",
			Resource: []capResource{
				patient, encounter,
				{Type: "Provenance", Interaction: readSearch, SearchParam: searchParams(d, provenanceParams)},
			},
		}},
	})
}
