package audit_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
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
