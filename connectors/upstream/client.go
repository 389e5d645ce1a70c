package upstream

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Client calls one upstream system instance. It is safe for concurrent use
// and meant to live as long as the process; Close releases its idle
// connections.
type Client struct {
	opts      Options
	base      *url.URL
	http      *http.Client
	transport *http.Transport
	breaker   *gobreaker.CircuitBreaker[*http.Response] // nil when disabled
	token     *bearerToken
	health    health
	budget    *retryBudget
}

// Request is one call. Path is resolved against the BaseURL (see Resolve).
type Request struct {
	// Op is a low-cardinality operation name for metrics and logs, e.g.
	// "patient_search".
	Op     string
	Method string // default GET
	Path   string
	// Query is added to any query Path already carries.
	Query       url.Values
	Body        []byte
	ContentType string // default application/json when Body is set
	Accept      string // default application/json
	// Safe marks a request that may be repeated although its method is
	// not GET or HEAD (klynge's POST searches).
	Safe bool
	// Keys is how many keys (CPRs, ids) the request asks for, for the
	// batch-size histogram.
	Keys int
	// NoRetry makes the call a single attempt (probes).
	NoRetry bool
	// Header holds extra request headers.
	Header http.Header
	// Decode, when set, is given a 2xx body before the call is recorded:
	// its error is returned as it is and counts as outcome bad_response.
	Decode func(body []byte) error
}

// Response is a 2xx answer with its body read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// New builds a client from validated options. Errors name the option and
// the rule, e.g. "upstream ehospital: BaseURL: must be an absolute http(s)
// URL".
func New(opts Options) (*Client, error) {
	o, base, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	token, err := newBearerToken(o.Auth, o.System)
	if err != nil {
		return nil, err
	}
	transport, err := newTransport(o)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: o, base: base, transport: transport, token: token,
		budget: newRetryBudget(o.Retry.BudgetRatio, o.Retry.BudgetMinPerSecond, o.Retry.Now)}

	var rt http.RoundTripper = &attemptTransport{
		next: transport, system: o.System, maxBytes: o.MaxResponseBytes, metrics: o.Metrics, log: o.Logger,
		timeout: o.Timeout,
	}
	if !o.Breaker.Disabled {
		c.breaker = newBreaker(o)
		rt = &breakerTransport{next: rt, cb: c.breaker}
		o.Metrics.setBreakerState(o.System, 0)
	}
	rt = c.newRetryTransport(rt)
	if o.Wrap != nil {
		rt = o.Wrap(rt)
	}
	c.http = &http.Client{Transport: rt, CheckRedirect: refuseRedirect}
	return c, nil
}

// System is the name of the upstream instance ("municipal/330").
func (c *Client) System() string { return c.opts.System }

// BaseURL is the base every path is resolved against.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// Close releases idle connections. The client stays usable.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// BreakerState is "closed", "half-open", "open" or "disabled", for
// readiness checks.
func (c *Client) BreakerState() string {
	if c.breaker == nil {
		return "disabled"
	}
	return breakerStateName(c.breaker.State())
}

// GetJSON GETs pathOrURL and decodes the JSON answer into out.
func (c *Client) GetJSON(ctx context.Context, op, pathOrURL string, out any) error {
	_, err := c.Do(ctx, Request{Op: op, Method: http.MethodGet, Path: pathOrURL,
		Decode: func(body []byte) error { return DecodeJSON(c.opts.System, op, body, out) }})
	return err
}

// PostJSON POSTs in as JSON to path and decodes the JSON answer into out.
// The request is marked safe to retry: klynge POSTs only searches, which
// change nothing.
func (c *Client) PostJSON(ctx context.Context, op, path string, in, out any) error {
	return c.PostSearch(ctx, op, path, 0, in, func(body []byte) error {
		return DecodeJSON(c.opts.System, op, body, out)
	})
}

