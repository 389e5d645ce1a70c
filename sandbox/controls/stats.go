package controls

// Stats is the answer of GET /_sandbox/stats: what each system was asked
// since start or the last reset. Every request that reached a system's route
// counts, including those answered with a 4xx or an injected fault.
type Stats struct {
	// Systems is keyed by system key ("ehospital", "municipal/330", ...).
	// Systems never asked are absent.
	Systems map[string]SystemStats `json:"systems"`
}

// SystemStats counts one system's requests, in all and per route.
type SystemStats struct {
	Requests int `json:"requests"`
	// Routes is keyed by route pattern, e.g.
	// "POST /ehospital/fhir/Encounter/_search" or
	// "POST /municipal/{code}/api/services/search", never a concrete URL.
	Routes map[string]RouteStats `json:"routes"`
}

// RouteStats counts one route's requests and the keys they asked for.
type RouteStats struct {
	Requests int      `json:"requests"`
	Keys     KeyStats `json:"keys"`
}

// KeyStats describes how many keys (CPRs, identifiers, ydernumre; 1 for a
// read by id) each request asked for; batching shows as few requests with
// many keys each.
type KeyStats struct {
	Total int `json:"total"`
	Max   int `json:"max"`
	// PerRequest holds the key counts of the last 1000 requests, oldest first.
	PerRequest []int `json:"perRequest"`
}

// MaxPerRequestKept is how many per-request key counts a route keeps.
const MaxPerRequestKept = 1000

// Requests is the number of requests a system got (0 if never asked).
func (s Stats) Requests(system string) int { return s.Systems[system].Requests }

// Route is one route's statistics (zero if never asked).
func (s Stats) Route(system, pattern string) RouteStats {
	return s.Systems[system].Routes[pattern]
}

// TotalRequests sums the requests of all systems.
func (s Stats) TotalRequests() int {
	n := 0
	for _, sys := range s.Systems {
		n += sys.Requests
	}
	return n
}
