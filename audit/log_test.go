package audit_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sundhedsklynge/klynge/audit"
)

var (
	integrator     = audit.Principal{Subject: "client-analytics", Role: "integrator", Organization: "naestved-slagelse"}
	privacyOfficer = audit.Principal{Subject: "po-1", Role: "privacy_officer", Organization: "region-sjaelland"}
)

func TestAppendedRecordsReadBackWithEveryField(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		worklist := disclosure(integrator, citizenA, 4)
		worklist.Pseudonymised = true
		worklist.Purpose = audit.PurposeAdministration
		reviewQueue := audit.Record{
			Time:      time.Date(2026, 3, 4, 11, 0, 0, 999999000, time.FixedZone("CET", 3600)),
			RequestID: "req-po-5", Principal: privacyOfficer,
			Fields:  []string{"Query.breakGlassReview"},
			Purpose: audit.PurposeAdministration, Outcome: audit.OutcomeAllowed,
		}
		want := []audit.Record{
			disclosure(nurse, citizenA, 1),
			breakGlass(gp, citizenA, 2),
			denial(gp, citizenB, 3),
			worklist,
			reviewQueue,
		}
		if err := l.Append(ctx, want...); err != nil {
			t.Fatalf("Append: %v", err)
		}
		got, err := l.Query(ctx, audit.Query{First: 10})
		if err != nil {
			t.Fatalf("Query: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("Query returned %d records, want %d", len(got), len(want))
		}
		prev := audit.GenesisHash
		for i := range want {
			g := got[len(got)-1-i] // newest first
			if g.Seq != int64(i+1) {
				t.Errorf("record %d: Seq = %d, want %d", i, g.Seq, i+1)
			}
			if g.PrevHash != prev {
				t.Errorf("record %d: PrevHash = %s, want the previous record's hash %s", i, g.PrevHash, prev)
			}
			if g.Hash != audit.RecordHash(g) {
				t.Errorf("record %d: Hash does not match its content", i)
			}
			prev = g.Hash
			w := want[i]
			w.Time = w.Time.UTC()
			if !reflect.DeepEqual(stripAssigned(g), w) {
				t.Errorf("record %d read back as\n%+v\nwant\n%+v", i, stripAssigned(g), w)
			}
		}
	})
}

func TestRecordWithoutTimeIsStampedWhenAppended(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		r := disclosure(nurse, citizenA, 1)
		r.Time = time.Time{}
		before := time.Now().Truncate(time.Microsecond)
		if err := l.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		got, err := l.Query(ctx, audit.Query{First: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("Query = %d records, %v", len(got), err)
		}
		if tm := got[0].Time; tm.Before(before) || tm.After(after) || tm.Location() != time.UTC || tm.Nanosecond()%1000 != 0 {
			t.Errorf("Time = %v, want a UTC microsecond time between %v and %v", tm, before, after)
		}
	})
}

func TestQueryFiltersAndPages(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		err := l.Append(ctx,
			disclosure(nurse, citizenA, 1), // 1
			breakGlass(gp, citizenA, 2),    // 2
			denial(gp, citizenB, 3),        // 3
			disclosure(nurse, citizenB, 4), // 4
			disclosure(nurse, citizenA, 5), // 5
			breakGlass(gp, citizenC, 6),    // 6
		)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			query audit.Query
			want  []int64
		}{
			{"a citizen sees every access to them, newest first", audit.Query{Citizen: citizenA, First: 10}, []int64{5, 2, 1}},
			{"a principal's accesses", audit.Query{Subject: gp.Subject, First: 10}, []int64{6, 3, 2}},
			{"only records flagged for review", audit.Query{FlaggedOnly: true, First: 10}, []int64{6, 2}},
			{"filters combine", audit.Query{Citizen: citizenA, FlaggedOnly: true, First: 10}, []int64{2}},
			{"first page", audit.Query{Citizen: citizenA, First: 2}, []int64{5, 2}},
			{"next page starts before the last seq seen", audit.Query{Citizen: citizenA, Before: 2, First: 2}, []int64{1}},
			{"After bounds from below", audit.Query{After: 4, First: 10}, []int64{6, 5}},
			{"a window between After and Before", audit.Query{After: 1, Before: 5, First: 10}, []int64{4, 3, 2}},
			{"no records for a citizen nobody looked at", audit.Query{Citizen: "0101901234", First: 10}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := l.Query(ctx, tt.query)
				if err != nil {
					t.Fatal(err)
				}
				var seqs []int64
				for _, r := range got {
					seqs = append(seqs, r.Seq)
				}
				if !reflect.DeepEqual(seqs, tt.want) {
					t.Errorf("seqs = %v, want %v", seqs, tt.want)
				}
			})
		}
	})
}

