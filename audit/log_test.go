package audit_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

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
			if g.KeyID != testKeys.Current().ID() || g.Hash != testKeys.Current().RecordHash(g) {
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
			if want := "audit: append: records not committed: record 1: " + tt.field + " "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error reads %q, want it to start %q", err, want)
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

func TestPingAnswersForAWritableLog(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		l := db.openLog(t, audit.Options{})
		if err := l.Ping(context.Background()); err != nil {
			t.Errorf("Ping = %v", err)
		}
	})
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
