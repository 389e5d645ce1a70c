package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"github.com/sundhedsklynge/klynge/server/auth"
	"github.com/sundhedsklynge/klynge/server/browser"
	"github.com/sundhedsklynge/klynge/server/config"
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

// GuardsFromConfig builds the guards cfg describes: it reads the manifest
// and, when redis.addr is set, connects to Redis (and fails if it does not
// answer). close releases the Redis client.
func GuardsFromConfig(ctx context.Context, cfg *config.Config, logger *slog.Logger) (g Guards, close func() error, err error) {
	close = func() error { return nil }
	l := cfg.Limits
	g = Guards{
		Limits: oplimits.Config{
			MaxDocumentBytes: l.MaxDocumentBytes, MaxTokens: l.MaxTokens, MaxDepth: l.MaxDepth,
			MaxAliases: l.MaxAliases, MaxRootFields: l.MaxRootFields, MaxDirectivesPerField: l.MaxDirectivesPerField,
			MaxCost: l.MaxCost, AssumedListSize: l.AssumedListSize, FieldCosts: l.FieldCosts, ListSizes: l.ListSizes,
		},
		MaxRequestBytes: l.MaxRequestBytes,
		MaxHeaderBytes:  l.MaxHeaderBytes,
		Browser: browser.Options{
			AllowedOrigins:   cfg.CORS.AllowedOrigins,
			AllowCredentials: cfg.CORS.AllowCredentials,
			MaxAge:           cfg.CORS.MaxAge.D(),
			PreflightHeaders: cfg.CSRF.PreflightHeaders,
			Strict:           cfg.CSRF.Strict,
		},
	}
	var rdb *redis.Client
	if cfg.Redis.Addr != "" {
		rdb, err = redisClient(ctx, cfg.Redis)
		if err != nil {
			return Guards{}, close, err
		}
		close = rdb.Close
	}
	fail := func(err error) (Guards, func() error, error) {
		_ = close()
		return Guards{}, func() error { return nil }, err
	}

	td := cfg.TrustedDocuments
	opts := trusted.Options{Enforce: td.Enforce, RequireID: td.RequireID}
	if td.Manifest != "" {
		if opts.Manifest, err = trusted.LoadManifest(td.Manifest); err != nil {
			return fail(fmt.Errorf("trustedDocuments.manifest: %w", err))
		}
	}
	if !td.APQ.Disabled && !td.Enforce {
		if rdb != nil {
			opts.APQ = &trusted.RedisCache{Client: rdb, Prefix: cfg.Redis.KeyPrefix + "apq:", TTL: td.APQ.TTL.D(), Logger: logger}
		} else {
			opts.APQ = lru.New[string](td.APQ.CacheSize)
		}
	}
	if g.Trusted, err = trusted.New(opts); err != nil {
		return fail(err)
	}

	if !cfg.RateLimit.Disabled {
		rate := ratelimit.Rate{PerSecond: cfg.RateLimit.RequestsPerSecond, Burst: cfg.RateLimit.Burst}
		if err := rate.Validate(); err != nil {
			return fail(fmt.Errorf("rateLimit: %w", err))
		}
		if rdb != nil {
			g.RateLimiter = ratelimit.NewRedis(rdb, cfg.Redis.KeyPrefix+"ratelimit:", rate)
		} else {
			g.RateLimiter = ratelimit.NewMemory(rate)
		}
	}
	return g, close, nil
}

func redisClient(ctx context.Context, c config.Redis) (*redis.Client, error) {
	password := c.Password
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("redis.passwordFile: %w", err)
		}
		password = strings.TrimSpace(string(b))
	}
	opts := &redis.Options{Addr: c.Addr, Username: c.Username, Password: password, DB: c.DB,
		DialTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second}
	if c.TLS {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	rdb := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis.addr: %s does not answer: %w", c.Addr, err)
	}
	return rdb, nil
}
