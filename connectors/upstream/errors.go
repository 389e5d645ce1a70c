package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sundhedsklynge/klynge/errcode"
)

// ErrBreakerOpen is wrapped by the *UnavailableError returned while a
// system's circuit breaker refuses calls.
var ErrBreakerOpen = errors.New("circuit breaker open")

// StatusError is a non-2xx answer. Body holds at most 4 KiB of it for the
// connector to map (an OperationOutcome, a JSON error); it may hold CPR
// numbers, so it is never logged and never part of Error().
type StatusError struct {
	System, Op string
	Status     int
	Body       []byte
	// RetryAfter is the upstream's Retry-After, if it sent one.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("upstream %s: %s: HTTP %d %s", e.System, e.Op, e.Status, http.StatusText(e.Status))
}

// DecodeError is an upstream answer klynge cannot read: malformed JSON, a
// value of the wrong type, or a required field that fails validation.
// Field is the JSON path ("contacts[3].cpr"), empty for the whole body.
// Err never carries the offending value (it may be a CPR number).
type DecodeError struct {
	System, Op, Field string
	Err               error
}

func (e *DecodeError) Error() string {
	field := ""
	if e.Field != "" {
		field = " field " + e.Field + ":"
	}
	return fmt.Sprintf("upstream %s: %s: bad response:%s %v", e.System, e.Op, field, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// UnavailableError is a system that could not be reached: connection
// refused or reset, DNS, TLS, or its circuit breaker open (ErrBreakerOpen).
type UnavailableError struct {
	System string
	Err    error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("upstream %s: unavailable: %v", e.System, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// TimeoutError is a system that did not answer in time: every attempt timed
// out, or the call's deadline (CallTimeout or the caller's) passed first.
type TimeoutError struct {
	System string
}

func (e *TimeoutError) Error() string { return "upstream " + e.System + ": timed out" }

// Is lets errors.Is(err, context.DeadlineExceeded) hold.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// ResponseTooLargeError is a body larger than Options.MaxResponseBytes.
type ResponseTooLargeError struct {
	System, Op string
	Limit      int64
}

func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("upstream %s: %s: response larger than %d bytes", e.System, e.Op, e.Limit)
}

// Classify reports which upstream failed and the error code to show for it.
// ok is false for errors that are not an upstream's fault, including a
// context the caller cancelled.
func Classify(err error) (system, code string, ok bool) {
	var (
		status      *StatusError
		decode      *DecodeError
		unavailable *UnavailableError
		timeout     *TimeoutError
		tooLarge    *ResponseTooLargeError
	)
	switch {
	case err == nil:
		return "", "", false
	case errors.As(err, &timeout):
		return timeout.System, errcode.UpstreamTimeout, true
	case errors.As(err, &unavailable):
		return unavailable.System, errcode.UpstreamUnavailable, true
	case errors.As(err, &decode):
		return decode.System, errcode.UpstreamBadResponse, true
	case errors.As(err, &tooLarge):
		return tooLarge.System, errcode.UpstreamBadResponse, true
	case errors.As(err, &status):
		return status.System, statusCode(status.Status), true
	}
	return "", "", false
}

// statusCode maps an HTTP status to an error code: the upstream is
// unavailable when it is overloaded, failing or refusing our credentials;
// any other 4xx means it answered something klynge did not expect.
func statusCode(status int) string {
	switch {
	case status == http.StatusRequestTimeout || status == http.StatusGatewayTimeout:
		return errcode.UpstreamTimeout
	case status >= 500, status == http.StatusTooManyRequests,
		status == http.StatusUnauthorized, status == http.StatusForbidden:
		return errcode.UpstreamUnavailable
	}
	return errcode.UpstreamBadResponse
}