func TestQueryRejectsBadArgumentsNamingTheField(t *testing.T) {
	l := freshSQLite(t).openLog(t, audit.Options{})
	tests := []struct {
		name  string
		query audit.Query
		field string
	}{
		{"no page size", audit.Query{}, "First"},
		{"page larger than 500", audit.Query{First: 501}, "First"},
		{"negative After", audit.Query{First: 1, After: -1}, "After"},
		{"negative Before", audit.Query{First: 1, Before: -1}, "Before"},
		{"citizen that is no CPR", audit.Query{First: 1, Citizen: "12345"}, "Citizen"},
		{"citizen not in canonical form", audit.Query{First: 1, Citizen: "610180-1234"}, "Citizen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Query(context.Background(), tt.query)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Query(%+v) error = %v, want one naming %s", tt.query, err, tt.field)
			}
		})
	}
}

func TestInvalidRecordsAreRefusedAndNothingIsWritten(t *testing.T) {
	ctx := context.Background()
	l := freshSQLite(t).openLog(t, audit.Options{})
	mutate := func(f func(*audit.Record)) audit.Record {
		r := disclosure(nurse, citizenA, 1)
		f(&r)
		return r
	}
	tests := []struct {
		name  string
		rec   audit.Record
		field string
	}{
		{"no subject", mutate(func(r *audit.Record) { r.Principal.Subject = " " }), "Principal.Subject"},
		{"no role", mutate(func(r *audit.Record) { r.Principal.Role = "" }), "Principal.Role"},
		{"unknown purpose", mutate(func(r *audit.Record) { r.Purpose = "curiosity" }), "Purpose"},
		{"unknown outcome", mutate(func(r *audit.Record) { r.Outcome = "maybe" }), "Outcome"},
		{"denial without reason", mutate(func(r *audit.Record) { r.Outcome = audit.OutcomeDenied }), "Reason"},
		{"break-the-glass without reason", mutate(func(r *audit.Record) { r.Purpose = audit.PurposeBreakTheGlass }), "Reason"},
		{"citizen that is no CPR", mutate(func(r *audit.Record) { r.Citizen = "6101801" }), "Citizen"},
		{"pseudonymised without citizen", mutate(func(r *audit.Record) { r.Citizen = ""; r.Pseudonymised = true }), "Citizen"},
		{"NUL byte in request id", mutate(func(r *audit.Record) { r.RequestID = "a\x00b" }), "RequestID"},
		{"invalid UTF-8 in reason", mutate(func(r *audit.Record) { r.Reason = "\xff" }), "Reason"},
		{"empty field path", mutate(func(r *audit.Record) { r.Fields = []string{"Citizen.name", ""} }), "Fields[1]"},
		{"huge organization", mutate(func(r *audit.Record) { r.Principal.Organization = strings.Repeat("x", 5000) }), "Principal.Organization"},
		{"time before 1970", mutate(func(r *audit.Record) { r.Time = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }), "Time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Append(ctx, disclosure(gp, citizenB, 9), tt.rec)
			var fe *audit.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Index != 1 {
				t.Fatalf("Append error = %v, want a FieldError for record 1 field %s", err, tt.field)
			}
			if !errors.Is(err, audit.ErrNotCommitted) {
				t.Errorf("error %v does not say the records were not committed", err)
			}
			if strings.Contains(err.Error(), string(citizenA)) || strings.Contains(err.Error(), string(citizenB)) {
				t.Errorf("error %q quotes a CPR", err)
			}
		})
	}
	got, err := l.Query(ctx, audit.Query{First: 10})
	if err != nil || len(got) != 0 {
		t.Errorf("after refused appends the log holds %d records (err %v), want 0: a call is all or nothing", len(got), err)
	}
}

