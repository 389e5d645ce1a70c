package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// A world that runs on: with Config.Horizon set, the world is generated
// for Now+Horizon and the sandbox serves it as it stood at its clock
// (population.World.At), which starts at Now and advances at Config.Speed
// simulated seconds per real second, and whenever POST /_sandbox/clock
// says so. Admissions, discharges, notifications, visits, referrals and
// out-of-hours contacts appear as the clock passes them, and the truth
// endpoint follows. The systems are rebuilt over the new view every
// simulated minute the clock moves (viewStep); nothing is rebuilt while it
// stands still.

// viewStep is how far the clock moves before the systems are rebuilt over
// a new view.
const viewStep = time.Minute

// clock is the sandbox's present in a world that runs on.
type clock struct {
	start, until time.Time
	speed        float64
	origin       time.Time // wall time at start

	mu     sync.Mutex
	offset time.Duration // advanced by the control
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	off := c.offset
	c.mu.Unlock()
	t := c.start.Add(off)
	if c.speed > 0 {
		t = t.Add(time.Duration(float64(time.Since(c.origin)) * c.speed))
	}
	if t.After(c.until) {
		t = c.until
	}
	return t.Truncate(time.Second)
}

func (c *clock) advance(to time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := to.Sub(c.start.Add(c.offset)); d > 0 {
		c.offset += d
	}
}

// running holds the current view's sandbox, rebuilt as the clock moves.
type running struct {
	clock   *clock
	full    *population.World
	base    *Sandbox
	mu      sync.Mutex // one rebuild at a time
	current atomic.Pointer[Sandbox]
}

// at is the sandbox over the world as it stands now, rebuilt when the
// clock has moved a step since the last view.
func (r *running) at() *Sandbox {
	cur := r.current.Load()
	now := r.clock.now()
	if now.Sub(cur.world.Now()) < viewStep {
		return cur
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cur = r.current.Load()
	if now.Sub(cur.world.Now()) < viewStep {
		return cur
	}
	next, err := r.base.over(r.full.At(now))
	if err != nil {
		r.base.log.Error("sandbox: the world could not be rebuilt at the clock; serving the last view", "now", now, "err", err)
		return cur
	}
	r.current.Store(next)
	return next
}

// over is a copy of the sandbox serving w: its systems and handler rebuilt,
// its statistics, faults and issuer shared.
func (s *Sandbox) over(w *population.World) (*Sandbox, error) {
	n := *s
	n.world, n.registered = w, nil
	n.systems = n.systemsOf(w)
	var err error
	if n.handler, err = n.assemble(); err != nil {
		return nil, err
	}
	return &n, nil
}

// serve hands each request to the current view's sandbox.
func (r *running) serve(w http.ResponseWriter, req *http.Request) {
	r.at().handler.ServeHTTP(w, req)
}

func (s *Sandbox) clockState() controls.Clock {
	c := s.run.clock
	return controls.Clock{Now: c.now().In(s.world.Location()), Start: c.start, Until: c.until, Speed: c.speed}
}

func (s *Sandbox) getClock(w http.ResponseWriter, r *http.Request) {
	if s.run == nil {
		controlFail(w, httpapi.NotFound("clock: this sandbox's world does not run on (start it with a horizon, e.g. -speed)"))
		return
	}
	writeControlJSON(w, s.clockState())
}

func (s *Sandbox) postClock(w http.ResponseWriter, r *http.Request) {
	if s.run == nil {
		controlFail(w, httpapi.NotFound("clock: this sandbox's world does not run on (start it with a horizon, e.g. -speed)"))
		return
	}
	var body controls.ClockAdvance
	if err := httpapi.DecodeJSON(w, r, &body); err != nil {
		controlFail(w, err)
		return
	}
	c := s.run.clock
	switch {
	case body.To != nil && body.Advance != "":
		controlFail(w, httpapi.BadRequest("give advance or to, not both"))
		return
	case body.To != nil:
		if body.To.After(c.until) {
			controlFail(w, httpapi.BadRequest("to: %s is beyond the generated timeline, which ends at %s", body.To.Format(time.RFC3339), c.until.Format(time.RFC3339)))
			return
		}
		c.advance(*body.To)
	case body.Advance != "":
		d, err := time.ParseDuration(body.Advance)
		if err != nil || d < 0 {
			controlFail(w, httpapi.BadRequest("advance: must be a non-negative Go duration such as 90m, got %q", body.Advance))
			return
		}
		c.advance(c.now().Add(d))
	default:
		controlFail(w, httpapi.BadRequest("give advance (e.g. \"90m\") or to (RFC 3339)"))
		return
	}
	s.run.at()
	s.log.Info("sandbox: clock advanced", "now", c.now())
	writeControlJSON(w, s.clockState())
}

func validateRun(cfg Config) error {
	if cfg.Horizon < 0 || cfg.Horizon > 366*24*time.Hour {
		return fmt.Errorf("sandbox: horizon must be between 0 and 366 days, got %s", cfg.Horizon)
	}
	if cfg.Speed < 0 || cfg.Speed > 1e6 {
		return fmt.Errorf("sandbox: speed must be between 0 and 1000000, got %v", cfg.Speed)
	}
	return nil
}
