package ehospital

import (
	"errors"
	"fmt"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// Options tune the client; the zero value means the defaults below.
type Options struct {
	// CPRSystem is the identifier system searched with and accepted on
	// Patient.identifier and Encounter.subject (default fhir.SystemCPR; the
	// sandbox and the demo use fhir.SystemSyntheticCPR).
	CPRSystem string
	// PageSize is the _count asked for, 1..fhir.MaxCount (default 100).
	PageSize int
	// MaxPages bounds how many pages one search may follow (default 50).
	MaxPages int
}

// Defaults of Options.
const (
	DefaultPageSize = fhir.MaxCount
	DefaultMaxPages = 50
)

// ErrTooManyPages is returned when a search has more pages than
// Options.MaxPages: the query is too broad to answer whole.
var ErrTooManyPages = errors.New("ehospital: search has more pages than MaxPages")

// Client reads eHospitalet. It is safe for concurrent use.
type Client struct {
	up   *upstream.Client
	opts Options
}

// New returns a client over up, which carries eHospitalet's base URL (the
// FHIR base, e.g. http://host/ehospital/fhir), credentials, timeouts and
// breaker. Errors name the option and the rule.
func New(up *upstream.Client, opts Options) (*Client, error) {
	if opts.CPRSystem == "" {
		opts.CPRSystem = fhir.SystemCPR
	}
	switch {
	case opts.PageSize == 0:
		opts.PageSize = DefaultPageSize
	case opts.PageSize < 0 || opts.PageSize > fhir.MaxCount:
		return nil, fmt.Errorf("ehospital: PageSize: must be 1..%d (got %d)", fhir.MaxCount, opts.PageSize)
	}
	switch {
	case opts.MaxPages == 0:
		opts.MaxPages = DefaultMaxPages
	case opts.MaxPages < 0:
		return nil, fmt.Errorf("ehospital: MaxPages: must not be negative (got %d)", opts.MaxPages)
	}
	return &Client{up: up, opts: opts}, nil
}
