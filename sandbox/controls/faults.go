package controls

import (
	"encoding/json"
	"fmt"
	"time"
)

// Faults is the body of PUT /_sandbox/faults and the answer of GET: the
// fault injected into each system, keyed by system key. PUT replaces the
// whole set; DELETE clears it.
type Faults map[string]Fault

// Fault is what a system does wrong. Zero fields are off. Controls are never
// subject to faults.
type Fault struct {
	// Latency is added before the system answers; it respects request
	// cancellation.
	Latency Duration `json:"latency,omitempty"`
	// ErrorRate is the share of requests (0..1) answered with ErrorStatus.
	// Which requests fail is decided by a per-system counter, so runs repeat.
	ErrorRate float64 `json:"errorRate,omitempty"`
	// ErrorStatus is the status of injected errors, 400..599; 503 when 0.
	ErrorStatus int `json:"errorStatus,omitempty"`
	// Down makes the system close the connection without any response.
	Down bool `json:"down,omitempty"`
	// SlowBody spreads the writing of the body over this long.
	SlowBody Duration `json:"slowBody,omitempty"`
	// Malformed answers 200 with a well-formed JSON body that breaks the
	// system's contract (fields of the wrong JSON type).
	Malformed bool `json:"malformed,omitempty"`
}

// MaxFaultDelay bounds Latency and SlowBody.
const MaxFaultDelay = 10 * time.Minute

// DefaultErrorStatus is used when ErrorStatus is 0.
const DefaultErrorStatus = 503

// Validate names the first field that breaks a rule.
func (f Fault) Validate() error {
	switch {
	case f.Latency < 0 || time.Duration(f.Latency) > MaxFaultDelay:
		return fmt.Errorf("latency: must be between 0s and %s, got %s", MaxFaultDelay, f.Latency)
	case f.SlowBody < 0 || time.Duration(f.SlowBody) > MaxFaultDelay:
		return fmt.Errorf("slowBody: must be between 0s and %s, got %s", MaxFaultDelay, f.SlowBody)
	case f.ErrorRate < 0 || f.ErrorRate > 1 || f.ErrorRate != f.ErrorRate:
		return fmt.Errorf("errorRate: must be between 0 and 1, got %v", f.ErrorRate)
	case f.ErrorStatus != 0 && (f.ErrorStatus < 400 || f.ErrorStatus > 599):
		return fmt.Errorf("errorStatus: must be an HTTP status 400-599, got %d", f.ErrorStatus)
	}
	return nil
}

// Status is the status injected errors get.
func (f Fault) Status() int {
	if f.ErrorStatus == 0 {
		return DefaultErrorStatus
	}
	return f.ErrorStatus
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("250ms", "5s").
type Duration time.Duration

// String is the Go duration form.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string such as "5s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"5s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: must be a Go duration such as \"250ms\" or \"5s\"", s)
	}
	*d = Duration(v)
	return nil
}
