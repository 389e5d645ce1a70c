package population

import (
	"fmt"
	"time"
)

// Config says what to generate. Zero values are not defaulted here: the
// sandbox applies its defaults before calling Generate.
type Config struct {
	Population int
	Seed       int64
	Now        time.Time
}

// Generate builds the world for cfg.
func Generate(cfg Config) (*World, error) {
	if cfg.Population < 17 {
		return nil, fmt.Errorf("population: population must be at least 17 (one citizen per municipality), got %d", cfg.Population)
	}
	if cfg.Now.IsZero() {
		return nil, fmt.Errorf("population: now must be set")
	}
	return &World{now: cfg.Now, seed: cfg.Seed, population: cfg.Population}, nil
}
