package population

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkGenerate measures start-up time and the heap a world holds:
//
//	go test -run x -bench BenchmarkGenerate -benchmem ./sandbox/population/
//
// heapMB is the live heap after generation and a GC, with the world still
// referenced: what a running sandbox keeps.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{20000, 200000} {
		b.Run(fmt.Sprintf("citizens=%d", n), func(b *testing.B) {
			var w *World
			for b.Loop() {
				var err error
				if w, err = Generate(Config{Population: n, Seed: 1, Now: testNow}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heapMB")
			b.ReportMetric(float64(len(w.Encounters())), "encounters")
			b.ReportMetric(float64(w.VisitCount()), "visits")
			runtime.KeepAlive(w)
		})
	}
}
