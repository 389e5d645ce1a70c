package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
)

// mainArgsEnv makes the test binary run Main with the given JSON-encoded
// arguments instead of the tests, so that tests can start klynge as a
// separate process (sandbox and serve running apart, signals) without
// building it first.
const mainArgsEnv = "KLYNGE_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(mainArgsEnv); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			panic(err)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, args, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	before := leftovers()
	code := m.Run()
	// The tests run in the source tree: a klynge started with a default
	// file path (klynge-alerts.db, klynge-audit.db) must be given a
	// directory of its own, or it leaves the file here.
	for _, f := range leftovers() {
		if !slices.Contains(before, f) {
			fmt.Fprintf(os.Stderr, "the tests left %s in the source tree: start klynge in t.TempDir()\n", f)
			code = 1
		}
	}
	os.Exit(code)
}

// leftovers are the default data files of klynge in the working directory.
func leftovers() []string {
	var out []string
	for _, pattern := range []string{config.DefaultAlertsFile + "*", config.DefaultAuditFile + "*"} {
		m, _ := filepath.Glob(pattern)
		out = append(out, m...)
	}
	return out
}

// process is klynge running as its own OS process.
type process struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *syncBuffer
}

// startProcess runs `klynge args...` in a child process and returns once it
// printed a line starting with "ready: ". It is stopped with SIGTERM when the
// test ends.
func startProcess(t *testing.T, env []string, args ...string) (*process, []string) {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), mainArgsEnv+"="+string(raw)), env...)
	// A default file path (klynge-alerts.db) lands here, not in the source tree.
	cmd.Dir = t.TempDir()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, lines: make(chan string, 64), stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("klynge %s did not exit cleanly on SIGTERM: %v\n%s", args[0], err, p.stderr.String())
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("klynge %s did not stop within 20s of SIGTERM", args[0])
		}
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		io.Copy(io.Discard, out)
	}()
	var printed []string
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("klynge %s exited before it was ready:\n%s", args[0], p.stderr.String())
			}
			printed = append(printed, line)
			if strings.HasPrefix(line, "ready: ") {
				go func() {
					for range p.lines {
					}
				}()
				return p, printed
			}
		case <-deadline:
			t.Fatalf("klynge %s not ready within 60s:\n%s", args[0], p.stderr.String())
		}
	}
}
