package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/docs/queries"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/sandbox"
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
	o, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	sbCfg, err := o.sf.config(io.Discard)
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	stack, err := startBenchStack(ctx, sctx, o, sbCfg, stderr)
	if err != nil {
		return err
	}
	defer stack.close()

	b := &bencher{
		http:    &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 20}},
		gateway: stack.gatewayURL + "/graphql",
		sandbox: stack.sandboxURL,
		metrics: stack.metricsURL,
	}
	sample, err := b.sample(ctx, 500)
	if err != nil {
		return err
	}
	if err := b.authenticate(ctx, sample); err != nil {
		return err
	}
	appends := &appendSamples{}
	stack.gw.access.onAppend(appends.observe)
	where := "in this process"
	if o.ownProcess {
		where = "in its own process"
	}
	fmt.Fprintf(stdout, "klynge bench: %d citizens, upstream latency %s (+jitter), sandbox %s, %d clients, %s per scenario\n\n",
		sbCfg.Population, sbCfg.Latency, where, o.clients, o.duration)
	if o.overload {
		return b.overload(ctx, stdout, sample, o.clients, o.warmup, o.duration)
	}
	if o.stallPID != 0 {
		return b.stall(ctx, stdout, sample, o.clients, o.stallPID, o.duration, config.DefaultRequestTimeout)
	}
	return b.scenarios(ctx, stdout, o, sbCfg.Latency, sample, appends)
}

// benchOptions are klynge bench's flags.
type benchOptions struct {
	only          string
	clients       int
	duration      time.Duration
	warmup        time.Duration
	cpuProfile    string
	memProfile    string
	auditPostgres string
	ownProcess    bool
	faults        string
	overload      bool
	stallPID      int
	noAlerts      bool
	sf            sandboxFlags
}

func parseBenchFlags(args []string, stderr io.Writer) (benchOptions, error) {
	var o benchOptions
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.only, "scenario", "", "comma-separated scenarios to run (default all: patient-context, citizen-list-100, worklist-30d)")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured time before each scenario")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs (sandbox and gateway together) to `file`")
	fs.StringVar(&o.memProfile, "memprofile", "", "write an allocation profile to `file` when the runs end: the gateway's allocations since it started, most of them the measured runs' (go tool pprof -sample_index=alloc_space)")
	fs.StringVar(&o.auditPostgres, "audit-postgres", "", "keep the access log in PostgreSQL (`DSN`) instead of a temporary SQLite file")
	fs.BoolVar(&o.ownProcess, "sandbox-process", false, "run the sandbox as a child process, so that the CPU per operation is the gateway's alone")
	fs.StringVar(&o.faults, "faults", "", "sandbox faults (`JSON` as PUT /_sandbox/faults takes) during the measured runs, e.g. '{\"ehospital\":{\"errorRate\":0.5}}'")
	fs.BoolVar(&o.overload, "overload", false, "instead of the scenarios: patient contexts from -clients, then 10× as many clients (see docs/PERFORMANCE.md)")
	fs.IntVar(&o.stallPID, "stall-pid", 0, "instead of the scenarios: patient contexts while the process group of this `PID` (the access log's PostgreSQL) is stopped with SIGSTOP for the middle half of -duration")
	fs.BoolVar(&o.noAlerts, "no-alerts", false, "run the gateway without the handover alerts' watchers, whose upstream polling is a cost of time, not of operations")
	o.sf.register(fs, 20*time.Millisecond)
	if err := parseFlags(fs, args, stderr); err != nil {
		return o, err
	}
	if o.clients < 1 || o.duration <= 0 {
		return o, usageError{"-clients must be ≥ 1 and -duration > 0"}
	}
	return o, nil
}

// benchStack is the sandbox and gateway the bench drives.
type benchStack struct {
	gw                     *gateway
	sandboxURL, gatewayURL string
	metricsURL             string // the gateway's /metrics ("" when metrics are off)
	close                  func()
}

// metricsURL is the /metrics address of a metrics listener, "" for none.
func metricsURL(l *listener) string {
	if l == nil {
		return ""
	}
	return l.URL() + "/metrics"
}

