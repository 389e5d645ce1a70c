package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/server"
	"github.com/sundhedsklynge/klynge/server/browser"
	"github.com/sundhedsklynge/klynge/server/oplimits"
	"github.com/sundhedsklynge/klynge/server/ratelimit"
	"github.com/sundhedsklynge/klynge/server/trusted"
)

// guardsFromConfig builds the guards cfg describes: it reads the manifest
// and, when redis.addr is set, connects to Redis (and fails if it does not
// answer). close releases the Redis client.
func guardsFromConfig(ctx context.Context, cfg *config.Config, logger *slog.Logger) (g server.Guards, close func() error, err error) {
	close = func() error { return nil }
	l := cfg.Limits
	g = server.Guards{
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
			return server.Guards{}, close, err
		}
		close = rdb.Close
	}
	fail := func(err error) (server.Guards, func() error, error) {
		_ = close()
		return server.Guards{}, func() error { return nil }, err
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
