package overload

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// server is a model of the gateway for the limit to steer: a request waits
// for its upstreams (uniformly 50–70 ms, times slowdown) and, beyond knee
// requests in flight, for the machine too — latency grows in proportion to
// the requests in flight, as Little's law has it once throughput is at its
// most. Clients are closed loops; a refused client comes back after a
// second with ±50% jitter, as Retry-After asks.
type server struct {
	g        *gradient
	rng      *rand.Rand
	now      time.Time
	knee     int
	slowdown float64
	inFlight int
	events   events
}

type simResult struct {
	latencies []time.Duration
	refused   int
	took      time.Duration
}

func (r simResult) throughput() float64 { return float64(len(r.latencies)) / r.took.Seconds() }

func (r simResult) p99() time.Duration {
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[len(s)*99/100]
}

func newServer(g *gradient, knee int) *server {
	return &server{
		g: g, rng: rand.New(rand.NewPCG(1, 2)), knee: knee, slowdown: 1,
		now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC),
	}
}

// run drives the server from clients closed-loop clients for d and
// reports what was admitted in the last measured part of it.
func (s *server) run(clients int, warmup, measured time.Duration) simResult {
	s.events = s.events[:0]
	s.inFlight = 0
	start := s.now
	for c := range clients {
		heap.Push(&s.events, event{at: s.now.Add(time.Duration(c) * time.Millisecond)})
	}
	res := simResult{took: measured}
	for len(s.events) > 0 {
		e := heap.Pop(&s.events).(event)
		if e.at.Sub(start) >= warmup+measured {
			break
		}
		s.now = e.at
		if e.done {
			s.inFlight--
			s.g.sample(e.rtt, e.admittedWith, s.now)
			if s.now.Sub(start) >= warmup {
				res.latencies = append(res.latencies, e.rtt)
			}
			heap.Push(&s.events, event{at: s.now})
			continue
		}
		if s.inFlight >= s.g.limit() {
			s.g.refused(s.now)
			if s.now.Sub(start) >= warmup {
				res.refused++
			}
			back := time.Duration((0.5 + s.rng.Float64()) * float64(time.Second))
			heap.Push(&s.events, event{at: s.now.Add(back)})
			continue
		}
		s.inFlight++
		rtt := time.Duration((50 + 20*s.rng.Float64()) * s.slowdown * float64(time.Millisecond))
		rtt = time.Duration(float64(rtt) * max(1, float64(s.inFlight)/float64(s.knee)))
		heap.Push(&s.events, event{at: s.now.Add(rtt), done: true, rtt: rtt, admittedWith: s.inFlight})
	}
	s.events = s.events[:0]
	return res
}

type event struct {
	at           time.Time
	done         bool
	rtt          time.Duration
	admittedWith int
}

type events []event

func (e events) Len() int           { return len(e) }
func (e events) Less(i, j int) bool { return e[i].at.Before(e[j].at) }
func (e events) Swap(i, j int)      { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)        { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

func TestTenTimesTheClientsGetTheSameLatency(t *testing.T) {
	s := newServer(newGradient(32, 8, 128), 32)
	one := s.run(32, 10*time.Second, 20*time.Second)
	ten := s.run(320, 2*time.Second, 20*time.Second)
	t.Logf("1×: %.0f/s p99 %v, refused %d; 10×: %.0f/s p99 %v, refused %d; limit %d",
		one.throughput(), one.p99(), one.refused, ten.throughput(), ten.p99(), ten.refused, s.g.limit())
	if one.refused > 0 {
		t.Errorf("%d refused at the concurrency the server sustains, want none", one.refused)
	}
	if r := float64(ten.p99()) / float64(one.p99()); r > 1.2 {
		t.Errorf("p99 at 10× the clients = %v, %.2f× the 1× p99 %v, want at most 1.2×", ten.p99(), r, one.p99())
	}
	if r := ten.throughput() / one.throughput(); r < 0.9 {
		t.Errorf("admitted throughput at 10× = %.2f× the 1× run, want at least 0.9×", r)
	}
}

func TestSustainedOverloadDoesNotBecomeTheNewNormal(t *testing.T) {
	s := newServer(newGradient(32, 8, 128), 32)
	s.run(32, 10*time.Second, 10*time.Second)
	var p99s []time.Duration
	for range 10 { // ten minutes of 10× the clients
		p99s = append(p99s, s.run(320, 0, time.Minute).p99())
	}
	if first, last := p99s[0], p99s[len(p99s)-1]; float64(last) > 1.05*float64(first) {
		t.Errorf("admitted p99 minute by minute under 10× the clients: %v, want no drift upwards", p99s)
	}
}

func TestALastingChangeOfUpstreamLatencyBecomesTheNewNormal(t *testing.T) {
	s := newServer(newGradient(32, 8, 128), 32)
	before := s.run(320, 10*time.Second, 10*time.Second)
	s.slowdown = 3 // the upstreams answer three times slower, for good
	s.run(320, time.Minute, 0)
	after := s.run(320, 0, 20*time.Second)
	t.Logf("before: %.0f/s, limit then; after: %.0f/s, limit %d", before.throughput(), after.throughput(), s.g.limit())
	// Three times slower upstreams at the same concurrency serve a third;
	// a limit that took the slowdown for overload would serve far less.
	if r := after.throughput() / before.throughput(); r < 0.3 {
		t.Errorf("throughput a minute after the upstreams slowed = %.2f× before, want at least 0.3× (a third, at the same concurrency)", r)
	}
}

func TestTheLimitStaysWithinItsBounds(t *testing.T) {
	s := newServer(newGradient(32, 8, 64), 1000) // never saturates: the limit grows
	s.run(200, 30*time.Second, 0)
	if s.g.limit() != 64 {
		t.Errorf("limit %d with latency independent of load, want the ceiling 64", s.g.limit())
	}
	// A server that saturates at 2 in flight, started in a surge: the limit
	// defends the latency it saw before it refused anything (already that
	// of 32 in flight), so it falls well below where it started but not to
	// the floor — and never under it.
	s = newServer(newGradient(32, 8, 64), 2)
	for range 8 {
		s.run(200, 15*time.Second, 0)
		if l := s.g.limit(); l < 4 || (l < 8 && s.g.probing.IsZero()) {
			t.Fatalf("limit %d, below the floor 8 outside a probe (which halves it)", l)
		}
	}
	if l := s.g.limit(); l > 16 {
		t.Errorf("limit %d after two minutes on a server saturated at 2 in flight, want it brought down from 32 to at most 16", l)
	}
}

func TestLightTrafficTeachesNothingAboutAHigherLimit(t *testing.T) {
	g := newGradient(20, 4, 64)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for i := range 5000 {
		g.sample(50*time.Millisecond, 3, now.Add(time.Duration(i)*10*time.Millisecond))
	}
	if g.limit() != 20 {
		t.Errorf("limit %d after samples with 3 in flight, want it kept at 20", g.limit())
	}
}

func TestTheRateCountsWholeSeconds(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var r rate
	for i := range 100 {
		r.add(t0.Add(time.Duration(i) * 10 * time.Millisecond)) // 100 in the first second
	}
	if v := r.value(t0.Add(999 * time.Millisecond)); v != 100 {
		t.Errorf("during the first second: %v, want its count 100", v)
	}
	if v := r.value(t0.Add(1500 * time.Millisecond)); v != 50 {
		t.Errorf("after it: %v, want half-weighted 50", v)
	}
	if v := r.value(t0.Add(10 * time.Second)); v > 1 {
		t.Errorf("after nine quiet seconds: %v, want it decayed below 1", v)
	}
}