// PostSearch POSTs in as JSON to path, a search asking for keys keys and
// safe to retry, and hands the 2xx body to decode within the call, so that
// a body the connector cannot decode or map counts as a bad response.
func (c *Client) PostSearch(ctx context.Context, op, path string, keys int, in any, decode func(body []byte) error) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("upstream %s: %s: encode request: %w", c.opts.System, op, err)
	}
	_, err = c.Do(ctx, Request{Op: op, Method: http.MethodPost, Path: path, Body: body, Safe: true, Keys: keys, Decode: decode})
	return err
}

// Do performs one call with the client's retries, breaker and limits. A
// non-2xx answer is a *StatusError; other failures are *UnavailableError,
// *TimeoutError or *ResponseTooLargeError, all naming the system. When the
// caller's context is cancelled, the error wraps context.Canceled and is
// not the upstream's fault.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	op := r.Op
	if op == "" {
		op = "request"
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := c.Resolve(r.Path)
	if err != nil {
		return nil, err
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for k, vs := range r.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	token, err := c.token.token()
	if err != nil {
		return nil, &UnavailableError{System: c.opts.System, Err: fmt.Errorf("bearer token file: %w", err)}
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	cl := &call{op: op, retryable: !r.NoRetry && (r.Safe || method == http.MethodGet || method == http.MethodHead)}
	c.budget.call()
	ctx = withCall(ctx, cl)

	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("upstream %s: %s: build request: %w", c.opts.System, op, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", cmp.Or(r.Accept, "application/json"))
	if r.Body != nil {
		req.Header.Set("Content-Type", cmp.Or(r.ContentType, "application/json"))
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	start := time.Now()
	resp, outcome, err := c.roundTrip(parent, req, op, r.Decode)
	retries := max(int(cl.attempt.Load())-1, 0)
	c.opts.Metrics.observeCall(c.opts.System, op, outcome, time.Since(start).Seconds(), retries, r.Keys)
	c.health.observe(time.Now(), outcome)
	return resp, err
}

func (c *Client) roundTrip(parent context.Context, req *http.Request, op string, decode func([]byte) error) (*Response, string, error) {
	httpResp, err := c.http.Do(req)
	if err != nil {
		outcome, err := c.transportError(parent, op, err)
		return nil, outcome, err
	}
	defer httpResp.Body.Close()
	body, err := readAll(httpResp.Body) // already read by the attempt layer
	if err != nil {
		outcome, err := c.transportError(parent, op, err)
		return nil, outcome, err
	}
	if httpResp.StatusCode/100 != 2 {
		se := &StatusError{System: c.opts.System, Op: op, Status: httpResp.StatusCode, Body: body}
		se.RetryAfter, _ = retryAfter(httpResp.Header, time.Now())
		outcome := OutcomeBadResponse
		switch httpResp.StatusCode / 100 {
		case 4:
			outcome = OutcomeStatus4xx
		case 5:
			outcome = OutcomeStatus5xx
		}
		return nil, outcome, se
	}
	if decode != nil {
		if err := decode(body); err != nil {
			return nil, OutcomeBadResponse, err
		}
	}
	return &Response{Status: httpResp.StatusCode, Header: httpResp.Header, Body: body}, OutcomeOK, nil
}

// transportError turns what the round-trip stack returned into a typed
// error. The URL is stripped: a next link may carry search parameters.
func (c *Client) transportError(parent context.Context, op string, err error) (string, error) {
	for {
		ue, ok := err.(*url.Error)
		if !ok {
			break
		}
		err = ue.Err
	}
	var (
		tooLarge *ResponseTooLargeError
		netErr   net.Error
	)
	switch {
	case errors.As(err, &tooLarge):
		return OutcomeBadResponse, tooLarge
	case errors.Is(err, ErrBreakerOpen):
		return OutcomeBreakerOpen, &UnavailableError{System: c.opts.System, Err: ErrBreakerOpen}
	case errors.Is(parent.Err(), context.Canceled):
		return OutcomeCanceled, fmt.Errorf("upstream %s: %s: %w", c.opts.System, op, parent.Err())
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return OutcomeTimeout, &TimeoutError{System: c.opts.System}
	}
	return OutcomeUnavailable, &UnavailableError{System: c.opts.System, Err: err}
}
