package trusted

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"
)

// RedisCache keeps APQ documents in Redis, shared by every replica, each for
// TTL after its last registration. A Redis failure reads as a miss (the
// client then resends the document), never as an error of the query.
type RedisCache struct {
	Client redis.UniversalClient
	// Prefix starts every key (e.g. "klynge:apq:").
	Prefix string
	// TTL is how long a document is kept (24h when zero).
	TTL time.Duration
	// Logger receives Redis failures; nil discards.
	Logger *slog.Logger
}

var _ graphql.Cache[string] = (*RedisCache)(nil)

// Get reads a document by id.
func (c *RedisCache) Get(ctx context.Context, id string) (string, bool) {
	v, err := c.Client.Get(ctx, c.Prefix+id).Result()
	if err != nil {
		if err != redis.Nil {
			c.warn(ctx, "apq: redis get failed", err)
		}
		return "", false
	}
	return v, true
}

// Add stores a document under its id.
func (c *RedisCache) Add(ctx context.Context, id, body string) {
	ttl := c.TTL
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if err := c.Client.Set(ctx, c.Prefix+id, body, ttl).Err(); err != nil {
		c.warn(ctx, "apq: redis set failed", err)
	}
}

func (c *RedisCache) warn(ctx context.Context, msg string, err error) {
	if c.Logger != nil {
		c.Logger.WarnContext(ctx, msg, "err", err)
	}
}
