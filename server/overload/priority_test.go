package overload

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestBulkWorkLeavesRoomForInteractiveReads(t *testing.T) {
	l := New(Options{MaxInFlight: 10, MinInFlight: 10, BulkShare: 0.5})
	for i := range 5 {
		if _, ok := l.acquire(Bulk); !ok {
			t.Fatalf("bulk request %d refused within its share", i)
		}
	}
	if _, ok := l.acquire(Bulk); ok {
		t.Fatal("a sixth bulk request admitted beyond half of a limit of 10")
	}
	for i := range 5 {
		if _, ok := l.acquire(Interactive); !ok {
			t.Fatalf("interactive request %d refused while bulk work holds only its share", i)
		}
	}
	if _, ok := l.acquire(Interactive); ok {
		t.Fatal("an interactive request admitted beyond the limit")
	}
	l.release(Bulk, 10, time.Millisecond, false)
	if _, ok := l.acquire(Interactive); !ok {
		t.Error("a slot freed by bulk work is not open to an interactive request")
	}
}

func TestRetryAfterFollowsTheDrainRate(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 900_000_000, time.UTC)
	l := New(Options{MaxInFlight: 4, MinInFlight: 4, Now: func() time.Time { return now }})
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	serve := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
		return rec
	}
	// 10 completions in each of two whole seconds.
	for i := range 20 {
		now = now.Add(100 * time.Millisecond)
		if rec := serve(); rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	for range 4 {
		l.acquire(Interactive)
	}
	now = now.Add(time.Second) // a new second: its refusals are what counts
	var last string
	for range 60 {
		rec := serve()
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("request at a full limit: %d", rec.Code)
		}
		last = rec.Header().Get("Retry-After")
	}
	// 60 refused in a second, drained at 10 a second as the rate has
	// learnt it so far (each second weighs half: 5, then 7.5) — 60/7.5 = 8 s
	// to serve them all.
	if last != "8" {
		t.Errorf("Retry-After = %s after 60 refusals at a drain of about 7.5/s, want 8", last)
	}
}

func TestTheExecutorStopsBeforeTheResponseMustLeave(t *testing.T) {
	l := New(Options{Timeout: 10 * time.Second, LogReserve: time.Second})
	var work, respond time.Time
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		work, _ = r.Context().Deadline()
		respond, _ = ResponseDeadline(r.Context())
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if respond.IsZero() || work.IsZero() {
		t.Fatalf("deadlines not set: work %v, response %v", work, respond)
	}
	if got := respond.Sub(work); got != time.Second {
		t.Errorf("the executor's deadline is %v before the response's, want the log's reserve of 1s", got)
	}
	if _, ok := ResponseDeadline(context.Background()); ok {
		t.Error("a context outside the limiter has a response deadline")
	}
}
