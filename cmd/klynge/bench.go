package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/docs/queries"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// A scenario is one documented operation with the variables for request i.
type scenario struct {
	name  string
	query string
	// chain is the number of dependent upstream levels the operation needs;
	// with latency L its floor is chain×L.
	chain int
	// client, when set, is the demo client the scenario runs as instead of
	// the bench's default (the GP with break-the-glass for the sample).
	client string
	vars   func(sample []string, i int) map[string]any
}

func benchScenarios() []scenario {
	return []scenario{
		{name: "patient-context", query: queries.Must("patient-context.graphql"), chain: 2,
			vars: func(s []string, i int) map[string]any { return map[string]any{"cpr": s[i%len(s)]} }},
		{name: "citizen-list-100", query: queries.Must("citizen-list.graphql"), chain: 2,
			vars: func(s []string, i int) map[string]any {
				out := make([]string, 100)
				for j := range out {
					out[j] = s[(i*100+j)%len(s)]
				}
				return map[string]any{"cprs": out}
			}},
		// A cluster worklist: the search for discharges, then the citizens
		// found in two levels, so three levels in all.
		{name: "worklist-30d", query: queries.Must("worklist.graphql"), chain: 3, client: oidc.ClientIntegrator,
			vars: func([]string, int) map[string]any { return map[string]any{"cluster": "sjaelland-naestved-slagelse"} }},
	}
}

// runBench starts a sandbox with upstream latency and a gateway in this
// process, drives the example operations from concurrent clients over
// loopback HTTP, and reports latency percentiles, throughput and the
// upstream requests per operation that the sandbox counted.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	only := fs.String("scenario", "", "comma-separated scenarios to run (default all: patient-context, citizen-list-100, worklist-30d)")
	clients := fs.Int("clients", 8, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "measured time per scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each scenario")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured runs (sandbox and gateway together) to `file`")
	auditPostgres := fs.String("audit-postgres", "", "keep the access log in PostgreSQL (`DSN`) instead of a temporary SQLite file")
	var sf sandboxFlags
	sf.register(fs, 20*time.Millisecond)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *clients < 1 || *duration <= 0 {
		return usageError{"-clients must be ≥ 1 and -duration > 0"}
	}
	sbCfg, err := sf.config(io.Discard)
	if err != nil {
		return err
	}
	st, err := startDemoStack(ctx, sbCfg, "127.0.0.1:0", "127.0.0.1:0", func(c *config.Config) error {
		c.RateLimit.Disabled = true     // the bench is one client address driving load on purpose
		c.Access.BreakGlassLimit = 1000 // and breaks the glass for its whole sample
		c.Audit.Postgres = *auditPostgres
		return nil
	}, nil)
	if err != nil {
		return err
	}
	defer st.gateway.Close()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go st.serve(sctx)

	b := &bencher{
		http:    &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}},
		gateway: st.gatewayListener.URL() + "/graphql",
		sandbox: st.sandboxListener.URL(),
	}
	sample, err := b.sample(ctx, 500)
	if err != nil {
		return err
	}
	if err := b.authenticate(ctx, sample); err != nil {
		return err
	}
	appends := &appendSamples{}
	st.gateway.access.onAppend(appends.observe)
	var appendLines []string
	fmt.Fprintf(stdout, "klynge bench: %d citizens, upstream latency %s (+jitter), %d clients, %s per scenario\n\n",
		sbCfg.Population, sbCfg.Latency, *clients, *duration)
	fmt.Fprintln(stdout, "| scenario | ops | ops/s | p50 | p90 | p99 | max | floor (levels × latency) | p50 / floor | upstream req/op | errors |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|---|")
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, sc := range benchScenarios() {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), sc.name) {
			continue
		}
		token := b.token
		if sc.client != "" {
			if b.token, err = fetchDemoToken(ctx, b.http, b.sandbox, sc.client); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
		}
		b.drive(ctx, sc, sample, *clients, *warmup)
		if err := b.resetStats(ctx); err != nil {
			return err
		}
		appends.reset()
		res := b.drive(ctx, sc, sample, *clients, *duration)
		appendLines = append(appendLines, appends.summary(sc.name, *duration))
		stats, err := b.stats(ctx)
		if err != nil {
			return err
		}
		floor := time.Duration(sc.chain) * sbCfg.Latency
		fmt.Fprintf(stdout, "| %s | %d | %.1f | %s | %s | %s | %s | %s | %s | %.1f | %d |\n",
			sc.name, res.ops(), float64(res.ops())/duration.Seconds(),
			ms(res.pct(50)), ms(res.pct(90)), ms(res.pct(99)), ms(res.pct(100)), ms(floor),
			ratio(res.pct(50), floor), float64(stats.TotalRequests())/float64(max(res.ops(), 1)), res.errors)
		b.token = token
	}
	store := "SQLite"
	if *auditPostgres != "" {
		store = "PostgreSQL"
	}
	printAppendTable(stdout, store, appendLines)
	return nil
}

type bencher struct {
	http             *http.Client
	gateway, sandbox string
	token            string // bearer token of the benchmarked principal
}

type benchResult struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
}

func (r *benchResult) ops() int { return len(r.latencies) }

func (r *benchResult) pct(p int) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p)/100)
	return s[i]
}

// drive runs clients in closed loops for d and collects latencies.
func (b *bencher) drive(ctx context.Context, sc scenario, sample []string, clients int, d time.Duration) *benchResult {
	res := &benchResult{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	var next sync.Mutex
	i := 0
	for range clients {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				next.Lock()
				n := i
				i++
				next.Unlock()
				start := time.Now()
				err := b.post(ctx, sc.query, sc.vars(sample, n))
				took := time.Since(start)
				res.mu.Lock()
				if err != nil {
					res.errors++
				} else {
					res.latencies = append(res.latencies, took)
				}
				res.mu.Unlock()
			}
		})
	}
	wg.Wait()
	return res
}

func (b *bencher) post(ctx context.Context, query string, vars map[string]any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.gateway, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		return fmt.Errorf("status %d, %d errors", resp.StatusCode, len(out.Errors))
	}
	return nil
}

func (b *bencher) sample(ctx context.Context, n int) ([]string, error) {
	var got controls.Citizens
	if err := b.getJSON(ctx, fmt.Sprintf("/_sandbox/citizens?sample=%d&with=discharge", n), &got); err != nil {
		return nil, err
	}
	out := make([]string, len(got.Citizens))
	for i, c := range got.Citizens {
		out[i] = c.CPR
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: the sandbox has no discharged citizens to ask for")
	}
	return out, nil
}

func (b *bencher) stats(ctx context.Context) (controls.Stats, error) {
	var st controls.Stats
	return st, b.getJSON(ctx, "/_sandbox/stats", &st)
}

func (b *bencher) resetStats(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.sandbox+"/_sandbox/stats/reset", nil)
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (b *bencher) getJSON(ctx context.Context, path string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.sandbox+path, nil)
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}
