package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// serveProcess runs `klynge serve -config path` as its own OS process (the
// test binary re-running Main) and returns its /graphql URL, the process,
// and a channel that receives its exit once it has ended.
func serveProcess(t *testing.T, path string) (graphqlURL string, proc *os.Process, exited <-chan error) {
	t.Helper()
	raw, _ := json.Marshal([]string{"serve", "-config", path})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+string(raw))
	// A default file path (klynge-alerts.db) lands here, not in the source tree.
	cmd.Dir = t.TempDir()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "ready: "); ok {
				ready <- v
			}
		}
		io.Copy(io.Discard, out)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // a no-op once it has exited
		if t.Failed() {
			t.Logf("klynge serve stderr:\n%s", stderr.String())
		}
	})
	select {
	case u := <-ready:
		return u, cmd.Process, done
	case err := <-done:
		t.Fatalf("klynge serve exited before it was ready (%v):\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("klynge serve not ready within 60s:\n%s", stderr.String())
	}
	return "", nil, nil
}

func TestSIGTERMFinishesTheRequestInFlightFlushesTheAccessLogAndExitsZero(t *testing.T) {
	_, printed := startProcess(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-population", "2000", "-now", testNow(t))
	var sandboxURL string
	for _, line := range printed {
		if v, ok := strings.CutPrefix(line, "controls:"); ok {
			sandboxURL = strings.TrimSuffix(strings.TrimSpace(v), "/_sandbox")
		}
	}
	example, err := os.ReadFile(filepath.Join("..", "..", "klynge.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	auditPath := filepath.Join(dir, "audit.db")
	cfg := strings.ReplaceAll(string(example), "http://127.0.0.1:8081", sandboxURL)
	cfg = strings.Replace(cfg, "listen: 127.0.0.1:8080", "listen: 127.0.0.1:0", 1)
	cfg = strings.Replace(cfg, "listen: 127.0.0.1:9464", "listen: 127.0.0.1:0", 1)
	chainKey := newChainKey()
	cfg += "\naudit: {sqlite: " + auditPath + ", chainKey: " + chainKey + "}\n"
	path := filepath.Join(dir, "klynge.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	graphqlURL, proc, exited := serveProcess(t, path)
	d := &demo{GraphQL: graphqlURL, Sandbox: sandboxURL}
	useDefaultToken(t, d)
	cpr := sampleAndBreakGlass(t, d, 1, controls.WithCare)[0]
	grantGlass(t, d, []string{cpr})

	// The request in flight waits for eHospitalet twice 1.5 s (the access
	// check's patient read, then the encounters): SIGTERM arrives during
	// the first wait.
	(&stack{demo: d}).faults(t, map[string]controls.Fault{"ehospital": {Latency: controls.Duration(1500 * time.Millisecond)}})
	resetStats(t, d)
	type answer struct {
		resp      gqlResponse
		requestID string
		err       error
	}
	answered := make(chan answer, 1)
	go func() {
		body, _ := json.Marshal(map[string]any{"query": exampleQuery(t, "patient-context.graphql"), "variables": map[string]any{"cpr": cpr}})
		req, _ := http.NewRequest(http.MethodPost, graphqlURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+bearerFor(graphqlURL))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		a := answer{requestID: resp.Header.Get("X-Request-Id")}
		a.resp.Status = resp.StatusCode
		a.err = json.NewDecoder(resp.Body).Decode(&a.resp)
		answered <- a
	}()
	waitfor.Until(t, "the request is in flight at eHospitalet", waitfor.Budget, func() bool {
		return sandboxGet[controls.Stats](t, d, "/_sandbox/stats").Requests("ehospital") > 0
	})
	sigterm := time.Now()
	if err := proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	u, _ := url.Parse(graphqlURL)
	waitfor.Until(t, "the gateway stops accepting connections", waitfor.Budget, func() bool {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	a := <-answered
	if a.err != nil || a.resp.Status != http.StatusOK || len(a.resp.Errors) > 0 {
		t.Fatalf("the request in flight at SIGTERM: status %d, err %v, errors %v", a.resp.Status, a.err, upstreamErrors(a.resp))
	}
	var data struct{ Citizen struct{ Name string } }
	if err := json.Unmarshal(a.resp.Data, &data); err != nil || data.Citizen.Name == "" {
		t.Fatalf("the request in flight at SIGTERM answered %s", a.resp.Data)
	}
	if err := <-exited; err != nil {
		t.Fatalf("klynge serve exited with %v after SIGTERM, want 0", err)
	}
	t.Logf("SIGTERM during a request: it was answered completely and the process exited 0, %s after the signal", time.Since(sigterm).Round(time.Millisecond))

	keys, err := audit.NewKeys([]byte(chainKey))
	if err != nil {
		t.Fatal(err)
	}
	log, err := sqlite.Open(context.Background(), auditPath, audit.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	recs, err := log.Query(context.Background(), audit.Query{Citizen: domain.MustParseCPR(cpr), First: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		found = found || r.RequestID == a.requestID
	}
	if !found {
		t.Errorf("the access log has no record of request %s, answered during shutdown", a.requestID)
	}
}
