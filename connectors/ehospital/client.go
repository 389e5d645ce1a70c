package ehospital

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// Options tune the client; the zero value means the defaults below.
type Options struct {
	// CPRSystem is the identifier system searched with and accepted on
	// Patient.identifier and Encounter.subject (default fhir.SystemCPR; the
	// sandbox and the demo use fhir.SystemSyntheticCPR).
	CPRSystem string
	// PageSize is the _count asked for, 1..MaxPageSize (default 100).
	// Servers may cap it lower; klynge follows their pages.
	PageSize int
	// MaxPages bounds how many pages one search may follow (default 250:
	// 5,000 matches at a server's cap of 20).
	MaxPages int
	// Logger receives the operator's lines: capabilities read, a search
	// parameter the server refused and the fallback taken. It never gets a
	// CPR. nil discards.
	Logger *slog.Logger
}

// Defaults and bounds of Options.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
	DefaultMaxPages = 250
)

// ErrTooManyPages is returned when a search has more pages than
// Options.MaxPages: the query is too broad to answer whole.
var ErrTooManyPages = errors.New("ehospital: search has more pages than MaxPages")

// Client reads eHospitalet, or any FHIR R4 server that holds its data. It
// is safe for concurrent use.
type Client struct {
	up   *upstream.Client
	opts Options
	caps *capState
}

// New returns a client over up, which carries eHospitalet's base URL (the
// FHIR base, e.g. http://host/ehospital/fhir), credentials, timeouts and
// breaker. Errors name the option and the rule. Until Discover has read
// the server's CapabilityStatement, the client tries every search feature
// and falls back from those the server refuses.
func New(up *upstream.Client, opts Options) (*Client, error) {
	if opts.CPRSystem == "" {
		opts.CPRSystem = fhir.SystemCPR
	}
	switch {
	case opts.PageSize == 0:
		opts.PageSize = DefaultPageSize
	case opts.PageSize < 0 || opts.PageSize > MaxPageSize:
		return nil, fmt.Errorf("ehospital: PageSize: must be 1..%d (got %d)", MaxPageSize, opts.PageSize)
	}
	switch {
	case opts.MaxPages == 0:
		opts.MaxPages = DefaultMaxPages
	case opts.MaxPages < 0:
		return nil, fmt.Errorf("ehospital: MaxPages: must not be negative (got %d)", opts.MaxPages)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Client{up: up, opts: opts, caps: newCapState()}, nil
}

// System is the upstream's name in errors, logs and metrics.
func (c *Client) System() string { return c.up.System() }
