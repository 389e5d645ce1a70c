package controls

// Dialect is the answer of GET /_sandbox/dialect and the body of PUT: the
// FHIR server dialect eHospitalet is served in. PUT takes just the name.
type Dialect struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Available lists every dialect the sandbox speaks (answers only).
	Available []DialectInfo `json:"available,omitempty"`
}

// DialectInfo names and describes one dialect.
type DialectInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}
