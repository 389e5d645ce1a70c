package upstream

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure one upstream Client. The zero value of every field but
// System and BaseURL means "the default" named in its comment.
type Options struct {
	// System names the upstream instance in errors, metrics and logs:
	// "ehospital", "outofhours", "gpreferral", "municipal/330".
	System string
	// BaseURL is the absolute http(s) URL every path is resolved against.
	BaseURL string
	// PublicBaseURL is the base the upstream writes into the links it
	// returns when it sits behind a proxy and knows itself by another
	// name (https://fhir.region.dk/r4 while klynge calls
	// http://10.0.0.5:8080/fhir). A link under it is followed on BaseURL
	// (ResolveLink); empty means links name BaseURL itself.
	PublicBaseURL string

	// Timeout bounds one attempt, from dialling to the last body byte
	// (default 2s).
	Timeout time.Duration
	// CallTimeout bounds a whole call including retries and backoff
	// (default 5s). A shorter deadline on the caller's context wins.
	CallTimeout time.Duration

	Retry   RetryOptions
	Breaker BreakerOptions

	// MaxResponseBytes refuses larger response bodies (default 16 MiB).
	MaxResponseBytes int64

	Auth Auth

	// MaxIdleConns is the number of idle connections kept to the upstream
	// host (default 32).
	MaxIdleConns int

	// Logger receives a debug line per attempt and a warning per breaker
	// state change. nil discards.
	Logger *slog.Logger
	// Metrics records requests, latencies, retries, breaker state and batch
	// sizes. nil records nothing.
	Metrics *Metrics
	// UserAgent is sent with every request (default "klynge").
	UserAgent string

	// Wrap, when set, decorates the whole call (all attempts of it): the
	// seam for tracing (e.g. otelhttp.NewTransport). It sees requests before
	// retries and the final response after them.
	Wrap func(http.RoundTripper) http.RoundTripper
}

// RetryOptions bound how a failed attempt is repeated. Only GET, HEAD and
// requests marked Safe are retried, and only after connection failures,
// per-attempt timeouts, 429 and 5xx (except 501). Each retry must also fit
// the instance's retry budget: over the last 10 s, retries at most
// BudgetRatio × the calls made plus BudgetMinPerSecond × 10.
type RetryOptions struct {
	// Max is the most retries of one call after its first attempt
	// (default 2); a negative value disables retries.
	Max int
	// BudgetRatio is the share of calls that may be retried, in (0, 1]
	// (default 0.5: Envoy's and Finagle's 0.2 left twice as many answers
	// partial as fixed attempts under a half-failing system, see
	// docs/PERFORMANCE.md).
	BudgetRatio float64
	// BudgetMinPerSecond is a reserve of retries per second on top of the
	// share, so that the few calls of a quiet system can all be retried
	// (default 10).
	BudgetMinPerSecond float64
	// Now is the budget's clock (default time.Now; tests pin it).
	Now func() time.Time
	// WaitMin and WaitMax bound the jittered exponential backoff
	// (defaults 25ms and 400ms).
	WaitMin, WaitMax time.Duration
	// RetryAfterMax caps the wait a Retry-After header may ask for
	// (default 1s): an upstream cannot park a clinician's request.
	RetryAfterMax time.Duration
}

// BreakerOptions configure the circuit breaker of one upstream instance.
type BreakerOptions struct {
	// Disabled turns the breaker off.
	Disabled bool
	// MinRequests is how many attempts the window must hold before the
	// failure ratio can open the breaker (default 10).
	MinRequests int
	// FailureRatio of failed attempts in the window that opens it
	// (default 0.8, range (0, 1]). Attempts are counted, not calls, so a
	// system failing half its requests shows a ratio of 0.5 while retries
	// still recover most calls: opening then would turn a partial failure
	// into a total one. At 0.8 three attempts still save about half the
	// calls; above it the breaker saves the clinicians' time instead.
	FailureRatio float64
	// OpenFor is how long it stays open before probing (default 10s).
	OpenFor time.Duration
	// HalfOpenRequests is how many probes may run while half-open, and how
	// many must succeed to close it (default 1).
	HalfOpenRequests int
	// Window is the rolling window over which failures are counted
	// (default 30s).
	Window time.Duration
}

