package controls

import "time"

// Clock is the answer of GET and POST /_sandbox/clock: the sandbox's
// present in a world that runs on (a sandbox started with a horizon).
type Clock struct {
	Now time.Time `json:"now"`
	// Start is where the clock started, Until the end of the generated
	// timeline (the clock stops there).
	Start time.Time `json:"start"`
	Until time.Time `json:"until"`
	// Speed is how many simulated seconds pass per real second (0: the
	// clock moves only when told).
	Speed float64 `json:"speed"`
}

// ClockAdvance is the body of POST /_sandbox/clock: move the clock forward
// by Advance (a Go duration, e.g. "90m") or to To. It never goes back.
type ClockAdvance struct {
	Advance string     `json:"advance,omitempty"`
	To      *time.Time `json:"to,omitempty"`
}
