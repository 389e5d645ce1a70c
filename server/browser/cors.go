package browser

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// Options configure Guard. The zero value allows no cross-origin browser
// access at all, and refuses cross-site simple requests.
type Options struct {
	// AllowedOrigins are the exact origins (scheme://host[:port]) whose
	// pages may call the API; "*" allows any origin without credentials.
	AllowedOrigins []string
	// AllowCredentials lets allowed origins send cookies.
	AllowCredentials bool
	// MaxAge is how long a browser may cache a preflight (10m when zero).
	MaxAge time.Duration
	// PreflightHeaders are headers whose presence proves a preflight
	// (DefaultPreflightHeaders when empty).
	PreflightHeaders []string
	// Strict refuses every simple request without a preflight header, even
	// one with no sign of a browser (Apollo Server's policy). It breaks plain
	// GET clients and the GraphQL-over-HTTP audit's GET checks.
	Strict bool
}

// DefaultPreflightHeaders are the headers GraphQL clients set to opt into a
// preflight: Apollo's, the GraphQL-over-HTTP discussion's, and the classic
// one of jQuery-era clients.
var DefaultPreflightHeaders = []string{"X-Requested-With", "Apollo-Require-Preflight", "X-Apollo-Operation-Name", "GraphQL-Preflight"}

// Guard wraps the GraphQL handler with CORS and CSRF protection.
func Guard(opts Options, next http.Handler) http.Handler {
	g := newGuard(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			g.preflight(w, r, origin)
			return
		}
		if g.forged(r) {
			gqlhttp.WriteError(w, r, errcode.CSRFRejected,
				"this request was refused as a possible cross-site request forgery: a browser sent it from another site without a preflight. "+
					"Send it with Content-Type: application/json, or add the header "+g.preflightHeaders[0]+" (docs/OPERATIONS.md#guards)")
			return
		}
		if origin != "" && g.allowed(origin) {
			g.allowHeaders(w, origin)
			w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		}
		next.ServeHTTP(w, r)
	})
}

type guard struct {
	origins          []string
	any              bool
	credentials      bool
	maxAge           string
	preflightHeaders []string
	strict           bool
}

func newGuard(o Options) *guard {
	g := &guard{credentials: o.AllowCredentials, strict: o.Strict, preflightHeaders: o.PreflightHeaders}
	for _, origin := range o.AllowedOrigins {
		if origin == "*" {
			g.any = true
			continue
		}
		g.origins = append(g.origins, strings.TrimSuffix(strings.ToLower(origin), "/"))
	}
	if len(g.preflightHeaders) == 0 {
		g.preflightHeaders = DefaultPreflightHeaders
	}
	maxAge := o.MaxAge
	if maxAge <= 0 {
		maxAge = 10 * time.Minute
	}
	g.maxAge = strconv.Itoa(int(maxAge.Seconds()))
	return g
}

func (g *guard) allowed(origin string) bool {
	return g.any || slices.Contains(g.origins, strings.ToLower(origin))
}

func (g *guard) allowHeaders(w http.ResponseWriter, origin string) {
	if g.any && !g.credentials {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	if g.credentials {
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
}

func (g *guard) preflight(w http.ResponseWriter, r *http.Request, origin string) {
	w.Header().Add("Vary", "Access-Control-Request-Method")
	w.Header().Add("Vary", "Access-Control-Request-Headers")
	if !g.allowed(origin) {
		gqlhttp.WriteError(w, r, errcode.OriginNotAllowed,
			fmt.Sprintf("the origin %s may not call this API from a browser; add it to cors.allowedOrigins", safeOrigin(origin)))
		return
	}
	g.allowHeaders(w, origin)
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
		w.Header().Set("Access-Control-Allow-Headers", h)
	}
	w.Header().Set("Access-Control-Max-Age", g.maxAge)
	w.WriteHeader(http.StatusNoContent)
}

// safeOrigin bounds what of a client-chosen header goes into a message.
func safeOrigin(origin string) string {
	if len(origin) > 100 {
		origin = origin[:100] + "…"
	}
	return strconv.Quote(origin)
}
