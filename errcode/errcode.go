// Package errcode holds every public error code klynge answers with (the
// `extensions.code` of a GraphQL error), and for each its HTTP status, whether
// a client may retry, what it means and what to do. Clients switch on these
// codes: they are part of the public contract, listed in docs/ERRORS.md,
// which is generated from this package (go generate ./errcode).
//
// It is a leaf: it imports nothing of the project, so that every package
// that refuses a request or presents an error uses its constants, and the
// HTTP status is mapped from a code in one place (Status).
//
// To add a code: add a constant below, add its Info to catalogue (the tests
// fail until both are there and docs/ERRORS.md is regenerated), and use the
// constant where the error is made. Never write a code as a string literal
// elsewhere; a test looks for them.
package errcode

//go:generate go run ./internal/errorsdoc -out ../docs/ERRORS.md

import "net/http"

// Codes of requests refused before GraphQL runs (the HTTP transport and its
// guards).
const (
	BadRequest           = "BAD_REQUEST"
	BatchNotSupported    = "BATCH_NOT_SUPPORTED"
	MethodNotAllowed     = "METHOD_NOT_ALLOWED"
	UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	NotAcceptable        = "NOT_ACCEPTABLE"
	RequestTooLarge      = "REQUEST_TOO_LARGE"
	HeadersTooLarge      = "HEADERS_TOO_LARGE"
	CSRFRejected         = "CSRF_REJECTED"
	OriginNotAllowed     = "CORS_ORIGIN_NOT_ALLOWED"
	Unauthenticated      = "UNAUTHENTICATED"
	AuthUnavailable      = "AUTHENTICATION_UNAVAILABLE"
	RateLimited          = "RATE_LIMITED"
	Overloaded           = "OVERLOADED"
)

// Codes of operations refused whole: the document, its variables, its
// persisted id, its size, or the access log behind it.
const (
	ParseFailed                = "GRAPHQL_PARSE_FAILED"
	ValidationFailed           = "GRAPHQL_VALIDATION_FAILED"
	PersistedQueryNotFound     = "PERSISTED_QUERY_NOT_FOUND"
	PersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
	PersistedQueryHashMismatch = "PERSISTED_QUERY_HASH_MISMATCH"
	BadPersistedQuery          = "BAD_PERSISTED_QUERY"
	OperationNotTrusted        = "OPERATION_NOT_TRUSTED"
	DocumentTooLarge           = "DOCUMENT_TOO_LARGE"
	TokenLimitExceeded         = "TOKEN_LIMIT_EXCEEDED"
	DepthLimitExceeded         = "DEPTH_LIMIT_EXCEEDED"
	AliasLimitExceeded         = "ALIAS_LIMIT_EXCEEDED"
	RootFieldLimitExceeded     = "ROOT_FIELD_LIMIT_EXCEEDED"
	DirectiveLimitExceeded     = "DIRECTIVE_LIMIT_EXCEEDED"
	CostLimitExceeded          = "COST_LIMIT_EXCEEDED"
	AccessLogUnavailable       = "ACCESS_LOG_UNAVAILABLE"
	TooManySubscriptions       = "TOO_MANY_SUBSCRIPTIONS"
	SlowConsumer               = "SLOW_CONSUMER"
	AlertsOff                  = "ALERTS_OFF"
)

// Codes of one part of an answer (a field), the rest of which stands.
const (
	RequestCancelled    = "REQUEST_CANCELLED"
	InternalServerError = "INTERNAL_SERVER_ERROR"
	BadUserInput        = "BAD_USER_INPUT"
	Forbidden           = "FORBIDDEN"
	AccessUndecidable   = "ACCESS_UNDECIDABLE"
	BreakGlassLimit     = "BREAK_GLASS_LIMIT_REACHED"
	UpstreamUnavailable = "UPSTREAM_UNAVAILABLE"
	UpstreamTimeout     = "UPSTREAM_TIMEOUT"
	UpstreamBadResponse = "UPSTREAM_BAD_RESPONSE"
)

// Kind says where an error appears and so which HTTP status the response
// carries.
type Kind string

const (
	// KindHTTP: the request was refused before GraphQL ran; the status is
	// the same under every media type.
	KindHTTP Kind = "http"
	// KindRequest: the operation was refused whole and the response has no
	// `data`; under application/json the status is 200, as the GraphQL
	// over HTTP specification asks, unless it is a 5xx.
	KindRequest Kind = "request"
	// KindField: one part of the answer failed; the field is null, the
	// error carries its `path`, the rest of `data` stands, and the status is
	// 200. The Status of a field code applies when the same code refuses a
	// whole operation.
	KindField Kind = "field"
)

