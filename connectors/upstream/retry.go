package upstream

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is what the round-trip layers know about the call they serve. It
// rides on the request context because go-retryablehttp's CheckRetry sees
// no request (and so no method) when a connection fails.
type call struct {
	op        string
	retryable bool
	attempt   atomic.Int32 // 1-based number of the current attempt
}

type callKey struct{}

func withCall(ctx context.Context, c *call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// newRetryTransport is the retry layer over next. The attempt layer bounds
// each attempt (Timeout) with a deadline on the attempt's own context —
// not http.Client.Timeout, which costs a goroutine, a timer and a copy of
// the headers per attempt for a transport net/http does not know; the
// request context (CallTimeout or the caller's deadline) bounds the whole
// call.
//
// go-retryablehttp's pitfalls, each handled here: it would retry every
// method (CheckRetry routes by the call's retryable flag instead); it would
// honour any Retry-After (backoff caps it, and CheckRetry gives up when the
// wait would outlast the deadline); it would drop the last response
// (ErrorHandler returns it, so the connector maps the status); its logger
// prints URLs with their query strings (none is set: the attempt layer
// logs); and it closes the pool's idle connections after a failed call
// (next does not expose CloseIdleConnections, so the pool survives).
func (c *Client) newRetryTransport(next http.RoundTripper) http.RoundTripper {
	rc := &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     next,
			CheckRedirect: refuseRedirect,
		},
		Logger:       nil,
		RetryWaitMin: c.opts.Retry.WaitMin,
		RetryWaitMax: c.opts.Retry.WaitMax,
		RetryMax:     c.opts.Retry.Max,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: returnLastResponse,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, retry int) {
			if cl := callFrom(req.Context()); cl != nil {
				cl.attempt.Store(int32(retry + 1))
			}
		},
	}
	return &retryablehttp.RoundTripper{Client: rc}
}

// refuseRedirect hands a 3xx back as it is: following a redirect could
// take a request (and its credentials) off the configured host.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// returnLastResponse keeps the final response when retries give up, so the
// caller sees the upstream's status and body rather than a generic error.
func returnLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		return resp, nil
	}
	return nil, err
}

func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	cl := callFrom(ctx)
	if cl == nil || !cl.retryable {
		return false, nil
	}
	if err != nil {
		var tooLarge *ResponseTooLargeError
		if errors.Is(err, ErrBreakerOpen) || errors.As(err, &tooLarge) {
			return false, nil
		}
		// Refuses redirect loops, bad schemes and certificate errors.
		retry, perr := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		if !retry || perr != nil {
			return retry, perr
		}
		return c.spend(cl), nil
	}
	if !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	if wait, ok := retryAfter(resp.Header, time.Now()); ok {
		wait = min(wait, c.opts.Retry.RetryAfterMax)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
			// Waiting would only end in a timeout; the upstream's own
			// answer says more.
			return false, nil
		}
	}
	return c.spend(cl), nil
}

// spend takes a retry from the budget, when one will be made: the attempt
// just failed was not the call's last allowed one.
func (c *Client) spend(cl *call) bool {
	if int(cl.attempt.Load()) > c.opts.Retry.Max {
		return false
	}
	if !c.budget.retry() {
		c.opts.Metrics.budgetExhausted(c.opts.System)
		return false
	}
	return true
}

// retryableStatus: overload and server failures may pass; 501 will not.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests ||
		(status >= 500 && status != http.StatusNotImplemented)
}

// backoff honours Retry-After up to RetryAfterMax, and otherwise waits an
// exponential step from min, capped at max, with equal jitter (half fixed,
// half random) so that many clients do not retry in step.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := retryAfter(resp.Header, time.Now()); ok {
			return min(wait, c.opts.Retry.RetryAfterMax)
		}
	}
	step := maxWait
	if attempt < 30 {
		step = min(minWait<<attempt, maxWait)
	}
	half := step / 2
	if half <= 0 {
		return step
	}
	return half + rand.N(half+1)
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}
