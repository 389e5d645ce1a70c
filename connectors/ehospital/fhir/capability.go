package fhir

// CapabilityStatement is the subset of FHIR R4 CapabilityStatement klynge
// reads from [base]/metadata: which resources, interactions, search
// parameters and includes the server supports.
type CapabilityStatement struct {
	ResourceType   string                    `json:"resourceType"` // "CapabilityStatement"
	Status         string                    `json:"status,omitempty"`
	Date           string                    `json:"date,omitempty"`
	FHIRVersion    string                    `json:"fhirVersion,omitempty"`
	Software       *CapabilitySoftware       `json:"software,omitempty"`
	Format         []string                  `json:"format,omitempty"`
	Rest           []CapabilityRest          `json:"rest,omitempty"`
	Implementation *CapabilityImplementation `json:"implementation,omitempty"`
}

// CapabilitySoftware names the server software.
type CapabilitySoftware struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// CapabilityImplementation is the instance: its description and base URL.
type CapabilityImplementation struct {
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

// CapabilityRest is one REST endpoint; klynge reads mode "server".
type CapabilityRest struct {
	Mode        string                  `json:"mode"`
	Resource    []CapabilityResource    `json:"resource,omitempty"`
	Interaction []CapabilityInteraction `json:"interaction,omitempty"`
	SearchParam []CapabilitySearchParam `json:"searchParam,omitempty"`
}

// CapabilityResource is what the server does with one resource type.
// SearchInclude and SearchRevInclude are "Type:param" values; servers that
// support every include often leave them out.
type CapabilityResource struct {
	Type             string                  `json:"type"`
	Interaction      []CapabilityInteraction `json:"interaction,omitempty"`
	SearchInclude    []string                `json:"searchInclude,omitempty"`
	SearchRevInclude []string                `json:"searchRevInclude,omitempty"`
	SearchParam      []CapabilitySearchParam `json:"searchParam,omitempty"`
}

// CapabilityInteraction is one RESTful interaction: read, search-type, ...
type CapabilityInteraction struct {
	Code string `json:"code"`
}

// CapabilitySearchParam is one supported search parameter.
type CapabilitySearchParam struct {
	Name          string `json:"name"`
	Definition    string `json:"definition,omitempty"`
	Type          string `json:"type,omitempty"`
	Documentation string `json:"documentation,omitempty"`
}
