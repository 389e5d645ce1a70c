package controls

import "time"

// Index is the answer of GET /_sandbox/: where everything is.
type Index struct {
	Now        time.Time     `json:"now"`
	Population int           `json:"population"`
	Seed       int64         `json:"seed"`
	Systems    []SystemIndex `json:"systems"`
	Controls   []string      `json:"controls"` // route patterns
}

// SystemIndex describes one simulated system.
type SystemIndex struct {
	Name string `json:"name"`
	// BaseURL is the system's base URL; for municipal care it holds
	// "{code}" in place of the 3-digit municipality code.
	BaseURL string   `json:"baseUrl"`
	OpenAPI string   `json:"openapi"`
	Routes  []string `json:"routes"` // route patterns
	// Instances lists the municipality codes of a multi-instance system.
	Instances []int `json:"instances,omitempty"`
}

// Error is the body of every error answer of the controls (and of requests
// outside every system).
type Error struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}
