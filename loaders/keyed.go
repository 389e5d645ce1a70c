package loaders

import (
	"context"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"
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
}

func newKeyed[K comparable, V any](wait time.Duration, capacity int, fn dataloader.BatchFunc[K, V]) *Keyed[K, V] {
	cache := dataloader.NewCache[K, V]()
	return &Keyed[K, V]{
		Loader: dataloader.NewBatchedLoader(fn,
			dataloader.WithWait[K, V](wait),
			dataloader.WithBatchCapacity[K, V](capacity),
			dataloader.WithCache[K, V](cache),
		),
		cache:    cache,
		fetch:    fn,
		capacity: capacity,
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
	var wg sync.WaitGroup
	for start := 0; start < len(todo); start += k.capacity {
		chunk := todo[start:min(start+k.capacity, len(todo))]
		wg.Go(func() {
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
