// Package municipalapi is the wire contract of a municipal care system's JSON
// REST API. Every municipality runs its own instance, reached under its own
// base URL (in the sandbox http://host/municipal/{code}/api); a gateway must
// treat them as separate systems.
//
// Routes (under the instance's base URL):
//
//	GET  /                       -> Instance
//	POST /services/search        SearchRequest -> ServicesResponse
//	POST /visits/search          SearchRequest -> VisitsResponse
//	POST /notifications/search   SearchRequest -> NotificationsResponse
//	GET  /changes?after=CURSOR&limit=N -> ChangesPage (limit 1..MaxChangesLimit, default 100)
//
// Errors are JSON Error bodies with a 4xx/5xx status; an unknown
// municipality code is 404.
package municipalapi

// MaxCPRsPerSearch is the upstream's limit; a larger list gets 400.
const MaxCPRsPerSearch = 100

// Instance describes the municipality an instance serves.
type Instance struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

// SearchRequest lists the citizens asked about. From/To (RFC 3339, optional)
// bound visits by PlannedAt and notifications by ReceivedAt; services are
// returned whole.
type SearchRequest struct {
	CPRs []string `json:"cprs"`
	From string   `json:"from,omitempty"`
	To   string   `json:"to,omitempty"`
}

// ServicesResponse lists granted services (FSIII indsatser).
type ServicesResponse struct {
	Services []Service `json:"services"`
}

// Service is one FSIII service granted to a citizen.
type Service struct {
	ID  string `json:"id"`
	CPR string `json:"cpr"`
	// FSIII (urn:oid:1.2.208.176.2.21) code and display, e.g. G1.20.
	FSIIICode    string `json:"fsiiiCode"`
	FSIIIDisplay string `json:"fsiiiDisplay"`
	// Law: "SEL §83", "SEL §83a", "SEL §86", "SUL §138".
	Law           string `json:"law"`
	Status        string `json:"status"` // planned | active | ended
	Start         string `json:"start"`  // RFC 3339
	End           string `json:"end,omitempty"`
	Team          string `json:"team"`
	AcuteFunction bool   `json:"acuteFunction"`
}

// VisitsResponse lists planned and performed visits.
type VisitsResponse struct {
	Visits []Visit `json:"visits"`
}

// Visit is one planned or performed visit.
type Visit struct {
	ID          string `json:"id"`
	CPR         string `json:"cpr"`
	ServiceID   string `json:"serviceId"`
	PlannedAt   string `json:"plannedAt"`
	PerformedAt string `json:"performedAt,omitempty"`
	Status      string `json:"status"` // planned | performed | cancelled | missed
	Team        string `json:"team"`
}

// NotificationsResponse lists the HospitalNotifications this municipality's
// system received.
type NotificationsResponse struct {
	Notifications []ReceivedNotification `json:"notifications"`
}

// ReceivedNotification is one received MedCom HospitalNotification.
type ReceivedNotification struct {
	ID          string `json:"id"`
	MessageID   string `json:"messageId"` // the hospital's notification id
	EncounterID string `json:"encounterId"`
	CPR         string `json:"cpr"`
	Code        string `json:"code"` // STIN, SLHJ, RE_SLHJ, ...
	OccurredAt  string `json:"occurredAt"`
	ReceivedAt  string `json:"receivedAt"`
	SenderSOR   string `json:"senderSor"`
	SenderName  string `json:"senderName"`
}

// MaxChangesLimit bounds one page of the change feed.
const MaxChangesLimit = 1000

// ChangesPage is one page of the instance's change feed: what its system
// recorded, in the order it recorded it (a notification received, a visit
// performed, a service granted). Pass NextCursor as `after` to continue; an
// empty Changes with the same cursor means caught up. It is how a reader
// learns what changed without asking about every citizen, as the GP feed
// does for referrals.
type ChangesPage struct {
	Changes    []Change `json:"changes"`
	NextCursor string   `json:"nextCursor"`
}

// Change is one recorded change of one citizen's records.
type Change struct {
	Cursor string `json:"cursor"`
	Kind   string `json:"kind"` // notification | visit | service
	ID     string `json:"id"`   // the record's id
	CPR    string `json:"cpr"`
	At     string `json:"at"` // RFC 3339: when it was recorded
}

// Error is the body of every error response.
type Error struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}