// startBenchStack starts the sandbox (in this process, or in its own with
// -sandbox-process) and a gateway over it tuned for load from one address,
// serving until sctx ends.
func startBenchStack(ctx, sctx context.Context, o benchOptions, sbCfg sandbox.Config, stderr io.Writer) (*benchStack, error) {
	tune := func(c *config.Config) error {
		c.RateLimit.Disabled = true     // the bench is one client address driving load on purpose
		c.Access.BreakGlassLimit = 1000 // and breaks the glass for its whole sample
		c.Audit.Postgres = o.auditPostgres
		c.Alerts.Disabled = o.noAlerts
		return nil
	}
	if o.ownProcess {
		sp, err := startSandboxProcess(ctx, o.sf, stderr)
		if err != nil {
			return nil, err
		}
		bg, err := startGatewayFor(ctx, sp.url, sp.now, "127.0.0.1:0", tune, nil, sbCfg.Logger)
		if err != nil {
			sp.stop()
			return nil, err
		}
		go serveAll(sctx, bg.listeners()...)
		return &benchStack{gw: bg.gateway, sandboxURL: sp.url, gatewayURL: bg.api.URL(), metricsURL: metricsURL(bg.metrics),
			close: func() { bg.gateway.Close(); sp.stop() }}, nil
	}
	st, err := startDemoStack(ctx, sbCfg, "127.0.0.1:0", "127.0.0.1:0", tune, nil)
	if err != nil {
		return nil, err
	}
	go st.serve(sctx)
	return &benchStack{gw: st.gateway, sandboxURL: st.sandboxListener.URL(), gatewayURL: st.gatewayListener.URL(), metricsURL: metricsURL(st.metricsListener),
		close: func() { st.gateway.Close() }}, nil
}

// scenarios runs the chosen scenarios one after the other, each warmed
// up, then measured with the sandbox's counters reset and the -faults
// set, and prints a table row per scenario and the access log's appends.
func (b *bencher) scenarios(ctx context.Context, stdout io.Writer, o benchOptions, latency time.Duration, sample []string, appends *appendSamples) error {
	fmt.Fprintln(stdout, "| scenario | ops | ops/s | p50 | p90 | p99 | max | floor (levels × latency) | p50 / floor | upstream req/op | CPU/op | answers with errors |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var appendLines []string
	for _, sc := range benchScenarios() {
		if o.only != "" && !slices.Contains(strings.Split(o.only, ","), sc.name) {
			continue
		}
		token := b.token
		if sc.client != "" {
			var err error
			if b.token, err = fetchDemoToken(ctx, b.http, b.sandbox, sc.client); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
		}
		b.drive(ctx, sc, sample, o.clients, o.warmup)
		if err := b.resetStats(ctx); err != nil {
			return err
		}
		if err := b.setFaults(ctx, o.faults); err != nil {
			return err
		}
		appends.reset()
		cpu := processCPU()
		res := b.drive(ctx, sc, sample, o.clients, o.duration)
		cpu = processCPU() - cpu
		if err := b.setFaults(ctx, ""); err != nil {
			return err
		}
		appendLines = append(appendLines, appends.summary(sc.name, o.duration))
		stats, err := b.stats(ctx)
		if err != nil {
			return err
		}
		floor := time.Duration(sc.chain) * latency
		fmt.Fprintf(stdout, "| %s | %d | %.1f | %s | %s | %s | %s | %s | %s | %.1f | %s | %s |\n",
			sc.name, res.ops(), float64(res.ops())/o.duration.Seconds(),
			ms(res.pct(50)), ms(res.pct(90)), ms(res.pct(99)), ms(res.pct(100)), ms(floor),
			ratio(res.pct(50), floor), float64(stats.TotalRequests())/float64(max(res.ops(), 1)),
			ms(cpu/time.Duration(max(res.ops(), 1))), res.errorSummary())
		b.token = token
	}
	store := "SQLite"
	if o.auditPostgres != "" {
		store = "PostgreSQL"
	}
	printAppendTable(stdout, store, appendLines)
	if o.memProfile != "" {
		return writeAllocProfile(o.memProfile)
	}
	return nil
}

func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type bencher struct {
	http             *http.Client
	gateway, sandbox string
	metrics          string // the gateway's metrics listener ("" when off)
	token            string // bearer token of the benchmarked principal
}

type benchResult struct {
	mu        sync.Mutex
	latencies []time.Duration // answers with status 200, complete or partial
	failed    int             // requests without a 200 answer (refusals apart)
	refused   int             // 503 OVERLOADED: the client waited Retry-After
	partial   int             // 200 answers with errors
	codes     map[string]int  // answers per "CODE system" of their errors
}

func (r *benchResult) ops() int { return len(r.latencies) }

func (r *benchResult) pct(p int) time.Duration { return percentile(r.latencies, p) }

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p)/100)]
}

