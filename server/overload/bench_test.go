package overload

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkAdmission is the cost admission and the deadline add to each
// request, admitted or refused.
func BenchmarkAdmission(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	b.Run("admitted", func(b *testing.B) {
		h := New(Options{MaxInFlight: 1 << 20}).Middleware(ok)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			for pb.Next() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	})
	b.Run("refused", func(b *testing.B) {
		l := New(Options{MaxInFlight: 1})
		l.acquire(Interactive)
		h := l.Middleware(ok)
		b.ReportAllocs()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}
