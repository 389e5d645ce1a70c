package server

import (
	"net/http"
	"strings"
)

// ContentSecurityPolicy is the policy of every HTML page the gateway
// serves (the playground): scripts, styles and fonts only from the gateway
// itself (no inline script, no eval), connections only to the gateway and
// the extra origins given, no framing, no forms, no <base>. The playground
// (server/playground) is built for it: its settings travel in data
// attributes and its fonts are data: URLs.
func ContentSecurityPolicy(connectOrigins ...string) string {
	connect := strings.TrimSpace("'self' " + strings.Join(connectOrigins, " "))
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
		"connect-src " + connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// securityHeaders sets, on every response the gateway writes, whatever its
// handler and status:
//
//   - X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer;
//   - Cache-Control: no-store on everything under /graphql (every
//     transport, every status: answers carry patient data, and refusals say
//     whom a caller asked about), overriding what a transport set (gqlgen's
//     event stream says no-cache); elsewhere no-store unless the handler
//     chose its own caching (the playground's immutable assets);
//   - on HTML, the Content-Security-Policy csp (unless the page set its own)
//     and X-Frame-Options: DENY, against clickjacking in browsers that
//     ignore frame-ancestors.
//
// The headers are fixed when the handler first writes, so that a page
// added later (the playground) is covered by its Content-Type alone.
func securityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &headerWriter{ResponseWriter: w, csp: csp, api: isAPIPath(r.URL.Path)}
		next.ServeHTTP(hw, r)
		hw.finish()
	})
}

func isAPIPath(p string) bool { return p == "/graphql" || strings.HasPrefix(p, "/graphql/") }

// headerWriter completes the headers before the first byte of a response.
type headerWriter struct {
	http.ResponseWriter
	csp     string
	api     bool
	written bool
}

func (h *headerWriter) fix() {
	if h.written {
		return
	}
	h.written = true
	hd := h.ResponseWriter.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if h.api || hd.Get("Cache-Control") == "" {
		hd.Set("Cache-Control", "no-store")
	}
	if strings.HasPrefix(strings.ToLower(hd.Get("Content-Type")), "text/html") {
		if hd.Get("Content-Security-Policy") == "" {
			hd.Set("Content-Security-Policy", h.csp)
		}
		hd.Set("X-Frame-Options", "DENY")
	}
}

func (h *headerWriter) WriteHeader(code int) {
	// 1xx responses are interim: the final response gets the headers.
	if code >= 200 {
		h.fix()
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerWriter) Write(b []byte) (int, error) {
	h.fix()
	return h.ResponseWriter.Write(b)
}

// finish covers a handler that wrote nothing at all (an implicit 200).
func (h *headerWriter) finish() {
	if !h.written {
		h.WriteHeader(http.StatusOK)
	}
}

// Flush keeps streaming transports (the event stream) working.
func (h *headerWriter) Flush() {
	h.fix()
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *headerWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }
