package audit_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
)

func TestCloseCommitsEveryQueuedAppendFirst(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l, err := db.open(ctx, audit.Options{CommitTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		release := holdWriteLock(t, db)
		first := appendConcurrently(l, 1, func(int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, 0)} })
		waitfor.Until(t, "the writer to take the first append", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 1 })
		rest := appendConcurrently(l, 9, func(i int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, i+1)} })
		waitfor.Until(t, "nine appends to queue", waitfor.Budget, func() bool { return audit.QueuedForTest(l) == 9 })
		closed := make(chan error)
		go func() { closed <- l.Close() }()
		// A cancelled context keeps the probe from queueing while the log is open.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		waitfor.Until(t, "Close to refuse new appends", waitfor.Budget, func() bool {
			return errors.Is(l.Append(cancelled, disclosure(gp, citizenB, 99)), audit.ErrClosed)
		})
		release()
		if err := <-closed; err != nil {
			t.Fatalf("Close: %v", err)
		}
		for i, err := range append(first.wait(), rest.wait()...) {
			if err != nil {
				t.Errorf("append %d queued before Close failed: %v", i, err)
			}
		}
		reopened := db.openLog(t, audit.Options{})
		got, _ := reopened.Query(ctx, audit.Query{First: 100})
		if len(got) != 10 {
			t.Errorf("after Close the log holds %d records, want the 10 queued before it", len(got))
		}
	})
}

func TestConcurrentAppendsMakeOneGapFreeChain(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		const goroutines, perGoroutine = 50, 10
		var wg sync.WaitGroup
		errs := make(chan error, goroutines*perGoroutine)
		for g := range goroutines {
			wg.Go(func() {
				for i := range perGoroutine {
					r := disclosure(nurse, citizenA, i)
					r.RequestID = fmt.Sprintf("g%d-i%d", g, i)
					errs <- l.Append(ctx, r)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
		}
		assertEveryRequestOnceInAVerifiedChain(t, l, goroutines*perGoroutine, func(i int) string {
			return fmt.Sprintf("g%d-i%d", i/perGoroutine, i%perGoroutine)
		})
	})
}

func TestReplicasSharingOneDatabaseKeepOneChain(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		replicas := []*audit.Log{db.openLog(t, audit.Options{}), db.openLog(t, audit.Options{})}
		const writers, perWriter = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*perWriter)
		for w := range writers {
			wg.Go(func() {
				l := replicas[w%len(replicas)]
				for i := range perWriter {
					r := disclosure(gp, citizenB, i)
					r.RequestID = fmt.Sprintf("w%d-i%d", w, i)
					errs <- l.Append(ctx, r)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
		}
		assertEveryRequestOnceInAVerifiedChain(t, replicas[0], writers*perWriter, func(i int) string {
			return fmt.Sprintf("w%d-i%d", i/perWriter, i%perWriter)
		})
	})
}

// assertEveryRequestOnceInAVerifiedChain checks that the log holds exactly n
// records numbered 1..n, one for each request id requestID(0..n-1), and
// that Verify passes.
func assertEveryRequestOnceInAVerifiedChain(t *testing.T, l *audit.Log, n int, requestID func(int) string) {
	t.Helper()
	ctx := context.Background()
	seen := map[string]int{}
	var seqs []int64
	before := int64(0)
	for {
		page, err := l.Query(ctx, audit.Query{Before: before, First: audit.MaxQueryFirst})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			seen[r.RequestID]++
			seqs = append(seqs, r.Seq)
		}
		if len(page) < audit.MaxQueryFirst {
			break
		}
		before = page[len(page)-1].Seq
	}
	if len(seqs) != n {
		t.Errorf("log holds %d records, want %d", len(seqs), n)
	}
	for i, s := range seqs {
		if want := int64(len(seqs) - i); s != want {
			t.Fatalf("seq %d where %d was expected: the chain has a gap or a duplicate", s, want)
		}
	}
	for i := range n {
		if c := seen[requestID(i)]; c != 1 {
			t.Errorf("request %s is in the log %d times, want once", requestID(i), c)
		}
	}
	rep, err := l.Verify(ctx)
	if err != nil || !rep.OK || rep.Records != int64(n) {
		t.Errorf("Verify = %+v, %v; want OK over %d records", rep, err, n)
	}
}

func TestConcurrentAppendsShareTransactions(t *testing.T) {
	tests := []struct {
		name        string
		maxBatch    int
		wantBatches int
	}{
		// One append is taken while the lock is held; 20 more queue behind it.
		{"everything queued goes in one transaction", 0, 2},
		{"a batch holds at most MaxBatch records", 8, 1 + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, db *testDB) {
				reg := prometheus.NewRegistry()
				metrics, err := audit.NewMetrics(reg)
				if err != nil {
					t.Fatal(err)
				}
				l := db.openLog(t, audit.Options{MaxBatch: tt.maxBatch, Metrics: metrics, CommitTimeout: time.Minute})
				release := holdWriteLock(t, db)
				first := appendConcurrently(l, 1, func(i int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, 100)} })
				waitfor.Until(t, "the writer to take the first append", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 1 })
				rest := appendConcurrently(l, 20, func(i int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, i)} })
				waitfor.Until(t, "20 appends to queue", waitfor.Budget, func() bool { return audit.QueuedForTest(l) == 20 })
				release()
				for _, err := range append(first.wait(), rest.wait()...) {
					if err != nil {
						t.Fatalf("Append: %v", err)
					}
				}
				h := histogram(t, reg, "klynge_audit_commit_batch_records")
				if int(h.GetSampleCount()) != tt.wantBatches || h.GetSampleSum() != 21 {
					t.Errorf("21 appends committed in %d transactions (%v records), want %d", h.GetSampleCount(), h.GetSampleSum(), tt.wantBatches)
				}
				if tt.maxBatch > 0 {
					for _, b := range h.GetBucket() {
						if b.GetUpperBound() == float64(tt.maxBatch) && b.GetCumulativeCount() != h.GetSampleCount() {
							t.Errorf("%d transactions held more than MaxBatch=%d records", h.GetSampleCount()-b.GetCumulativeCount(), tt.maxBatch)
						}
					}
				}
				rep, err := l.Verify(context.Background())
				if err != nil || !rep.OK || rep.Records != 21 {
					t.Errorf("Verify = %+v, %v", rep, err)
				}
			})
		})
	}
}

func TestOneAppendIsNeverSplitAcrossTransactions(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		reg := prometheus.NewRegistry()
		metrics, _ := audit.NewMetrics(reg)
		l := db.openLog(t, audit.Options{MaxBatch: 4, Metrics: metrics})
		recs := make([]audit.Record, 10)
		for i := range recs {
			recs[i] = disclosure(gp, citizenB, i)
		}
		if err := l.Append(context.Background(), recs...); err != nil {
			t.Fatal(err)
		}
		h := histogram(t, reg, "klynge_audit_commit_batch_records")
		if h.GetSampleCount() != 1 || h.GetSampleSum() != 10 {
			t.Errorf("10 records of one Append went into %d transactions, want 1", h.GetSampleCount())
		}
	})
}

