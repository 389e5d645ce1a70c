package upstream

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// attemptTransport is the innermost layer: it reads the whole body inside
// the attempt (so a body cut off or too slow is a failed attempt the
// breaker counts and the retry layer may repeat), enforces the size limit,
// and records each attempt's duration and a debug line. It logs no URL and
// no body: both may hold CPR numbers.
type attemptTransport struct {
	next     http.RoundTripper
	system   string
	maxBytes int64
	metrics  *Metrics
	log      *slog.Logger
	// timeout bounds one attempt, from dialling to the last body byte.
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	op, attempt := "unknown", int32(1)
	if cl := callFrom(req.Context()); cl != nil {
		op, attempt = cl.op, cl.attempt.Load()
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err == nil {
		err = t.readBody(resp, op)
		if err != nil {
			resp = nil
		}
	}
	if err != nil && ctx.Err() != nil && req.Context().Err() == nil {
		// This attempt's own time ran out, not the call's.
		err = &attemptTimeoutError{timeout: t.timeout}
	}
	elapsed := time.Since(start)
	t.metrics.observeAttempt(t.system, op, elapsed.Seconds())
	if t.log.Enabled(req.Context(), slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("system", t.system), slog.String("op", op), slog.Int("attempt", int(attempt)),
			slog.Duration("duration", elapsed),
		}
		if resp != nil {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		t.log.LogAttrs(req.Context(), slog.LevelDebug, "upstream attempt", attrs...)
	}
	return resp, err
}

// readBody replaces resp.Body with the bytes read: all of a 2xx body up to
// the size limit, the first 4 KiB of any other.
func (t *attemptTransport) readBody(resp *http.Response, op string) error {
	defer resp.Body.Close()
	limit := int64(maxErrorBodyBytes)
	if resp.StatusCode/100 == 2 {
		limit = t.maxBytes
		if resp.ContentLength > limit {
			return &ResponseTooLargeError{System: t.system, Op: op, Limit: limit}
		}
	}
	// A body of announced length is read into a buffer of that size;
	// io.ReadAll would grow one by doubling, copying it several times.
	// Only up to presizeLimit: beyond it the buffer grows with the bytes
	// that actually arrive, so that an announced length alone, which costs
	// an upstream nothing to send, cannot make the gateway allocate.
	size := int64(bytes.MinRead)
	if resp.ContentLength >= 0 && resp.ContentLength <= limit {
		size += min(resp.ContentLength, presizeLimit)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1)); err != nil {
		return err
	}
	body := buf.Bytes()
	if int64(len(body)) > limit {
		if resp.StatusCode/100 == 2 {
			return &ResponseTooLargeError{System: t.system, Op: op, Limit: limit}
		}
		body = body[:limit]
		// Read a little more so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	resp.Body = bufferedBody{Reader: bytes.NewReader(body), all: body}
	resp.ContentLength = int64(len(body))
	return nil
}

// presizeLimit bounds the buffer allocated for a body before its bytes
// arrive: 1 MiB holds the answer of any batch read seen so far.
const presizeLimit = 1 << 20

// bufferedBody is a response body read whole by the attempt layer, so that
// the client can take its bytes instead of copying them again.
type bufferedBody struct {
	*bytes.Reader
	all []byte
}

func (bufferedBody) Close() error { return nil }

// readAll returns what is left of body: the attempt layer's bytes
// themselves when nothing has been read of them yet.
func readAll(body io.Reader) ([]byte, error) {
	if b, ok := body.(bufferedBody); ok && b.Len() == len(b.all) {
		return b.all, nil
	}
	return io.ReadAll(body)
}

// attemptTimeoutError is an attempt that did not finish within its
// timeout; the retry layer may repeat it, and it is a timeout (net.Error)
// when it was the last.
type attemptTimeoutError struct{ timeout time.Duration }

func (e *attemptTimeoutError) Error() string {
	return "attempt timed out after " + e.timeout.String()
}
func (e *attemptTimeoutError) Timeout() bool   { return true }
func (e *attemptTimeoutError) Temporary() bool { return true }
