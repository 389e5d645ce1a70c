package gqlhttp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/stream"
)

// MediaEventStream is the media type of server-sent events.
const MediaEventStream = "text/event-stream"

// EventStream serves the GraphQL over SSE protocol in its "distinct
// connections" mode (https://github.com/enisdenjo/graphql-sse, PROTOCOL.md):
// a POST that prefers text/event-stream gets its results as `next` events
// and a final `complete`; queries get one result, subscriptions one per
// event. Events a subscription names carry their id in `id:`, so a client
// that reconnects with Last-Event-ID resumes after it (the subscription
// resolver reads it through package stream). The stream ends when the
// token it was opened with expires, or when the subscription ends it (a
// slow consumer), with a last `next` event saying why in an error and its
// code.
//
// It is taken only when the client prefers an event stream to JSON:
// urql's default Accept lists text/event-stream after the JSON types, and a
// plain query answered as a stream was cut off with an abort.
type EventStream struct {
	// MaxBodyBytes bounds the POST body (DefaultMaxBodyBytes when zero).
	MaxBodyBytes int64
	// KeepAlive is how often a comment is written to an idle stream, so
	// that proxies keep it open (default 15s).
	KeepAlive time.Duration
	// Expiry, when set, says when the request's credentials expire; the
	// stream ends then.
	Expiry func(ctx context.Context) (time.Time, bool)
}

var _ graphql.Transport = EventStream{}

// Supports implements graphql.Transport.
func (t EventStream) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost || !PrefersEventStream(r.Header.Get("Accept")) {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == MediaJSON
}

// Do serves one stream.
func (t EventStream) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	req, rerr := DecodePOST(r, t.MaxBodyBytes)
	if rerr != nil {
		writeRequestError(w, MediaJSON, rerr)
		return
	}
	rc := http.NewResponseController(w)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	expired := false
	if t.Expiry != nil {
		if at, ok := t.Expiry(ctx); ok {
			var stop context.CancelFunc
			ctx, stop = context.WithDeadline(ctx, at)
			defer stop()
			expired = true
		}
	}
	conn := stream.NewConn(r.Header.Get("Last-Event-ID"), cancel)
	ctx = stream.With(ctx, conn)
	if req.DocumentID != "" {
		ctx = WithDocumentID(ctx, req.DocumentID)
	}

	w.Header().Set("Content-Type", MediaEventStream+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: rc}
	sw.comment()

	keep := t.KeepAlive
	if keep <= 0 {
		keep = 15 * time.Second
	}
	stopKeep := sw.keepAlive(ctx, keep)
	defer stopKeep()

	params := req.Params
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		sw.next("", exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		sw.complete()
		return
	}
	responses, dctx := exec.DispatchOperation(ctx, opCtx)
	for {
		resp := responses(dctx)
		if resp == nil {
			break
		}
		if !sw.next(conn.NextID(), resp) {
			return // the client went away
		}
	}
	if r.Context().Err() != nil {
		return
	}
	if code, reason := conn.Closed(); code != 0 {
		sw.fail(errcode.SlowConsumer, reason)
	} else if expired && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		sw.fail(errcode.Unauthenticated, "unauthenticated: the token expired; reconnect with a new token (and Last-Event-ID to resume)")
	}
	sw.complete()
}

// sseWriter writes events one at a time, flushing each.
type sseWriter struct {
	mu     sync.Mutex
	w      io.Writer
	rc     *http.ResponseController
	broken bool
}

func (s *sseWriter) write(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return false
	}
	if _, err := io.WriteString(s.w, text); err != nil {
		s.broken = true
		return false
	}
	if err := s.rc.Flush(); err != nil {
		s.broken = true
		return false
	}
	return true
}

func (s *sseWriter) comment() bool { return s.write(":\n\n") }

// next writes one result; id, when set, is the event's id.
func (s *sseWriter) next(id string, resp *graphql.Response) bool {
	body, err := json.Marshal(wireResponse{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
	if err != nil {
		body = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"` + errcode.InternalServerError + `"}}]}`)
	}
	var b strings.Builder
	b.WriteString("event: next\n")
	if id != "" && !strings.ContainsAny(id, "\r\n") {
		b.WriteString("id: " + id + "\n")
	}
	b.WriteString("data: ")
	b.Write(body)
	b.WriteString("\n\n")
	return s.write(b.String())
}

func (s *sseWriter) fail(code, message string) {
	s.next("", &graphql.Response{Errors: gqlerror.List{{Message: message, Extensions: map[string]any{"code": code}}}})
}

func (s *sseWriter) complete() { s.write("event: complete\ndata: \n\n") }

// keepAlive writes a comment every interval until ctx ends or stop is
// called. stop returns once the writing goroutine has: the handler must
// not return (and net/http finish the response) while it may still write.
func (s *sseWriter) keepAlive(ctx context.Context, every time.Duration) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-t.C:
				if !s.comment() {
					return
				}
			}
		}
	}()
	return func() {
		once.Do(func() { close(done) })
		<-exited
	}
}

// PrefersEventStream reports whether an Accept header ranks
// text/event-stream above every JSON type it accepts: a higher q, or the
// same q and listed first.
func PrefersEventStream(accept string) bool {
	streamQ, jsonQ := -1.0, -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 && v <= 1 {
				q = v
			}
		}
		switch mt {
		case MediaEventStream:
			if streamQ < 0 && q > 0 && q > jsonQ {
				streamQ = q
			}
		case MediaGraphQLResponse, "application/graphql+json", MediaJSON:
			jsonQ = max(jsonQ, q)
		}
	}
	return streamQ > 0 && streamQ >= jsonQ
}