func (r *benchResult) add(o answer, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if o.overloaded() {
		r.refused++
		return
	}
	if o.status != http.StatusOK {
		r.failed++
		return
	}
	r.latencies = append(r.latencies, took)
	if len(o.codes) > 0 {
		r.partial++
		if r.codes == nil {
			r.codes = map[string]int{}
		}
		for _, c := range o.codes {
			r.codes[c]++
		}
	}
}

// errorSummary is "0", or the partial answers with their codes and
// systems, and the failed requests.
func (r *benchResult) errorSummary() string {
	if r.partial == 0 && r.failed == 0 && r.refused == 0 {
		return "0"
	}
	keys := make([]string, 0, len(r.codes))
	for k := range r.codes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, r.codes[k])
	}
	out := fmt.Sprintf("%d partial (%s)", r.partial, strings.Join(parts, ", "))
	if r.failed > 0 {
		out += fmt.Sprintf(", %d failed", r.failed)
	}
	if r.refused > 0 {
		out += fmt.Sprintf(", %d refused (OVERLOADED)", r.refused)
	}
	return out
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
			var buf bytes.Buffer
			for time.Now().Before(end) && ctx.Err() == nil {
				next.Lock()
				n := i
				i++
				next.Unlock()
				start := time.Now()
				o := b.post(ctx, &buf, sc.query, sc.vars(sample, n))
				res.add(o, time.Since(start))
				if o.overloaded() {
					o.waitRetryAfter(ctx, end)
				}
			}
		})
	}
	wg.Wait()
	return res
}

// answer is what the bench keeps of one response: its status, the code and
// system of each error ("UPSTREAM_UNAVAILABLE ehospital"), and Retry-After.
type answer struct {
	status     int
	codes      []string
	retryAfter string
}

func (a answer) overloaded() bool {
	return a.status == http.StatusServiceUnavailable && len(a.codes) == 1 && a.codes[0] == errcode.Overloaded
}

// waitRetryAfter waits what Retry-After says, with ±50% jitter as
// docs/ERRORS.md asks clients to, but not past end.
func (a answer) waitRetryAfter(ctx context.Context, end time.Time) {
	secs, _ := strconv.Atoi(a.retryAfter)
	wait := time.Duration(float64(time.Duration(max(secs, 1))*time.Second) * (0.5 + rand.Float64()))
	select {
	case <-time.After(min(wait, time.Until(end))):
	case <-ctx.Done():
	}
}

// post sends one operation. The answer's bytes are only read (and its
// errors decoded when it has any), so that the bench's own CPU stays small
// beside the gateway's.
func (b *bencher) post(ctx context.Context, buf *bytes.Buffer, query string, vars map[string]any) answer {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.gateway, bytes.NewReader(body))
	if err != nil {
		return answer{}
	}
	req.Header.Set("Content-Type", "application/json")
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return answer{}
	}
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if !bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		return a
	}
	var out struct {
		Errors []struct {
			Extensions struct{ Code, System string }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		a.codes = []string{"UNREADABLE_ANSWER"}
		return a
	}
	seen := map[string]bool{}
	for _, e := range out.Errors {
		k := strings.TrimSpace(e.Extensions.Code + " " + e.Extensions.System)
		if !seen[k] {
			seen[k] = true
			a.codes = append(a.codes, k)
		}
	}
	return a
}

// setFaults replaces the sandbox's faults with spec (JSON), or clears them
// when spec is empty.
func (b *bencher) setFaults(ctx context.Context, spec string) error {
	method, body := http.MethodDelete, ""
	if spec != "" {
		method, body = http.MethodPut, spec
	}
	req, _ := http.NewRequestWithContext(ctx, method, b.sandbox+"/_sandbox/faults", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return fmt.Errorf("bench: set faults: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("bench: -faults: the sandbox answered %s: %s", resp.Status, msg)
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
