package traffic

import (
	"fmt"
	"maps"
	"sync"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// Faults holds the faults injected per system. It is safe for concurrent use.
type Faults struct {
	mu    sync.Mutex
	valid func(system string) bool
	set   controls.Faults
	// seen counts requests per faulted system since the faults were set,
	// which decides deterministically which of them fail.
	seen map[string]uint64
}

// NewFaults accepts faults only for systems valid reports as existing.
func NewFaults(valid func(system string) bool) *Faults {
	return &Faults{valid: valid, set: controls.Faults{}, seen: map[string]uint64{}}
}

// Replace validates and installs a new set of faults, restarting the error
// counters so that a run repeats.
func (f *Faults) Replace(set controls.Faults) error {
	for system, fault := range set {
		if !f.valid(system) {
			return fmt.Errorf("%s: unknown system (want ehospital, outofhours, gpreferral or municipal/<code>)", system)
		}
		if err := fault.Validate(); err != nil {
			return fmt.Errorf("%s.%w", system, err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = maps.Clone(set)
	if f.set == nil {
		f.set = controls.Faults{}
	}
	f.seen = map[string]uint64{}
	return nil
}

// Current copies the installed faults.
func (f *Faults) Current() controls.Faults {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.set)
}

// Clear removes every fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = controls.Faults{}
	f.seen = map[string]uint64{}
}

// decision is what to do to one request.
type decision struct {
	fault controls.Fault
	fail  bool
}

// decide takes the next request of a system: with error rate r, request n
// (from 1) fails when floor(n*r) > floor((n-1)*r), which spreads failures
// evenly and repeats exactly from run to run.
func (f *Faults) decide(system string) (decision, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fault, ok := f.set[system]
	if !ok {
		return decision{}, false
	}
	f.seen[system]++
	n := float64(f.seen[system])
	fail := fault.ErrorRate > 0 && int64(n*fault.ErrorRate) > int64((n-1)*fault.ErrorRate)
	return decision{fault: fault, fail: fail}, true
}
