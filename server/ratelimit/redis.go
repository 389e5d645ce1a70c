package ratelimit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Limiter shared by every replica through one Redis. Each
// request runs one Lua script that refills and takes from the bucket
// atomically, on the Redis server's clock (so replicas' clocks do not
// matter). Buckets expire once they would be full again.
type Redis struct {
	client redis.Scripter
	prefix string
	rate   Rate
}

var _ Limiter = (*Redis)(nil)

// NewRedis returns a limiter keeping buckets under prefix (e.g.
// "klynge:ratelimit:"). rate must be valid.
func NewRedis(client redis.Scripter, prefix string, rate Rate) *Redis {
	return &Redis{client: client, prefix: prefix, rate: rate}
}

// Rate is the bucket every key gets.
func (l *Redis) Rate() Rate { return l.rate }

// tokenBucket: KEYS[1] the bucket; ARGV rate per second, burst. Returns
// {allowed (0|1), retry after in ms}. Tokens are stored as strings because
// Lua numbers returned to Redis lose their fraction.
var tokenBucket = redis.NewScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
tokens = math.min(burst, tokens + elapsed * rate / 1000)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry}
`)

// Allow takes a token from key's bucket if it has one.
func (l *Redis) Allow(ctx context.Context, key string) (Decision, error) {
	res, err := tokenBucket.Run(ctx, l.client, []string{l.prefix + key},
		strconv.FormatFloat(l.rate.PerSecond, 'f', -1, 64), l.rate.Burst).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != 2 {
		return Decision{}, fmt.Errorf("ratelimit: redis: script answered %d values, want 2", len(res))
	}
	if res[0] == 1 {
		return Decision{Allowed: true}, nil
	}
	return Decision{RetryAfter: time.Duration(max(res[1], 1)) * time.Millisecond}, nil
}

// retryAfterSeconds rounds up to whole seconds, at least 1, as Retry-After
// has no fractions.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
