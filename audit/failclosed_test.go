package audit_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
)

func TestAppendFailsClosedWhenTheDatabaseCannotBeWritten(t *testing.T) {
	t.Run("a failed commit fails every caller in the batch and leaves the chain whole", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			ctx := context.Background()
			reg := prometheus.NewRegistry()
			metrics, _ := audit.NewMetrics(reg)
			l := db.openLog(t, audit.Options{Metrics: metrics, CommitTimeout: time.Minute})
			if err := l.Append(ctx, disclosure(nurse, citizenA, 1)); err != nil {
				t.Fatal(err)
			}
			lift := db.refuseInserts(t)
			release := holdWriteLock(t, db)
			first := appendConcurrently(l, 1, func(int) []audit.Record { return []audit.Record{disclosure(gp, citizenB, 2)} })
			waitfor.Until(t, "the writer to take the first append", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 1 })
			rest := appendConcurrently(l, 5, func(i int) []audit.Record { return []audit.Record{disclosure(gp, citizenB, 10+i)} })
			waitfor.Until(t, "5 appends to queue", waitfor.Budget, func() bool { return audit.QueuedForTest(l) == 5 })
			release()
			for i, err := range append(first.wait(), rest.wait()...) {
				if err == nil {
					t.Errorf("append %d succeeded although the database refused the write", i)
				} else if strings.Contains(err.Error(), string(citizenB)) {
					t.Errorf("error %q quotes a CPR", err)
				}
			}
			if got := counter(t, reg, "klynge_audit_append_failures_total", "commit"); got != 6 {
				t.Errorf("failures_total{reason=commit} = %v, want 6", got)
			}
			lift()
			if err := l.Append(ctx, disclosure(nurse, citizenC, 3)); err != nil {
				t.Fatalf("Append after the database recovered: %v", err)
			}
			rep, err := l.Verify(ctx)
			if err != nil || !rep.OK || rep.Records != 2 {
				t.Errorf("Verify = %+v, %v; want OK over the 2 committed records", rep, err)
			}
		})
	})
	t.Run("a database that went away", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			ctx := context.Background()
			l := db.openLog(t, audit.Options{})
			audit.CloseDatabaseForTest(l)
			if err := l.Append(ctx, disclosure(nurse, citizenA, 1)); err == nil {
				t.Error("Append succeeded on a closed database")
			}
			if err := l.Ping(ctx); err == nil {
				t.Error("Ping succeeded on a closed database")
			}
		})
	})
	t.Run("a read-only session", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			if db.openReadOnly == nil {
				t.Skip("no read-only session for this store (tests run as root, which file permissions do not stop)")
			}
			ctx := context.Background()
			writable := db.openLog(t, audit.Options{})
			if err := writable.Append(ctx, disclosure(nurse, citizenA, 1)); err != nil {
				t.Fatal(err)
			}
			ro, err := db.openReadOnly(ctx)
			if err != nil {
				t.Fatalf("a read-only session cannot open a current log: %v", err)
			}
			defer ro.Close()
			if err := ro.Ping(ctx); err == nil {
				t.Error("Ping succeeded on a read-only session")
			}
			if err := ro.Append(ctx, disclosure(nurse, citizenA, 2)); err == nil {
				t.Error("Append succeeded on a read-only session")
			}
			if rep, err := ro.Verify(ctx); err != nil || !rep.OK || rep.Records != 1 {
				t.Errorf("Verify on a read-only session = %+v, %v; want OK over 1 record", rep, err)
			}
		})
	})
}

func TestTheLoggerNeverSeesACitizen(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		var buf syncBuffer
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		l := db.openLog(t, audit.Options{Logger: logger})
		lift := db.refuseInserts(t)
		if err := l.Append(context.Background(), breakGlass(gp, citizenA, 1), denial(gp, citizenB, 2)); err == nil {
			t.Fatal("Append succeeded although the database refused the write")
		}
		lift()
		l.Close()
		out := buf.String()
		if !strings.Contains(out, "group commit failed") {
			t.Fatalf("the failed commit was not logged; log:\n%s", out)
		}
		for _, c := range []string{string(citizenA), citizenA.String(), string(citizenB), citizenB.String(), "unconscious"} {
			if strings.Contains(out, c) {
				t.Errorf("log line contains %q:\n%s", c, out)
			}
		}
	})
}

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
