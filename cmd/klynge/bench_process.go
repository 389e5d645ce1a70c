package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sandboxProcess is a `klynge sandbox` the bench started as a child
// process, so that the CPU the bench process spends is the gateway's (and
// its load clients', which only read the answers' bytes), not the
// simulated systems'.
type sandboxProcess struct {
	url  string
	now  time.Time
	cmd  *exec.Cmd
	done chan struct{}
}

func startSandboxProcess(ctx context.Context, sf sandboxFlags, stderr io.Writer) (*sandboxProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: find the klynge binary: %w", err)
	}
	args := []string{"sandbox", "-addr", "127.0.0.1:0", "-population", strconv.Itoa(sf.population),
		"-seed", strconv.FormatInt(sf.seed, 10), "-latency", sf.latency.String()}
	if sf.exactLatency {
		args = append(args, "-exact-latency")
	}
	if sf.now != "" {
		args = append(args, "-now", sf.now)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start the sandbox process: %w", err)
	}
	p := &sandboxProcess{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "sandbox now:"); ok {
			p.now, _ = time.Parse(time.RFC3339, strings.TrimSpace(v))
		}
		if v, ok := strings.CutPrefix(line, "ready: "); ok {
			p.url = strings.TrimSuffix(strings.TrimSpace(v), "/_sandbox/")
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if p.url == "" || p.now.IsZero() {
		p.stop()
		return nil, fmt.Errorf("bench: the sandbox process did not say where it listens")
	}
	return p, nil
}

// stop interrupts the child and waits for it (at most 10 s, then kills it).
func (p *sandboxProcess) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
