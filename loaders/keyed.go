package loaders

import (
	"context"
	"sync"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/sundhedsklynge/klynge/workers"
)

// Keyed is the loader of one upstream key. Load and LoadMany batch keys
// that arrive within the wait window, as any dataloader does. Prefetch loads
// a key set known up front in exactly one batch call per capacity-sized
// chunk: a dataloader's window is a race against the scheduler (every key is
// a hand-off to its batching goroutine, and on a busy machine a hundred of
// them outlast a millisecond), so the resolvers that know all keys at once
// use Prefetch and leave nothing to timing.
type Keyed[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	cache    *dataloader.InMemoryCache[K, V]
	fetch    dataloader.BatchFunc[K, V]
	capacity int
	workers  *workers.Pool
}

func newKeyed[K comparable, V any](opts Options, capacity int, fn dataloader.BatchFunc[K, V]) *Keyed[K, V] {
	cache := dataloader.NewCache[K, V]()
	return &Keyed[K, V]{
		Loader: dataloader.NewBatchedLoader(fn,
			dataloader.WithWait[K, V](opts.Wait),
			dataloader.WithBatchCapacity[K, V](capacity),
			dataloader.WithCache[K, V](cache),
		),
		cache:    cache,
		fetch:    fn,
		capacity: capacity,
		workers:  opts.Workers,
	}
}

// Prefetch loads the keys not yet in the cache, one batch call per chunk of
// at most the loader's capacity (chunks concurrently), and caches every
// result — errors too, so a failing system is asked once per operation. It
// returns when all are loaded. Keys loaded meanwhile by Load wait for this
// fetch instead of starting their own.
func (k *Keyed[K, V]) Prefetch(ctx context.Context, keys []K) {
	var todo []K
	pending := map[K]*slot[V]{}
	for _, key := range keys {
		if _, ok := k.cache.Get(ctx, key); ok {
			continue
		}
		if _, ok := pending[key]; ok {
			continue
		}
		s := &slot[V]{done: make(chan struct{})}
		pending[key] = s
		k.cache.Set(ctx, key, s.thunk)
		todo = append(todo, key)
	}
	concurrently(k.workers, (len(todo)+k.capacity-1)/k.capacity, func(c int) {
		chunk := todo[c*k.capacity : min((c+1)*k.capacity, len(todo))]
		results := k.fetch(ctx, chunk)
		for i, key := range chunk {
			s := pending[key]
			if i < len(results) && results[i] != nil {
				s.value, s.err = results[i].Data, results[i].Error
			} else {
				s.err = ErrNotFound
			}
			close(s.done)
		}
	})
}

// concurrently runs f(0) … f(n-1) concurrently and returns when all have.
// f(0) runs in the caller's goroutine, which would only wait otherwise, and
// the rest on the pool's workers: their stacks have already grown through
// the calls a fetch makes, while a new goroutine's stack starts small and
// grows by copying itself, again for every fetch (a tenth of a patient
// context's CPU went to that).
func concurrently(pool *workers.Pool, n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		pool.Go(&wg, func() { f(i) })
	}
	if n > 0 {
		f(0)
	}
	wg.Wait()
}

// slot is one prefetched key's result, readable once done is closed.
type slot[V any] struct {
	done  chan struct{}
	value V
	err   error
}

func (s *slot[V]) thunk() (V, error) {
	<-s.done
	return s.value, s.err
}
