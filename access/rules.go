package access

import (
	"errors"
	"fmt"
	"time"
)

// Rules are the windows and limits of the access rules. The zero value of
// each field means its default; docs/ACCESS.md lists them.
type Rules struct {
	// HospitalWindow is how long after an encounter ends (or before a
	// planned one starts) a clinician at its department or hospital keeps
	// a care relationship. Default 30 days.
	HospitalWindow time.Duration
	// OutOfHoursWindow is how long after an out-of-hours contact the
	// region's out-of-hours doctors keep a care relationship. Default 24h.
	OutOfHoursWindow time.Duration
	// ServiceEndedWindow lets a municipality keep a relationship for a
	// while after its last care service ended. Default 0: only a citizen
	// who receives (or is granted) a service now.
	ServiceEndedWindow time.Duration
	// GPContactWindow is how recent a contact with a GP's practice in the
	// GP feed must be to stand in for the listing when the patient index
	// does not answer. Default 365 days.
	GPContactWindow time.Duration
	// BreakGlassDuration is how long a break-the-glass grant lasts.
	// Default 4h.
	BreakGlassDuration time.Duration
	// BreakGlassMinReason is the fewest visible characters a
	// break-the-glass reason must have. Default 20.
	BreakGlassMinReason int
	// BreakGlassLimit is how many grants one person (token subject, in any
	// role) may be given in BreakGlassLimitPeriod. Default 10.
	BreakGlassLimit int
	// BreakGlassLimitPeriod is the period the limit counts over: grants
	// made in the last BreakGlassLimitPeriod count. Default 24h.
	BreakGlassLimitPeriod time.Duration
}

// Defaults of Rules.
const (
	DefaultHospitalWindow        = 30 * 24 * time.Hour
	DefaultOutOfHoursWindow      = 24 * time.Hour
	DefaultGPContactWindow       = 365 * 24 * time.Hour
	DefaultBreakGlassDuration    = 4 * time.Hour
	DefaultBreakGlassMinReason   = 20
	DefaultBreakGlassLimit       = 10
	DefaultBreakGlassLimitPeriod = 24 * time.Hour
	// MaxBreakGlassReason bounds a reason so that it fits an access-log
	// record with room to spare.
	MaxBreakGlassReason = 1000
)

// WithDefaults returns r with every zero field set to its default.
func (r Rules) WithDefaults() Rules {
	if r.HospitalWindow == 0 {
		r.HospitalWindow = DefaultHospitalWindow
	}
	if r.OutOfHoursWindow == 0 {
		r.OutOfHoursWindow = DefaultOutOfHoursWindow
	}
	if r.GPContactWindow == 0 {
		r.GPContactWindow = DefaultGPContactWindow
	}
	if r.BreakGlassDuration == 0 {
		r.BreakGlassDuration = DefaultBreakGlassDuration
	}
	if r.BreakGlassMinReason == 0 {
		r.BreakGlassMinReason = DefaultBreakGlassMinReason
	}
	if r.BreakGlassLimit == 0 {
		r.BreakGlassLimit = DefaultBreakGlassLimit
	}
	if r.BreakGlassLimitPeriod == 0 {
		r.BreakGlassLimitPeriod = DefaultBreakGlassLimitPeriod
	}
	return r
}

// RuleError says which field of Rules breaks which rule.
type RuleError struct {
	Field string // e.g. "HospitalWindow"
	Rule  string
}

func (e *RuleError) Error() string { return "access rules: " + e.Field + " " + e.Rule }

// Validate checks r after WithDefaults. The error joins one *RuleError per
// bad field.
func (r Rules) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &RuleError{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if r.HospitalWindow <= 0 || r.HospitalWindow > 365*24*time.Hour {
		bad("HospitalWindow", "must be more than 0 and at most 365 days, got %s", r.HospitalWindow)
	}
	if r.OutOfHoursWindow <= 0 || r.OutOfHoursWindow > 30*24*time.Hour {
		bad("OutOfHoursWindow", "must be more than 0 and at most 30 days, got %s", r.OutOfHoursWindow)
	}
	if r.ServiceEndedWindow < 0 || r.ServiceEndedWindow > 365*24*time.Hour {
		bad("ServiceEndedWindow", "must be between 0 and 365 days, got %s", r.ServiceEndedWindow)
	}
	if r.GPContactWindow < 0 || r.GPContactWindow > 3*365*24*time.Hour {
		bad("GPContactWindow", "must be between 0 and 3 years, got %s", r.GPContactWindow)
	}
	if r.BreakGlassDuration < time.Minute || r.BreakGlassDuration > 24*time.Hour {
		bad("BreakGlassDuration", "must be between 1 minute and 24 hours, got %s", r.BreakGlassDuration)
	}
	if r.BreakGlassMinReason < 1 || r.BreakGlassMinReason > 200 {
		bad("BreakGlassMinReason", "must be between 1 and 200 characters, got %d", r.BreakGlassMinReason)
	}
	if r.BreakGlassLimit < 1 || r.BreakGlassLimit > 10000 {
		bad("BreakGlassLimit", "must be between 1 and 10000 grants, got %d", r.BreakGlassLimit)
	}
	if r.BreakGlassLimitPeriod < time.Hour || r.BreakGlassLimitPeriod > 31*24*time.Hour {
		bad("BreakGlassLimitPeriod", "must be between 1 hour and 31 days, got %s", r.BreakGlassLimitPeriod)
	}
	return errors.Join(errs...)
}

// days writes a window for people: "30 days", "24 hours", "90 minutes".
func days(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
