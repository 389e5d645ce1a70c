// Package gpreferralapi is the wire contract of the GP referral feed: the
// referrals general practice sends (MedCom REF01 to hospital, XREF15 to
// municipal offers, PPR and child psychiatry) with their status histories,
// an ordered event feed, and the practice directory. It also answers which
// contacts (consultations, phone, video, home visits, prescription renewals)
// a citizen had with their practice, which the medication-cover rule needs.
//
// Routes (under the system's base URL, e.g. http://host/gpreferral):
//
//	POST /referrals/search         SearchRequest -> ReferralsResponse
//	POST /contacts/search          SearchRequest -> ContactsResponse
//	GET  /feed?after=CURSOR&limit=N -> FeedPage  (limit 1..MaxFeedLimit, default 100)
//	GET  /practices?municipality=C -> PracticesResponse
//	GET  /practices/{ydernummer}   -> Practice
//	POST /practices/lookup         LookupRequest -> PracticesResponse
//
// Errors are JSON Error bodies with a 4xx/5xx status.
package gpreferralapi

// Limits of the upstream; larger requests get 400.
const (
	MaxCPRsPerSearch   = 200
	MaxPracticesLookup = 200
	MaxFeedLimit       = 1000
)

// SearchRequest lists the citizens asked about.
type SearchRequest struct {
	CPRs []string `json:"cprs"`
}

// ReferralsResponse lists referrals ordered by CPR, then SentAt.
type ReferralsResponse struct {
	Referrals []Referral `json:"referrals"`
}

// Referral is one referral from general practice.
type Referral struct {
	ID   string `json:"id"`
	CPR  string `json:"cpr"`
	Kind string `json:"kind"` // REF01 | XREF15 | PPR | CHILD_PSYCHIATRY
	// SenderYdernummer is the referring practice.
	SenderYdernummer string   `json:"senderYdernummer"`
	Receiver         Receiver `json:"receiver"`
	// Reason is ICPC-2.
	ReasonCode    string         `json:"reasonCode"`
	ReasonDisplay string         `json:"reasonDisplay"`
	Priority      string         `json:"priority"` // acute | urgent | routine
	SentAt        string         `json:"sentAt"`
	History       []StatusChange `json:"history"`
}

// Receiver is a hospital department (SOR) or a municipality.
type Receiver struct {
	Kind         string `json:"kind"` // sor | municipality
	SOR          string `json:"sor,omitempty"`
	Municipality int    `json:"municipality,omitempty"`
	Name         string `json:"name"`
}

// StatusChange is one step: sent, received, visitated, rejected, completed.
type StatusChange struct {
	Status string `json:"status"`
	At     string `json:"at"`
	Note   string `json:"note,omitempty"`
}

// FeedPage is one page of the ordered event feed. Pass NextCursor as `after`
// to continue; an empty Events with the same cursor means caught up.
type FeedPage struct {
	Events     []FeedEvent `json:"events"`
	NextCursor string      `json:"nextCursor"`
}

// FeedEvent is one status change of one referral, in feed order.
type FeedEvent struct {
	Cursor     string       `json:"cursor"`
	ReferralID string       `json:"referralId"`
	CPR        string       `json:"cpr"`
	Change     StatusChange `json:"change"`
}

// LookupRequest asks for several practices at once.
type LookupRequest struct {
	Ydernumre []string `json:"ydernumre"`
}

// PracticesResponse lists practices; unknown ydernumre are left out.
type PracticesResponse struct {
	Practices []Practice `json:"practices"`
}

// Practice is a GP practice.
type Practice struct {
	Ydernummer   string `json:"ydernummer"`
	Name         string `json:"name"`
	Municipality int    `json:"municipality"`
	AddressLine  string `json:"addressLine"`
	PostalCode   string `json:"postalCode"`
	City         string `json:"city"`
	Phone        string `json:"phone,omitempty"`
}

// Error is the body of every error response.
type Error struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// ContactsResponse lists GP contacts ordered by CPR, then At.
type ContactsResponse struct {
	Contacts []Contact `json:"contacts"`
}

// Contact is one contact between a citizen and a GP practice.
type Contact struct {
	ID         string `json:"id"`
	CPR        string `json:"cpr"`
	Ydernummer string `json:"ydernummer"`
	At         string `json:"at"`   // RFC 3339
	Kind       string `json:"kind"` // consultation | phone | video | home-visit | prescription-renewal
}
