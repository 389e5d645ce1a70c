package browser

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// forged reports a request a browser could have sent from another site
// without a preflight, and that nothing shows to come from a page we trust.
//
// Only simple requests need the check: for anything else (POST with
// application/json, custom headers) the browser asks first, and the CORS
// answer decides. A simple request passes when it carries a preflight
// header, or when it shows no sign of a foreign page: browsers send
// Sec-Fetch-Site on every request (all current engines) and Origin on every
// cross-origin one except navigations, so a request with neither comes from
// outside a browser or from the API's own origin.
func (g *guard) forged(r *http.Request) bool {
	if !simple(r) || g.hasPreflightHeader(r) {
		return false
	}
	if g.strict {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin != "" && g.allowed(origin) {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	return origin != "" && !sameOrigin(origin, r.Host)
}

// simple reports a request a browser sends cross-site without preflight.
func simple(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		ct := r.Header.Get("Content-Type")
		if strings.TrimSpace(ct) == "" {
			return true
		}
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return true // a browser may send what it likes; treat as simple
		}
		switch mt {
		case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
			return true
		}
	}
	return false
}

func (g *guard) hasPreflightHeader(r *http.Request) bool {
	for _, h := range g.preflightHeaders {
		if strings.TrimSpace(r.Header.Get(h)) != "" {
			return true
		}
	}
	return false
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" and other opaque origins are foreign
	}
	return strings.EqualFold(u.Host, host)
}
