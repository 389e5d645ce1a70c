package gqlhttp

import (
	"mime"
	"strconv"
	"strings"
)

// The two response media types of the specification.
const (
	MediaGraphQLResponse = "application/graphql-response+json"
	MediaJSON            = "application/json"
)

// Negotiate picks the response media type for an Accept header. An absent
// header, `*/*` and `application/*` mean application/json (what legacy
// clients expect; the specification's audit asks for it). Among acceptable
// types the highest q wins, and on a tie the one the client listed first.
// ok is false when the client accepts neither type: the caller answers 406.
func Negotiate(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return MediaJSON, true
	}
	best, bestQ := "", 0.0
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
		var candidate string
		switch mt {
		case MediaGraphQLResponse:
			candidate = MediaGraphQLResponse
		case MediaJSON, "*/*", "application/*":
			candidate = MediaJSON
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = candidate, q
		}
	}
	if best == "" {
		return "", false
	}
	return best, true
}
