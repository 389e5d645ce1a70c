package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"
)

// Memory is a Limiter for one process. Idle buckets (refilled to the brim,
// so indistinguishable from new ones) are dropped as the map grows, so the
// number of keys seen does not grow memory without bound.
type Memory struct {
	rate Rate
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	sweepAt int
}

type bucket struct {
	tokens float64
	last   time.Time
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an in-memory limiter. rate must be valid.
func NewMemory(rate Rate) *Memory {
	return &Memory{rate: rate, now: time.Now, buckets: map[string]*bucket{}, sweepAt: 1024}
}

// Rate is the bucket every key gets.
func (m *Memory) Rate() Rate { return m.rate }

// Allow takes a token from key's bucket if it has one.
func (m *Memory) Allow(_ context.Context, key string) (Decision, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.buckets[key]
	if !ok {
		if len(m.buckets) >= m.sweepAt {
			m.sweep(now)
		}
		b = &bucket{tokens: float64(m.rate.Burst), last: now}
		m.buckets[key] = b
	}
	b.refill(now, m.rate)
	if b.tokens >= 1 {
		b.tokens--
		return Decision{Allowed: true}, nil
	}
	wait := (1 - b.tokens) / m.rate.PerSecond
	return Decision{RetryAfter: time.Duration(math.Ceil(wait * float64(time.Second)))}, nil
}

func (b *bucket) refill(now time.Time, r Rate) {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(r.Burst), b.tokens+elapsed*r.PerSecond)
		b.last = now
	}
}

func (m *Memory) sweep(now time.Time) {
	for k, b := range m.buckets {
		b.refill(now, m.rate)
		if b.tokens >= float64(m.rate.Burst) {
			delete(m.buckets, k)
		}
	}
	m.sweepAt = max(1024, 2*len(m.buckets))
}
