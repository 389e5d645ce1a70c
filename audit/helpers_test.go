package audit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sundhedsklynge/klynge/audit"
)

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
