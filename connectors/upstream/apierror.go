package upstream

import (
	"encoding/json"
	"errors"
)

// APIError is an error answer in the JSON shape klynge's REST upstreams
// share — {"error": "machine_code", "message": "text for people"} — read
// from a *StatusError. It unwraps to that StatusError, so Classify still
// names the system. Message may quote what was asked (CPR numbers), so
// Error() leaves it out.
type APIError struct {
	Code    string // machine code: bad_request, too_many_cprs, not_found, ...
	Message string
	Status  *StatusError
}

func (e *APIError) Error() string { return e.Status.Error() + " (" + e.Code + ")" }

func (e *APIError) Unwrap() error { return e.Status }

// AsAPIError turns a *StatusError whose body is a JSON error answer into an
// *APIError; any other error is returned unchanged.
func AsAPIError(err error) error {
	var se *StatusError
	if !errors.As(err, &se) {
		return err
	}
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(se.Body, &body) != nil || body.Error == "" {
		return err
	}
	return &APIError{Code: body.Error, Message: body.Message, Status: se}
}
