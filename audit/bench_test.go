package audit_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

// BenchmarkAppend measures durable appends of one record each: serially
// (every append is its own transaction and fsync) and from parallel callers
// (group commit shares transactions). Run with -cpu to vary the callers, e.g.
//
//	go test -run '^$' -bench Append -cpu 1,4 -benchtime 3s ./audit/
//
// RunParallel starts GOMAXPROCS×SetParallelism callers; 16 per CPU stands
// for a gateway serving many requests at once.
func BenchmarkAppend(b *testing.B) {
	for _, s := range stores() {
		b.Run(s.name, func(b *testing.B) {
			b.Run("serial", func(b *testing.B) {
				l := s.fresh(b).openLog(b, audit.Options{})
				ctx := context.Background()
				rec := disclosure(nurse, citizenA, 1)
				for i := 0; b.Loop(); i++ {
					rec.RequestID = fmt.Sprintf("serial-%d", i)
					if err := l.Append(ctx, rec); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
			b.Run("parallel", func(b *testing.B) {
				l := s.fresh(b).openLog(b, audit.Options{})
				ctx := context.Background()
				var n atomic.Int64
				b.SetParallelism(16)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					rec := disclosure(nurse, citizenA, 1)
					for pb.Next() {
						rec.RequestID = fmt.Sprintf("parallel-%d", n.Add(1))
						if err := l.Append(ctx, rec); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
		})
	}
}

// BenchmarkVerify measures how fast `klynge audit verify` reads and checks
// a log of 10,000 records.
func BenchmarkVerify(b *testing.B) {
	const size = 10000
	for _, s := range stores() {
		b.Run(s.name, func(b *testing.B) {
			l := s.fresh(b).openLog(b, audit.Options{})
			ctx := context.Background()
			recs := make([]audit.Record, size)
			for i := range recs {
				recs[i] = disclosure(nurse, citizenA, i)
			}
			if err := l.Append(ctx, recs...); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				rep, err := l.Verify(ctx)
				if err != nil || !rep.OK || rep.Records != size {
					b.Fatalf("Verify = %+v, %v", rep, err)
				}
			}
			b.ReportMetric(float64(b.N)*size/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkCommitGrant measures one break-the-glass grant as the gateway
// writes it: an ID reserved, then the grant, its limit check and its
// attesting record in one transaction.
func BenchmarkCommitGrant(b *testing.B) {
	for _, s := range stores() {
		b.Run(s.name, func(b *testing.B) {
			l := s.fresh(b).openLog(b, audit.Options{})
			ctx := context.Background()
			granted := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
			for i := 0; b.Loop(); i++ {
				id, err := l.ReserveGrantID(ctx)
				if err != nil {
					b.Fatal(err)
				}
				g := audit.Grant{ID: id, Principal: emergencyDoctor, Citizen: citizenA, Reason: emergencyReason,
					GrantedAt: granted, ExpiresAt: granted.Add(4 * time.Hour)}
				limit := audit.GrantLimit{Max: 1 << 30, Since: granted.Add(-24 * time.Hour)}
				if _, err := l.CommitGrants(ctx, []audit.GrantChange{{New: &g, Record: breakGlass(emergencyDoctor, citizenA, i)}}, limit); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "grants/s")
		})
	}
}

// BenchmarkActiveGrants measures the grant register's read as the access
// check asks it, with 500 grants of one principal in the register: for one
// citizen (a patient context), for 100 (a list) in one read, and for the
// same 100 in a read each.
func BenchmarkActiveGrants(b *testing.B) {
	for _, s := range stores() {
		b.Run(s.name, func(b *testing.B) {
			l := s.fresh(b).openLog(b, audit.Options{})
			ctx := context.Background()
			granted := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
			citizens := make([]domain.CPR, 500)
			for i := range citizens {
				citizens[i] = domain.CPR(fmt.Sprintf("%06d%04d", 610180, i))
				if _, err := l.GrantBreakGlass(ctx, audit.Grant{Principal: emergencyDoctor, Citizen: citizens[i], Reason: emergencyReason,
					GrantedAt: granted, ExpiresAt: granted.Add(4 * time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
			at := granted.Add(time.Hour)
			for _, n := range []int{1, 100} {
				b.Run(fmt.Sprintf("citizens=%d", n), func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						gs, err := l.ActiveGrants(ctx, emergencyDoctor, citizens[(i*n)%400:][:n], at)
						if err != nil || len(gs) != n {
							b.Fatalf("%d grants, %v; want %d", len(gs), err, n)
						}
					}
				})
			}
			// The same 100 citizens one read each, as the checks asked
			// before they were read together.
			b.Run("citizens=100/one-by-one", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					for _, c := range citizens[(i*100)%400:][:100] {
						if _, ok, err := l.ActiveGrant(ctx, emergencyDoctor, c, at); err != nil || !ok {
							b.Fatalf("grant of %s: %v, %v", c, ok, err)
						}
					}
				}
			})
		})
	}
}
