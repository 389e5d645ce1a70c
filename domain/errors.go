package domain

import "fmt"

// Application error kinds. Resolvers, access rules and connectors return
// these (or wrap them); only the GraphQL error presenter turns them into
// `extensions.code`, so the rest of the code never speaks GraphQL.

// InputError is a caller's mistake in an argument or variable: it names the
// field and the rule broken. It becomes BAD_USER_INPUT.
type InputError struct {
	Field string // argument or input path, e.g. "cprs" or "filter.dischargedAfter"
	Rule  string // the rule, e.g. "at most 500 CPRs per call, got 501"
}

func (e *InputError) Error() string { return e.Field + ": " + e.Rule }

// InvalidInput builds an *InputError with a formatted rule.
func InvalidInput(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// ForbiddenError says the caller may not see something, and why. It becomes
// FORBIDDEN. The reason must not disclose data the caller may not see.
type ForbiddenError struct {
	Reason string
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Reason }

// UndecidableError says access could not be decided because the system
// holding the evidence (System, e.g. "ehospital") did not answer; nothing
// is disclosed (fail closed). It becomes ACCESS_UNDECIDABLE with
// extensions.system. The reason must not disclose data the caller may not
// see.
type UndecidableError struct {
	Reason string
	System string
}

func (e *UndecidableError) Error() string { return "access undecidable: " + e.Reason }

// UnauthenticatedError says the caller's identity is missing or not valid.
// It becomes UNAUTHENTICATED (HTTP 401 at the transport).
type UnauthenticatedError struct {
	Reason string
}

func (e *UnauthenticatedError) Error() string { return "unauthenticated: " + e.Reason }
