package upstream

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// DefaultBatchConcurrency is how many batches of one call run at once:
// enough to overlap a few round trips without letting one large request
// take the upstream's whole connection pool.
const DefaultBatchConcurrency = 4

// InBatches splits keys into batches of at most size (an upstream's
// limit) and calls call for each, at most concurrency at a time (<= 0:
// DefaultBatchConcurrency). call gets the batch's index, so results can be
// written to a slot of their own without locking. The first error cancels
// the batches still running and is returned.
func InBatches[K any](ctx context.Context, keys []K, size, concurrency int, call func(ctx context.Context, i int, batch []K) error) error {
	if len(keys) == 0 {
		return nil
	}
	if size <= 0 {
		size = len(keys)
	}
	if concurrency <= 0 {
		concurrency = DefaultBatchConcurrency
	}
	n := BatchCount(len(keys), size)
	if n == 1 {
		return call(ctx, 0, keys)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for i := range n {
		batch := keys[i*size : min((i+1)*size, len(keys))]
		g.Go(func() error { return call(ctx, i, batch) })
	}
	return g.Wait()
}

// BatchCount is how many batches of size hold n keys.
func BatchCount(n, size int) int {
	if n == 0 {
		return 0
	}
	if size <= 0 {
		return 1
	}
	return (n + size - 1) / size
}

// Unique returns keys without repeats, in first-seen order. Loaders hand
// over unique keys already; this guards the upstream's limits against
// callers that do not.
func Unique[K comparable](keys []K) []K {
	seen := make(map[K]struct{}, len(keys))
	out := make([]K, 0, len(keys))
	for _, k := range keys {
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}

// CollectInBatches runs search over unique keys in batches (see
// InBatches), each batch through Isolate, and groups the records every
// batch could read by keyOf. Keys with no records are absent from the map.
// When some records could not be read, the map comes back together with a
// *RecordErrors charging each failure to its keys only.
func CollectInBatches[K comparable, R any](ctx context.Context, system string, keys []K, size int, search func(ctx context.Context, batch []K) (Answer[K, R], error), keyOf func(R) K) (map[K][]R, error) {
	keys = Unique(keys)
	results := make([]Answer[K, R], BatchCount(len(keys), size))
	err := InBatches(ctx, keys, size, 0, func(ctx context.Context, i int, batch []K) error {
		a, err := Isolate(ctx, system, batch, search)
		results[i] = a
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[K][]R)
	failed := NewRecordErrors[K](system)
	for _, a := range results {
		failed.Merge(a.Failed)
		for _, r := range a.Records {
			k := keyOf(r)
			out[k] = append(out[k], r)
		}
	}
	return out, failed.OrNil()
}

// KeySet is the set of keys a search asked for. Connectors use it to
// refuse records the upstream returns for keys nobody asked about: handing
// one citizen's data to a caller who asked about another is worse than
// failing.
type KeySet[K comparable] map[K]struct{}

// NewKeySet holds keys.
func NewKeySet[K comparable](keys []K) KeySet[K] {
	s := make(KeySet[K], len(keys))
	for _, k := range keys {
		s[k] = struct{}{}
	}
	return s
}

// Has reports whether k was asked for.
func (s KeySet[K]) Has(k K) bool {
	_, ok := s[k]
	return ok
}
