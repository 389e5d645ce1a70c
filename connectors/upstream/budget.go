package upstream

import (
	"sync"
	"time"
)

// retryBudget caps the retries of one upstream instance at a share of its
// calls, as Finagle's and Envoy's retry budgets and gRPC's retry throttling
// do: over a sliding window, retries may be at most Ratio × the calls made
// plus a small reserve per second (so that a quiet system's few calls can
// all be retried). Under a partial failure the retries it allows save most
// calls; in an outage every call fails and the retries stop at the share,
// so klynge adds at most that much load to a system that is already down,
// where a fixed attempt count would multiply it.
//
// It is safe for concurrent use.
type retryBudget struct {
	ratio     float64
	minPerSec float64
	now       func() time.Time

	mu      sync.Mutex
	buckets [budgetBuckets]budgetBucket
}

// The window is budgetBuckets seconds, one bucket each.
const budgetBuckets = 10

type budgetBucket struct {
	second         int64
	calls, retries int
}

func newRetryBudget(ratio, minPerSec float64, now func() time.Time) *retryBudget {
	if now == nil {
		now = time.Now
	}
	return &retryBudget{ratio: ratio, minPerSec: minPerSec, now: now}
}

// bucket is the current second's bucket, emptied if it held an older
// second; b.mu is held.
func (b *retryBudget) bucket(sec int64) *budgetBucket {
	k := &b.buckets[sec%budgetBuckets]
	if k.second != sec {
		*k = budgetBucket{second: sec}
	}
	return k
}

// call counts one call (its first attempt).
func (b *retryBudget) call() {
	sec := b.now().Unix()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bucket(sec).calls++
}

// retry reports whether one more retry fits the budget, and counts it if
// so.
func (b *retryBudget) retry() bool {
	sec := b.now().Unix()
	b.mu.Lock()
	defer b.mu.Unlock()
	calls, retries := 0, 0
	for _, k := range b.buckets {
		if k.second > sec-budgetBuckets && k.second <= sec {
			calls += k.calls
			retries += k.retries
		}
	}
	if float64(retries+1) > b.ratio*float64(calls)+b.minPerSec*budgetBuckets {
		return false
	}
	b.bucket(sec).retries++
	return true
}
