package httpapi

import "net/http"

// Route is one operation of a simulated system. The same value registers the
// handler, describes the operation in the system's OpenAPI document and
// names the route in the statistics, so the three cannot drift apart.
type Route struct {
	Method string
	// Pattern is the full path pattern as net/http.ServeMux reads it, e.g.
	// "/municipal/{code}/api/services/search".
	Pattern     string
	OperationID string
	Summary     string
	Description string
	Params      []Param
	Request     *Body
	Responses   []Response
	Handler     http.HandlerFunc
	// Direct routes (the OpenAPI documents) are served without the traffic
	// gate: no statistics, latency or faults.
	Direct bool
}

// Key is how statistics name the route: "POST /ehospital/fhir/Encounter/_search".
func (r Route) Key() string { return r.Method + " " + r.Pattern }

// Param is a path or query parameter (or a field of a form body).
type Param struct {
	Name        string
	In          string // "path" or "query"
	Description string
	Required    bool
	Type        string // "string", "integer", "boolean"
	Enum        []string
}

// Body is a request body: its media type and a Go value whose type is its
// schema; form bodies list their fields instead.
type Body struct {
	ContentType string
	Schema      any
	Form        []Param
	Required    bool
}

// Response is one documented answer.
type Response struct {
	Status      int
	Description string
	ContentType string
	Schema      any // nil for no body
	Headers     []string
}

// System is one simulated upstream system (or a family of instances, such as
// the municipal care systems).
type System struct {
	// Name is the system's family name: "ehospital", "outofhours",
	// "gpreferral", "municipal".
	Name    string
	Title   string
	Version string
	// Prefix is the path prefix every route starts with ("/ehospital"); the
	// OpenAPI document is served at Prefix + "/openapi.json".
	Prefix string
	// Key gives the statistics and fault key of the instance a request is
	// for ("ehospital", "municipal/330"); ok is false for an instance that
	// does not exist, which is answered 404 and not counted.
	Key func(r *http.Request) (key string, ok bool)
	// UnknownInstance describes the 404 for a request Key refuses.
	UnknownInstance func(r *http.Request) string
	Routes          []Route
	// WriteError answers an error in the system's own format.
	WriteError func(w http.ResponseWriter, status int, code, message string)
}
