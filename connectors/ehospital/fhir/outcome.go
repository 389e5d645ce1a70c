package fhir

import "strings"

// OperationOutcome is FHIR's error body.
type OperationOutcome struct {
	ResourceType string                  `json:"resourceType"` // "OperationOutcome"
	Issue        []OperationOutcomeIssue `json:"issue"`
}

// OperationOutcomeIssue is one problem; Code is a FHIR issue-type code
// (invalid, not-found, too-costly, exception, ...). Servers name a refused
// search parameter in Diagnostics, Details.Text, Expression or Location.
type OperationOutcomeIssue struct {
	Severity    string           `json:"severity"`
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Location    []string         `json:"location,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}

// Error makes an OperationOutcome usable as a Go error.
func (o *OperationOutcome) Error() string {
	parts := make([]string, 0, len(o.Issue))
	for _, is := range o.Issue {
		s := is.Severity + " " + is.Code
		if is.Diagnostics != "" {
			s += ": " + is.Diagnostics
		}
		parts = append(parts, s)
	}
	return "fhir operation outcome: " + strings.Join(parts, "; ")
}
