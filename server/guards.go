package server

import (
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/sundhedsklynge/klynge/server/auth"
	"github.com/sundhedsklynge/klynge/server/browser"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
	"github.com/sundhedsklynge/klynge/server/oplimits"
	"github.com/sundhedsklynge/klynge/server/ratelimit"
	"github.com/sundhedsklynge/klynge/server/trusted"
)

// Guards protect /graphql (docs/OPERATIONS.md#guards). The zero value is
// safe: default limits, CSRF protection, no cross-origin browser access,
// APQ in memory, no rate limit.
type Guards struct {
	// Limits bound each operation; zero fields take oplimits.Defaults.
	Limits oplimits.Config
	// MaxRequestBytes and MaxHeaderBytes bound the HTTP request (zero: the
	// gqlhttp defaults, 1 MiB and 16 KiB).
	MaxRequestBytes int64
	MaxHeaderBytes  int64
	// Trusted resolves persisted documents and enforces the manifest; nil
	// means APQ in memory and no manifest.
	Trusted *trusted.Documents
	// Browser configures CORS and CSRF.
	Browser browser.Options
	// RateLimiter limits requests per principal; nil means no limit.
	RateLimiter ratelimit.Limiter
	// RateLimitKey names the principal (ratelimit.ClientKey when nil).
	// With Auth set, the default is the authenticated principal
	// (PrincipalKey).
	RateLimitKey ratelimit.KeyFunc
	// Auth authenticates every request to /graphql (bearer JWTs); nil
	// leaves the endpoint open, which only tests of the surface do.
	Auth *auth.Authenticator
}

// install adds the document guards to the executor: trusted documents
// first, so that the limits check the document that will run.
func (g Guards) install(gql *handler.Server) {
	docs := g.Trusted
	if docs == nil {
		docs, _ = trusted.New(trusted.Options{APQ: lru.New[string](1000)}) // cannot fail without Enforce
	}
	gql.Use(docs)
	lim := oplimits.New(g.Limits)
	if max := lim.Config().MaxTokens; max > 0 {
		// A backstop behind the limits' own count (the parser counts EOF).
		gql.SetParserTokenLimit(max + 1)
	}
	gql.Use(lim)
}

// wrap puts the HTTP guards in front of the GraphQL handler: sizes first
// (nothing reads an oversized request), then CORS and CSRF, then
// authentication, then the rate limit (a refused request costs no token).
func (g Guards) wrap(next http.Handler, logger *slog.Logger) http.Handler {
	h := next
	if g.RateLimiter != nil {
		key := g.RateLimitKey
		if key == nil && g.Auth != nil {
			key = PrincipalKey
		}
		h = ratelimit.Middleware(g.RateLimiter, key, logger, h)
	}
	if g.Auth != nil {
		// After CORS and CSRF (a preflight carries no token), before the
		// rate limit (which counts per principal).
		h = g.Auth.Middleware(h)
	}
	h = browser.Guard(g.Browser, h)
	return gqlhttp.Bound(g.MaxRequestBytes, g.MaxHeaderBytes, h)
}
