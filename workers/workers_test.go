package workers

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sundhedsklynge/klynge/internal/waitfor"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestGoRunsEveryFunctionBeforeWaitReturns(t *testing.T) {
	tests := []struct {
		name string
		pool *Pool
	}{
		{"pool", New(time.Minute, 4)},
		{"nil pool: a goroutine each", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.pool.Close()
			var wg sync.WaitGroup
			var ran atomic.Int64
			for range 100 {
				tt.pool.Go(&wg, func() { ran.Add(1) })
			}
			wg.Wait()
			if got := ran.Load(); got != 100 {
				t.Fatalf("%d functions had run when Wait returned, want 100", got)
			}
		})
	}
}

func TestAWorkerThatHasFinishedTakesTheNextFunction(t *testing.T) {
	p := New(time.Minute, 4)
	defer p.Close()
	var wg sync.WaitGroup
	for i := range 10 {
		p.Go(&wg, func() {})
		wg.Wait()
		waitfor.Until(t, "the worker is back in the pool", waitfor.Budget, func() bool { return p.parked.Load() == 1 })
		if got := p.started.Load(); got != 1 {
			t.Fatalf("after %d functions one after the other, %d goroutines were started, want 1", i+1, got)
		}
	}
}

func TestFunctionsThatOverlapGetAGoroutineEachAndNeverWait(t *testing.T) {
	// Each function waits for all the others to start: with fewer
	// goroutines than functions (a queue), this would never end.
	const n = 8
	p := New(time.Minute, 2)
	defer p.Close()
	var wg sync.WaitGroup
	var all sync.WaitGroup
	all.Add(n)
	for range n {
		p.Go(&wg, func() {
			all.Done()
			all.Wait()
		})
	}
	wg.Wait()
	if got := p.started.Load(); got != n {
		t.Fatalf("%d goroutines started for %d overlapping functions", got, n)
	}
	waitfor.Until(t, "the workers beyond the bound of 2 have left", waitfor.Budget, func() bool { return p.live.Load() == 2 })
	if got := p.parked.Load(); got != 2 {
		t.Fatalf("%d workers wait for work, want the bound, 2", got)
	}
}

// runEmpty gives p n empty functions and waits until they have run.
func runEmpty(p *Pool, n int) {
	var wg sync.WaitGroup
	for range n {
		p.Go(&wg, func() {})
	}
	wg.Wait()
}

func TestIdleWorkersLeave(t *testing.T) {
	p := New(time.Millisecond, 4)
	runEmpty(p, 3)
	waitfor.Until(t, "the idle workers have left", waitfor.Budget, func() bool { return p.live.Load() == 0 })
}

func TestCloseSendsTheWaitingWorkersAwayAndGoStillWorks(t *testing.T) {
	p := New(time.Hour, 4)
	runEmpty(p, 3)
	p.Close()
	p.Close() // twice is harmless
	var wg sync.WaitGroup
	var ran atomic.Bool
	p.Go(&wg, func() { ran.Store(true) })
	wg.Wait()
	if !ran.Load() {
		t.Fatal("a function given after Close did not run")
	}
	goleak.VerifyNone(t)
}

// BenchmarkDeepFanOut runs four functions that each need 64 KiB of stack,
// as an upstream fetch does, on new goroutines and on a pool's workers.
func BenchmarkDeepFanOut(b *testing.B) {
	deep := func() { recurse(64) }
	b.Run("go statement", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(deep)
			}
			wg.Wait()
		}
	})
	b.Run("pool", func(b *testing.B) {
		p := New(time.Minute, 0)
		defer p.Close()
		for b.Loop() {
			var wg sync.WaitGroup
			for range 4 {
				p.Go(&wg, deep)
			}
			wg.Wait()
		}
	})
}

// recurse uses about n KiB of stack.
//
//go:noinline
func recurse(n int) byte {
	var frame [1000]byte
	frame[n%len(frame)] = byte(n)
	if n == 0 {
		return frame[0]
	}
	return recurse(n-1) + frame[n%len(frame)]
}
