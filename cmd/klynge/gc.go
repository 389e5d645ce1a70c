package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the collector's target when GOGC is not set. A
// gateway's live heap is small (tens of MB) and almost everything it
// allocates dies with the request, so at Go's default of 100 it collects
// very often: in `klynge bench` the collector, its allocation assists and
// the stack regrowth after each cycle's stack shrinking took a fifth of the
// CPU of a 100-citizen list. At 400 the heap may grow to five times the
// live heap between cycles (a few hundred MB at most); set GOMEMLIMIT to
// cap it, or GOGC to choose another target.
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless the environment chose.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
