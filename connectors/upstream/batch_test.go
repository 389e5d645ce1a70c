package upstream

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestInBatches(t *testing.T) {
	tests := []struct {
		name        string
		keys, size  int
		concurrency int
		wantBatches []int
		wantMax     int
	}{
		{"250 keys at 200 make 2 batches", 250, 200, 4, []int{200, 50}, 2},
		{"at most concurrency batches run at once", 1000, 100, 3, []int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100}, 3},
		{"one batch runs in the caller", 5, 100, 4, []int{5}, 1},
		{"no keys, no call", 0, 100, 4, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				keys := make([]int, tt.keys)
				for i := range keys {
					keys[i] = i
				}
				var mu sync.Mutex
				inFlight, maxInFlight := 0, 0
				sizes := make([]int, BatchCount(tt.keys, tt.size))
				var seen []int
				err := InBatches(context.Background(), keys, tt.size, tt.concurrency, func(_ context.Context, i int, batch []int) error {
					mu.Lock()
					inFlight++
					maxInFlight = max(maxInFlight, inFlight)
					seen = append(seen, batch...)
					mu.Unlock()
					time.Sleep(time.Second)
					mu.Lock()
					inFlight--
					mu.Unlock()
					sizes[i] = len(batch)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(sizes, tt.wantBatches) && !(len(sizes) == 0 && tt.wantBatches == nil) {
					t.Errorf("batch sizes %v, want %v", sizes, tt.wantBatches)
				}
				if maxInFlight != tt.wantMax {
					t.Errorf("%d batches ran at once, want %d", maxInFlight, tt.wantMax)
				}
				slices.Sort(seen)
				if !slices.Equal(seen, keys) {
					t.Errorf("not every key was sent exactly once")
				}
			})
		})
	}
}

func TestInBatchesStopsAtTheFirstError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		keys := make([]int, 40)
		var mu sync.Mutex
		cancelled := 0
		err := InBatches(context.Background(), keys, 10, 4, func(ctx context.Context, i int, _ []int) error {
			if i == 0 {
				return boom
			}
			select {
			case <-ctx.Done():
				mu.Lock()
				cancelled++
				mu.Unlock()
				return ctx.Err()
			case <-time.After(time.Hour):
				return nil
			}
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want the first error, got %v", err)
		}
		if cancelled != 3 {
			t.Errorf("%d running batches were cancelled, want 3", cancelled)
		}
	})
}

func TestUnique(t *testing.T) {
	if got := Unique([]string{"b", "a", "b", "c", "a"}); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("Unique = %v", got)
	}
}
