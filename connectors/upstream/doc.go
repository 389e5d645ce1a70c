// Package upstream is the HTTP plumbing every klynge connector shares: one
// Client per upstream system instance (eHospitalet, Lægevagten, the GP
// referral feed, each municipal care system), each with its own pooled
// transport, timeouts, retry budget, circuit breaker, credentials, response
// size limit and metrics.
//
// A call passes through stacked http.RoundTrippers, outermost first:
//
//	Options.Wrap (tracing seam) → retry (go-retryablehttp) → circuit breaker
//	(sony/gobreaker) → attempt (reads the body, metrics, debug log) → *http.Transport
//
// Retries repeat only requests that are safe to repeat: GET and HEAD, and
// requests the connector marks Safe (klynge's POST searches). Every failure
// comes back as a typed error naming the system (*StatusError, *DecodeError,
// *UnavailableError, *TimeoutError, *ResponseTooLargeError), which Classify
// turns into the UPSTREAM_* codes the GraphQL error presenter shows.
//
// The package knows nothing of any upstream's wire format or of GraphQL. It
// never logs a URL's query string or any body: both may hold CPR numbers.
package upstream
