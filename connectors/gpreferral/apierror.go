package gpreferral

import (
	"encoding/json"
	"errors"

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// APIError is an error answer in the referral feed's JSON error format. It
// unwraps to the *upstream.StatusError, so upstream.Classify still names
// the system. Message is the upstream's text for people; it may quote what
// was asked (CPR numbers), so Error() leaves it out.
type APIError struct {
	Code    string // machine code: bad_request, too_many_cprs, not_found, ...
	Message string
	Status  *upstream.StatusError
}

func (e *APIError) Error() string { return e.Status.Error() + " (" + e.Code + ")" }

func (e *APIError) Unwrap() error { return e.Status }

// apiError turns a StatusError with a JSON error body into an *APIError;
// other errors pass unchanged.
func apiError(err error) error {
	var se *upstream.StatusError
	if !errors.As(err, &se) {
		return err
	}
	var body gpreferralapi.Error
	if json.Unmarshal(se.Body, &body) != nil || body.Error == "" {
		return err
	}
	return &APIError{Code: body.Error, Message: body.Message, Status: se}
}
