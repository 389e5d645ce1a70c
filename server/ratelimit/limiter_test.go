package ratelimit

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"
)

// limiters returns the limiters to test: memory always, Redis when
// KLYNGE_TEST_REDIS_ADDR names a server (scripts/redis-start.sh).
func limiters(t *testing.T, rate Rate) map[string]Limiter {
	t.Helper()
	out := map[string]Limiter{"memory": NewMemory(rate)}
	if addr := os.Getenv("KLYNGE_TEST_REDIS_ADDR"); addr != "" {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { rdb.Close() })
		prefix := fmt.Sprintf("klynge-test:%s:%d:", t.Name(), time.Now().UnixNano())
		out["redis"] = NewRedis(rdb, prefix, rate)
	}
	return out
}

func TestBucketAllowsTheBurstThenRefusesWithRetryAfter(t *testing.T) {
	rate := Rate{PerSecond: 0.5, Burst: 3}
	for name, l := range limiters(t, rate) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			for i := range 3 {
				if d, err := l.Allow(ctx, "alice"); err != nil || !d.Allowed {
					t.Fatalf("request %d of the burst: %+v %v", i+1, d, err)
				}
			}
			d, err := l.Allow(ctx, "alice")
			if err != nil || d.Allowed {
				t.Fatalf("request past the burst: %+v %v", d, err)
			}
			if d.RetryAfter <= 0 || d.RetryAfter > 2*time.Second {
				t.Errorf("RetryAfter %v, want (0, 2s] at 0.5/s", d.RetryAfter)
			}
			if d, _ := l.Allow(ctx, "bob"); !d.Allowed {
				t.Error("another principal shares alice's bucket")
			}
		})
	}
}

func TestConcurrentRequestsTakeExactlyTheBurst(t *testing.T) {
	rate := Rate{PerSecond: 0.001, Burst: 20}
	for name, l := range limiters(t, rate) {
		t.Run(name, func(t *testing.T) {
			var allowed atomic.Int64
			var wg sync.WaitGroup
			for range 100 {
				wg.Go(func() {
					if d, err := l.Allow(context.Background(), "shared"); err == nil && d.Allowed {
						allowed.Add(1)
					}
				})
			}
			wg.Wait()
			if got := allowed.Load(); got != 20 {
				t.Fatalf("%d of 100 concurrent requests allowed, want the burst of 20", got)
			}
		})
	}
}

func TestMemoryBucketRefillsAtTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewMemory(Rate{PerSecond: 2, Burst: 2})
		ctx := context.Background()
		l.Allow(ctx, "k")
		l.Allow(ctx, "k")
		if d, _ := l.Allow(ctx, "k"); d.Allowed || d.RetryAfter != 500*time.Millisecond {
			t.Fatalf("empty bucket: %+v, want refused for 500ms", d)
		}
		time.Sleep(500 * time.Millisecond)
		if d, _ := l.Allow(ctx, "k"); !d.Allowed {
			t.Fatal("no token after 500ms at 2/s")
		}
		time.Sleep(time.Hour)
		for i := range 2 {
			if d, _ := l.Allow(ctx, "k"); !d.Allowed {
				t.Fatalf("request %d after an idle hour refused", i+1)
			}
		}
		if d, _ := l.Allow(ctx, "k"); d.Allowed {
			t.Fatal("the bucket filled past its burst")
		}
	})
}

func TestMemoryForgetsIdleBuckets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewMemory(Rate{PerSecond: 10, Burst: 1})
		for i := range 5000 {
			l.Allow(context.Background(), fmt.Sprint("client-", i))
			if i%1000 == 999 {
				time.Sleep(time.Second) // the earlier buckets refill and become forgettable
			}
		}
		l.mu.Lock()
		n := len(l.buckets)
		l.mu.Unlock()
		if n >= 5000 {
			t.Fatalf("%d buckets kept for 5000 one-off clients", n)
		}
	})
}
