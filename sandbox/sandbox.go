package sandbox

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Config says what world to generate and how the systems behave. Zero values
// are safe defaults.
type Config struct {
	Population int           // citizens; 20000 when 0
	Seed       int64         // 1 when 0
	Now        time.Time     // the sandbox's present; time.Now().Truncate(time.Hour) when zero
	Latency    time.Duration // base latency, with jitter, added to every upstream answer (not controls)
	Logger     *slog.Logger  // nil discards
}

// Defaults of Config.
const (
	DefaultPopulation = 20000
	DefaultSeed       = 1
)

// Sandbox is the generated world and the handler serving it.
type Sandbox struct {
	cfg     Config
	world   *population.World
	log     *slog.Logger
	handler http.Handler
}

// New generates the population and assembles the handler. It starts no
// goroutines.
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
	if cfg.Latency < 0 {
		return nil, fmt.Errorf("sandbox: latency must not be negative, got %s", cfg.Latency)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w, err := population.Generate(population.Config{Population: cfg.Population, Seed: cfg.Seed, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s := &Sandbox{cfg: cfg, world: w, log: log}
	s.handler = http.NotFoundHandler()
	return s, nil
}

// Handler serves every system and the controls under their path prefixes.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Now is the sandbox's present: the moment the world was generated for.
func (s *Sandbox) Now() time.Time { return s.cfg.Now }

// World is the generated data, including the planted ground truth, for tests.
func (s *Sandbox) World() *population.World { return s.world }
