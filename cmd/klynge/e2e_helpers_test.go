package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// demo is a running `klynge demo`, started in-process through Main exactly
// as the binary runs it, on free loopback ports.
type demo struct {
	GraphQL string // http://127.0.0.1:PORT/graphql
	Sandbox string // http://127.0.0.1:PORT
	Metrics string // http://127.0.0.1:PORT/metrics (the metrics listener)
	Output  *syncBuffer
}

// startDemo runs `klynge demo` with a small population unless args say
// otherwise, waits for its ready line, and stops it when the test ends.
func startDemo(t testing.TB, args ...string) *demo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	// The tests break the glass for the citizens they sample, more often
	// than a person may (access.breakGlassLimit).
	full := append([]string{"demo", "-addr", "127.0.0.1:0", "-sandbox-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-break-glass-limit", "1000", "-population", "2000", "-latency", "0s", "-speed", "0", "-now", testNow(t)}, args...)
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, full, pw, logs)
		pw.Close()
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("klynge demo exited with %d; stderr:\n%s", code, logs.String())
			}
		case <-time.After(20 * time.Second):
			t.Error("klynge demo did not stop within 20s of cancellation")
		}
	})
	d := &demo{Output: logs}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, pr)
	}()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("klynge demo stopped before it was ready; stderr:\n%s", logs.String())
			}
			if v, ok := strings.CutPrefix(line, "controls:"); ok {
				d.Sandbox = strings.TrimSuffix(strings.TrimSpace(v), "/_sandbox")
			}
			if v, ok := strings.CutPrefix(line, "metrics:"); ok {
				d.Metrics = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "ready: "); ok {
				d.GraphQL = v
				go func() {
					for range lines {
					}
				}()
				useDefaultToken(t, d)
				t.Cleanup(func() { assertLogsClean(t, d.GraphQL, logs.String()) })
				return d
			}
		case <-deadline:
			t.Fatalf("klynge demo not ready within 60s; stderr:\n%s", logs.String())
		}
	}
}

// gqlResponse is a GraphQL response as a client sees it.
type gqlResponse struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// query POSTs a GraphQL request and decodes the answer.
func query(t testing.TB, url, q string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token := bearerFor(url); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	noteIdentifiers(url, vars, raw)
	out := gqlResponse{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", resp.StatusCode, raw)
	}
	// Every code a client can get is documented (docs/ERRORS.md).
	for _, c := range out.codes() {
		if _, ok := errcode.Lookup(c); !ok {
			t.Errorf("extensions.code %q is not in package errcode (docs/ERRORS.md)", c)
		}
	}
	return out
}

// decode unmarshals the data of a response without errors.
func decode[T any](t testing.TB, r gqlResponse) T {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	var v T
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatalf("decode data: %v: %s", err, r.Data)
	}
	return v
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sandboxGet decodes a JSON control answer of the demo's sandbox.
func sandboxGet[T any](t testing.TB, d *demo, path string) T {
	t.Helper()
	resp, err := http.Get(d.Sandbox + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var v T
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return v
}

// resetStats zeroes the sandbox's request counts.
func resetStats(t testing.TB, d *demo) {
	t.Helper()
	resp, err := http.Post(d.Sandbox+"/_sandbox/stats/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// sampleAndBreakGlass asks the sandbox for n CPRs of citizens with some
// history and breaks the glass for each as the default client, so that a
// test about the graph (not about access) may read them. Examples a reader
// runs must not rely on it: they use readableCPRs and the client's token.
func sampleAndBreakGlass(t testing.TB, d *demo, n int, with string) []string {
	t.Helper()
	got := sandboxGet[controls.Citizens](t, d, fmt.Sprintf("/_sandbox/citizens?sample=%d&with=%s", n, with))
	out := make([]string, len(got.Citizens))
	for i, c := range got.Citizens {
		out[i] = c.CPR
	}
	if len(out) < n {
		t.Fatalf("sandbox sampled %d citizens with %s, want %d", len(out), with, n)
	}
	grantGlass(t, d, out)
	return out
}

// readableCPRs asks the sandbox for up to n CPRs the demo client may read
// under the default rules, without break-the-glass (with= narrows them,
// "" for any); it fails the test when there are none.
func readableCPRs(t testing.TB, d *demo, client string, n int, with string) []string {
	t.Helper()
	got := sandboxGet[controls.Citizens](t, d, fmt.Sprintf("/_sandbox/citizens?sample=%d&for=%s&with=%s", n, client, with))
	out := make([]string, len(got.Citizens))
	for i, c := range got.Citizens {
		out[i] = c.CPR
	}
	if len(out) == 0 {
		t.Fatalf("the sandbox has no citizen %s may read (with=%s)", client, with)
	}
	return out
}

// testNow is the pinned present (sandboxtest.Now) as the -now flag wants it.
// A later -now in a test's own arguments overrides it.
func testNow(t testing.TB) string {
	t.Helper()
	return sandboxtest.Now(t).Format(time.RFC3339)
}
