// Package httpapi is the plumbing the sandbox's simulated systems share: the
// route table each system declares (which the mux, the OpenAPI documents and
// the statistics all read), request decoding with limits and errors that
// name the field, and the per-request key count.
//
// It knows no system's wire format and must not log request contents: they
// carry CPR numbers.
package httpapi
