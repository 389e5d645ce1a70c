package auth

import (
	"errors"
	"fmt"
)

// Why a request was not authenticated: the `extensions.reason` of the
// GraphQL error, so that clients can tell "log in" from "log in again".
const (
	ReasonMissing         = "missing_token"     // no Authorization header or init payload token
	ReasonMalformed       = "malformed_token"   // not "Bearer <JWT>", or not a signed JWT with an allowed algorithm
	ReasonExpired         = "expired"           // exp has passed (beyond the clock skew), or there is no exp
	ReasonNotYetValid     = "not_yet_valid"     // nbf or iat is in the future
	ReasonLifetime        = "lifetime_too_long" // exp is further from iat (or now) than MaxTokenLifetime
	ReasonSignature       = "invalid_signature"
	ReasonIssuer          = "wrong_issuer"
	ReasonAudience        = "wrong_audience"
	ReasonClaims          = "invalid_claims" // klynge claims missing or malformed for the role
	ReasonInvalid         = "invalid_token"  // anything else
	ReasonKeysUnavailable = "keys_unavailable"
)

// Error is an authentication failure. Description is safe to show the
// caller and to log: it never quotes the token or a claim's value.
type Error struct {
	Reason      string
	Description string
}

func (e *Error) Error() string { return "auth: " + e.Description }

// Unavailable reports a failure of the identity provider rather than of the
// caller's token: the key set could not be fetched.
func (e *Error) Unavailable() bool { return e.Reason == ReasonKeysUnavailable }

func authError(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Description: fmt.Sprintf(format, args...)}
}

// errKeysUnavailable marks a key-set fetch that failed when no usable key
// was cached.
var errKeysUnavailable = errors.New("auth: the issuer's signing keys could not be fetched")
