package municipal

import (
	"encoding/json"
	"errors"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// APIError is an error answer in the municipal JSON error format. It
// unwraps to the *upstream.StatusError, so upstream.Classify still names
// the instance. Message may quote what was asked (CPR numbers), so Error()
// leaves it out.
type APIError struct {
	Code    string
	Message string
	Status  *upstream.StatusError
}

func (e *APIError) Error() string { return e.Status.Error() + " (" + e.Code + ")" }

func (e *APIError) Unwrap() error { return e.Status }

func apiError(err error) error {
	var se *upstream.StatusError
	if !errors.As(err, &se) {
		return err
	}
	var body municipalapi.Error
	if json.Unmarshal(se.Body, &body) != nil || body.Error == "" {
		return err
	}
	return &APIError{Code: body.Error, Message: body.Message, Status: se}
}
