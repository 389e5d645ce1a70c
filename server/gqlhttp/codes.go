package gqlhttp

// Error codes (`extensions.code`) of requests refused by the transport. They
// are part of the public contract (docs/COMPATIBILITY.md).
const (
	CodeBadRequest           = "BAD_REQUEST"
	CodeBatchNotSupported    = "BATCH_NOT_SUPPORTED"
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"
	CodeHeadersTooLarge      = "HEADERS_TOO_LARGE"
	CodeNotAcceptable        = "NOT_ACCEPTABLE"
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
)
