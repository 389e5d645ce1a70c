package controls

// Citizen sample kinds for GET /_sandbox/citizens?with=... Several kinds
// joined by commas (with=discharge,care) sample citizens for whom all hold.
const (
	WithDischarge  = "discharge"  // discharged from a stay in the last 120 days
	WithCare       = "care"       // has municipal care services active now
	WithOutOfHours = "outofhours" // had an out-of-hours contact
	WithReferral   = "referral"   // has a GP referral
)

// Citizens is the answer of GET /_sandbox/citizens: a deterministic sample of
// synthetic CPRs useful for demos and tests. ?with= picks citizens with some
// history, ?for=CLIENT those a demo client may read (both may be given).
type Citizens struct {
	With string `json:"with"`
	// For is the demo client (GET /oidc/clients) every sampled citizen is
	// readable by under klynge's default rules, without break-the-glass.
	For      string          `json:"for,omitempty"`
	Cluster  string          `json:"cluster,omitempty"`
	Citizens []CitizenSample `json:"citizens"`
}

// CitizenSample is one sampled citizen.
type CitizenSample struct {
	CPR          string `json:"cpr"` // DDMMYYSSSS, synthetic
	Municipality int    `json:"municipality"`
	Reason       string `json:"reason"`
}
