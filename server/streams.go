package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// isStream reports a request that opens a stream: a WebSocket upgrade, or
// a POST that prefers server-sent events.
func isStream(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") ||
		(r.Method == http.MethodPost && gqlhttp.PrefersEventStream(r.Header.Get("Accept")))
}

// originHosts turns CORS origins (scheme://host[:port]) into the host
// patterns coder/websocket checks a browser's Origin against.
func originHosts(origins []string) []string {
	var out []string
	for _, o := range origins {
		if o == "*" {
			out = append(out, "*")
			continue
		}
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}
