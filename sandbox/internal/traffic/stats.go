package traffic

import (
	"maps"
	"slices"
	"sync"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// Stats counts requests per system and route. It is safe for concurrent use.
type Stats struct {
	mu      sync.Mutex
	systems map[string]*systemStats
}

type systemStats struct {
	requests int
	routes   map[string]*routeStats
}

type routeStats struct {
	requests   int
	total, max int
	// perRequest is a ring of the last MaxPerRequestKept key counts; next
	// is where the next one goes once it is full.
	perRequest []int
	next       int
}

// NewStats is an empty counter.
func NewStats() *Stats { return &Stats{systems: map[string]*systemStats{}} }

// Record counts one request to a route of a system that asked for keys keys.
func (s *Stats) Record(system, route string, keys int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sys := s.systems[system]
	if sys == nil {
		sys = &systemStats{routes: map[string]*routeStats{}}
		s.systems[system] = sys
	}
	sys.requests++
	rs := sys.routes[route]
	if rs == nil {
		rs = &routeStats{}
		sys.routes[route] = rs
	}
	rs.requests++
	rs.total += keys
	rs.max = max(rs.max, keys)
	if len(rs.perRequest) < controls.MaxPerRequestKept {
		rs.perRequest = append(rs.perRequest, keys)
		return
	}
	rs.perRequest[rs.next] = keys
	rs.next = (rs.next + 1) % controls.MaxPerRequestKept
}

// Snapshot copies the counts.
func (s *Stats) Snapshot() controls.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := controls.Stats{Systems: make(map[string]controls.SystemStats, len(s.systems))}
	for _, name := range slices.Sorted(maps.Keys(s.systems)) {
		sys := s.systems[name]
		ss := controls.SystemStats{Requests: sys.requests, Routes: make(map[string]controls.RouteStats, len(sys.routes))}
		for route, rs := range sys.routes {
			per := make([]int, 0, len(rs.perRequest))
			per = append(per, rs.perRequest[rs.next:]...)
			per = append(per, rs.perRequest[:rs.next]...)
			ss.Routes[route] = controls.RouteStats{
				Requests: rs.requests,
				Keys:     controls.KeyStats{Total: rs.total, Max: rs.max, PerRequest: per},
			}
		}
		out.Systems[name] = ss
	}
	return out
}

// Reset forgets every count.
func (s *Stats) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.systems = map[string]*systemStats{}
}
