package ehospital

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
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

// optional is a search parameter (or include value) a request may do
// without, and the feature it stands for; feature "" marks a parameter the
// request needs, listed so that a refusal of it is not taken for one of
// the others (a server may list every parameter it knows after the one it
// refuses).
type optional struct {
	name    string // as the server may quote it: a parameter or an include value
	feature Feature
}

// withRequired adds the parameters of params not in opts, as required.
func withRequired(params url.Values, opts []optional) []optional {
	for name := range params {
		if !slices.ContainsFunc(opts, func(o optional) bool { return o.name == name }) {
			opts = append(opts, optional{name: name})
		}
	}
	return opts
}

// refusedFeature reads a 400 answer to a search that sent the parameters
// in opts: the one the server refused is the one its outcome names first
// (HAPI lists every parameter it supports after the one it refuses;
// Medplum names just the one). ok is false when the answer names none of
// them; f is "" when the refused one is a required parameter.
func refusedFeature(err error, opts []optional) (f Feature, param string, ok bool) {
	var oe *OutcomeError
	if !errors.As(err, &oe) || oe.Status.Status != http.StatusBadRequest {
		return "", "", false
	}
	best, bestAt := optional{}, -1
	for _, is := range oe.Outcome.Issue {
		texts := append([]string{is.Diagnostics}, is.Expression...)
		texts = append(texts, is.Location...)
		if is.Details != nil {
			texts = append(texts, is.Details.Text)
		}
		text := strings.Join(texts, " ")
		for _, o := range opts {
			at := strings.Index(text, o.name)
			if at < 0 {
				continue
			}
			if bestAt < 0 || at < bestAt || (at == bestAt && len(o.name) > len(best.name)) {
				best, bestAt = o, at
			}
		}
		if bestAt >= 0 {
			return best.feature, best.name, true
		}
	}
	return "", "", false
}
