package audit_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/postgres"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
)

// Environment of the child process that TestAcknowledgedAppendsSurviveSIGKILL
// starts: which store to open and where.
const (
	crashChildKindVar     = "KLYNGE_AUDIT_CRASH_CHILD_KIND"
	crashChildLocationVar = "KLYNGE_AUDIT_CRASH_CHILD_LOCATION"
)

// A gateway killed with SIGKILL in the middle of a load loses nothing it
// acknowledged: every append that returned nil is in the log afterwards,
// and the chain verifies (a transaction cut short leaves no half batch).
func TestAcknowledgedAppendsSurviveSIGKILL(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChildAppendsUntilKilled$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildKindVar+"="+db.kind, crashChildLocationVar+"="+db.location)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		defer func() {
			if !killed {
				cmd.Process.Kill()
				cmd.Wait()
			}
		}()

		const wantAcks = 400
		acked := map[string]bool{}
		lines := bufio.NewScanner(stdout)
		for len(acked) < wantAcks && lines.Scan() {
			if id, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
				acked[id] = true
			}
		}
		if len(acked) < wantAcks {
			t.Fatalf("child stopped after %d acknowledged appends: %v", len(acked), lines.Err())
		}
		// SIGKILL while the child's writers are still appending.
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		killed = true
		cmd.Wait()
		// Acks the child printed before it died count too.
		for lines.Scan() {
			if id, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
				acked[id] = true
			}
		}

		l := db.openLog(t, audit.Options{})
		ctx := context.Background()
		rep, err := l.Verify(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("Verify after SIGKILL = %+v, %v", rep, err)
		}
		inLog := map[string]bool{}
		for before := int64(0); ; {
			page, err := l.Query(ctx, audit.Query{Before: before, First: audit.MaxQueryFirst})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				inLog[r.RequestID] = true
			}
			if len(page) < audit.MaxQueryFirst {
				break
			}
			before = page[len(page)-1].Seq
		}
		for id := range acked {
			if !inLog[id] {
				t.Errorf("append %s was acknowledged but is not in the log after SIGKILL", id)
			}
		}
		if int64(len(inLog)) != rep.Records {
			t.Errorf("request ids are not unique: %d ids in %d records", len(inLog), rep.Records)
		}
		t.Logf("%d appends acknowledged before SIGKILL, %d records in the log (the rest were committed but not yet acknowledged)", len(acked), rep.Records)
	})
}

// TestCrashChildAppendsUntilKilled is the child process of
// TestAcknowledgedAppendsSurviveSIGKILL; run on its own it does nothing.
// Eight writers append until the process is killed, and print each
// request id once its Append has returned nil.
func TestCrashChildAppendsUntilKilled(t *testing.T) {
	kind, location := os.Getenv(crashChildKindVar), os.Getenv(crashChildLocationVar)
	if kind == "" {
		t.Skip("only runs as the child of TestAcknowledgedAppendsSurviveSIGKILL")
	}
	ctx := context.Background()
	var (
		l   *audit.Log
		err error
	)
	if kind == "sqlite" {
		l, err = sqlite.Open(ctx, location, withTestKeys(audit.Options{}))
	} else {
		l, err = postgres.Open(ctx, location, withTestKeys(audit.Options{}))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child: open:", err)
		os.Exit(2)
	}
	var out sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				r := disclosure(nurse, citizenA, i)
				r.RequestID = fmt.Sprintf("w%d-%d", w, i)
				if err := l.Append(ctx, r); err != nil {
					fmt.Fprintln(os.Stderr, "crash child: append:", err)
					os.Exit(2)
				}
				out.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", r.RequestID)
				out.Unlock()
			}
		})
	}
	wg.Wait() // never returns: the parent kills the process
}