func TestAppendIsDurableAcrossReopen(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		first, err := db.open(ctx, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Append(ctx, disclosure(nurse, citizenA, 1), disclosure(gp, citizenB, 2)); err != nil {
			t.Fatal(err)
		}
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}

		second := db.openLog(t, audit.Options{})
		if err := second.Append(ctx, disclosure(nurse, citizenC, 3)); err != nil {
			t.Fatal(err)
		}
		got, err := second.Query(ctx, audit.Query{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Seq != 3 || got[0].PrevHash != got[1].Hash {
			t.Fatalf("after reopen: %d records, newest seq %d; want 3 records with the chain continued", len(got), got[0].Seq)
		}
		rep, err := second.Verify(ctx)
		if err != nil || !rep.OK || rep.Records != 3 {
			t.Errorf("Verify = %+v, %v; want OK over 3 records", rep, err)
		}
	})
}

func TestClosedLogRefusesEverything(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l, err := db.open(ctx, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Errorf("second Close = %v, want nil", err)
		}
		err = l.Append(ctx, disclosure(nurse, citizenA, 1))
		if !errors.Is(err, audit.ErrClosed) || !errors.Is(err, audit.ErrNotCommitted) {
			t.Errorf("Append after Close = %v, want ErrClosed and ErrNotCommitted", err)
		}
		if _, err := l.Query(ctx, audit.Query{First: 1}); !errors.Is(err, audit.ErrClosed) {
			t.Errorf("Query after Close = %v, want ErrClosed", err)
		}
		if _, err := l.Verify(ctx); !errors.Is(err, audit.ErrClosed) {
			t.Errorf("Verify after Close = %v, want ErrClosed", err)
		}
		if err := l.Ping(ctx); !errors.Is(err, audit.ErrClosed) {
			t.Errorf("Ping after Close = %v, want ErrClosed", err)
		}
		if _, err := l.GrantBreakGlass(ctx, audit.Grant{}); !errors.Is(err, audit.ErrClosed) {
			t.Errorf("GrantBreakGlass after Close = %v, want ErrClosed", err)
		}
	})
}

