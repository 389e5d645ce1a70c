package ehospital

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// OutcomeError is an error answer carrying a FHIR OperationOutcome. It
// unwraps to the *upstream.StatusError, so upstream.Classify still names
// the system. The issues' diagnostics may quote the search (CPR numbers),
// so Error() gives only their severities and codes.
type OutcomeError struct {
	Outcome fhir.OperationOutcome
	Status  *upstream.StatusError
}

func (e *OutcomeError) Error() string {
	issues := make([]string, 0, len(e.Outcome.Issue))
	for _, is := range e.Outcome.Issue {
		issues = append(issues, is.Severity+" "+is.Code)
	}
	return e.Status.Error() + ": OperationOutcome " + strings.Join(issues, ", ")
}

func (e *OutcomeError) Unwrap() error { return e.Status }

// HasIssue reports whether the outcome holds an issue with the FHIR
// issue-type code (invalid, not-found, too-costly, ...).
func (e *OutcomeError) HasIssue(code string) bool {
	for _, is := range e.Outcome.Issue {
		if is.Code == code {
			return true
		}
	}
	return false
}

// outcomeError turns a StatusError whose body is an OperationOutcome into
// an *OutcomeError; other errors pass unchanged.
func outcomeError(err error) error {
	var se *upstream.StatusError
	if !errors.As(err, &se) {
		return err
	}
	var oo fhir.OperationOutcome
	if json.Unmarshal(se.Body, &oo) != nil || oo.ResourceType != "OperationOutcome" {
		return err
	}
	return &OutcomeError{Outcome: oo, Status: se}
}
