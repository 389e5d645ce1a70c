package loaders

import (
	"errors"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/municipal"
)

// ErrNotFound is returned for a key the upstream does not know (a patient or
// a practice). List loaders return an empty list instead: a citizen without
// out-of-hours contacts is not "not found".
var ErrNotFound = errors.New("not found")

// ErrNoSystem matches the error for a key whose system klynge has no
// instance of (a municipality without a configured care system). Nothing
// can be known there, which is an answer, not a failure of any system.
var ErrNoSystem = municipal.ErrUnknownMunicipality

// Source says which upstream instance answered a batch, when, and how long it
// took. Citizen.sources reports it.
type Source struct {
	System     string // "ehospital", "outofhours", "gpreferral", "municipal/330"
	AnsweredAt time.Time
	Duration   time.Duration
}

// Fetched is a loaded value with the source that answered for it.
type Fetched[T any] struct {
	Value  T
	Source Source
}

// SourceError is a failed batch, with the instance and timing, wrapping the
// connector's error (which the error presenter classifies).
type SourceError struct {
	Source Source
	Err    error
}

func (e *SourceError) Error() string { return e.Source.System + ": " + e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }
