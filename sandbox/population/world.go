package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// World is the generated population. It is immutable after Generate and safe
// for concurrent reads; slices it returns are shared and must not be
// modified.
type World struct {
	now        time.Time
	seed       int64
	population int
	citizens   []domain.Citizen
}

// Now is the moment the world was generated for.
func (w *World) Now() time.Time { return w.now }

// Seed is the seed the world was generated from.
func (w *World) Seed() int64 { return w.seed }

// Citizens lists every citizen ordered by CPR.
func (w *World) Citizens() []domain.Citizen { return w.citizens }
