// Package workers runs functions on goroutines that are kept between
// calls, so that a fetch does not pay for growing a new goroutine's stack.
//
// A goroutine's stack starts small and grows by copying itself whenever a
// call needs more. An upstream fetch goes deep (loader, connector, retries,
// net/http, JSON decoding), so a new goroutine per fetch copies its stack
// several times over, every time: about a tenth of a patient context's CPU
// went to that. A worker kept here has grown already when the next fetch
// comes. gRPC's server keeps stream workers for the same reason
// (grpc.NumStreamWorkers).
//
// A Pool never queues: Go hands the function to a worker waiting for work,
// or starts a new goroutine, which joins the pool when the function
// returns. Concurrency is therefore exactly what the callers ask for, as
// with the go statement. Idle workers leave after a while, and beyond a
// bound at once.
package workers

import (
	"sync"
	"sync/atomic"
	"time"
)

// Pool is a set of parked goroutines. The zero value is not usable; a nil
// *Pool is, and starts a new goroutine for every function.
type Pool struct {
	handoff chan func()
	closed  chan struct{}
	close   sync.Once
	idle    time.Duration
	maxIdle int64

	parked  atomic.Int64 // workers waiting for a function
	started atomic.Int64 // goroutines ever started, for the tests
	live    atomic.Int64 // goroutines started and not yet left, for the tests
}

// New returns a pool whose workers leave after idle without work, and of
// which at most maxIdle wait at once (the rest leave when their function
// returns). idle <= 0 means a second, maxIdle <= 0 means 256.
func New(idle time.Duration, maxIdle int) *Pool {
	if idle <= 0 {
		idle = time.Second
	}
	if maxIdle <= 0 {
		maxIdle = 256
	}
	return &Pool{handoff: make(chan func()), closed: make(chan struct{}), idle: idle, maxIdle: int64(maxIdle)}
}

// Go runs f on a worker, like wg.Go(f): wg is added to before and done
// after f returns.
func (p *Pool) Go(wg *sync.WaitGroup, f func()) {
	wg.Add(1)
	task := func() {
		defer wg.Done()
		f()
	}
	if p == nil {
		go task()
		return
	}
	select {
	case p.handoff <- task:
	default:
		p.started.Add(1)
		p.live.Add(1)
		go p.work(task)
	}
}

// Close sends the waiting workers away; workers busy now leave when their
// function returns. Go still works after Close, on a new goroutine each
// time.
func (p *Pool) Close() {
	if p != nil {
		p.close.Do(func() { close(p.closed) })
	}
}

// work runs task, then waits for the next one until the pool has been idle
// for p.idle, is full, or is closed.
func (p *Pool) work(task func()) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
		p.live.Add(-1)
	}()
	for {
		task()
		if p.parked.Add(1) > p.maxIdle {
			p.parked.Add(-1)
			return
		}
		if timer == nil {
			timer = time.NewTimer(p.idle)
		} else {
			timer.Reset(p.idle)
		}
		select {
		case task = <-p.handoff:
			p.parked.Add(-1)
		case <-timer.C:
			p.parked.Add(-1)
			return
		case <-p.closed:
			p.parked.Add(-1)
			return
		}
	}
}
