package access

import "github.com/sundhedsklynge/klynge/domain"

// Purpose is why data is disclosed. The values are those of the access
// log (audit.Purpose).
type Purpose string

// The purposes.
const (
	PurposeTreatment      Purpose = "treatment"
	PurposeBreakTheGlass  Purpose = "break-the-glass"
	PurposeSelf           Purpose = "self"
	PurposeAdministration Purpose = "administration"
)

// Decision is the outcome of an access rule.
type Decision struct {
	Allowed bool
	// Purpose is the purpose the access is allowed for, or, for a denial,
	// the purpose it was attempted for (what the access log records).
	Purpose Purpose
	// Reason says why, for people: the relationship that allows the
	// access, or what is missing. It speaks only of the caller's own
	// organisation and never of the citizen's data.
	Reason string
	// Review flags an access a privacy officer must review
	// (break-the-glass).
	Review bool
	// Pseudonymised says the data may be shown only under pseudonyms, never
	// with CPR numbers or names (integrators).
	Pseudonymised bool
	// GrantID is the break-the-glass grant an access relies on, and
	// GrantReason the reason its holder gave, which the access log records.
	GrantID     int64
	GrantReason string
	// Unverified is set on a denial made because a fact could not be read
	// (a system did not answer) and no other evidence decided: the
	// relationship may exist. System names the system that did not answer
	// ("ehospital", "municipal/330", "accesslog" for the grant register).
	// Cause is the read's error, for operators; it is never shown to the
	// caller.
	Unverified bool
	System     string
	Cause      error
}

// Err is nil for an allowed decision, a *domain.UndecidableError naming
// the system for an unverified denial, and a *domain.ForbiddenError with
// the reason otherwise.
func (d Decision) Err() error {
	switch {
	case d.Allowed:
		return nil
	case d.Unverified:
		return &domain.UndecidableError{Reason: d.Reason, System: d.System}
	}
	return &domain.ForbiddenError{Reason: d.Reason}
}

func allow(p Purpose, reason string) Decision {
	return Decision{Allowed: true, Purpose: p, Reason: reason}
}

func deny(p Purpose, reason string) Decision {
	return Decision{Purpose: p, Reason: reason}
}