func TestCancelledAppendIsEitherCommittedOrNot(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{CommitTimeout: time.Minute})
		release := holdWriteLock(t, db)

		// The writer takes the first append and waits for the lock.
		inFlightCtx, cancelInFlight := context.WithCancel(ctx)
		inFlight := make(chan error, 1)
		go func() { inFlight <- l.Append(inFlightCtx, disclosure(nurse, citizenA, 1)) }()
		waitfor.Until(t, "the writer to take the first append", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 1 })

		// The second is still queued when its caller gives up.
		queuedCtx, cancelQueued := context.WithCancel(ctx)
		queued := make(chan error, 1)
		go func() { queued <- l.Append(queuedCtx, disclosure(nurse, citizenA, 2)) }()
		waitfor.Until(t, "the second append to queue", waitfor.Budget, func() bool { return audit.QueuedForTest(l) == 1 })
		cancelQueued()
		if err := <-queued; !errors.Is(err, audit.ErrNotCommitted) || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled queued append = %v, want ErrNotCommitted and context.Canceled", err)
		}

		// The caller of the append being committed stops waiting at once:
		// the outcome is unknown, so it must withhold its response.
		cancelInFlight()
		if err := <-inFlight; !errors.Is(err, context.Canceled) || errors.Is(err, audit.ErrNotCommitted) {
			t.Errorf("append cancelled while being committed = %v, want context.Canceled and not ErrNotCommitted (its outcome is unknown)", err)
		}
		// The transaction goes on for the others' sake and commits it: a
		// record of a disclosure that was then withheld, the safe side.
		release()
		waitfor.Until(t, "the transaction to end", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 0 })
		if err := l.Append(ctx, disclosure(nurse, citizenA, 3)); err != nil {
			t.Fatal(err)
		}
		got, _ := l.Query(ctx, audit.Query{First: 10})
		var ids []string
		for _, r := range got {
			ids = append(ids, r.RequestID)
		}
		if want := []string{"req-nurse-7-3", "req-nurse-7-1"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("log holds %v, want %v (the abandoned append is not there)", ids, want)
		}
		if rep, err := l.Verify(ctx); err != nil || !rep.OK {
			t.Errorf("Verify = %+v, %v", rep, err)
		}
	})
}

func TestACommitEndsWhenItsLastCallerStopsWaiting(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		reg := prometheus.NewRegistry()
		metrics, _ := audit.NewMetrics(reg)
		l := db.openLog(t, audit.Options{CommitTimeout: 10 * time.Minute, Metrics: metrics})
		release := holdWriteLock(t, db)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := l.Append(ctx, disclosure(nurse, citizenA, 1))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("append past its deadline = %v, want context.DeadlineExceeded", err)
		}
		// The lock is still held: only the caller's deadline can have ended
		// the transaction, not the ten-minute commit timeout.
		waitfor.Until(t, "the transaction to give up with its caller", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 0 })
		release()
		if n := counter(t, reg, "klynge_audit_append_failures_total", "deadline") + counter(t, reg, "klynge_audit_append_failures_total", "cancelled"); n != 1 {
			t.Errorf("failures counted as deadline or cancelled = %v, want 1", n)
		}
		if err := l.Append(context.Background(), disclosure(nurse, citizenA, 2)); err != nil {
			t.Fatalf("the log does not recover after the lock is released: %v", err)
		}
		if rep, err := l.Verify(context.Background()); err != nil || !rep.OK {
			t.Errorf("Verify = %+v, %v", rep, err)
		}
	})
}

func TestAStalledCommitMakesTheLogUnwritable(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		var mu sync.Mutex
		now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		l := db.openLog(t, audit.Options{CommitTimeout: 10 * time.Minute, StallAfter: time.Second, Now: clock})
		release := holdWriteLock(t, db)
		pending := appendConcurrently(l, 1, func(int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, 1)} })
		waitfor.Until(t, "the writer to take the append", waitfor.Budget, func() bool { return audit.CommittingForTest(l) == 1 })
		if err := l.Writable(); err != nil {
			t.Fatalf("Writable while a commit has just started = %v, want nil", err)
		}
		mu.Lock()
		now = now.Add(2 * time.Second)
		mu.Unlock()
		var uw *audit.UnwritableError
		if err := l.Writable(); !errors.As(err, &uw) || uw.Since.IsZero() {
			t.Fatalf("Writable with a commit stalled for 2s = %v, want an *UnwritableError with its start", err)
		}
		release()
		if errs := pending.wait(); errs[0] != nil {
			t.Fatal(errs[0])
		}
		if err := l.Writable(); err != nil {
			t.Errorf("Writable after the commit ended = %v, want nil", err)
		}
	})
}