// Auth holds one upstream's credentials. A bearer token and a TLS client
// certificate may be combined.
type Auth struct {
	// BearerToken is sent as "Authorization: Bearer ...".
	BearerToken string
	// BearerTokenFile holds the token instead (trailing whitespace trimmed);
	// it is re-read when its modification time changes, so a rotated token
	// is picked up without a restart.
	BearerTokenFile string
	// CertFile and KeyFile are a PEM client certificate and key for mTLS.
	CertFile, KeyFile string
	// CAFile is a PEM bundle of the private CA that signed the upstream's
	// server certificate; the system roots are used when empty.
	CAFile string
}

// Defaults, exported so configuration docs and tests can name them.
const (
	DefaultTimeout          = 2 * time.Second
	DefaultCallTimeout      = 5 * time.Second
	DefaultRetryMax         = 2
	DefaultBudgetRatio      = 0.5
	DefaultBudgetMinPerSec  = 10
	DefaultRetryWaitMin     = 25 * time.Millisecond
	DefaultRetryWaitMax     = 400 * time.Millisecond
	DefaultRetryAfterMax    = time.Second
	DefaultBreakerMinReqs   = 10
	DefaultBreakerRatio     = 0.8
	DefaultBreakerOpenFor   = 10 * time.Second
	DefaultBreakerHalfOpen  = 1
	DefaultBreakerWindow    = 30 * time.Second
	DefaultMaxResponseBytes = 16 << 20
	DefaultMaxIdleConns     = 32
	DefaultUserAgent        = "klynge"

	// maxErrorBodyBytes is how much of a non-2xx body is kept for the
	// connector to map (an OperationOutcome, a JSON error).
	maxErrorBodyBytes = 4 << 10
)

