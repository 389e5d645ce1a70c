package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// overloadResult is one overload run: the admitted answers and the
// refusals, with what the clients waited for each.
type overloadResult struct {
	mu       sync.Mutex
	admitted []time.Duration
	refused  []time.Duration
	failed   int
	partial  int
	retryMax int
}

// overload drives patient contexts from clients closed-loop clients, then
// from ten times as many, and reports for each the admitted throughput and
// latency, and the refusals. A refused client waits what Retry-After says
// (with jitter, as docs/ERRORS.md asks clients to), then tries again.
func (b *bencher) overload(ctx context.Context, w io.Writer, sample []string, clients int, warmup, d time.Duration) error {
	sc := benchScenarios()[0]
	fmt.Fprintln(w, "| clients | admitted ops/s | admitted p50 | admitted p99 | answers with errors | refused | refused/s | refusal p99 (client) | Retry-After max | limit at the end |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, n := range []int{clients, 10 * clients} {
		b.hammer(ctx, sc, sample, n, warmup)
		r := b.hammer(ctx, sc, sample, n, d)
		limit, _ := b.gatewayMetric(ctx, "klynge_operations_max_in_flight")
		fmt.Fprintf(w, "| %d | %.1f | %s | %s | %d | %d | %.1f | %s | %d s | %.0f |\n",
			n, float64(len(r.admitted))/d.Seconds(), ms(percentile(r.admitted, 50)), ms(percentile(r.admitted, 99)),
			r.partial+r.failed, len(r.refused), float64(len(r.refused))/d.Seconds(), ms(percentile(r.refused, 99)), r.retryMax, limit)
	}
	return nil
}

func (b *bencher) hammer(ctx context.Context, sc scenario, sample []string, clients int, d time.Duration) *overloadResult {
	res := &overloadResult{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var buf bytes.Buffer
			for i := c; time.Now().Before(end) && ctx.Err() == nil; i += clients {
				start := time.Now()
				a := b.post(ctx, &buf, sc.query, sc.vars(sample, i))
				took := time.Since(start)
				res.mu.Lock()
				switch {
				case a.overloaded():
					res.refused = append(res.refused, took)
					secs, _ := strconv.Atoi(a.retryAfter)
					res.retryMax = max(res.retryMax, secs)
					res.mu.Unlock()
					a.waitRetryAfter(ctx, end)
					continue
				case a.status == http.StatusOK:
					res.admitted = append(res.admitted, took)
					if len(a.codes) > 0 {
						res.partial++
					}
				default:
					res.failed++
				}
				res.mu.Unlock()
			}
		})
	}
	wg.Wait()
	return res
}

// gatewayMetric reads one unlabelled sample from the gateway's /metrics.
func (b *bencher) gatewayMetric(ctx context.Context, name string) (float64, error) {
	if b.metrics == "" {
		return 0, fmt.Errorf("bench: %s: the gateway's metrics are off (metrics.listen)", name)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.metrics, nil)
	resp, err := b.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("bench: %s not in /metrics", name)
}
