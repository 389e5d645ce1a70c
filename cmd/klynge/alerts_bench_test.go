package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	alertspg "github.com/sundhedsklynge/klynge/alerts/postgres"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// BenchmarkAlertSubscribers measures one replica (a `klynge demo` process
// with the event log and access log in PostgreSQL) serving 1,000
// concurrent SSE subscribers of one cluster: the memory and goroutines each
// costs the gateway (from its own /metrics), the delivery latency from an
// alert's commit to the event log to its arrival at each client, and the
// gateway's CPU per alert delivered to all of them (each delivery decided
// and access-logged). docs/PERFORMANCE.md has the figures:
//
//	eval "$(scripts/postgres-start.sh)"
//	go test ./cmd/klynge -run '^$' -bench BenchmarkAlertSubscribers -benchtime 1x
func BenchmarkAlertSubscribers(b *testing.B) {
	const subscribers, alertsSent = 1000, 50
	dsn := freshPostgresSchema(b)
	b.Setenv("KLYNGE_ALERTS_MAXSUBSCRIPTIONSPERPRINCIPAL", strconv.Itoa(subscribers))
	r := startAlertReplica(b, "bench", dsn, "-speed", "0", "-horizon", "168h", "-population", "2000")
	token := demoToken(b, r.sandbox, oidc.ClientIntegrator)
	store, err := alertspg.Open(b.Context(), dsn, alertspg.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	metrics := func() map[string]float64 { return gatewayMetrics(b, r.metrics) }

	for b.Loop() {
		before := metrics()
		var (
			mu       sync.Mutex
			received = map[string][]time.Time{} // alert id -> arrival at each client
			ready    sync.WaitGroup
		)
		ctx, cancel := context.WithCancel(b.Context())
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: subscribers}}
		for range subscribers {
			ready.Add(1)
			go func() {
				streamAlerts(ctx, client, r.graphql, token, ready.Done, func(id string, at time.Time) {
					mu.Lock()
					received[id] = append(received[id], at)
					mu.Unlock()
				})
			}()
		}
		ready.Wait()
		time.Sleep(2 * time.Second) // every subscription live
		subscribed := metrics()

		sent := map[string]time.Time{}
		for i := range alertsSent {
			evs := syntheticAlerts(1, fmt.Sprintf("bench%d-%d", time.Now().UnixNano(), i), time.Now().UTC())
			written, err := store.Append(b.Context(), evs)
			if err != nil || len(written) != 1 {
				b.Fatalf("append: %v", err)
			}
			sent[strconv.FormatInt(written[0].ID, 10)] = time.Now()
			time.Sleep(100 * time.Millisecond)
		}
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			done := 0
			for id := range sent {
				if len(received[id]) == subscribers {
					done++
				}
			}
			mu.Unlock()
			if done == len(sent) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		delivered := metrics()
		cancel()

		var lat []time.Duration
		mu.Lock()
		for id, at := range sent {
			for _, got := range received[id] {
				lat = append(lat, got.Sub(at))
			}
		}
		mu.Unlock()
		slices.Sort(lat)
		if len(lat) < subscribers*alertsSent {
			b.Fatalf("%d deliveries of %d", len(lat), subscribers*alertsSent)
		}
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		memPer := (subscribed["go_memstats_heap_inuse_bytes"] + subscribed["go_memstats_stack_inuse_bytes"] -
			before["go_memstats_heap_inuse_bytes"] - before["go_memstats_stack_inuse_bytes"]) / subscribers
		rssPer := (subscribed["process_resident_memory_bytes"] - before["process_resident_memory_bytes"]) / subscribers
		goPer := (subscribed["go_goroutines"] - before["go_goroutines"]) / subscribers
		cpu := delivered["process_cpu_seconds_total"] - subscribed["process_cpu_seconds_total"]
		b.ReportMetric(memPer/1024, "KiB-heap+stack/subscriber")
		b.ReportMetric(rssPer/1024, "KiB-RSS/subscriber")
		b.ReportMetric(goPer, "goroutines/subscriber")
		b.ReportMetric(pct(0.5), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(cpu*1000/alertsSent, "cpu-ms/alert")
		b.ReportMetric(cpu*1e6/float64(len(lat)), "cpu-µs/delivery")
	}
}

// streamAlerts holds one SSE subscription open until ctx ends, telling
// arrived of each alert's id and arrival time.
func streamAlerts(ctx context.Context, c *http.Client, url, token string, ready func(), arrived func(string, time.Time)) {
	body, _ := json.Marshal(map[string]any{"query": `subscription($c: ID!) { handoverAlerts(cluster: $c) { id kind pathway { id pseudonym } } }`,
		"variables": map[string]any{"c": alertCluster}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	ready()
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			arrived(id, time.Now())
		}
	}
}

var metricLine = regexp.MustCompile(`(?m)^([a-z_]+) ([0-9.e+-]+)$`)

// gatewayMetrics reads the gateway's unlabelled process and Go metrics
// from its metrics listener.
func gatewayMetrics(tb testing.TB, metricsURL string) map[string]float64 {
	tb.Helper()
	resp, err := http.Get(metricsURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, m := range metricLine.FindAllStringSubmatch(string(raw), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		out[m[1]] = v
	}
	return out
}