// withDefaults validates o and fills in defaults. Errors name the option
// and the rule it broke.
func (o Options) withDefaults() (Options, *url.URL, error) {
	base, err := o.address()
	if err == nil {
		err = o.fillDurations()
	}
	if err == nil {
		err = o.fillRetry()
	}
	if err == nil {
		err = o.fillBreakerAndLimits()
	}
	if err == nil {
		err = o.Auth.check(base)
	}
	if err != nil {
		sys := o.System
		if sys == "" {
			sys = "?"
		}
		return o, nil, fmt.Errorf("upstream %s: %w", sys, err)
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, base, nil
}

// invalid says which option broke which rule.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

// address checks the name and URLs of the upstream and returns the base
// URL every path is resolved against, without a trailing slash.
func (o *Options) address() (*url.URL, error) {
	if o.System == "" {
		return nil, invalid("System", "must not be empty")
	}
	if strings.ContainsAny(o.System, " \t\r\n\"") {
		return nil, invalid("System", "must not contain spaces or quotes")
	}
	base, err := url.Parse(o.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, invalid("BaseURL", "must be an absolute http(s) URL")
	}
	if base.User != nil || base.RawQuery != "" || base.Fragment != "" {
		return nil, invalid("BaseURL", "must not carry credentials, a query or a fragment")
	}
	base.Path = strings.TrimRight(base.Path, "/")
	base.RawPath = ""
	if o.PublicBaseURL != "" {
		pub, err := url.Parse(o.PublicBaseURL)
		if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" ||
			pub.User != nil || pub.RawQuery != "" || pub.Fragment != "" {
			return nil, invalid("PublicBaseURL", "must be an absolute http(s) URL without credentials, query or fragment")
		}
	}
	return base, nil
}

// fillDurations defaults every zero duration; none may be negative, and
// the backoff's bounds must be in order.
func (o *Options) fillDurations() error {
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Timeout", &o.Timeout, DefaultTimeout},
		{"CallTimeout", &o.CallTimeout, DefaultCallTimeout},
		{"Retry.WaitMin", &o.Retry.WaitMin, DefaultRetryWaitMin},
		{"Retry.WaitMax", &o.Retry.WaitMax, DefaultRetryWaitMax},
		{"Retry.RetryAfterMax", &o.Retry.RetryAfterMax, DefaultRetryAfterMax},
		{"Breaker.OpenFor", &o.Breaker.OpenFor, DefaultBreakerOpenFor},
		{"Breaker.Window", &o.Breaker.Window, DefaultBreakerWindow},
	}
	for _, d := range durations {
		switch {
		case *d.v < 0:
			return invalid(d.name, "must not be negative (got %s)", *d.v)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	if o.Retry.WaitMax < o.Retry.WaitMin {
		return invalid("Retry.WaitMax", "must be at least Retry.WaitMin (%s < %s)", o.Retry.WaitMax, o.Retry.WaitMin)
	}
	return nil
}

// fillRetry defaults and bounds how often a call is retried: a negative
// Max disables retries, and the budget is a share in (0, 1] plus a
// reserve of at most 1000 a second.
func (o *Options) fillRetry() error {
	switch {
	case o.Retry.Max == 0:
		o.Retry.Max = DefaultRetryMax
	case o.Retry.Max < 0:
		o.Retry.Max = 0
	case o.Retry.Max > 10:
		return invalid("Retry.Max", "must be at most 10 (got %d)", o.Retry.Max)
	}
	switch {
	case o.Retry.BudgetRatio == 0:
		o.Retry.BudgetRatio = DefaultBudgetRatio
	case !(o.Retry.BudgetRatio > 0 && o.Retry.BudgetRatio <= 1):
		return invalid("Retry.BudgetRatio", "must be in (0, 1] (got %g)", o.Retry.BudgetRatio)
	}
	switch {
	case o.Retry.BudgetMinPerSecond == 0:
		o.Retry.BudgetMinPerSecond = DefaultBudgetMinPerSec
	case o.Retry.BudgetMinPerSecond < 0 || o.Retry.BudgetMinPerSecond > 1000:
		return invalid("Retry.BudgetMinPerSecond", "must be between 0 and 1000 (got %g)", o.Retry.BudgetMinPerSecond)
	}
	return nil
}

// fillBreakerAndLimits defaults the breaker's counts and ratio, the idle
// connections and the response size; none may be negative.
func (o *Options) fillBreakerAndLimits() error {
	ints := []struct {
		name string
		v    *int
		def  int
	}{
		{"Breaker.MinRequests", &o.Breaker.MinRequests, DefaultBreakerMinReqs},
		{"Breaker.HalfOpenRequests", &o.Breaker.HalfOpenRequests, DefaultBreakerHalfOpen},
		{"MaxIdleConns", &o.MaxIdleConns, DefaultMaxIdleConns},
	}
	for _, n := range ints {
		switch {
		case *n.v < 0:
			return invalid(n.name, "must not be negative (got %d)", *n.v)
		case *n.v == 0:
			*n.v = n.def
		}
	}
	switch {
	case o.Breaker.FailureRatio == 0:
		o.Breaker.FailureRatio = DefaultBreakerRatio
	case !(o.Breaker.FailureRatio > 0 && o.Breaker.FailureRatio <= 1):
		return invalid("Breaker.FailureRatio", "must be in (0, 1] (got %g)", o.Breaker.FailureRatio)
	}
	switch {
	case o.MaxResponseBytes < 0:
		return invalid("MaxResponseBytes", "must not be negative (got %d)", o.MaxResponseBytes)
	case o.MaxResponseBytes == 0:
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	return nil
}

// check refuses credentials that cannot work together: two sources of a
// bearer token, a token of several lines, half a client certificate, TLS
// material for a plain-http upstream.
func (a Auth) check(base *url.URL) error {
	if a.BearerToken != "" && a.BearerTokenFile != "" {
		return invalid("Auth.BearerTokenFile", "must not be set together with Auth.BearerToken")
	}
	if strings.ContainsAny(a.BearerToken, "\r\n") {
		return invalid("Auth.BearerToken", "must be a single line")
	}
	if (a.CertFile == "") != (a.KeyFile == "") {
		return invalid("Auth.KeyFile", "Auth.CertFile and Auth.KeyFile must be set together")
	}
	if (a.CertFile != "" || a.CAFile != "") && base.Scheme != "https" {
		return invalid("Auth.CertFile", "TLS client certificates and CAFile need an https BaseURL")
	}
	return nil
}
