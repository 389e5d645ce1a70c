package sandbox

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
	"github.com/sundhedsklynge/klynge/sandbox/internal/ehospital"
	"github.com/sundhedsklynge/klynge/sandbox/internal/gpreferral"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/internal/municipal"
	"github.com/sundhedsklynge/klynge/sandbox/internal/outofhours"
	"github.com/sundhedsklynge/klynge/sandbox/internal/traffic"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Config says what world to generate and how the systems behave. Zero values
// are safe defaults.
type Config struct {
	Population int           // citizens; 20000 when 0
	Seed       int64         // 1 when 0
	Now        time.Time     // the sandbox's present; time.Now().Truncate(time.Hour) when zero
	Latency    time.Duration // base latency, with jitter, added to every upstream answer (not controls)
	// ExactLatency drops the jitter (up to +50%): every answer waits exactly
	// Latency, so a benchmark's floor is exactly levels × Latency.
	ExactLatency bool
	// FHIRDialect is the FHIR server dialect eHospitalet is served in
	// (DialectNames; "" is eHospitalet's own). PUT /_sandbox/dialect
	// changes it while the sandbox runs.
	FHIRDialect string
	Logger      *slog.Logger // nil discards
	// Rules are the handover rule sets the world is kept clean by and its
	// ground truth follows, per cluster: give the sandbox the gateway's.
	// The zero RuleBook means pathway.DefaultRules everywhere.
	Rules pathway.RuleBook
	// History is how far back the world reaches (default
	// population.Window, 120 days); the statistics tests ask for more.
	History time.Duration
	// Horizon, when set, makes the world run on: it is generated for
	// Now+Horizon and served as it stands at the sandbox's clock, which
	// starts at Now (clock.go). Zero: the world is frozen at Now.
	Horizon time.Duration
	// Speed is how many simulated seconds pass per real second in a world
	// that runs on (0: the clock moves only by POST /_sandbox/clock).
	Speed float64
	// TokenTTL is how long the demo issuer's tokens last (default 1h).
	TokenTTL time.Duration
}

// Defaults of Config.
const (
	DefaultPopulation = 20000
	DefaultSeed       = 1
)

// Sandbox is the generated world and the handler serving it.
type Sandbox struct {
	cfg      Config
	world    *population.World
	registry *registry.Registry
	log      *slog.Logger
	stats    *traffic.Stats
	faults   *traffic.Faults
	dialect  *ehospital.Switch
	searches *ehospital.Searches // eHospitalet's stored searches, shared by every view of a running world
	systems  []httpapi.System
	oidc     *oidc.Issuer
	handler  http.Handler
	// registered lists the system patterns given to the mux, for the test
	// that the OpenAPI documents describe exactly them.
	registered []string
	// run is the world running on (clock.go); nil when frozen.
	run *running
}

// New generates the population and assembles the handler. It starts no
// goroutines. Generation takes about 0.1 s for 20,000 citizens and about
// 1.5 s for 200,000.
func New(cfg Config) (*Sandbox, error) {
	if cfg.Population == 0 {
		cfg.Population = DefaultPopulation
	}
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now().Truncate(time.Hour)
	}
	if cfg.Population < population.MinPopulation {
		return nil, fmt.Errorf("sandbox: population must be at least %d (one citizen per municipality), got %d", population.MinPopulation, cfg.Population)
	}
	if err := validateRun(cfg); err != nil {
		return nil, err
	}
	if cfg.Latency < 0 {
		return nil, fmt.Errorf("sandbox: latency must not be negative, got %s", cfg.Latency)
	}
	dialect, ok := ehospital.NewSwitch(cfg.FHIRDialect)
	if !ok {
		return nil, fmt.Errorf("sandbox: FHIR dialect %q is not one of %s", cfg.FHIRDialect, strings.Join(ehospital.DialectNames(), ", "))
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	reg, err := registry.Load()
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	start := time.Now()
	history := cfg.History
	if cfg.Horizon > 0 {
		// The timeline ends a horizon later; the world at Now still reaches
		// back as far as a frozen one would.
		if history == 0 {
			history = population.Window
		}
		history += cfg.Horizon
	}
	full, err := population.Generate(population.Config{Population: cfg.Population, Seed: cfg.Seed, Now: cfg.Now.Add(cfg.Horizon), Registry: reg, Rules: cfg.Rules, History: history})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	w := full.At(cfg.Now)
	log.Info("sandbox: population generated", "citizens", cfg.Population, "seed", cfg.Seed,
		"now", w.Now(), "encounters", len(w.Encounters()), "gaps", len(w.Gaps()), "took", time.Since(start).Round(time.Millisecond))
	s := &Sandbox{cfg: cfg, world: w, registry: reg, log: log, stats: traffic.NewStats(), dialect: dialect, searches: ehospital.NewSearches()}
	s.faults = traffic.NewFaults(s.isSystemKey)
	s.systems = s.systemsOf(w)
	if s.oidc, err = oidc.New(oidc.Options{World: w, Logger: log, TokenTTL: cfg.TokenTTL}); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if cfg.Horizon > 0 {
		s.run = &running{full: full, clock: &clock{start: cfg.Now, until: full.Now(), speed: cfg.Speed, origin: time.Now()}}
	}
	if s.handler, err = s.assemble(); err != nil {
		return nil, err
	}
	if s.run != nil {
		s.run.base = s
		s.run.current.Store(s)
	}
	return s, nil
}

// systemsOf are the simulated systems over w, eHospitalet in the
// sandbox's dialect with its stored searches.
func (s *Sandbox) systemsOf(w *population.World) []httpapi.System {
	return []httpapi.System{
		ehospital.System(w, s.dialect, s.searches),
		outofhours.System(w),
		municipal.System(w),
		gpreferral.System(w),
	}
}

// Handler serves every system and the controls under their path prefixes;
// in a world that runs on, the world as it stands at the sandbox's clock.
func (s *Sandbox) Handler() http.Handler {
	if s.run != nil {
		return http.HandlerFunc(s.run.serve)
	}
	return s.handler
}

// Now is the sandbox's present: the moment the world was generated for.
func (s *Sandbox) Now() time.Time { return s.world.Now() }

// OIDC is the development OpenID Connect issuer served under /oidc/: its
// demo clients and key rotation.
func (s *Sandbox) OIDC() *oidc.Issuer { return s.oidc }

// DialectNames lists the FHIR server dialects eHospitalet can be served in.
func DialectNames() []string { return ehospital.DialectNames() }

// Dialect is the FHIR server dialect eHospitalet is served in now.
func (s *Sandbox) Dialect() string { return s.dialect.Current().Name }

// SetDialect serves eHospitalet in the named dialect from now on.
func (s *Sandbox) SetDialect(name string) error {
	if !s.dialect.Set(name) {
		return fmt.Errorf("sandbox: FHIR dialect %q is not one of %s", name, strings.Join(ehospital.DialectNames(), ", "))
	}
	return nil
}

// World is the generated data, including the planted ground truth, for tests;
// in a world that runs on, as it stands at the sandbox's clock.
func (s *Sandbox) World() *population.World {
	if s.run != nil {
		return s.run.at().world
	}
	return s.world
}

// Timeline is the whole generated world, including what has not happened
// yet at the sandbox's clock: for tests that wait for something to happen.
func (s *Sandbox) Timeline() *population.World {
	if s.run != nil {
		return s.run.full
	}
	return s.world
}

// Clock is the sandbox's present: in a world that runs on, its clock; else
// the moment the world was generated for.
func (s *Sandbox) Clock() time.Time {
	if s.run != nil {
		return s.run.clock.now()
	}
	return s.world.Now()
}