// Retry says whether a client may send the same request again.
type Retry string

const (
	RetryNo           Retry = "no"
	RetryWithBackoff  Retry = "yes, with backoff"
	RetryAfterHeader  Retry = "yes, after Retry-After"
	RetryWithDocument Retry = "yes, with the full document"
)

// Info is what a client needs to know about one code.
type Info struct {
	Code   string
	Kind   Kind
	Status int
	Retry  Retry
	// Meaning is what happened, for the people who build clients.
	Meaning string
	// Action is what a client (or its user) should do.
	Action string
	// Message, when set, is the text every error of this code carries (the
	// error presenter's safe text); otherwise the message is specific to
	// the error and safe to show.
	Message string
}

// catalogue is every code, in the order docs/ERRORS.md lists them.
var catalogue = []Info{
	{BadRequest, KindHTTP, http.StatusBadRequest, RetryNo,
		"The body or parameters are not a GraphQL-over-HTTP request: not JSON, `query` not a string, `variables` not an object, no `query`.",
		"Fix the client: send `{\"query\": …, \"variables\": {…}}` as JSON.", ""},
	{BatchNotSupported, KindHTTP, http.StatusBadRequest, RetryNo,
		"The body is a JSON array (a batch); batching is off.",
		"Send one operation per request.", ""},
	{MethodNotAllowed, KindHTTP, http.StatusMethodNotAllowed, RetryNo,
		"A mutation over GET, or a method other than GET, POST and OPTIONS. `Allow` says which methods would do.",
		"Send mutations with POST.", ""},
	{UnsupportedMediaType, KindHTTP, http.StatusUnsupportedMediaType, RetryNo,
		"A POST without `Content-Type: application/json`, or a body that is not UTF-8.",
		"Send `Content-Type: application/json` and UTF-8.", ""},
	{NotAcceptable, KindHTTP, http.StatusNotAcceptable, RetryNo,
		"`Accept` allows neither `application/graphql-response+json` nor `application/json`.",
		"Accept one of them.", ""},
	{RequestTooLarge, KindHTTP, http.StatusRequestEntityTooLarge, RetryNo,
		"The body is larger than `limits.maxRequestBytes`.",
		"Send a smaller request: fewer CPRs per call, or a persisted document id instead of the text.", ""},
	{HeadersTooLarge, KindHTTP, http.StatusRequestHeaderFieldsTooLarge, RetryNo,
		"The request line and headers are larger than `limits.maxHeaderBytes`.",
		"Send fewer or shorter headers (a GET query string counts).", ""},
	{CSRFRejected, KindHTTP, http.StatusForbidden, RetryNo,
		"A browser sent a simple (non-preflighted) cross-site request, which could be a request forgery.",
		"Send `Content-Type: application/json`, or the header the message names.", ""},
	{OriginNotAllowed, KindHTTP, http.StatusForbidden, RetryNo,
		"The page's origin is not in `cors.allowedOrigins`.",
		"Ask the operators to allow the portal's origin.", ""},
	{Unauthenticated, KindHTTP, http.StatusUnauthorized, RetryNo,
		"No bearer token, or one that is malformed, expired, not yet valid, wrongly signed, or for another issuer or audience; `extensions.reason` says which. As a field error: the operation reached a field without a caller.",
		"Log in (again) and send `Authorization: Bearer <token>`; `expired` means refresh the token.", ""},
	{AuthUnavailable, KindHTTP, http.StatusServiceUnavailable, RetryAfterHeader,
		"The identity provider's signing keys could not be fetched, so no token can be checked. Not the caller's fault.",
		"Retry after `Retry-After`; if it lasts, tell the operators.", ""},
	{RateLimited, KindHTTP, http.StatusTooManyRequests, RetryAfterHeader,
		"The caller sent more requests than its rate allows (`rateLimit.requestsPerSecond`, `rateLimit.burst`, per principal).",
		"Wait `Retry-After` seconds; fetch many citizens in one `citizens(cprs:)` call rather than many calls.", ""},
	{Overloaded, KindHTTP, http.StatusServiceUnavailable, RetryAfterHeader,
		"The gateway is at its bound of operations at once (`server.maxConcurrentOperations`); nothing was run.",
		"Retry after `Retry-After` seconds, with jitter.", ""},

	{ParseFailed, KindRequest, http.StatusBadRequest, RetryNo,
		"The document is not valid GraphQL syntax.",
		"Fix the document; the message names line and column.", ""},
	{ValidationFailed, KindRequest, http.StatusBadRequest, RetryNo,
		"The document does not fit the schema, or a required variable is missing.",
		"Fix the document or its variables; the message names the field.", ""},
	{PersistedQueryNotFound, KindRequest, http.StatusBadRequest, RetryWithDocument,
		"A persisted document id the gateway does not know (yet). Apollo's and urql's persisted-query links expect exactly this code and message.",
		"Resend with the full document (the links do it by themselves); under an enforced manifest, use an id from the manifest.", ""},
	{PersistedQueryNotSupported, KindRequest, http.StatusBadRequest, RetryNo,
		"Automatic persisted queries are switched off (`trustedDocuments.apq.disabled`, or an enforced manifest).",
		"Send the document's text, or an id from the manifest.", ""},
	{PersistedQueryHashMismatch, KindRequest, http.StatusBadRequest, RetryNo,
		"The document sent is not the one its hash or id names.",
		"Send the id alone, or the exact document with its hash.", ""},
	{BadPersistedQuery, KindRequest, http.StatusBadRequest, RetryNo,
		"The `documentId` or `extensions.persistedQuery` is malformed.",
		"Send `documentId: \"sha256:<hex>\"` or `persistedQuery: {version: 1, sha256Hash: \"<hex>\"}`.", ""},
	{OperationNotTrusted, KindRequest, http.StatusBadRequest, RetryNo,
		"The gateway runs only the documents in its manifest (`trustedDocuments.enforce`), and this is not one of them.",
		"Use an operation from the manifest, or ask for yours to be added.", ""},
	{DocumentTooLarge, KindRequest, http.StatusBadRequest, RetryNo,
		"The document is longer than `limits.maxDocumentBytes`. `extensions.limit` gives the key, the maximum and the actual value.",
		"Send a smaller document, or a persisted one.", ""},
	{TokenLimitExceeded, KindRequest, http.StatusBadRequest, RetryNo,
		"The document has more tokens than `limits.maxTokens`. `extensions.limit` gives the numbers.",
		"Simplify the document.", ""},
	{DepthLimitExceeded, KindRequest, http.StatusBadRequest, RetryNo,
		"The selection is nested deeper than `limits.maxDepth`. `extensions.limit` gives the numbers.",
		"Ask for fewer nested levels.", ""},
	{AliasLimitExceeded, KindRequest, http.StatusBadRequest, RetryNo,
		"The document uses more aliases than `limits.maxAliases`. `extensions.limit` gives the numbers.",
		"Use `citizens(cprs:)` for many citizens rather than one alias each.", ""},
	{RootFieldLimitExceeded, KindRequest, http.StatusBadRequest, RetryNo,
		"The operation has more root fields than `limits.maxRootFields`. `extensions.limit` gives the numbers.",
		"Split the operation.", ""},
	{DirectiveLimitExceeded, KindRequest, http.StatusBadRequest, RetryNo,
		"A field carries more directives than `limits.maxDirectivesPerField`. `extensions.limit` gives the numbers.",
		"Remove repeated directives.", ""},
	{CostLimitExceeded, KindRequest, http.StatusBadRequest, RetryNo,
		"The operation's estimated cost (upstream reads it could cause) is over `limits.maxCost`. `extensions.limit` gives the numbers.",
		"Ask for smaller pages (`first`), fewer citizens or fewer lists per citizen.", ""},
	{AccessLogUnavailable, KindRequest, http.StatusServiceUnavailable, RetryAfterHeader,
		"The access log could not record what the response would disclose by the request's deadline, so no data is returned (fail closed). While the log is known to be unwritable the operation is refused before any upstream is asked. Not the caller's fault.",
		"Retry after `Retry-After` seconds (also `extensions.retryAfter`; it grows with the outage); the message has the request id to give the operators if it lasts.", ""},
	{TooManySubscriptions, KindRequest, http.StatusTooManyRequests, RetryWithBackoff,
		"The principal has as many subscriptions open on this replica as `alerts.maxSubscriptionsPerPrincipal` allows; nothing was subscribed.",
		"Close a subscription you no longer need, or subscribe once with a wider filter (no `municipality`, several `kinds`).", ""},
	{SlowConsumer, KindRequest, http.StatusServiceUnavailable, RetryWithBackoff,
		"The client did not read its alerts as fast as they came and fell behind the replica's ring of recent alerts (beyond `alerts.bufferPerSubscription` waiting); the stream was ended (WebSocket close code 4008).",
		"Reconnect and resume after the last alert id received (`after`, or Last-Event-ID over SSE); read alerts as they come.", ""},
	{AlertsOff, KindRequest, http.StatusNotImplemented, RetryNo,
		"This gateway runs no alert watchers, so there is nothing to subscribe to: `alerts.disabled` is set, or it is a demo whose world is frozen (`-speed 0`), where nothing happens.",
		"Subscribe on a gateway with alerts on (the demo's default `-speed`), or read the worklist instead.",
		"alerts are off on this gateway (alerts.disabled, or a demo whose world is frozen: -speed 0)"},
	{RequestCancelled, KindField, http.StatusBadRequest, RetryNo,
		"The client went away (closed the connection or cancelled) before the field was answered.",
		"Nothing: no client is waiting for this answer.", "request cancelled"},
	{InternalServerError, KindField, http.StatusInternalServerError, RetryWithBackoff,
		"A fault in the gateway. The message carries only the request id; the details are in the gateway's log under it.",
		"Retry once; if it repeats, report the request id.", "internal error"},
	{BadUserInput, KindField, http.StatusBadRequest, RetryNo,
		"An argument or variable breaks a rule (a CPR that is not one, `first` out of range, a cursor not from this connection). `extensions.field` names it; the message says the rule, never echoing the value.",
		"Fix the value the message names.", ""},
	{Forbidden, KindField, http.StatusForbidden, RetryNo,
		"The caller may not see this citizen or this data (no care relationship, wrong cluster, wrong role). The refusal is recorded in the access log.",
		"Show the reason to the user; in an emergency a clinician may break the glass (`breakGlass`).", ""},
	{AccessUndecidable, KindField, http.StatusServiceUnavailable, RetryWithBackoff,
		"Whether the caller may see this citizen could not be decided: the system in `extensions.system` holds the evidence the caller's rule needs (for a clinician, eHospitalet's encounters) and did not answer, and no other evidence the rules allow decided it. Nothing of the citizen is returned (fail closed); the attempt is recorded in the access log.",
		"Retry later; in an emergency a clinician may break the glass (`breakGlass`), which works while the system is down.", ""},
	{BreakGlassLimit, KindField, http.StatusTooManyRequests, RetryNo,
		"The caller has broken the glass as often as `access.breakGlassLimit` allows in `access.breakGlassLimitPeriod` (counted per person, in any role). Nothing of the mutation was granted; the refusal is recorded in the access log.",
		"Read the citizen through a care relationship, or ask a privacy officer; the limit lifts as the period passes.", ""},
	{UpstreamUnavailable, KindField, http.StatusBadGateway, RetryWithBackoff,
		"The system in `extensions.system` could not be reached, or its circuit breaker is open. The rest of the answer stands; `Citizen.sources` says which systems answered.",
		"Show the answer with that part missing; retry later.", "the system is unavailable; this part of the answer is missing"},
	{UpstreamTimeout, KindField, http.StatusGatewayTimeout, RetryWithBackoff,
		"The system in `extensions.system` did not answer in time. The rest of the answer stands.",
		"Show the answer with that part missing; retry later.", "the system did not answer in time; this part of the answer is missing"},
	{UpstreamBadResponse, KindField, http.StatusBadGateway, RetryNo,
		"The system in `extensions.system` answered with data klynge could not read. The rest of the answer stands.",
		"Show the answer with that part missing; report it if it lasts (the same data fails the same way).", "the system sent data klynge could not read; this part of the answer is missing"},
}

// All returns every code's Info, in documentation order.
func All() []Info { return append([]Info(nil), catalogue...) }

// Lookup returns the Info of code.
func Lookup(code string) (Info, bool) {
	for _, i := range catalogue {
		if i.Code == code {
			return i, true
		}
	}
	return Info{}, false
}

// Status is the HTTP status of a response that code refuses whole, 400 for
// a code that is not klynge's (one of gqlgen's own).
func Status(code string) int {
	if i, ok := Lookup(code); ok {
		return i.Status
	}
	return http.StatusBadRequest
}

// Message is the safe text of an error of code: the fixed text when the
// code has one, else fallback.
func Message(code, fallback string) string {
	if i, ok := Lookup(code); ok && i.Message != "" {
		return i.Message
	}
	return fallback
}

// UpstreamMessage is the safe text of an upstream failure, as the error
// presenter and Citizen.sources show it: the system and what happened, never
// the upstream's own error (which may name a host or an address, or echo
// what was asked).
func UpstreamMessage(system, code string) string {
	i, ok := Lookup(code)
	if !ok || i.Message == "" {
		i, _ = Lookup(UpstreamUnavailable)
	}
	return system + ": " + i.Message
}
