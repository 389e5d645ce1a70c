package gqlhttp

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// MediaEventStream is the media type of server-sent events.
const MediaEventStream = "text/event-stream"

// EventStream is gqlgen's SSE transport, taken only when the client prefers
// an event stream to JSON. gqlgen's own takes every JSON POST whose Accept
// header merely mentions text/event-stream, and urql's default header lists
// it after the JSON types: a plain query then came back as an event stream,
// which urql cut off with an abort once it had the first result.
type EventStream struct{ transport.SSE }

var _ graphql.Transport = EventStream{}

// Supports implements graphql.Transport.
func (t EventStream) Supports(r *http.Request) bool {
	return PrefersEventStream(r.Header.Get("Accept")) && t.SSE.Supports(r)
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
