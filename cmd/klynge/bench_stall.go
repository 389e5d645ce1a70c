package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stallResult is what clients saw while the access log's database was
// stopped: each answer's latency and kind, and when /readyz changed.
type stallResult struct {
	mu        sync.Mutex
	latencies []time.Duration
	kinds     map[string]int
	notReady  time.Duration // from SIGSTOP to the first 503 of /readyz
	readyAE   time.Duration // from SIGCONT to the first 200 after it
}

// stall drives patient contexts while the process group of pid (a
// PostgreSQL server: postmaster and backends) is stopped with SIGSTOP for
// the middle half of d, and resumed with SIGCONT; it reports the slowest
// answer against the request deadline, the answers by kind, and how soon
// /readyz noticed the stop and the recovery.
func (b *bencher) stall(ctx context.Context, w io.Writer, sample []string, clients, pid int, d, deadline time.Duration) error {
	if err := syscall.Kill(pid, 0); err != nil {
		return fmt.Errorf("bench: -stall-pid %d: %w", pid, err)
	}
	sc := benchScenarios()[0]
	res := &stallResult{kinds: map[string]int{}}
	start := time.Now()
	end := start.Add(d)
	stopAt, contAt := start.Add(d/4), start.Add(3*d/4)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var buf bytes.Buffer
			for i := c; time.Now().Before(end) && ctx.Err() == nil; i += clients {
				t0 := time.Now()
				a := b.post(ctx, &buf, sc.query, sc.vars(sample, i))
				took := time.Since(t0)
				kind := fmt.Sprintf("%d %s", a.status, strings.Join(a.codes, ","))
				res.mu.Lock()
				res.latencies = append(res.latencies, took)
				res.kinds[strings.TrimSpace(kind)]++
				res.mu.Unlock()
			}
		})
	}
	wg.Go(func() { b.watchReadiness(ctx, res, stopAt, contAt, end) })
	time.Sleep(time.Until(stopAt))
	// The server and every process it has forked (PostgreSQL's backends
	// each lead their own process group).
	stopped := append([]int{pid}, childrenOf(pid)...)
	for _, p := range stopped {
		_ = syscall.Kill(p, syscall.SIGSTOP)
	}
	time.Sleep(time.Until(contAt))
	for _, p := range stopped {
		_ = syscall.Kill(p, syscall.SIGCONT)
	}
	wg.Wait()

	// An answer leaving at its deadline is on time; the client sees it a
	// few milliseconds later (encoding, loopback, scheduling).
	over := 0
	for _, l := range res.latencies {
		if l > deadline+50*time.Millisecond {
			over++
		}
	}
	fmt.Fprintf(w, "PostgreSQL (process %d and its %d children) stopped from %s to %s of a %s run, %d clients, request deadline %s\n\n",
		pid, len(stopped)-1, (d / 4).String(), (3 * d / 4).String(), d, clients, deadline)
	fmt.Fprintln(w, "| answers | slowest | later than the deadline + 50 ms | /readyz 503 after SIGSTOP | /readyz 200 after SIGCONT |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	fmt.Fprintf(w, "| %d | %s | %d | %s | %s |\n\n", len(res.latencies), ms(percentile(res.latencies, 100)), over,
		ms(res.notReady), ms(res.readyAE))
	fmt.Fprintln(w, "| answer (status, error codes) | count |")
	fmt.Fprintln(w, "|---|---|")
	for k, n := range res.kinds {
		fmt.Fprintf(w, "| %s | %d |\n", k, n)
	}
	return nil
}

// watchReadiness polls /readyz every 50 ms and notes how long after stopAt
// it first said 503, and after contAt first 200 again.
func (b *bencher) watchReadiness(ctx context.Context, res *stallResult, stopAt, contAt, end time.Time) {
	url := strings.TrimSuffix(b.gateway, "/graphql") + "/readyz"
	for time.Now().Before(end) && ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := b.http.Do(req)
		now := time.Now()
		if err == nil {
			resp.Body.Close()
			res.mu.Lock()
			switch {
			case now.After(contAt) && resp.StatusCode == http.StatusOK && res.readyAE == 0:
				res.readyAE = now.Sub(contAt)
			case now.After(stopAt) && now.Before(contAt) && resp.StatusCode != http.StatusOK && res.notReady == 0:
				res.notReady = now.Sub(stopAt)
			}
			res.mu.Unlock()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childrenOf lists the processes whose parent is pid, from /proc (Linux).
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so read after ')'.
		_, rest, ok := strings.Cut(string(stat), ") ")
		if !ok {
			continue
		}
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}
