package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// stack is the demo's sandbox and gateway run in-process with a tuned
// gateway configuration, for the tests of failure and load.
type stack struct {
	*demo
	gateway *gateway
	stop    func() // stops serving and closes the gateway (flushing traces)
}

// startStack starts the sandbox and a gateway configured as the demo's and
// then by tune, on free loopback ports.
func startStack(t *testing.T, tune func(*config.Config)) *stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	st, err := startDemoStack(ctx, sandbox.Config{Population: 2000, Now: sandboxtest.Now(t), Logger: newLogger(logs)}, "127.0.0.1:0", "127.0.0.1:0", func(c *config.Config) error {
		c.Access.BreakGlassLimit = 1000 // the tests break the glass for the citizens they sample
		if tune != nil {
			tune(c)
		}
		return nil
	}, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- st.serve(ctx) }()
	stopped := false
	s := &stack{
		demo:    &demo{GraphQL: st.gatewayListener.URL() + "/graphql", Sandbox: st.sandboxListener.URL(), Metrics: st.metricsListener.URL() + "/metrics", Output: logs},
		gateway: st.gateway,
	}
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := st.gateway.Close(); err != nil {
			t.Errorf("close gateway: %v", err)
		}
	}
	t.Cleanup(s.stop)
	useDefaultToken(t, s.demo)
	return s
}

// faults sets the sandbox's injected faults (nil clears them).
func (s *stack) faults(t *testing.T, f map[string]controls.Fault) {
	t.Helper()
	sb := &sandboxtest.Server{URL: s.Sandbox, URLs: sandbox.URLs(s.Sandbox)}
	if f == nil {
		sb.ClearFaults(t)
		return
	}
	sb.SetFaults(t, f)
}

// stats reads the sandbox's request counts.
func (s *stack) stats(t *testing.T) controls.Stats {
	return sandboxGet[controls.Stats](t, s.demo, "/_sandbox/stats")
}

// metric reads the gateway's /metrics: the sum of the series named name
// whose labels include every pair in labels (written as in the exposition
// format, e.g. `system="municipal/330"`); 0 when there is none.
func (s *stack) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get(s.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sum := 0.0
lines:
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		for _, l := range labels {
			if !strings.Contains(line, l) {
				continue lines
			}
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}

// sampleIn samples n CPRs of citizens with care services, at most want of
// them living in municipality code and the rest elsewhere.
func sampleIn(t *testing.T, d *demo, code, want, others int) (in, out []string) {
	t.Helper()
	got := sandboxGet[controls.Citizens](t, d, "/_sandbox/citizens?sample=400&with=care")
	for _, c := range got.Citizens {
		switch {
		case c.Municipality == code && len(in) < want:
			in = append(in, c.CPR)
		case c.Municipality != code && len(out) < others:
			out = append(out, c.CPR)
		}
	}
	if len(in) < want || len(out) < others {
		t.Fatalf("sample has %d citizens of %d and %d of others; want %d and %d", len(in), code, len(out), want, others)
	}
	return in, out
}

// timedQuery is query with the wall time it took, for the figures the
// tests log (never assert).
func timedQuery(t *testing.T, url, q string, vars map[string]any) (gqlResponse, time.Duration) {
	t.Helper()
	start := time.Now()
	r := query(t, url, q, vars)
	return r, time.Since(start)
}

// upstreamErrors lists "CODE system path" for each error, to compare
// against expectations and to print.
func upstreamErrors(r gqlResponse) []string {
	var out []string
	for _, e := range r.Errors {
		var path []string
		for _, p := range e.Path {
			path = append(path, fmt.Sprint(p))
		}
		out = append(out, fmt.Sprintf("%v %v %s", e.Extensions["code"], e.Extensions["system"], strings.Join(path, ".")))
	}
	return out
}

// drain reads and discards a body, for load loops.
func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
