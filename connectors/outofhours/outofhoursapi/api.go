// Package outofhoursapi is the wire contract of Lægevagten's JSON REST API
// (the out-of-hours GP service). No public data model exists for it; this one
// is klynge's, served by the sandbox and read by the outofhours connector.
//
// Routes (under the system's base URL, e.g. http://host/outofhours/api/v1):
//
//	POST /contacts/search   SearchRequest -> SearchResponse
//	GET  /contacts/{id}     -> Contact
//
// Errors are JSON Error bodies with a 4xx/5xx status.
package outofhoursapi

// MaxCPRsPerSearch is the upstream's limit; a larger list gets 400.
const MaxCPRsPerSearch = 200

// SearchRequest asks for the contacts of the listed citizens whose ReceivedAt
// lies in [From, To). From and To are RFC 3339 and optional.
type SearchRequest struct {
	CPRs []string `json:"cprs"` // DDMMYYSSSS
	From string   `json:"from,omitempty"`
	To   string   `json:"to,omitempty"`
}

// SearchResponse lists contacts ordered by CPR, then ReceivedAt.
type SearchResponse struct {
	Contacts []Contact `json:"contacts"`
}

// Contact is one out-of-hours contact.
type Contact struct {
	ID         string `json:"id"`
	CPR        string `json:"cpr"`
	ReceivedAt string `json:"receivedAt"` // RFC 3339
	TriageBy   string `json:"triageBy"`   // nurse | doctor
	// Complaint is ICPC-2 (urn:oid:1.2.208.176.2.31).
	ComplaintCode    string `json:"complaintCode"`
	ComplaintDisplay string `json:"complaintDisplay"`
	Urgency          string `json:"urgency"` // acute | urgent | non-urgent
	// Outcome: phone-advice, clinic-appointment, home-visit,
	// acute-department-referral, ambulance, ehospital-referral,
	// municipal-acute-function.
	Outcome   string `json:"outcome"`
	StartedAt string `json:"startedAt"`
	EndedAt   string `json:"endedAt,omitempty"`
	Site      string `json:"site,omitempty"`
}

// Error is the body of every error response.
type Error struct {
	Error   string `json:"error"`   // machine code: bad_request, too_many_cprs, not_found, ...
	Message string `json:"message"` // for people
}