func TestCloseCommitsEveryQueuedAppendFirst(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l, err := db.open(ctx, audit.Options{CommitTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		release := holdWriteLock(t, db)
		first := appendConcurrently(l, 1, func(int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, 0)} })
		waitFor(t, "the writer to take the first append", func() bool { return audit.CommittingForTest(l) == 1 })
		rest := appendConcurrently(l, 9, func(i int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, i+1)} })
		waitFor(t, "nine appends to queue", func() bool { return audit.QueuedForTest(l) == 9 })
		closed := make(chan error)
		go func() { closed <- l.Close() }()
		// A cancelled context keeps the probe from queueing while the log is open.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		waitFor(t, "Close to refuse new appends", func() bool {
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
				waitFor(t, "the writer to take the first append", func() bool { return audit.CommittingForTest(l) == 1 })
				rest := appendConcurrently(l, 20, func(i int) []audit.Record { return []audit.Record{disclosure(nurse, citizenA, i)} })
				waitFor(t, "20 appends to queue", func() bool { return audit.QueuedForTest(l) == 20 })
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
		waitFor(t, "the writer to take the first append", func() bool { return audit.CommittingForTest(l) == 1 })

		// The second is still queued when its caller gives up.
		queuedCtx, cancelQueued := context.WithCancel(ctx)
		queued := make(chan error, 1)
		go func() { queued <- l.Append(queuedCtx, disclosure(nurse, citizenA, 2)) }()
		waitFor(t, "the second append to queue", func() bool { return audit.QueuedForTest(l) == 1 })
		cancelQueued()
		if err := <-queued; !errors.Is(err, audit.ErrNotCommitted) || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled queued append = %v, want ErrNotCommitted and context.Canceled", err)
		}

		cancelInFlight()
		release()
		if err := <-inFlight; err != nil {
			t.Errorf("append cancelled while being committed = %v, want nil: it was committed and the caller must know", err)
		}
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
			waitFor(t, "the writer to take the first append", func() bool { return audit.CommittingForTest(l) == 1 })
			rest := appendConcurrently(l, 5, func(i int) []audit.Record { return []audit.Record{disclosure(gp, citizenB, 10+i)} })
			waitFor(t, "5 appends to queue", func() bool { return audit.QueuedForTest(l) == 5 })
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

func TestPingAnswersForAWritableLog(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		l := db.openLog(t, audit.Options{})
		if err := l.Ping(context.Background()); err != nil {
			t.Errorf("Ping = %v", err)
		}
	})
}

func TestSQLiteCommitsAreDurableOnReturn(t *testing.T) {
	l := freshSQLite(t).openLog(t, audit.Options{})
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2"} {
		got, err := audit.SQLitePragmaForTest(context.Background(), l, pragma)
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func TestOpenSQLiteRefusesANonDurablePath(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:", "/tmp/a?mode=memory"} {
		if l, err := audit.OpenSQLite(context.Background(), path, audit.Options{}); err == nil {
			l.Close()
			t.Errorf("OpenSQLite(%q) succeeded", path)
		}
	}
}

func TestOpenRefusesASchemaNewerThanItKnows(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l, err := db.open(ctx, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		db.mustExec(t, db.sql(
			`INSERT INTO audit_schema_version (version, applied_us) VALUES (99, 0)`,
			`INSERT INTO audit_schema_version (version) VALUES (99)`))
		if l, err := db.open(ctx, audit.Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
			if l != nil {
				l.Close()
			}
			t.Errorf("open = %v, want an error saying the schema is newer", err)
		}
	})
}

// holdWriteLock makes the log's writer wait until release, which also runs
// when the test ends.
func holdWriteLock(t *testing.T, db *testDB) (release func()) {
	t.Helper()
	rel, err := db.holdWriteLock(context.Background())
	if err != nil {
		t.Fatalf("hold write lock: %v", err)
	}
	var once sync.Once
	release = func() { once.Do(rel) }
	t.Cleanup(release)
	return release
}

type appendResults struct {
	wg   sync.WaitGroup
	errs []error
}

// appendConcurrently starts n Append calls, each in its own goroutine.
func appendConcurrently(l *audit.Log, n int, recs func(i int) []audit.Record) *appendResults {
	r := &appendResults{errs: make([]error, n)}
	for i := range n {
		r.wg.Go(func() { r.errs[i] = l.Append(context.Background(), recs(i)...) })
	}
	return r
}

func (r *appendResults) wait() []error {
	r.wg.Wait()
	return r.errs
}

// waitFor polls cond until it holds; it is a wait, not a timing assertion,
// and only gives up after a minute to name what never happened.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func histogram(t *testing.T, reg *prometheus.Registry, name string) *dto.Histogram {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetHistogram()
		}
	}
	t.Fatalf("metric %s not registered", name)
	return nil
}

func counter(t *testing.T, reg *prometheus.Registry, name, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "reason" && lp.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{reason=%q} not found", name, reason)
	return 0
}
